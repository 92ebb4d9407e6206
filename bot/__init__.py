"""The bot service: chat WebSocket, conversation hub, tickets, search API and agent page."""
