"""Business hours and holidays: when a human will answer a new ticket.

The clock only runs while the support team works. A ticket opened on Friday at
17:30, with four business hours to a reply and a 09:00-18:00 week, is due on
Monday at 12:30; a holiday in between pushes it a day further. The same
calendar will time the SLA clocks of the agent desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.priority import PRIORITIES

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})$")

_WEEKDAYS = {
    "tr": ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "tr": (
        "Ocak",
        "Şubat",
        "Mart",
        "Nisan",
        "Mayıs",
        "Haziran",
        "Temmuz",
        "Ağustos",
        "Eylül",
        "Ekim",
        "Kasım",
        "Aralık",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


class CalendarError(ValueError):
    """A business-hours, holiday or reply-time setting that cannot be read."""


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise CalendarError(f"{text!r} is not a time of day")
    return time(hours, minutes)


def parse_hours(spec: str) -> dict[int, tuple[time, time]]:
    """``"mon-fri 09:00-18:00, sat 10:00-14:00"`` → weekday number → (opens, closes)."""
    week: dict[int, tuple[time, time]] = {}
    for part in filter(None, (p.strip().lower() for p in spec.split(","))):
        match = _SPAN.match(part)
        if not match or match["first"] not in DAYS or (match["last"] or match["first"]) not in DAYS:
            raise CalendarError(f"{part!r}: expected e.g. 'mon-fri 09:00-18:00'")
        first, last = DAYS.index(match["first"]), DAYS.index(match["last"] or match["first"])
        opens, closes = _clock(match["open"]), _clock(match["close"])
        if closes <= opens or last < first:
            raise CalendarError(f"{part!r}: the span must run forwards")
        for day in range(first, last + 1):
            week[day] = (opens, closes)
    if not week:
        raise CalendarError("no working day: business hours must name at least one day")
    return week


def parse_holidays(spec: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(d.strip()) for d in spec.split(",") if d.strip())
    except ValueError as exc:
        raise CalendarError(f"holidays must be ISO dates separated by commas: {exc}") from exc


def parse_reply_hours(spec: str) -> dict[str, float]:
    """``"urgent=1,high=2,normal=4,low=8"`` → business hours to the first reply, by priority."""
    hours: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        try:
            hours[name.strip()] = float(value)
        except ValueError as exc:
            raise CalendarError(f"{part!r}: expected priority=hours") from exc
    missing = [p for p in PRIORITIES if p not in hours]
    if missing or any(h <= 0 for h in hours.values()):
        raise CalendarError(f"reply hours need a positive number for each of {', '.join(PRIORITIES)}")
    return hours


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    week: dict[int, tuple[time, time]]
    holidays: frozenset[date]
    reply_hours: dict[str, float]

    @classmethod
    def from_settings(cls, zone: str, hours: str, holidays: str, reply_hours: str) -> BusinessCalendar:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {zone!r}") from exc
        return cls(tz, parse_hours(hours), parse_holidays(holidays), parse_reply_hours(reply_hours))

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if day in self.holidays or day.weekday() not in self.week:
            return None
        opens, closes = self.week[day.weekday()]
        end = (
            datetime.combine(day, closes, self.zone)
            if closes != time.max
            else (datetime.combine(day + timedelta(days=1), time(0), self.zone))
        )
        return datetime.combine(day, opens, self.zone), end

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        window = self._window(local.date())
        return window is not None and window[0] <= local < window[1]

    def add_business_time(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``start``."""
        left = timedelta(hours=hours)
        now = start.astimezone(self.zone)
        for _ in range(3 * 366):  # a year of closed days at most
            window = self._window(now.date())
            if window is not None and now < window[1]:
                begin = max(now, window[0])
                if begin + left <= window[1]:
                    return begin + left
                left -= window[1] - begin
            now = datetime.combine(now.date() + timedelta(days=1), time(0), self.zone)
        raise CalendarError("no business hours in the coming three years")

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from ``start`` to ``end`` (zero if ``end`` is not later)."""
        total = timedelta()
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            window = self._window(day)
            if window is not None:
                begin, finish = max(window[0], start), min(window[1], end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total

    def reply_expected(self, now: datetime, priority: str, language: str | None) -> dict[str, object]:
        """When the visitor can expect an agent's reply, and a sentence saying so."""
        due = self.add_business_time(now, self.reply_hours.get(priority, self.reply_hours["normal"]))
        open_now = self.is_open(now)
        return {
            "at": due.isoformat(timespec="minutes"),
            "open_now": open_now,
            "phrase": describe(due, now.astimezone(self.zone), open_now, language or "tr"),
        }


# today, tomorrow, this week, later. Turkish puts no suffix on the time: its vowel
# harmony depends on how the time is read aloud ("Tahmini yanıt zamanı: yarın 12:30").
_WHEN = {
    "en": ("today by {clock}", "tomorrow by {clock}", "by {weekday} {clock}", "by {day} {month}, {clock}"),
    "tr": ("bugün {clock}", "yarın {clock}", "{weekday} {clock}", "{day} {month} {clock}"),
}


def _when(due: datetime, now: datetime, language: str) -> str:
    days = (due.date() - now.date()).days
    pattern = _WHEN[language][min(days, 2) if days < 7 else 3]
    return pattern.format(
        clock=due.strftime("%H:%M"),
        weekday=_WEEKDAYS[language][due.weekday()],
        day=due.day,
        month=_MONTHS[language][due.month - 1],
    )


def describe(due: datetime, now: datetime, open_now: bool, language: str) -> str:
    language = language if language in _WHEN else "en"
    when = _when(due, now, language)
    if language == "en":
        if open_now:
            return f"You can expect a reply {when}."
        return f"Our team is outside business hours right now, so you can expect a reply {when}."
    if open_now:
        return f"Tahmini yanıt zamanı: {when}."
    return f"Şu anda mesai saatleri dışındayız. Tahmini yanıt zamanı: {when}."
