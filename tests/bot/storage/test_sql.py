"""Contract tests for the conversation and ticket stores, run against every implementation."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import DuplicateAgent, SQLiteStore

pytestmark = pytest.mark.unit


class StoreContract:
    """Behaviours every store keeps; subclasses provide the ``store`` fixture."""

    def test_transcript_keeps_every_message_in_order(self, store: SQLiteStore) -> None:
        store.append("conv-0001", "visitor", "merhaba")
        store.append("conv-0001", "bot", "Merhaba!", {"type": "greet"})
        store.append("conv-0002", "visitor", "other conversation")
        lines = store.transcript("conv-0001")
        assert [(m.sender, m.text) for m in lines] == [("visitor", "merhaba"), ("bot", "Merhaba!")]
        assert lines[1].payload == {"type": "greet"}
        assert lines[0].id < lines[1].id and lines[0].created_at

    def test_unknown_sender_is_refused(self, store: SQLiteStore) -> None:
        with pytest.raises(ValueError, match="sender must be one of"):
            store.append("conv-0001", "robot", "x")

    def test_huge_and_unusual_text_is_kept_exactly(self, store: SQLiteStore) -> None:
        text = "ğüşiöç 👍 \u200b" * 2000
        store.append("conv-0001", "visitor", text)
        assert store.transcript("conv-0001")[0].text == text

    def test_language_is_remembered_per_conversation(self, store: SQLiteStore) -> None:
        assert store.language("conv-0001") is None
        store.set_language("conv-0001", "tr")
        assert store.language("conv-0001") == "tr"

    def test_ticket_creation_is_idempotent_by_key(self, store: SQLiteStore) -> None:
        first, created = store.create_ticket("conv-0001", "low_confidence", idempotency_key="k1")
        again, created_again = store.create_ticket("conv-0001", "low_confidence", idempotency_key="k1")
        assert created and not created_again
        assert again.id == first.id

    def test_one_open_ticket_per_conversation(self, store: SQLiteStore) -> None:
        first, _ = store.create_ticket("conv-0001", "low_confidence", idempotency_key="a")
        second, created = store.create_ticket("conv-0001", "visitor_request", idempotency_key="b")
        assert not created and second.id == first.id
        other, created_other = store.create_ticket("conv-0002", "visitor_request")
        assert created_other and other.id != first.id

    def test_ticket_keeps_reason_language_and_candidates(self, store: SQLiteStore) -> None:
        candidates = [{"id": "kargo-ucreti", "title": "Kargo", "score": 0.41}]
        ticket, _ = store.create_ticket("conv-0001", "low_confidence", "tr", candidates)
        loaded = store.get_ticket(ticket.id)
        assert loaded is not None
        assert (loaded.status, loaded.reason, loaded.language) == ("new", "low_confidence", "tr")
        assert loaded.candidates == candidates
        assert store.open_ticket_for("conv-0001") == loaded
        assert store.get_ticket(ticket.id + 100) is None

    def test_list_filters_by_status_newest_first(self, store: SQLiteStore) -> None:
        a, _ = store.create_ticket("conv-0001", "x")
        b, _ = store.create_ticket("conv-0002", "y")
        assert [t.id for t in store.list_tickets()] == [b.id, a.id]
        assert store.list_tickets(status="solved") == []

    def test_status_changes_assignments_and_notes_make_the_history(self, store: SQLiteStore) -> None:
        agent = store.create_agent("Ayse@Example.com", "Ayşe", "agent", "hash")
        ticket, _ = store.create_ticket("conv-0001", "low_confidence")
        assert store.set_status(ticket.id, "open", agent.id) is not None
        assert store.set_status(ticket.id, "open", agent.id) is not None  # no change, no event
        assigned = store.assign(ticket.id, agent.id, agent.id)
        assert assigned is not None and assigned.assignee_id == agent.id
        store.add_note(ticket.id, agent.id, "müşteri iki kez aradı")
        history = [(e.kind, e.old, e.new, e.text) for e in store.history(ticket.id)]
        assert history == [
            ("status", None, "new", None),
            ("status", "new", "open", None),
            ("assigned", None, str(agent.id), None),
            ("note", None, None, "müşteri iki kez aradı"),
        ]
        assert store.set_status(ticket.id + 99, "open") is None and store.assign(ticket.id + 99, None) is None

    def test_agent_addresses_are_unique_without_case(self, store: SQLiteStore) -> None:
        first = store.create_agent("Ayse@Example.com", "Ayşe", "admin", "hash-1")
        assert first.email == "ayse@example.com" and first.role == "admin" and first.active
        with pytest.raises(DuplicateAgent):
            store.create_agent("ayse@example.COM", "Başka", "agent", "hash-2")
        with pytest.raises(ValueError, match="role must be one of"):
            store.create_agent("b@example.com", "B", "owner", "hash")
        found = store.agent_login("AYSE@example.com")
        assert found is not None and found[0] == first and found[1] == "hash-1"
        assert store.agent_login("nobody@example.com") is None
        assert store.count_agents() == 1 and store.count_agents("agent") == 0

    def test_a_session_finds_its_agent_until_it_expires_or_ends(self, store: SQLiteStore) -> None:
        agent = store.create_agent("a@example.com", "A", "agent", "hash")
        store.create_session(agent.id, "t" * 64, "2026-12-01T10:00:00.000Z")
        assert store.session_agent("t" * 64, "2026-12-01T09:59:59.999Z") == agent
        assert store.session_agent("t" * 64, "2026-12-01T10:00:00.000Z") is None  # expired
        assert store.session_agent("u" * 64, "2026-12-01T09:00:00.000Z") is None
        store.delete_session("t" * 64)
        assert store.session_agent("t" * 64, "2026-12-01T09:00:00.000Z") is None

    def test_a_due_mail_goes_to_one_sender_until_its_claim_runs_out(self, store: SQLiteStore) -> None:
        mail = store.queue_mail(None, "kim@example.com", "Subject", "Body")
        at, until = "2100-01-01T00:00:00.000Z", "2100-01-01T00:05:00.000Z"
        assert store.claim_mail(at, until) == [mail]
        assert store.claim_mail(at, until) == []  # a second sender at the same moment gets nothing
        assert store.due_mail(at) == []
        assert store.claim_mail(until, "2100-01-01T00:10:00.000Z") == [mail]  # the first sender died: tried again
        store.mail_sent(mail.id)
        assert store.claim_mail("2100-02-01T00:00:00.000Z", "2100-02-01T00:05:00.000Z") == []

    def test_a_lease_has_one_holder_until_it_runs_out_or_is_given_up(self, store: SQLiteStore) -> None:
        at, until = "2100-01-01T00:00:00.000Z", "2100-01-01T00:01:00.000Z"
        assert store.hold_lease("webhooks", "replica-a", at, until)
        assert not store.hold_lease("webhooks", "replica-b", at, until)  # taken
        assert store.hold_lease("other-job", "replica-b", at, until)  # leases are per job
        later = "2100-01-01T00:00:30.000Z"
        assert store.hold_lease("webhooks", "replica-a", later, "2100-01-01T00:01:30.000Z")  # renewed
        assert not store.hold_lease("webhooks", "replica-b", "2100-01-01T00:01:10.000Z", "2100-01-01T00:02:00.000Z")
        # replica-a stopped renewing: after its lease runs out, replica-b takes over, and replica-a cannot come back
        assert store.hold_lease("webhooks", "replica-b", "2100-01-01T00:01:31.000Z", "2100-01-01T00:02:31.000Z")
        assert not store.hold_lease("webhooks", "replica-a", "2100-01-01T00:01:32.000Z", "2100-01-01T00:02:32.000Z")
        store.release_lease("webhooks", "replica-a")  # not the holder: nothing changes
        assert not store.hold_lease("webhooks", "replica-a", "2100-01-01T00:01:33.000Z", "2100-01-01T00:02:33.000Z")
        store.release_lease("webhooks", "replica-b")  # given up: free at once
        assert store.hold_lease("webhooks", "replica-a", "2100-01-01T00:01:34.000Z", "2100-01-01T00:02:34.000Z")

    def test_questions_keep_their_outcome_and_candidates(self, store: SQLiteStore) -> None:
        tried = [{"id": "kargo-ucreti", "score": 0.81}, {"id": "iade-kosullari", "score": 0.6}]
        asked = store.record_question("conv-0001", "kargo ne kadar", "tr", "answered", "sure", "kargo-ucreti", tried)
        assert (asked.outcome, asked.article_id, asked.candidates) == ("answered", "kargo-ucreti", tried)
        assert asked.helpful is None
        with pytest.raises(ValueError, match="outcome must be one of"):
            store.record_question("conv-0001", "x", "tr", "ignored")
        # a handoff or a clarifying question answers with no article, whatever the caller passed
        handed = store.record_question("conv-0001", "y", "tr", "handoff", "low_confidence", "kargo-ucreti")
        assert handed.article_id is None

    def test_feedback_goes_to_the_latest_question_only(self, store: SQLiteStore) -> None:
        assert store.record_feedback("conv-0001", True) is None  # nothing asked yet
        first = store.record_question("conv-0001", "iade?", "tr", "answered", article_id="iade")
        second = store.record_question("conv-0001", "kargo?", "tr", "answered", article_id="kargo")
        store.record_question("conv-0002", "other", "en", "answered", article_id="iade")
        marked = store.record_feedback("conv-0001", False)
        assert marked is not None and marked.id == second.id and marked.helpful is False and marked.feedback_at
        again = store.record_feedback("conv-0001", True)  # "it works now" replaces the earlier 👎
        assert again is not None and again.helpful is True
        assert [q.id for q in store.unanswered("2000-01-01T00:00:00.000Z")] == []
        use = {u.article_id: u for u in store.article_use("2000-01-01T00:00:00.000Z")}
        assert (use["kargo"].helpful, use["kargo"].not_helpful) == (1, 0)
        assert (use["iade"].answered, use["iade"].helpful) == (2, 0) and first.helpful is None

    def test_a_pick_answers_the_clarifying_question_it_follows(self, store: SQLiteStore) -> None:
        options = [{"id": "a", "score": 0.7}, {"id": "b", "score": 0.69}]
        asked = store.record_question("conv-0001", "which one", "en", "clarified", candidates=options)
        picked = store.record_pick("conv-0001", "b")
        assert picked is not None and (picked.id, picked.outcome, picked.article_id) == (asked.id, "answered", "b")
        assert picked.picked and not asked.picked
        assert store.record_pick("conv-0001", "a") is None  # answered already: no clarifying question waits
        assert store.record_pick("conv-0009", "a") is None

    def test_reports_count_answers_and_list_what_was_not_settled(self, store: SQLiteStore) -> None:
        since = "2000-01-01T00:00:00.000Z"
        for conversation, helpful in (("c1", True), ("c2", True), ("c3", False), ("c4", None)):
            store.record_question(conversation, "iade?", "tr", "answered", article_id="iade")
            if helpful is not None:
                store.record_feedback(conversation, helpful)
        store.record_question("c5", "kargo ne zaman?", "tr", "clarified", candidates=[{"id": "kargo", "score": 0.7}])
        store.record_pick("c5", "kargo")
        handed = store.record_question("c6", "ek garanti?", "tr", "handoff", "low_confidence")
        rejected = store.record_question("c7", "hangisi?", "tr", "clarified")
        store.record_feedback("c7", False)  # none of these
        left = store.record_question("c8", "left the choices", "tr", "clarified")  # nothing picked: unsettled too
        use = {u.article_id: u for u in store.article_use(since)}
        assert list(use) == ["iade", "kargo"]  # most answers first
        assert (use["iade"].answered, use["iade"].helpful, use["iade"].not_helpful, use["iade"].picked) == (4, 2, 1, 0)
        assert (use["kargo"].answered, use["kargo"].picked) == (1, 1)
        gaps = store.unanswered(since)
        assert [q.id for q in gaps][:3] == [left.id, rejected.id, handed.id]  # newest first
        assert [q.conversation_id for q in gaps] == ["c8", "c7", "c6", "c3"]  # c5's pick settled it
        assert store.unanswered(since, limit=1)[0].id == left.id
        future = "2999-01-01T00:00:00.000Z"
        assert store.article_use(future) == [] and store.unanswered(future) == []


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        s = SQLiteStore(tmp_path / "db.sqlite3")
        yield s
        s.close()


def test_everything_survives_a_restart(tmp_path: Path) -> None:
    first = SQLiteStore(tmp_path / "db.sqlite3")
    first.append("conv-0001", "visitor", "yarın hava nasıl olacak?")
    ticket, _ = first.create_ticket("conv-0001", "low_confidence", "tr")
    first.close()
    second = SQLiteStore(tmp_path / "db.sqlite3")
    assert second.transcript("conv-0001")[0].text == "yarın hava nasıl olacak?"
    assert second.get_ticket(ticket.id) == ticket


def test_a_visitor_message_is_found_by_its_client_id(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3")
    store.append("conv-0001", "visitor", "merhaba", {"client_id": "m-1"})
    store.append("conv-0001", "bot", "Merhaba!", {"client_id": "m-2"})
    assert store.has_visitor_message("conv-0001", "m-1")
    assert not store.has_visitor_message("conv-0001", "m-2")  # only the visitor's own lines count
    assert not store.has_visitor_message("conv-0002", "m-1")
    store.close()


def test_a_database_from_before_the_visitor_columns_gets_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE conversations (id TEXT PRIMARY KEY, language TEXT, created_at TEXT, updated_at TEXT);
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'new',
            reason TEXT NOT NULL, language TEXT, priority TEXT NOT NULL DEFAULT 'normal',
            candidates TEXT NOT NULL DEFAULT '[]', idempotency_key TEXT UNIQUE,
            created_at TEXT NOT NULL DEFAULT 'then', updated_at TEXT NOT NULL DEFAULT 'then');
        INSERT INTO conversations(id) VALUES ('conv-old');
        INSERT INTO tickets(conversation_id, reason) VALUES ('conv-old', 'low_confidence');
        """
    )
    old.close()
    store = SQLiteStore(path)
    ticket = store.get_ticket(1)
    assert ticket is not None and ticket.reason == "low_confidence" and ticket.visitor_email is None
    assert ticket.priority_signals == {}
    new, _ = store.create_ticket("conv-new", reason="visitor_request", visitor_email="a@example.com")
    assert store.get_ticket(new.id).visitor_email == "a@example.com"  # type: ignore[union-attr]
    store.close()


def test_messages_from_before_migrations_keep_their_client_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE conversations (id TEXT PRIMARY KEY, language TEXT, created_at TEXT, updated_at TEXT);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, sender TEXT NOT NULL,
            text TEXT NOT NULL, payload TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL DEFAULT 'then');
        INSERT INTO conversations(id) VALUES ('conv-old');
        INSERT INTO messages(conversation_id, sender, text, payload)
            VALUES ('conv-old', 'visitor', 'merhaba', '{"client_id": "m-1", "language": "tr"}');
        """
    )
    old.close()
    store = SQLiteStore(path)
    assert store.has_visitor_message("conv-old", "m-1")
    assert store.transcript("conv-old")[0].payload == {"client_id": "m-1", "language": "tr"}
    store.append("conv-old", "visitor", "hala orada misin", {"client_id": "m-2"})
    assert [m.text for m in store.transcript("conv-old")] == ["merhaba", "hala orada misin"]
    store.close()
