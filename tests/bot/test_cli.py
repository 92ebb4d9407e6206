"""The command line that makes the first admin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage import SQLiteStore
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit


def cli(data_dir: Path, *args: str, password: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUPPORTBOT_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )


def test_the_first_admin_is_made_from_the_command_line(tmp_path: Path) -> None:
    made = cli(
        tmp_path, "agents", "add", "--email", "Ayse@Example.com", "--name", "Ayşe", "--role", "admin",
        "--password-stdin", password="a long enough password",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "added admin ayse@example.com" in made.stdout
    listed = cli(tmp_path, "agents", "list")
    [agent] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (agent["email"], agent["role"], agent["name"]) == ("ayse@example.com", "admin", "Ayşe")
    assert "hash" not in listed.stdout


@pytest.mark.parametrize(
    ("args", "password", "code", "message"),
    [
        (["--email", "ayse@example.com", "--name", "Başka"], "another long password", 1, "exists already"),
        (["--email", "mert@example.com", "--name", "Mert"], "short", 1, "a password must have 10"),
        (["--email", "not-an-address", "--name", "Mert"], "a long enough password", 2, "--email must be"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    tmp_path: Path, args: list[str], password: str, code: int, message: str
) -> None:
    first = cli(
        tmp_path, "agents", "add", "--email", "ayse@example.com", "--name", "Ayşe", "--password-stdin",
        password="a long enough password",
    )  # fmt: skip
    assert first.returncode == 0
    result = cli(tmp_path, "agents", "add", *args, "--password-stdin", password=password)
    assert result.returncode == code and message in result.stderr


def test_the_question_log_is_reported_as_json_lines(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "supportbot.sqlite3")
    store.record_question("c1", "iade ne zaman?", "tr", "answered", article_id="iade-suresi")
    store.record_feedback("c1", False)
    store.record_question("c2", "ek garanti?", "tr", "handoff", "low")
    store.close()
    articles = cli(tmp_path, "report", "articles", "--days", "7")
    assert articles.returncode == 0, articles.stderr
    [use] = [json.loads(line) for line in articles.stdout.splitlines()]
    assert (use["article_id"], use["answered"], use["not_helpful"]) == ("iade-suresi", 1, 1)
    unanswered = cli(tmp_path, "report", "unanswered", "--limit", "1")
    assert [json.loads(line)["question"] for line in unanswered.stdout.splitlines()] == ["ek garanti?"]


BAD_REPORT_ARGUMENTS = [("--days", "0"), ("--days", "-3"), ("--days", "soon"), ("--days", "3651"), ("--limit", "1001")]


@pytest.mark.parametrize(("option", "value"), BAD_REPORT_ARGUMENTS)
def test_a_report_with_a_bad_period_or_limit_says_so(tmp_path: Path, option: str, value: str) -> None:
    done = cli(tmp_path, "report", "unanswered", option, value)
    assert done.returncode == 2 and "must be a whole number from 1 to" in done.stderr
