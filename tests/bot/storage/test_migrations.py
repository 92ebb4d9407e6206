"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

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
