"""Business hours, holidays and when a visitor can expect a reply."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.business_hours import BusinessCalendar, CalendarError, parse_hours

pytestmark = pytest.mark.unit

IST = ZoneInfo("Europe/Istanbul")


def calendar(hours: str = "mon-fri 09:00-18:00", holidays: str = "") -> BusinessCalendar:
    return BusinessCalendar.from_settings("Europe/Istanbul", hours, holidays, "urgent=1,high=2,normal=4,low=8")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=IST)  # 2026-11-23 is a Monday


def test_hours_are_read_per_day() -> None:
    week = parse_hours("mon-fri 09:00-18:00, sat 10:00-14:00")
    assert week[0] == (time(9), time(18)) and week[5] == (time(10), time(14)) and 6 not in week


@pytest.mark.parametrize(
    "spec", ["", "mon-fri", "fri-mon 09:00-18:00", "mon 18:00-09:00", "xyz 09:00-10:00", "mon 25:00-26:00"]
)
def test_unreadable_hours_are_refused(spec: str) -> None:
    with pytest.raises(CalendarError):
        parse_hours(spec)


def test_bad_zone_holiday_or_reply_hours_are_refused() -> None:
    with pytest.raises(CalendarError, match="time zone"):
        BusinessCalendar.from_settings("Mars/Olympus", "mon 09:00-17:00", "", "urgent=1,high=2,normal=4,low=8")
    with pytest.raises(CalendarError, match="ISO dates"):
        calendar(holidays="23 April")
    with pytest.raises(CalendarError, match="each of"):
        BusinessCalendar.from_settings("UTC", "mon 09:00-17:00", "", "normal=4")


def test_time_runs_only_in_business_hours() -> None:
    cal = calendar()
    assert cal.add_business_time(at(23, 10), 4) == at(23, 14)  # Monday morning: same day
    assert cal.add_business_time(at(23, 16), 4) == at(24, 11)  # two hours today, two tomorrow
    assert cal.add_business_time(at(27, 17, 30), 4) == at(30, 12, 30)  # Friday evening: Monday
    assert cal.add_business_time(at(28, 12), 1) == at(30, 10)  # Saturday: Monday
    assert cal.add_business_time(at(23, 7), 1) == at(23, 10)  # before opening


def test_a_holiday_is_skipped() -> None:
    cal = calendar(holidays="2026-11-30")
    assert cal.add_business_time(at(27, 17, 30), 4) == datetime(2026, 12, 1, 12, 30, tzinfo=IST)
    assert not cal.is_open(at(30, 10))


def test_the_visitor_is_told_when_and_whether_the_team_is_in() -> None:
    cal = calendar()
    open_now = cal.reply_expected(at(23, 10), "normal", "en")
    assert open_now["open_now"] is True
    assert open_now["phrase"] == "You can expect a reply today by 14:00."
    assert open_now["at"] == "2026-11-23T14:00+03:00"
    closed = cal.reply_expected(at(27, 20), "normal", "tr")
    assert closed["open_now"] is False
    assert closed["phrase"] == "Şu anda mesai saatleri dışındayız. Tahmini yanıt zamanı: Pazartesi 13:00."
    urgent = cal.reply_expected(at(23, 17, 30), "urgent", "tr")
    assert urgent["phrase"] == "Tahmini yanıt zamanı: yarın 09:30."


def test_reply_time_is_given_in_the_team_zone_whatever_the_server_zone() -> None:
    cal = calendar()
    utc_now = datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Istanbul
    assert cal.reply_expected(utc_now, "high", "en")["phrase"] == "You can expect a reply today by 12:00."


def test_business_time_between_counts_open_hours_only() -> None:
    cal = calendar()

    def hours(start: datetime, end: datetime) -> float:
        return cal.business_time_between(start, end).total_seconds() / 3600

    assert hours(at(23, 10), at(23, 14)) == 4
    assert hours(at(27, 17), at(30, 10)) == 2  # Friday's last hour and Monday's first
    assert hours(at(28, 10), at(29, 20)) == 0  # a weekend
    assert hours(at(23, 14), at(23, 10)) == 0  # the end before the start
    assert calendar(holidays="2026-11-30").business_time_between(at(27, 17), at(30, 10)).total_seconds() == 3600
    # the inverse of add_business_time
    assert hours(at(27, 17, 30), cal.add_business_time(at(27, 17, 30), 13)) == 13
