"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.storage import SQLiteStore
from bot.storage.models import Base

pytestmark = pytest.mark.unit


def test_the_migrated_database_matches_the_models(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "db.sqlite3").close()  # opening runs every migration
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_opening_twice_migrates_once(tmp_path: Path) -> None:
    first = SQLiteStore(tmp_path / "db.sqlite3")
    first.append("conv-0001", "visitor", "merhaba")
    first.close()
    second = SQLiteStore(tmp_path / "db.sqlite3")
    assert [m.text for m in second.transcript("conv-0001")] == ["merhaba"]
    second.close()


def _open_store(path: str, start: Any) -> None:
    start.wait()  # every process opens the new database at the same moment
    SQLiteStore(path).close()


def test_replicas_starting_together_on_a_new_database_all_start(tmp_path: Path) -> None:
    # Found by starting two bot services on one new database: both ran the first migration,
    # and one died on "table service_state already exists".
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(6)
    path = str(tmp_path / "db.sqlite3")
    processes = [context.Process(target=_open_store, args=(path, start)) for _ in range(6)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * 6
    SQLiteStore(path).close()
