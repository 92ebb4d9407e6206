"""Service-level targets counted in business hours, with holidays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.business_hours import BusinessCalendar
from bot.sla import SlaPolicy, next_due
from bot.storage import Message, Ticket, TicketEvent

pytestmark = pytest.mark.unit

# Istanbul is UTC+3. 2026-12-04 is a Friday.
FRIDAY_17_00 = "2026-12-04T14:00:00.000Z"


def policy(holidays: str = "") -> SlaPolicy:
    calendar = BusinessCalendar.from_settings(
        "Europe/Istanbul", "mon-fri 09:00-18:00", holidays, "urgent=1,high=2,normal=4,low=8"
    )
    return SlaPolicy.from_settings(calendar, "urgent=4,high=8,normal=24,low=40")


def ticket(status: str = "open", priority: str = "normal") -> Ticket:
    return Ticket(1, "conv-1", status, "visitor_request", "tr", priority, [], FRIDAY_17_00, FRIDAY_17_00)


def agent_line(at: str) -> Message:
    return Message(9, "conv-1", "agent", "Merhaba", at, {"ticket": 1})


def utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)


def test_the_clock_runs_in_business_hours_only() -> None:
    sla = policy().of(ticket(), [], [], now=utc("2026-12-05T10:00:00Z"))  # Saturday
    # 1 hour on Friday, then 3 on Monday from 09:00: due Monday 12:00 Istanbul
    assert sla["first_response"]["due"] == "2026-12-07T09:00:00+00:00"
    assert sla["first_response"]["state"] == "running"
    # 24 hours: Friday 1, Monday 9, Tuesday 9, Wednesday 5: due Wednesday 14:00 Istanbul
    assert sla["resolution"]["due"] == "2026-12-09T11:00:00+00:00"


def test_a_holiday_moves_the_due_time_a_day_on() -> None:
    sla = policy(holidays="2026-12-07").of(ticket(), [], [], now=utc("2026-12-05T10:00:00Z"))
    assert sla["first_response"]["due"] == "2026-12-08T09:00:00+00:00"


def test_met_breached_and_time_left() -> None:
    in_time = policy().of(ticket(), [agent_line("2026-12-07T08:00:00.000Z")], [], now=utc("2026-12-07T10:00:00Z"))
    assert in_time["first_response"]["state"] == "met" and in_time["first_response"]["seconds_left"] is None
    late = policy().of(ticket(), [agent_line("2026-12-07T09:30:00.000Z")], [], now=utc("2026-12-07T10:00:00Z"))
    assert late["first_response"]["state"] == "breached"
    overdue = policy().of(ticket(), [], [], now=utc("2026-12-07T10:00:00Z"))
    assert overdue["first_response"]["state"] == "breached" and overdue["first_response"]["seconds_left"] == -3600
    running = policy().of(ticket(), [], [], now=utc("2026-12-07T08:30:00Z"))
    assert running["first_response"]["seconds_left"] == 1800


def test_an_agent_line_from_before_the_ticket_is_no_response() -> None:
    early = agent_line("2026-12-04T13:00:00.000Z")  # an earlier ticket of the same conversation
    sla = policy().of(ticket(), [early], [], now=utc("2026-12-05T10:00:00Z"))
    assert sla["first_response"]["done_at"] is None


def test_resolution_is_the_last_time_it_was_solved() -> None:
    history = [
        TicketEvent(1, 1, "status", 1, "open", "solved", None, "2026-12-07T07:00:00.000Z"),
        TicketEvent(2, 1, "status", 1, "solved", "open", None, "2026-12-07T08:00:00.000Z"),
        TicketEvent(3, 1, "status", 1, "open", "solved", None, "2026-12-09T12:00:00.000Z"),
    ]
    sla = policy().of(ticket("solved"), [], history, now=utc("2026-12-10T10:00:00Z"))
    assert sla["resolution"]["done_at"] == "2026-12-09T12:00:00+00:00"
    assert sla["resolution"]["state"] == "breached"  # due Wednesday 11:00 UTC


def test_urgent_targets_are_shorter_and_the_queue_looks_at_the_next_due_time() -> None:
    urgent = policy().of(ticket(priority="urgent"), [], [], now=utc("2026-12-05T10:00:00Z"))
    assert urgent["first_response"]["due"] == "2026-12-04T15:00:00+00:00"  # Friday 18:00 Istanbul
    answered = policy().of(ticket(), [agent_line("2026-12-07T07:00:00.000Z")], [], now=utc("2026-12-07T08:00:00Z"))
    assert next_due(answered) == answered["resolution"]["due"]


def pending_between(start: str, end: str | None) -> list[TicketEvent]:
    events = [TicketEvent(1, 1, "status", 1, "open", "pending", None, start)]
    if end:
        events.append(TicketEvent(2, 1, "status", None, "pending", "open", None, end))
    return events


def test_the_resolution_clock_stops_while_the_ticket_waits_for_the_visitor() -> None:
    # pending from Monday 10:00 to Tuesday 10:00 Istanbul: 8 business hours (Monday 10-18)
    # plus 1 (Tuesday 09-10) = 9 hours, so Wednesday 14:00 becomes Thursday 14:00 Istanbul
    history = pending_between("2026-12-07T07:00:00.000Z", "2026-12-08T07:00:00.000Z")
    sla = policy().of(ticket("open"), [], history, now=utc("2026-12-08T08:00:00Z"))
    assert sla["resolution"]["due"] == "2026-12-10T11:00:00+00:00"
    assert sla["resolution"]["paused_seconds"] == 9 * 3600 and sla["resolution"]["paused"] is False
    # the first response is not paused
    assert sla["first_response"]["due"] == "2026-12-07T09:00:00+00:00"


def test_a_pending_ticket_keeps_its_business_time_left_while_it_waits() -> None:
    history = pending_between("2026-12-07T07:00:00.000Z", None)  # Monday 10:00 Istanbul, still pending
    went_pending = utc("2026-12-07T07:00:00Z")
    before = policy().of(ticket("open"), [], [], now=went_pending)["resolution"]
    calendar = policy().calendar
    left = calendar.business_time_between(went_pending, utc(before["due"]))
    for now in (utc("2026-12-07T09:00:00Z"), utc("2026-12-07T13:00:00Z"), utc("2026-12-08T12:00:00Z")):
        during = policy().of(ticket("pending"), [], history, now=now)["resolution"]
        assert during["paused"] is True and during["state"] == "running"
        assert calendar.business_time_between(now, utc(during["due"])) == left


def test_pending_outside_business_hours_pauses_nothing_and_solving_ends_the_pause() -> None:
    # pending over the weekend only (Saturday to Sunday): no business time passes
    weekend = pending_between("2026-12-05T08:00:00.000Z", "2026-12-06T20:00:00.000Z")
    sla = policy().of(ticket("open"), [], weekend, now=utc("2026-12-07T08:00:00Z"))
    assert sla["resolution"]["paused_seconds"] == 0
    assert sla["resolution"]["due"] == "2026-12-09T11:00:00+00:00"
    # solved straight from pending on Monday 12:00 Istanbul: paused 2 hours, then done
    history = [
        TicketEvent(1, 1, "status", 1, "open", "pending", None, "2026-12-07T07:00:00.000Z"),
        TicketEvent(2, 1, "status", 1, "pending", "solved", None, "2026-12-07T09:00:00.000Z"),
    ]
    done = policy().of(ticket("solved"), [], history, now=utc("2026-12-10T10:00:00Z"))
    assert done["resolution"]["paused_seconds"] == 2 * 3600
    assert done["resolution"]["state"] == "met"
