"""Storage of conversations (transcripts) and tickets behind small protocols."""

from bot.storage.protocols import ConversationStore, Message, Store, Ticket, TicketStore
from bot.storage.sqlite import SQLiteStore

__all__ = ["ConversationStore", "Message", "SQLiteStore", "Store", "Ticket", "TicketStore"]
