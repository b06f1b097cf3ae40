from __future__ import annotations

from datetime import date

from django.utils import timezone

from bridgework.audit.models import AccessEvent
from bridgework.supervision import access, monthly
from bridgework.supervision.monthly import PlanMonth, Share, monthly_rows, reviewed_at_next
from bridgework.supervision.tests.helpers import request_of
from bridgework.supervision.tests.records import RecordsTestCase, at
from bridgework.test import user_of


def facts(month: str, flags: str, g: bool | None, at_next: bool | None, practised: bool):
    """`flags`: indicators a–f as six 1/0 characters."""
    values: dict[str, bool | None] = {
        code: flag == "1" for code, flag in zip("abcdef", flags, strict=True)
    }
    values["g"] = g
    return PlanMonth(date.fromisoformat(f"{month}-01"), values, at_next, practised)


def test_monthly_rows_on_a_hand_worked_case() -> None:
    """Five plans over two months, with April between them empty.

    plan  month  a b c d e f   g     at next  practised
    P1    March  1 1 1 1 1 1   yes   yes      yes
    P2    March  0 0 1 0 1 1   no    no       yes
    P3    March  1 0 0 1 0 0   n/a   n/a      no
    P4    May    1 1 1 0 0 1   yes   yes      no
    P5    May    0 0 1 1 1 0   n/a   n/a      yes

    March: 3 plans. a 2/3 (67%), b 1/3 (33%), c 2/3, d 2/3, e 2/3, f 2/3; g 1/2 (50%: P3's
    review is not due); reviewed at the next session 1/2; practice logged 2/3.
    April: no plans, every share 0/0 (shown as "—").
    May: 2 plans. a 1/2 (50%), b 1/2, c 2/2 (100%), d 1/2, e 1/2, f 1/2; g 1/1 (100%);
    reviewed at the next session 1/1; practice logged 1/2.
    """
    rows = monthly_rows(
        [
            facts("2026-05", "111001", True, True, False),  # P4, first: order does not matter
            facts("2026-03", "111111", True, True, True),
            facts("2026-03", "001011", False, False, True),
            facts("2026-03", "100100", None, None, False),
            facts("2026-05", "001110", None, None, True),
        ]
    )
    assert [row.month for row in rows] == [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)]
    march, april, may = rows
    assert march.plans == 3
    assert {m: str(march.share(m)) for m in monthly.MEASURES} == {
        "a": "2/3",
        "b": "1/3",
        "c": "2/3",
        "d": "2/3",
        "e": "2/3",
        "f": "2/3",
        "g": "1/2",
        "reviewed-at-next": "1/2",
        "practised": "2/3",
    }
    assert [march.share(m).percent for m in ("a", "b", "g")] == [67, 33, 50]
    assert april.plans == 0
    assert all(share == Share(0, 0) and share.percent is None for share in april.cells)
    assert may.plans == 2
    assert [str(share) for share in may.cells] == [
        "1/2",
        "1/2",
        "2/2",
        "1/2",
        "1/2",
        "1/2",
        "1/1",
        "1/1",
        "1/2",
    ]
    assert may.share("c").percent == 100


def test_no_plans_make_no_rows() -> None:
    assert monthly_rows([]) == []


def test_the_months_run_over_the_turn_of_the_year() -> None:
    rows = monthly_rows(
        [
            facts("2025-11", "111111", None, None, False),
            facts("2026-02", "111111", None, None, True),
        ]
    )
    assert [row.month.isoformat() for row in rows] == [
        "2025-11-01",
        "2025-12-01",
        "2026-01-01",
        "2026-02-01",
    ]


SESSIONS = [(1, at("2026-03-03T10:00Z")), (2, at("2026-03-17T10:00Z"))]


def test_a_review_is_due_once_the_next_session_has_begun() -> None:
    set_at, before, after = (
        at("2026-03-03T10:00Z"),
        at("2026-03-10T00:00Z"),
        at("2026-03-18T00:00Z"),
    )
    assert reviewed_at_next(set_at, SESSIONS, None, False, before) is None
    assert reviewed_at_next(set_at, SESSIONS, None, False, after) is False
    assert reviewed_at_next(set_at, SESSIONS, 2, True, after) is True


def test_a_review_elsewhere_than_the_next_session_is_not_at_it() -> None:
    set_at, after = at("2026-03-03T10:00Z"), at("2026-04-01T00:00Z")
    assert reviewed_at_next(set_at, SESSIONS, None, True, after) is False  # between sessions
    assert (
        reviewed_at_next(set_at, [*SESSIONS, (3, at("2026-03-31T10:00Z"))], 3, True, after) is False
    )
    # Reviewed though no later session was ever held: due, and not at a next session.
    assert reviewed_at_next(at("2026-03-17T10:00Z"), SESSIONS, None, True, after) is False


class MonthlyFromRecordsTests(RecordsTestCase):
    def records(self, viewer, therapist=None, **options):
        return access.trainee_records(request_of(viewer), therapist or self.therapist_a, **options)

    def test_plans_count_in_their_sessions_month_in_the_clinics_time_zone(self) -> None:
        # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time).
        late = self.session(self.client_a, "2026-03-31T23:30Z")
        early = self.session(self.client_a, "2026-03-03T10:00Z")
        self.plan(self.client_a, late, rationale=True)
        self.plan(self.client_a, early)
        rows = monthly.monthly(self.records(self.supervisor))
        self.assertEqual(
            [(row.month, row.plans) for row in rows],
            [
                (date(2026, 3, 1), 1),
                (date(2026, 4, 1), 1),
            ],
        )
        self.assertEqual([str(row.share("c")) for row in rows], ["0/1", "1/1"])

    def test_a_plan_set_outside_a_session_counts_in_the_month_it_was_made(self) -> None:
        self.plan(self.client_a, None, created_at="2026-02-10T12:00Z")
        rows = monthly.monthly(self.records(self.therapist_a))
        self.assertEqual([row.month for row in rows], [date(2026, 2, 1)])

    def test_training_clients_drafts_proposals_and_colleagues_plans_are_not_counted(self) -> None:
        session = self.session(self.client_a, "2026-03-03T10:00Z")
        counted = self.plan(self.client_a, session)
        self.plan(self.client_a, session, status="draft")
        self.plan(self.client_a, None, status="proposed", by=self.client_a.user)
        training = self.training_client(self.therapist_a)
        self.plan(training, self.session(training, "2026-03-05T10:00Z"))
        # Client A is shared with therapist B, who sets a plan in their own session.
        client_a_team = self.client_a.memberships
        client_a_team.create(member=self.therapist_b)
        self.plan(
            self.client_a, self.session(self.client_a, "2026-03-10T10:00Z", by=self.therapist_b)
        )
        records = self.records(self.supervisor)
        self.assertEqual(list(monthly.counted_plans(records)), [counted])
        self.assertEqual({s.client_id for s in records.sessions}, {self.client_a.pk})
        self.assertEqual([row.plans for row in monthly.monthly(records)], [1])

    def test_review_at_the_next_session_and_practice_come_from_the_records(self) -> None:
        first = self.session(self.client_a, "2026-03-03T10:00Z")
        second = self.session(self.client_a, "2026-03-17T10:00Z")
        reviewed = self.plan(self.client_a, first)
        self.review(reviewed, second, done=3, decision="continue")
        self.practise(reviewed)
        forgotten = self.plan(self.client_a, first)
        self.practise(forgotten, private=True)  # the client's alone: not counted
        (row,) = monthly.monthly(self.records(self.supervisor))
        self.assertEqual(str(row.share("reviewed-at-next")), "1/2")
        self.assertEqual(str(row.share("g")), "1/2")
        self.assertEqual(str(row.share("practised")), "1/2")

    def test_the_rows_cost_the_same_queries_for_one_plan_and_for_thirty(self) -> None:
        first = self.session(self.client_a, "2026-03-03T10:00Z")
        second = self.session(self.client_a, "2026-04-03T10:00Z")
        plans = [self.plan(self.client_a, first, goal=True, obstacle=True)]
        self.review(plans[0], second, done=2, decision="continue")
        self.practise(plans[0])
        viewer = self.supervisor
        # Whether the viewer supervises the trainee (1), the trainee's clients (1), for each
        # of the plans, practice and care doors the care teams of those clients (3 × 1) and
        # its listing's event on client A's chain (3 × 3), the plans and their four lists
        # (5), the sessions (1), the plans practised (1).
        with self.assertNumQueries(21):
            monthly.monthly(self.records(viewer))
        for n in range(29):
            plan = self.plan(self.client_a, second if n % 2 else first, goal=True, obstacle=True)
            self.review(plan, second, done=1, decision="modify")
            self.practise(plan)
        with self.assertNumQueries(21):
            rows = monthly.monthly(self.records(viewer))
        self.assertEqual(sum(row.plans for row in rows), 30)


class TraineeDoorTests(RecordsTestCase):
    def test_the_trainee_and_their_supervisor_may_read_their_records(self) -> None:
        for viewer, role in ((self.therapist_a, "therapist"), (self.supervisor, "supervisor")):
            with self.subTest(viewer=str(viewer)):
                records = access.trainee_records(request_of(viewer), self.therapist_a)
                self.assertEqual(records.role, role)

    def test_anyone_else_gets_404_and_a_refusal(self) -> None:
        from django.http import Http404

        for viewer in (self.therapist_b, self.admin, self.other_therapist, user_of(self.client_a)):
            with self.subTest(viewer=str(viewer)), self.assertRaises(Http404):
                access.trainee_records(request_of(viewer), self.therapist_a)
            refused = AccessEvent.objects.filter(actor_id=viewer.pk, allowed=False)
            self.assertTrue(refused.filter(object_type="trainee").exists())
        # Therapist B is not supervised by this supervisor.
        with self.assertRaises(Http404):
            access.trainee_records(request_of(self.supervisor), self.therapist_b)

    def test_each_client_read_gets_its_listings_on_its_own_chain(self) -> None:
        second = self.client_a.__class__.objects.create(clinic=self.clinic, full_name="Second")
        second.memberships.create(member=self.therapist_a)
        before = timezone.now()
        access.trainee_records(request_of(self.supervisor), self.therapist_a, export="csv")
        events = AccessEvent.objects.filter(actor_id=self.supervisor.pk, at__gte=before)
        self.assertEqual(
            sorted((e.client_id, e.action, e.object_type, e.actor_role) for e in events),
            sorted(
                (client, action, kind, "supervisor")
                for client in (self.client_a.pk, second.pk)
                for action, kind in (
                    ("list", "plans"),
                    ("list", "practice-logs"),
                    ("list", "sessions"),
                    ("export", "csv"),
                )
            ),
        )
