"""Schedule rules and the moments they produce: pure functions, tested with hypothesis.

Times are the client's local wall-clock times in their own time zone; moments are returned in
UTC. The daylight-saving rule, for a local time on a day when the clocks change:
  - a time that does not exist (the clocks jump past it) is moved forward by the length of the
    jump: 02:30 on a spring-forward night becomes 03:30;
  - a time that occurs twice (the clocks go back) is taken at its first occurrence;
  - a moment never lands in quiet hours: one moved there by the jump goes to their end.
Random sampling draws in real elapsed time between the window's start and end, so on a day that
loses an hour the samples stay at least the minimum spacing apart, and a window that no longer
holds them all at that spacing holds as many as fit (none, if the clocks skip it entirely).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

MINUTES_A_DAY = 24 * 60
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


class RuleError(ValueError):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


def parse_time(text: str) -> time:
    return time.fromisoformat(text)


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True)
class Rule:
    kind: str  # fixed, relative, random
    weekdays: tuple[int, ...] = EVERY_DAY  # Monday is 0
    times: tuple[str, ...] = ()  # fixed: "HH:MM" each
    offset_days: int = 1  # relative: days after the session
    at: str = "19:00"  # relative: at this local time
    window_start: str = "09:00"  # random
    window_end: str = "21:00"
    samples: int = 3
    min_spacing: int = 60  # minutes
    hours_before: int = 24  # before-session: this long before each booked session
    measures: tuple[str, ...] = ("phq-9", "gad-7")  # before-session: the questionnaires
    expire_after: int = 180  # minutes a prompt may be answered in
    quiet_start: str = ""  # "HH:MM", both or neither
    quiet_end: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rule:
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        for key in ("weekdays", "times", "measures"):
            if key in known:
                known[key] = tuple(known[key])
        rule = cls(**known)
        problems = rule.problems()
        if problems:
            raise RuleError(problems)
        return rule

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["weekdays"], data["times"] = list(self.weekdays), list(self.times)
        data["measures"] = list(self.measures)
        return data

    # --- validation: each problem says what to change -----------------------------------------

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        try:
            for text in (*self.times, self.at, self.window_start, self.window_end):
                parse_time(text)  # each must be a clock time
            quiet = self.quiet()
        except ValueError:
            return {"times": _("Write times as HH:MM, for example 07:30 or 19:00.")}
        by_day = self.kind != "before-session"  # that kind follows the booked sessions
        if by_day and (not self.weekdays or any(day not in EVERY_DAY for day in self.weekdays)):
            problems["weekdays"] = _("Choose at least one day of the week.")
        if not 5 <= self.expire_after <= MINUTES_A_DAY:
            problems["expire_after"] = _("The time to answer must be between 5 minutes and a day.")
        if quiet is not None and quiet[0] == quiet[1]:
            problems["quiet_start"] = _(
                "Quiet hours that start when they end would cover the "
                "whole day. Leave a time when reminders may come."
            )
        check = getattr(self, f"_{self.kind.replace('-', '_')}_problems", self._unknown)
        problems.update(check(quiet))
        return problems

    def _unknown(self, quiet: tuple[time, time] | None) -> dict[str, str]:
        return {"kind": _("Choose fixed times, a time after the session, or random moments.")}

    def _fixed_problems(self, quiet: tuple[time, time] | None) -> dict[str, str]:
        if not self.times:
            return {"times": _("Add at least one time.")}
        if len(set(self.times)) != len(self.times):
            return {"times": _("Each time once, please.")}
        for text in self.times:
            if quiet and in_quiet(parse_time(text), quiet):
                return {"times": self.quiet_clash(text)}
        return {}

    def _relative_problems(self, quiet: tuple[time, time] | None) -> dict[str, str]:
        if not 0 <= self.offset_days <= 14:
            return {"offset_days": _("Choose 0 to 14 days after the session.")}
        if quiet and in_quiet(parse_time(self.at), quiet):
            return {"at": self.quiet_clash(self.at)}
        return {}

    def _random_problems(self, quiet: tuple[time, time] | None) -> dict[str, str]:
        start, end = minutes(parse_time(self.window_start)), minutes(parse_time(self.window_end))
        if end <= start:
            return {
                "window_end": _(
                    "The window must end after it starts, on the same day "
                    "(for example 09:00 to 21:00)."
                )
            }
        if not 1 <= self.samples <= 12:
            return {"samples": _("Choose 1 to 12 moments a day.")}
        if self.min_spacing < 0 or (self.samples - 1) * self.min_spacing > end - start:
            return {
                "samples": _(
                    "%(n)d moments at least %(gap)d minutes apart do not fit "
                    "between %(start)s and %(end)s. Choose fewer moments, a "
                    "shorter spacing or a longer window."
                )
                % {
                    "n": self.samples,
                    "gap": self.min_spacing,
                    "start": self.window_start,
                    "end": self.window_end,
                }
            }
        if quiet and window_meets_quiet(start, end, quiet):
            return {
                "window_start": _(
                    "The window %(start)s–%(end)s overlaps your quiet hours "
                    "(%(q1)s–%(q2)s). Move the window or the quiet hours."
                )
                % {
                    "start": self.window_start,
                    "end": self.window_end,
                    "q1": self.quiet_start,
                    "q2": self.quiet_end,
                }
            }
        return {}

    def _before_session_problems(self, quiet: tuple[time, time] | None) -> dict[str, str]:
        if not 1 <= self.hours_before <= 72:
            return {"hours_before": _("Choose 1 to 72 hours before the session.")}
        if not self.measures:
            return {"measures": _("Choose at least one questionnaire.")}
        return {}

    def quiet_clash(self, text: str) -> str:
        return _(
            "%(time)s falls in your quiet hours (%(q1)s–%(q2)s). Choose another time or "
            "change the quiet hours."
        ) % {"time": text, "q1": self.quiet_start, "q2": self.quiet_end}

    def quiet(self) -> tuple[time, time] | None:
        if not self.quiet_start and not self.quiet_end:
            return None
        return parse_time(self.quiet_start), parse_time(self.quiet_end)


def essentials(rule: dict[str, Any]) -> dict[str, Any]:
    """A stored rule without the parts left at their defaults: as a plan's design says it."""
    defaults = Rule(kind=str(rule.get("kind", ""))).to_dict()
    return {k: v for k, v in rule.items() if k == "kind" or k not in defaults or defaults[k] != v}


def in_quiet(moment: time, quiet: tuple[time, time]) -> bool:
    start, end, now = minutes(quiet[0]), minutes(quiet[1]), minutes(moment)
    if start < end:
        return start <= now < end
    return now >= start or now < end  # quiet hours across midnight


def window_meets_quiet(start: int, end: int, quiet: tuple[time, time]) -> bool:
    return any(in_quiet(time(m // 60, m % 60), quiet) for m in range(start, end))


# --- moments ----------------------------------------------------------------------------------


def local_moment(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time, by the rule in this module's docstring.

    zoneinfo already does both: with fold=0 a time that occurs twice is its first occurrence,
    and a time that does not exist is read with the offset from before the jump, which lands
    the length of the jump later on the new clock."""
    return datetime.combine(day, wall).replace(tzinfo=zone, fold=0).astimezone(UTC)


def exists(day: date, wall: time, zone: ZoneInfo) -> bool:
    """Whether the wall-clock time happens at all on that day (not skipped by a jump)."""
    naive = datetime.combine(day, wall)
    return local_moment(day, wall, zone).astimezone(zone).replace(tzinfo=None) == naive


def out_of_quiet(moment: datetime, zone: ZoneInfo, quiet: tuple[time, time] | None) -> datetime:
    """A moment that a daylight-saving jump pushed into quiet hours moves to their end."""
    local = moment.astimezone(zone)
    if quiet is None or not in_quiet(local.time(), quiet):
        return moment
    start, end = quiet
    day = local.date() + timedelta(days=1 if start > end and local.time() >= start else 0)
    return local_moment(day, end, zone)


@dataclass
class Window:
    """Which days to plan: from `first` to `last` inclusive, in the client's time zone."""

    first: date
    last: date
    days: list[date] = field(init=False)

    def __post_init__(self) -> None:
        count = (self.last - self.first).days + 1
        self.days = [self.first + timedelta(days=n) for n in range(max(0, count))]


def moments(
    rule: Rule,
    zone: ZoneInfo,
    window: Window,
    *,
    seed: str = "",
    anchor: datetime | None = None,
    sessions: tuple[datetime, ...] = (),
) -> list[datetime]:
    """Every moment the rule gives in the window's days, in UTC, in time order. `anchor` is the
    session a plan was set in (relative rules); `sessions` the booked ones (before-session)."""
    quiet = rule.quiet()
    found: list[datetime] = []
    if rule.kind == "before-session":
        before = timedelta(hours=rule.hours_before)
        found = [
            s - before for s in sessions if (s - before).astimezone(zone).date() in window.days
        ]
    elif rule.kind == "relative":
        if anchor is not None:
            moment = once_after(rule, zone, anchor)
            if moment.astimezone(zone).date() in window.days:
                found.append(moment)
    else:
        for day in window.days:
            if day.weekday() not in rule.weekdays:
                continue
            if rule.kind == "fixed":
                found += [local_moment(day, parse_time(t), zone) for t in rule.times]
            else:
                found += samples_on(rule, zone, day, random.Random(f"{seed}:{day}"))  # noqa: S311
    return sorted(out_of_quiet(moment, zone, quiet) for moment in found)


def once_after(rule: Rule, zone: ZoneInfo, anchor: datetime) -> datetime:
    """A relative rule's one moment: `offset_days` after the day of the session `anchor`
    began (in the client's time zone), at `at`."""
    day = anchor.astimezone(zone).date() + timedelta(days=rule.offset_days)
    return local_moment(day, parse_time(rule.at), zone)


def samples_on(rule: Rule, zone: ZoneInfo, day: date, rng: random.Random) -> list[datetime]:
    start = local_moment(day, parse_time(rule.window_start), zone)
    end = local_moment(day, parse_time(rule.window_end), zone)
    length = int((end - start).total_seconds() // 60)  # real minutes: DST days differ
    if length < 0:
        return []  # the whole window fell in the hour the clocks skipped: nothing that day
    spacing = rule.min_spacing
    count = rule.samples if spacing == 0 else min(rule.samples, length // spacing + 1)
    free = length - (count - 1) * spacing
    offsets = sorted(rng.randint(0, free) for _ in range(count))
    return [start + timedelta(minutes=offset + n * spacing) for n, offset in enumerate(offsets)]
