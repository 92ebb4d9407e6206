"""Storage of conversations, tickets and agents behind small protocols."""

from bot.storage.protocols import (
    OPEN_STATUSES,
    ROLES,
    STATUSES,
    Agent,
    AgentStore,
    ConversationStore,
    DuplicateAgent,
    EventLog,
    Leases,
    Mail,
    MailOutbox,
    Message,
    Store,
    Ticket,
    TicketEvent,
    TicketStore,
)
from bot.storage.sql import SQLiteStore, SQLStore

__all__ = [
    "OPEN_STATUSES",
    "ROLES",
    "STATUSES",
    "Agent",
    "AgentStore",
    "ConversationStore",
    "DuplicateAgent",
    "EventLog",
    "Leases",
    "Mail",
    "MailOutbox",
    "Message",
    "SQLStore",
    "SQLiteStore",
    "Store",
    "Ticket",
    "TicketEvent",
    "TicketStore",
]
