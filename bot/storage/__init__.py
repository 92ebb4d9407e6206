"""Storage of conversations (transcripts) and tickets behind small protocols."""

from bot.storage.protocols import OPEN_STATUSES, STATUSES, ConversationStore, Message, Store, Ticket, TicketStore
from bot.storage.sqlite import SQLiteStore

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "ConversationStore",
    "Message",
    "SQLiteStore",
    "Store",
    "Ticket",
    "TicketStore",
]
