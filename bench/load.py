"""Benchmark: a clinic's mixed load, with faults, on a PostgreSQL cluster of its own.

Makes a throwaway PostgreSQL cluster (initdb and pg_ctl as the postgres user, on a free port
of 127.0.0.1, in a temporary directory: the shared server on 5432 is never touched), migrates
it and seeds a clinic (BENCH_LOAD_THERAPISTS therapists, BENCH_LOAD_CLIENTS clients, each
with an agreed plan, a check-in scale and reminders at fixed times that fall due during the
run, half of them by e-mail). Then starts gunicorn (3 processes × 4 threads, 127.0.0.1 only)
and two reminder workers (`manage.py run_worker`, short intervals), and drives them with
locust (as a library, headless, in a process of its own) for BENCH_LOAD_SECONDS: clients open
their Today page, log practice and check-ins through the offline outbox's endpoint
(`POST /me/sync/`, client-made ids, resent after a failure as the phone does) and the check-in
form, and answer a questionnaire; therapists open their caseload, client pages and agendas.

Faults during the run: one gunicorn worker process is SIGKILLed (at 20 % of the run), one
reminder worker is SIGKILLed while it hands e-mails over (from 30 %; at 50 % if it never does)
and restarted a second later, as a supervisor would, and
PostgreSQL is stopped, left down for BENCH_LOAD_OUTAGE seconds and started again (at 55 %, and
at least 10 s after the worker's kill).
/healthz is polled throughout: it must answer 503 while the database is down, and the time
from PostgreSQL being back to the first 200 is the recovery time.

Afterwards, in the database: every write that got a 2xx (or the form's redirect) must be
there; no prompt may have been handed to the mail channel twice (a mailbox file,
bench/_lib/mailbox.py, counts the hand-overs) or delivered twice; every prompt due before the
end of the load must have been sent or otherwise resolved after a grace of one lease. The
script exits non-zero when any of those is not 0, or when /healthz answered anything but 503
during the outage. Everything it started is stopped and the cluster removed, also on failure.

    make bench                          # BENCH_LOAD_SECONDS (default 60) of load
    BENCH_LOAD_SECONDS=60 .venv/bin/python bench/load.py

Needs PostgreSQL's server binaries (/usr/lib/postgresql/<version>/bin) and to run as root or
as postgres; skipped, saying so, otherwise. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import itertools
import json
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

# Run as a file (python bench/load.py, as make bench does) or as a module (python -m
# bench.load): either way the repository root is where `bench` is imported from.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lib import PYTHON, ROOT, free_port, number, server_environment
from bench._lib.mailbox import handed_over

CSRF = "c" * 32  # a fixed CSRF secret, sent as cookie and header or field (Django accepts it)
LEASE_SECONDS = 10  # the workers' lease: a killed worker's prompts are due again after it
IDLE_SECONDS = 1.0
WORKERS = 2
WEB_PROCESSES = 3
EXCEPTION_LINE = re.compile(r"^((?:[a-z_]+\.)+[A-Z]\w+|[A-Z]\w*(?:Error|Exception)):")


def environment(database_url: str, var_dir: str, mailbox: str) -> dict[str, str]:
    return server_environment(
        database_url,
        var_dir,
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="bridgework.settings",
        EMAIL_BACKEND="bench._lib.mailbox.Backend",
        BENCH_MAILBOX=mailbox,
    )


# --- the cast (in a child process with Django) ---------------------------------------------


def session_for(user: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "bridgework.accounts.backends.Backend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(6 * 3600)
    session.create()
    return str(session.session_key)


SEED_PROCESSES = 2  # clients are seeded by this many processes side by side


def seed_staff(therapists: int) -> None:
    """The clinic and its therapists, through the project's own actions; prints their ids."""
    import django

    django.setup()
    from django.conf import settings

    # Passwords are never used (sessions are made directly): a fast hash keeps seeding short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from bridgework.test import make_clinic, make_staff

    clinic = make_clinic("Load clinic")
    staff = [make_staff(clinic, f"load_therapist_{n}", "therapist") for n in range(therapists)]
    print(json.dumps({"clinic": clinic.pk, "therapists": [member.pk for member in staff]}))


def seed(clinic_id: int, staff_ids: list[int], first: int, last: int, minutes: int) -> None:
    """Clients `first` to `last` - 1 of the clinic, through the project's own actions; prints
    their part of the cast as JSON. Reminders at fixed times in the next `minutes` minutes,
    three per client, spread over the minutes."""
    import django

    django.setup()
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    # Passwords are never used (sessions are made directly): a fast hash keeps seeding short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from bridgework.accounts.models import Clinic, User
    from bridgework.care import actions as care
    from bridgework.care.models import Consent
    from bridgework.plans import actions as plans
    from bridgework.plans.models import PlanTemplate
    from bridgework.practice import actions as practice
    from bridgework.practice.outbox import owner_of
    from bridgework.prompts.schedules import set_schedule
    from bridgework.test import make_client

    clinic = Clinic.objects.get(pk=clinic_id)
    zone = ZoneInfo(clinic.time_zone)  # fixed times are the clinic's wall-clock times
    by_id = User.objects.in_bulk(staff_ids)
    staff = [by_id[pk] for pk in staff_ids]
    therapists = len(staff)
    template = PlanTemplate.objects.get(slug="slow-breathing", clinic=None)
    people = []
    cast: dict[str, Any] = {"clients": [], "therapists": []}
    caseloads: dict[int, list[int]] = {member.pk: [] for member in staff}
    for n in range(first, last):
        therapist = staff[n % therapists]
        client = make_client(clinic, f"load_client_{n}", therapist)
        user = client.user
        assert user is not None
        plan = plans.agree(plans.start_plan(client, by=therapist, template=template), by=therapist)
        scale = practice.add_scale(
            client, by=therapist, name="Calm", low_anchor="not at all", high_anchor="completely"
        )
        channels = []
        if n % 2:
            care.set_consent(client, Consent.Purpose.REMINDERS_EMAIL, True, by=user)
            channels = ["email"]
        people.append((client, therapist, plan, channels))
        caseloads[therapist.pk].append(client.pk)
        cast["clients"].append(
            {
                "session": session_for(user),
                "client": client.pk,
                "plan": plan.pk,
                "scale": scale.pk,
                "owner": owner_of(user),  # the servers share the SECRET_KEY
            }
        )
    # The reminders last, so that their times (whole minutes) fall in the run that follows.
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    for n, (client, therapist, plan, channels) in enumerate(people, first):
        offsets = sorted({(n + k * 7) % minutes for k in range(3)})
        times = [
            (start + timedelta(minutes=offset)).astimezone(zone).strftime("%H:%M")
            for offset in offsets
        ]
        set_schedule(
            client,
            by=therapist,
            purpose="practice",
            rule={"kind": "fixed", "times": times},
            channels=channels,
            plan=plan,
        )
    if first == 0:
        for member in staff:
            cast["therapists"].append({"session": session_for(member), "clients": []})
    cast["caseloads"] = caseloads
    print(json.dumps(cast))


# --- the load (in a child process: locust monkey-patches with gevent) -------------------------


def run_locust(cast_path: str, result_path: str, host: str, seconds: float, users: int) -> None:
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    cast = json.loads(Path(cast_path).read_text())
    clients, therapists = cast["clients"], cast["therapists"]
    acknowledged: dict[str, list[Any]] = {"practice": [], "check-in": [], "questionnaire": []}
    failures: list[dict[str, Any]] = []
    resent = {"count": 0}

    def cookies(person: dict[str, Any]) -> dict[str, str]:
        return {"Cookie": f"sessionid={person['session']}; csrftoken={CSRF}"}

    def kind_of(response: Any) -> str:
        if response.status_code == 0:
            error = type(getattr(response, "error", None)).__name__
            text = str(getattr(response, "error", ""))
            if "Connection refused" in text or "ConnectionRefused" in text:
                return "connection refused"
            if "RemoteDisconnected" in text or "reset" in text.lower() or "aborted" in text:
                return "connection dropped"
            return f"no answer ({error})"
        return f"{response.status_code}"

    def check(response: Any, name: str, ok: tuple[int, ...]) -> bool:
        if response.status_code in ok:
            response.success()
            return True
        kind = kind_of(response)
        failures.append({"at": time.time(), "page": name, "kind": kind})
        response.failure(kind)
        return False

    class ClientUser(HttpUser):
        weight = 4
        wait_time = between(0.5, 2.0)

        def on_start(self) -> None:
            self.outbox: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

        def person(self) -> dict[str, Any]:
            return random.choice(clients)

        @task(3)
        def today(self) -> None:
            name = "GET /me/"
            with self.client.get(
                "/me/", headers=cookies(self.person()), name=name, catch_response=True
            ) as response:
                check(response, name, (200,))

        def sync(self, person: dict[str, Any], kind: str, form: dict[str, Any]) -> bool:
            name = f"POST /me/sync/ ({kind})"
            body = {"kind": kind, "owner": person["owner"], "form": form}
            headers = {**cookies(person), "X-CSRFToken": CSRF}
            with self.client.post(
                "/me/sync/", json=body, headers=headers, name=name, catch_response=True
            ) as response:
                if check(response, name, (200, 201)):
                    acknowledged[kind].append(form["uid"])
                    return True
                if response.status_code in (0, 401, 408, 429) or response.status_code >= 500:
                    self.outbox.append((kind, person, form))  # the phone keeps it and retries
                return False

        def flush_outbox(self) -> None:
            waiting, self.outbox = self.outbox, []
            for kind, person, form in waiting:
                resent["count"] += 1
                self.sync(person, kind, form)

        @task(4)
        def log_practice(self) -> None:
            self.flush_outbox()
            person = self.person()
            form = {
                "uid": str(uuid.uuid4()),
                "plan": str(person["plan"]),
                "client": str(person["client"]),
                "sheet": "quick",
                "outcome": "done",
                "entries.how_it_went": str(random.randint(0, 100)),
            }
            self.sync(person, "practice", form)

        @task(2)
        def check_in_offline(self) -> None:
            self.flush_outbox()
            person = self.person()
            form = {"uid": str(uuid.uuid4()), f"scale-{person['scale']}": random.randint(0, 10)}
            self.sync(person, "check-in", form)

        @task(1)
        def check_in_form(self) -> None:
            person, uid = self.person(), str(uuid.uuid4())
            name = "POST /me/check-in/"
            data = {
                "csrfmiddlewaretoken": CSRF,
                "uid": uid,
                f"scale-{person['scale']}": str(random.randint(0, 10)),
            }
            with self.client.post(
                "/me/check-in/",
                data=data,
                headers=cookies(person),
                name=name,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if check(response, name, (302,)):
                    acknowledged["check-in"].append(uid)

        @task(1)
        def questionnaire(self) -> None:
            person = self.person()
            name = "GET /me/measures/gad-7/"
            with self.client.get(
                "/me/measures/gad-7/", headers=cookies(person), name=name, catch_response=True
            ) as response:
                if not check(response, name, (200,)):
                    return
            name = "POST /me/measures/gad-7/"
            answers = {f"item-{n}": str(random.randint(0, 3)) for n in range(1, 8)}
            with self.client.post(
                "/me/measures/gad-7/",
                data={"csrfmiddlewaretoken": CSRF, **answers},
                headers=cookies(person),
                name=name,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if check(response, name, (302,)):
                    acknowledged["questionnaire"].append(person["client"])

    class TherapistUser(HttpUser):
        weight = 1
        wait_time = between(1.0, 3.0)

        def page(self, path: str, name: str) -> None:
            with self.client.get(
                path, headers=self.headers, name=name, catch_response=True
            ) as response:
                check(response, name, (200,))

        def on_start(self) -> None:
            self.headers: dict[str, str] = {}

        def choose(self) -> int:
            me = random.choice(therapists)
            self.headers = cookies(me)
            return int(random.choice(me["clients"]))

        @task(2)
        def caseload(self) -> None:
            self.choose()
            self.page("/clients/", "GET /clients/")

        @task(3)
        def client_page(self) -> None:
            client = self.choose()
            self.page(f"/clients/{client}/", "GET /clients/[id]/")

        @task(2)
        def agenda(self) -> None:
            client = self.choose()
            self.page(f"/clients/{client}/agenda/", "GET /clients/[id]/agenda/")

    ClientUser.host = TherapistUser.host = host
    environment = Environment(user_classes=[ClientUser, TherapistUser], events=events)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=max(1.0, users / 5))
    started = time.time()
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    elapsed = time.time() - started
    pages = {}
    for (name, _method), entry in sorted(environment.stats.entries.items()):
        pages[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
        }
    total = environment.stats.total
    Path(result_path).write_text(
        json.dumps(
            {
                "started": started,
                "elapsed": elapsed,
                "requests": total.num_requests,
                "failures": total.num_failures,
                "p50": total.get_response_time_percentile(0.5),
                "p95": total.get_response_time_percentile(0.95),
                "pages": pages,
                "failure_log": failures,
                "acknowledged": acknowledged,
                "resent": resent["count"],
            }
        )
    )


# --- the checks afterwards (in a child process with Django) ----------------------------------


def check_database(result_path: str, mailbox: str, cutoff: float) -> None:
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.db.models import Count

    from bridgework.measures.models import Response
    from bridgework.practice.models import CheckIn, PracticeLog
    from bridgework.prompts import dispatch
    from bridgework.prompts.models import Prompt, PromptEvent

    result = json.loads(Path(result_path).read_text())
    ack = result["acknowledged"]

    def missing(model: Any, uids: list[str]) -> int:
        wanted = {uuid.UUID(uid) for uid in uids}
        found = set(model.objects.filter(uid__in=wanted).values_list("uid", flat=True))
        return len(wanted - found)

    answered: dict[int, int] = {}
    for client in ack["questionnaire"]:
        answered[client] = answered.get(client, 0) + 1
    stored = dict(
        Response.objects.filter(instrument__slug="gad-7")
        .values_list("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    lost_answers = sum(max(0, n - stored.get(client, 0)) for client, n in answered.items())

    mails = handed_over(mailbox)
    due = Prompt.objects.filter(due_at__lte=datetime.fromtimestamp(cutoff, UTC))
    states = dict(due.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    unresolved = due.filter(state__in=(Prompt.State.SCHEDULED, Prompt.State.SENDING)).count()
    emailed = due.filter(schedule__channels__contains=["email"])
    # Recorded as "not confirmed" (its worker died between marking it handed over and
    # recording the outcome): the mailbox tells whether it went. One that never reached the
    # mail service is lost like any other sent without a mail (at most once, not exactly).
    unconfirmed = set(
        PromptEvent.objects.filter(detail=dispatch.UNCONFIRMED).values_list("prompt_id", flat=True)
    )
    sent = set(emailed.filter(state=Prompt.State.SENT).values_list("pk", flat=True))
    sent_without_mail = len(sent - set(mails))
    twice_events = (
        PromptEvent.objects.filter(state__in=(Prompt.State.SENT, Prompt.State.DELIVERED))
        .values("prompt_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(
        json.dumps(
            {
                "lost": {
                    "practice": missing(PracticeLog, ack["practice"]),
                    "check-in": missing(CheckIn, ack["check-in"]),
                    "questionnaire": lost_answers,
                },
                "acknowledged": {kind: len(values) for kind, values in ack.items()},
                "prompts_due": sum(states.values()),
                "prompt_states": states,
                "prompts_unresolved": unresolved,
                "prompts_sent_without_mail": sent_without_mail,
                "prompts_unconfirmed": len(unconfirmed),
                "prompts_unconfirmed_mailed": len(unconfirmed & set(mails)),
                "mailed_twice": sum(1 for n in mails.values() if n > 1),
                "mails": sum(mails.values()),
                "recorded_twice": twice_events,
            }
        )
    )


# --- the run (the parent: processes, faults, health polling, report) -------------------------


class Cluster:
    """A PostgreSQL cluster of its own in a temporary directory, run as the postgres user."""

    def __init__(self, directory: str) -> None:
        versions = sorted(
            glob.glob("/usr/lib/postgresql/*/bin/initdb"),
            key=lambda p: [int(x) for x in p.split("/")[3].split(".") if x.isdigit()],
        )
        self.bin = str(Path(versions[-1]).parent)
        self.directory, self.data = directory, f"{directory}/data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bridgework_load"

    def as_postgres(self, *command: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else [*command]

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            self.as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-w", *args),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def create(self) -> None:
        if os.getuid() == 0:
            shutil.chown(self.directory, "postgres")
        subprocess.run(
            self.as_postgres(
                f"{self.bin}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres"
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(f"{self.data}/postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\nmax_connections = 100\n"
            )
        self.start()
        import psycopg

        admin = self.url.replace("/bridgework_load", "/postgres")
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("CREATE DATABASE bridgework_load")

    def start(self) -> None:
        self.pg_ctl("-l", f"{self.directory}/server.log", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "stop")


class Run:
    def __init__(self, seconds: float, outage: float, users: int) -> None:
        self.seconds, self.outage, self.users = seconds, outage, users
        self.directory = tempfile.mkdtemp(prefix="bridgework-load.")
        os.chmod(self.directory, 0o755)  # noqa: S103 (postgres must reach its data directory)
        self.mailbox = f"{self.directory}/mailbox.jsonl"
        self.cluster = Cluster(self.directory)
        self.env = environment(self.cluster.url, f"{self.directory}/var", self.mailbox)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.events: list[tuple[float, str]] = []
        self.health: list[tuple[float, int]] = []
        self.polling = threading.Event()
        self.worker_exits: list[tuple[float, int]] = []
        self.port = free_port()

    def note(self, what: str) -> None:
        self.events.append((time.time(), what))
        print(f"  {time.time() - self.events[0][0] if self.events else 0:6.1f} s  {what}")

    def spawn(self, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, start_new_session=True, **kwargs
        )
        self.processes.append(process)
        return process

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = open(f"{self.directory}/worker-{len(self.processes)}.log", "ab")  # noqa: SIM115
        return self.spawn(
            [
                PYTHON,
                "manage.py",
                "run_worker",
                "--idle-seconds",
                str(IDLE_SECONDS),
                "--plan-every-seconds",
                "20",
                "--lease-seconds",
                str(LEASE_SECONDS),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def supervise(self) -> None:
        """Like systemd's Restart=always: a reminder worker that ended is started again."""
        while not self.polling.is_set():
            for n, worker in enumerate(self.workers):
                code = worker.poll()
                if code is not None:
                    self.worker_exits.append((time.time(), code))
                    self.polling.wait(1.0)
                    self.workers[n] = self.start_worker()
            self.polling.wait(0.2)

    def poll_health(self) -> None:
        while not self.polling.is_set():
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=3
                ) as r:
                    status = r.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            self.health.append((time.time(), status))  # when the answer came
            self.polling.wait(0.2)

    def sending(self, pid: int) -> bool:
        """Whether the reminder worker `pid` handed an e-mail over in the last half second."""
        try:
            with open(self.mailbox, "rb") as mailbox:
                mailbox.seek(max(0, os.path.getsize(self.mailbox) - 400))
                last = json.loads(mailbox.read().splitlines()[-1])
        except (OSError, IndexError, ValueError):
            return False
        return bool(last["pid"] == pid and last["at"] > time.time() - 0.5)

    def web_workers(self, master: int) -> list[int]:
        path = Path(f"/proc/{master}/task/{master}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def seed(self, therapists: int, clients: int, minutes: int) -> dict[str, Any]:
        """The cast: the staff first, then the clients by SEED_PROCESSES processes at once."""

        def last_line(process: subprocess.Popen[bytes]) -> Any:
            output, _ = process.communicate()
            if process.returncode:
                raise RuntimeError(f"seeding failed ({process.args!r})")
            return json.loads(output.decode().strip().splitlines()[-1])

        def child(*args: str) -> subprocess.Popen[bytes]:
            return self.spawn([PYTHON, "-m", "bench.load", *args], stdout=subprocess.PIPE)

        staff = last_line(child("--seed-staff", str(therapists)))
        ids = ",".join(str(pk) for pk in staff["therapists"])
        bounds = [clients * n // SEED_PROCESSES for n in range(SEED_PROCESSES + 1)]
        parts = [
            child("--seed", f"{staff['clinic']}:{ids}:{first}:{last}:{minutes}")
            for first, last in itertools.pairwise(bounds)
        ]
        cast: dict[str, Any] = {"clients": [], "therapists": []}
        caseloads: dict[int, list[int]] = {}
        for part in map(last_line, parts):
            cast["clients"] += part["clients"]
            cast["therapists"] += part["therapists"]
            for therapist, clients_of in part["caseloads"].items():
                caseloads.setdefault(int(therapist), []).extend(clients_of)
        for therapist, entry in zip(staff["therapists"], cast["therapists"], strict=True):
            entry["clients"] = caseloads.get(therapist, [])
        return cast

    def execute(self) -> int:
        print("## Load and faults (bench/load.py)")
        started = time.time()
        self.cluster.create()
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        migrated = time.time()
        therapists = int(number("BENCH_LOAD_THERAPISTS", 20))
        clients = int(number("BENCH_LOAD_CLIENTS", 200))
        minutes = max(2, int(self.seconds // 60) + 1)
        cast_path = f"{self.directory}/cast.json"
        Path(cast_path).write_text(json.dumps(self.seed(therapists, clients, minutes)))
        print(
            f"PostgreSQL {Path(self.cluster.bin).parent.name} cluster of its own on port "
            f"{self.cluster.port} (made and migrated in {migrated - started:.0f} s); "
            f"{therapists} therapists, {clients} clients seeded in "
            f"{time.time() - migrated:.0f} s; {self.seconds:g} s of load by {self.users} locust "
            f"users (4 clients to 1 therapist); gunicorn gthread {WEB_PROCESSES}×4, {WORKERS} "
            f"reminder workers (lease {LEASE_SECONDS} s), {os.cpu_count()} CPU cores shared "
            "by everything.",
            flush=True,
        )
        master = self.spawn(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "bridgework.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WEB_PROCESSES),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--log-level",
                "warning",
                "--logger-class",
                "bridgework.lib.gunicorn_logging.Logger",
            ],
            stderr=open(f"{self.directory}/gunicorn.log", "ab"),  # noqa: SIM115
        )
        self.workers = [self.start_worker() for _ in range(WORKERS)]
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    break
            except OSError:
                # Not answering yet: wait for gunicorn to exit (it could not start) or a moment.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    master.wait(timeout=0.3)
                if master.returncode is not None:
                    raise RuntimeError(f"gunicorn exited ({master.returncode})") from None
        else:
            raise RuntimeError("gunicorn did not start")
        threads = [
            threading.Thread(target=self.poll_health),
            threading.Thread(target=self.supervise),
        ]
        for thread in threads:
            thread.start()
        result_path = f"{self.directory}/result.json"
        load = self.spawn(
            [
                PYTHON,
                "-m",
                "bench.load",
                "--locust",
                cast_path,
                result_path,
                f"http://127.0.0.1:{self.port}",
                str(self.seconds),
                str(self.users),
            ]
        )
        begin = time.time()
        self.note("load started")
        times = {"web": 0.20, "worker": 0.30, "database": 0.55}
        killed = float("inf")
        outage: dict[str, float] = {}
        done: set[str] = set()
        while load.poll() is None:
            elapsed = (time.time() - begin) / self.seconds
            if "web" not in done and elapsed >= times["web"]:
                done.add("web")
                victim = self.web_workers(master.pid)[0]
                os.kill(victim, signal.SIGKILL)
                self.note(f"SIGKILL gunicorn worker {victim}")
            # The reminder worker is killed while it hands e-mails over (mid-batch: the case
            # that can send one twice) after 30 % of the run, or at 50 % if it never does.
            busy = self.sending(self.workers[0].pid)
            if "worker" not in done and (
                (elapsed >= times["worker"] and busy) or elapsed >= times["worker"] + 0.2
            ):
                done.add("worker")
                killed = time.time()
                self.workers[0].send_signal(signal.SIGKILL)
                self.note(
                    f"SIGKILL reminder worker {self.workers[0].pid} "
                    f"({'while sending e-mails' if busy else 'idle'}; restarted in 1 s)"
                )
            if (
                "database" not in done
                and "worker" in done
                and elapsed >= times["database"]
                and time.time() > killed + 10
            ):
                done.add("database")
                outage["stopping"] = time.time()
                self.note("PostgreSQL: stop (fast)")
                self.cluster.stop()
                outage["down"] = time.time()
                self.note(f"PostgreSQL: down; {self.outage:g} s")
                # The fault's length is the point here, not a wait for something to happen.
                time.sleep(self.outage)
                outage["starting"] = time.time()
                self.cluster.start()
                outage["up"] = time.time()
                self.note("PostgreSQL: up")
            with contextlib.suppress(subprocess.TimeoutExpired):
                load.wait(timeout=0.1)  # the load's end, or the next look at the faults
        load_end = time.time()
        self.note("load ended; the workers drain")
        grace = LEASE_SECONDS + 3 * IDLE_SECONDS + 5
        time.sleep(grace)
        self.polling.set()
        for thread in threads:
            thread.join()
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            worker.wait(timeout=30)
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)
        checked = subprocess.run(
            [PYTHON, "-m", "bench.load", "--check", result_path, self.mailbox, str(load_end)],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.PIPE,
        )
        facts = json.loads(checked.stdout.decode().strip().splitlines()[-1])
        result = json.loads(Path(result_path).read_text())
        return self.report(result, facts, outage, load_end)

    def report(
        self, result: dict[str, Any], facts: dict[str, Any], outage: dict[str, float], end: float
    ) -> int:
        print(
            f"\n{result['requests']:,} requests in {result['elapsed']:.0f} s: "
            f"**{result['requests'] / result['elapsed']:.1f} requests/s**, p50 "
            f"{result['p50']:.0f} ms, p95 {result['p95']:.0f} ms overall; "
            f"{result['resent']} entries resent from the outbox after a failure.\n"
        )
        print("| page | requests | p50 ms | p95 ms | failed |")
        print("|---|---|---|---|---|")
        for name, page in result["pages"].items():
            print(
                f"| {name} | {page['requests']:,} | {page['p50']:.0f} | {page['p95']:.0f} | "
                f"{page['failures']} |"
            )
        windows = {"database": (outage.get("stopping", 0), outage.get("up", 0))}
        kill = next((at for at, what in self.events if what.startswith("SIGKILL gunicorn")), 0.0)
        counts: dict[tuple[str, str], int] = {}
        for failure in result["failure_log"]:
            at = failure["at"]
            if windows["database"][0] <= at <= windows["database"][1] + 30:
                when = "PostgreSQL outage (+30 s)"
            elif kill - 1 <= at <= kill + 10:
                when = "gunicorn worker killed (+10 s)"
            else:
                when = "outside the faults"
            counts[(failure["kind"], when)] = counts.get((failure["kind"], when), 0) + 1
        print("\n| error | when | count |\n|---|---|---|")
        for (kind, when), count in sorted(counts.items()):
            print(f"| {kind} | {when} | {count} |")
        if not counts:
            print("| none | | 0 |")
        raised = self.exceptions(f"{self.directory}/gunicorn.log")
        print(
            "\nExceptions in the web processes' log (last line of each traceback, class only): "
            + (", ".join(f"{name} × {n}" for name, n in sorted(raised.items())) or "none")
        )
        down = [
            s for at, s in self.health if outage.get("down", 0) < at < outage.get("starting", 0)
        ]
        after = [at for at, s in self.health if at >= outage.get("up", float("inf")) and s == 200]
        recovery = (after[0] - outage["up"]) if after and outage else float("nan")
        since_start = (after[0] - outage["starting"]) if after and outage else float("nan")
        # No answer within the poll's timeout (every thread busy) is not an answer; any answer
        # must be 503.
        answers = [status for status in down if status]
        health_ok = bool(answers) and all(status == 503 for status in answers)
        lost = sum(facts["lost"].values())
        twice = facts["mailed_twice"] + facts["recorded_twice"]
        missing = facts["prompts_unresolved"] + facts["prompts_sent_without_mail"]
        print(
            f"\n/healthz while PostgreSQL was down: {len(answers)} answers, all "
            f"{sorted(set(answers))} (must be 503): **{'yes' if health_ok else 'NO'}**; "
            f"{len(down) - len(answers)} polls got no answer within 3 s. "
            f"Recovery: the first 200 came **{recovery:.1f} s** after PostgreSQL was back "
            f"({since_start:.1f} s after its start began). Reminder workers that exited and "
            f"were restarted: {len(self.worker_exits)} "
            f"(exit codes {[code for _at, code in self.worker_exits]}; one is the SIGKILL)."
        )
        print(
            f"\nAcknowledged writes: {facts['acknowledged']}; **lost: {lost}** "
            f"({facts['lost']}). Prompts due before the end of the load: "
            f"{facts['prompts_due']} ({facts['prompt_states']}); e-mails handed over: "
            f"{facts['mails']}; **sent twice: {twice}** (mailed {facts['mailed_twice']}, "
            f"recorded {facts['recorded_twice']}); **lost: {missing}** (never resolved "
            f"{facts['prompts_unresolved']}, recorded as sent but never mailed "
            f"{facts['prompts_sent_without_mail']}); resolved as not confirmed after a worker "
            f"died while handing them over: {facts['prompts_unconfirmed']} (of which "
            f"{facts['prompts_unconfirmed_mailed']} had gone out)."
        )
        problems = [
            text
            for text, bad in (
                ("acknowledged writes lost", lost),
                ("prompts sent twice", twice),
                ("prompts lost", missing),
                ("/healthz did not answer 503 throughout the outage", not health_ok),
            )
            if bad
        ]
        if problems:
            print("FAILED: " + "; ".join(problems), flush=True)
            return 1
        return 0

    @staticmethod
    def exceptions(path: str) -> dict[str, int]:
        """How often each exception class ended a traceback in a log (never its message)."""
        counts: dict[str, int] = {}
        if not os.path.exists(path):
            return counts
        last = ""
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in [*lines, "END"]:
                match = EXCEPTION_LINE.match(line)
                if match:
                    last = match.group(1)  # a chained traceback ends with the one raised
                elif last and not line.startswith((" ", "\n", "Traceback", "During", "The ")):
                    counts[last] = counts.get(last, 0) + 1
                    last = ""
        return counts

    def clean_up(self) -> None:
        self.polling.set()
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        # Not running: never started, or stopped already.
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self.cluster.stop("immediate")
        if os.environ.get("BENCH_LOAD_KEEP"):
            print(f"Logs kept in {self.directory} (BENCH_LOAD_KEEP)")
            return
        shutil.rmtree(self.directory, ignore_errors=True)


def can_run() -> str:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
    if os.getuid() != 0:
        try:
            if pwd.getpwuid(os.getuid()).pw_name != "postgres":
                return "it must run as root or as postgres to make a cluster of its own"
        except KeyError:
            return "it must run as root or as postgres to make a cluster of its own"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=number("BENCH_LOAD_SECONDS", 60))
    parser.add_argument("--users", type=int, default=int(number("BENCH_LOAD_USERS", 40)))
    parser.add_argument("--outage", type=float, default=number("BENCH_LOAD_OUTAGE", 5))
    parser.add_argument("--seed-staff", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--locust", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_staff:
        seed_staff(args.seed_staff)
        return
    if args.seed:
        clinic, staff, first, last, minutes = args.seed.split(":")
        seed(int(clinic), [int(n) for n in staff.split(",")], int(first), int(last), int(minutes))
        return
    if args.locust:
        cast, result, host, seconds, users = args.locust
        run_locust(cast, result, host, float(seconds), int(users))
        return
    if args.check:
        check_database(args.check[0], args.check[1], float(args.check[2]))
        return
    why = can_run()
    if why:
        print(f"## Load and faults (bench/load.py)\nSkipped: {why}.")
        return
    run = Run(args.seconds, args.outage, args.users)

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        code = run.execute()
    finally:
        run.clean_up()
    sys.exit(code)


if __name__ == "__main__":
    main()
