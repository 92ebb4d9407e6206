"""``python -m bot``: run the bot service with settings from the environment."""

from __future__ import annotations

import logging

from bot.app import create_app
from bot.settings import load_settings
from bot.storage import SQLiteStore
from knowledge_base.embedders import create_embedder
from knowledge_base.kb import KnowledgeBase


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    kb = KnowledgeBase.open(settings.kb_dir, create_embedder(settings.embedding_model))
    kb.thresholds()  # open the index and calibrate before taking traffic
    kb.embedder.embed(["warm-up"])  # load the model now, not on the first visitor's question
    store = SQLiteStore(settings.database_path)
    app = create_app(settings, kb, store)
    try:
        app.run(host=settings.host, port=settings.port, single_process=True, access_log=False, motd=False)
    finally:
        kb.close()  # waits for a background calibration: a thread left in native code can crash the exit


if __name__ == "__main__":
    main()
