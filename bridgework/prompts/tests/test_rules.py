"""Schedule rules over random schedules and time zones, daylight-saving change days included."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.prompts.rules import (
    Rule,
    RuleError,
    Window,
    exists,
    in_quiet,
    local_moment,
    moments,
    parse_time,
)

ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
]
# Days around the 2026 changes: Europe 29 Mar / 25 Oct, US 8 Mar / 1 Nov, Sydney 5 Apr / 4 Oct.
CHANGE_DAYS = [
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 10, 25),
    date(2026, 11, 1),
    date(2026, 6, 15),
]

zones = st.sampled_from(ZONES).map(ZoneInfo)
starts = st.sampled_from(CHANGE_DAYS).flatmap(
    lambda day: st.integers(-3, 0).map(lambda n: day + timedelta(days=n))
)
clock = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


def text(moment: time) -> str:
    return moment.strftime("%H:%M")


@st.composite
def quiet_hours(draw: st.DrawFn) -> tuple[str, str] | None:
    if draw(st.booleans()):
        return None
    start, end = draw(clock), draw(clock)
    if start == end:
        return None
    return text(start), text(end)


@st.composite
def fixed_rules(draw: st.DrawFn) -> Rule:
    quiet = draw(quiet_hours())
    q = (parse_time(quiet[0]), parse_time(quiet[1])) if quiet else None
    times = draw(
        st.lists(
            clock.filter(lambda t: q is None or not in_quiet(t, q)),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
    return Rule.from_dict(
        {
            "kind": "fixed",
            "times": [text(t) for t in times],
            "weekdays": sorted(days),
            "quiet_start": quiet[0] if quiet else "",
            "quiet_end": quiet[1] if quiet else "",
        }
    )


@st.composite
def random_rules(draw: st.DrawFn) -> Rule:
    start = draw(st.integers(0, 22 * 60))
    end = draw(st.integers(start + 30, 24 * 60 - 1))
    spacing = draw(st.integers(0, 180))
    most = (end - start) // spacing + 1 if spacing else 12
    samples = draw(st.integers(1, max(1, min(12, most))))
    return Rule.from_dict(
        {
            "kind": "random",
            "window_start": text(time(start // 60, start % 60)),
            "window_end": text(time(end // 60, end % 60)),
            "samples": samples,
            "min_spacing": spacing,
        }
    )


def per_day(found: list, zone: ZoneInfo) -> dict[date, list]:
    days: dict[date, list] = {}
    for moment in found:
        days.setdefault(moment.astimezone(zone).date(), []).append(moment)
    return days


@settings(max_examples=150, deadline=None)
@given(rule=fixed_rules(), zone=zones, first=starts)
def test_fixed_times_keep_their_local_time_and_count_and_avoid_quiet_hours(rule, zone, first):
    window = Window(first, first + timedelta(days=6))
    found = moments(rule, zone, window)
    quiet = rule.quiet()
    for moment in found:
        assert quiet is None or not in_quiet(moment.astimezone(zone).time(), quiet)
    expected_days = [day for day in window.days if day.weekday() in rule.weekdays]
    assert len(found) == len(expected_days) * len(rule.times)
    for day in expected_days:
        local_times = {m.astimezone(zone).time() for m in found if m.astimezone(zone).date() == day}
        for wall in map(parse_time, rule.times):
            if exists(day, wall, zone) and not (quiet and in_quiet(wall, quiet)):
                assert wall in local_times, (day, wall)


@settings(max_examples=150, deadline=None)
@given(rule=random_rules(), zone=zones, first=starts, seed=st.text(max_size=8))
def test_random_moments_stay_in_the_window_apart_and_count(rule, zone, first, seed):
    window = Window(first, first + timedelta(days=6))
    found = moments(rule, zone, window, seed=seed)
    for day, day_moments in per_day(found, zone).items():
        start = local_moment(day, parse_time(rule.window_start), zone)
        end = local_moment(day, parse_time(rule.window_end), zone)
        assert all(start <= m <= end for m in day_moments)
        gaps = [b - a for a, b in itertools.pairwise(day_moments)]
        assert all(gap >= timedelta(minutes=rule.min_spacing) for gap in gaps)
        room = int((end - start).total_seconds() // 60)
        fits = (
            rule.samples
            if not rule.min_spacing
            else min(rule.samples, room // rule.min_spacing + 1)
        )
        assert len(day_moments) == fits

    def room_on(day: date) -> int:
        start = local_moment(day, parse_time(rule.window_start), zone)
        end = local_moment(day, parse_time(rule.window_end), zone)
        return int((end - start).total_seconds() // 60)

    # Every day has its moments, but for a window the clocks skipped entirely.
    assert len(per_day(found, zone)) == sum(1 for day in window.days if room_on(day) >= 0)


def test_a_7am_reminder_stays_at_7am_local_across_the_change() -> None:
    zone = ZoneInfo("Europe/London")
    rule = Rule.from_dict({"kind": "fixed", "times": ["07:00"]})
    found = moments(rule, zone, Window(date(2026, 3, 28), date(2026, 3, 30)))
    assert [m.astimezone(zone).strftime("%d %H:%M %Z") for m in found] == [
        "28 07:00 GMT",
        "29 07:00 BST",
        "30 07:00 BST",
    ]
    assert [m.strftime("%H:%M") for m in found] == ["07:00", "06:00", "06:00"]  # in UTC


def test_a_time_skipped_by_the_clocks_moves_forward_and_a_doubled_one_is_taken_first() -> None:
    zone = ZoneInfo("Europe/Berlin")
    spring = moments(
        Rule.from_dict({"kind": "fixed", "times": ["02:30"]}),
        zone,
        Window(date(2026, 3, 29), date(2026, 3, 29)),
    )
    assert spring[0].astimezone(zone).strftime("%H:%M") == "03:30"
    autumn = moments(
        Rule.from_dict({"kind": "fixed", "times": ["02:30"]}),
        zone,
        Window(date(2026, 10, 25), date(2026, 10, 25)),
    )
    assert autumn[0].astimezone(zone).utcoffset() == timedelta(hours=2)  # the first 02:30


def test_relative_reminders_come_the_chosen_days_after_the_session() -> None:
    zone = ZoneInfo("Europe/London")
    session = local_moment(date(2026, 11, 24), time(14, 0), zone)
    rule = Rule.from_dict({"kind": "relative", "offset_days": 1, "at": "19:00"})
    found = moments(rule, zone, Window(date(2026, 11, 24), date(2026, 11, 30)), anchor=session)
    assert [m.astimezone(zone).strftime("%a %d %H:%M") for m in found] == ["Wed 25 19:00"]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (
            {"kind": "random", "window_start": "10:00", "window_end": "10:00"},
            "window_end",
            "must end after it starts",
        ),
        (
            {
                "kind": "random",
                "window_start": "09:00",
                "window_end": "11:00",
                "samples": 4,
                "min_spacing": 60,
            },
            "samples",
            "do not fit between 09:00 and 11:00",
        ),
        (
            {"kind": "fixed", "times": ["07:00"], "quiet_start": "22:00", "quiet_end": "22:00"},
            "quiet_start",
            "whole day",
        ),
        (
            {"kind": "fixed", "times": ["23:00"], "quiet_start": "22:00", "quiet_end": "07:00"},
            "times",
            "23:00 falls in your quiet hours",
        ),
        ({"kind": "fixed", "times": ["7 am"]}, "times", "Write times as HH:MM"),
        ({"kind": "fixed", "times": []}, "times", "Add at least one time"),
        (
            {
                "kind": "random",
                "window_start": "09:00",
                "window_end": "21:00",
                "quiet_start": "20:00",
                "quiet_end": "08:00",
            },
            "window_start",
            "overlaps your quiet hours",
        ),
    ],
)
def test_impossible_schedules_are_refused_saying_what_to_change(data, field, words) -> None:
    with pytest.raises(RuleError) as refused:
        Rule.from_dict(data)
    assert words in refused.value.problems[field]


def test_a_window_the_clocks_skip_entirely_has_no_moments_that_day() -> None:
    # London, 29 March 2026: 01:00 GMT becomes 02:00 BST; 01:01–02:00 never happens.
    rule = Rule.from_dict(
        {
            "kind": "random",
            "window_start": "01:01",
            "window_end": "02:00",
            "samples": 1,
            "min_spacing": 0,
        }
    )
    zone = ZoneInfo("Europe/London")
    found = moments(rule, zone, Window(date(2026, 3, 28), date(2026, 3, 30)))
    assert sorted({m.astimezone(zone).day for m in found}) == [28, 30]
