"""The bot service factory."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sanic import Sanic

from bot.auth import LoginThrottle
from bot.background import run_in_background
from bot.blueprints import api, pages
from bot.errors import register_error_handlers
from bot.hub import ConversationHub
from bot.mailer import Mailer
from bot.rasa_client import Assistant, RasaClient
from bot.settings import Settings
from bot.static import STATIC_DIR
from bot.storage import Store
from bot.webhooks import WebhookSender
from knowledge_base.kb import KnowledgeBase

WEBSOCKET_MAX_BYTES = 256 * 1024
# No request of the API needs more (the largest are the widget's unload beacon, 256 KiB, and
# an agent's reply); Sanic's default, 100 MB, would be read into memory before any check.
REQUEST_MAX_BYTES = 1024 * 1024
# How often the service looks for article changes made by another process (`kb import` from
# the command line, another replica): the classifiers are refitted for a change before a
# visitor's search has to notice it. Looking is one indexed read of the store.
ARTICLE_WATCH_SECONDS = 1.0

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    kb: KnowledgeBase,
    store: Store,
    assistant: Assistant | None = None,
    name: str = "supportbot",
) -> Sanic:
    """Build the bot service around its collaborators (each test builds a fresh one)."""
    app = Sanic(name)
    app.config.WEBSOCKET_MAX_SIZE = WEBSOCKET_MAX_BYTES
    app.config.REQUEST_MAX_SIZE = REQUEST_MAX_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"
    assistant = assistant or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout)
    app.ctx.settings = settings
    app.ctx.kb = kb
    app.ctx.store = store
    app.ctx.hub = ConversationHub(
        store,
        store,
        assistant,
        default_language=settings.default_language,
        max_message_chars=settings.max_message_chars,
        repeat_window=settings.repeat_window,
        detect=kb.language_of,
    )
    app.ctx.calendar = settings.calendar()
    app.ctx.sla = settings.sla()
    app.ctx.login_throttle = LoginThrottle()
    app.blueprint(api)
    app.blueprint(pages)
    app.static("/static", STATIC_DIR, name="static")
    app.static("/widget.js", STATIC_DIR / "widget.js", name="widget")
    register_error_handlers(app)
    if settings.webhook_url:
        _start_webhooks(app, WebhookSender(store, settings.webhook_url, settings.webhook_secret))
    app.ctx.mailer = None
    if settings.smtp_host:
        app.ctx.mailer = Mailer(store, settings.smtp_host, settings.smtp_port, settings.smtp_from,
                                settings.smtp_username, settings.smtp_password, settings.smtp_security)  # fmt: skip
        run_in_background(app, "mailer", app.ctx.mailer.run)

    run_in_background(app, "article-watch", lambda: _watch_articles(kb))

    @app.before_server_stop
    async def finish_messages(app: Sanic) -> None:
        await app.ctx.hub.drain()
        close = getattr(assistant, "close", None)
        if close is not None:
            await close()

    return app


def _start_webhooks(app: Sanic, sender: WebhookSender) -> None:
    """Deliver ticket changes in the background; a ticket change wakes the sender at once."""
    app.ctx.webhooks = sender

    async def poke(event: dict[str, Any]) -> None:
        if event["type"] == "ticket":
            sender.poke()

    app.ctx.hub.watch(poke)
    run_in_background(app, "webhooks", sender.run)


async def _watch_articles(kb: KnowledgeBase, every: float = ARTICLE_WATCH_SECONDS) -> None:
    """Take in article changes made elsewhere as they happen (:meth:`KnowledgeBase.catch_up`)."""
    while True:
        try:
            if await asyncio.to_thread(kb.catch_up):
                log.info("articles changed by another process: refitting")
        except Exception:  # the next search refreshes anyway; keep watching
            log.exception("looking for article changes failed")
        await asyncio.sleep(every)
