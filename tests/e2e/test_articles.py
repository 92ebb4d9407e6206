"""Staff change articles from the command line while the stack runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.stack import Stack
from tests.conftest import PROJECT_ROOT, SAMPLE_ARTICLES

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GIFT_WRAP = """---
id: hediye-paketi-e2e
title: Hediye paketi
language: tr
tags: [hediye, paket]
questions:
  - Siparişimi hediye paketi yaptırabilir miyim?
  - Hediye paketi ücretli mi?
  - Paketin içine not ekleyebilir miyim?
---
Ödeme adımında "Hediye paketi" kutusunu işaretlerseniz siparişiniz 25 TL karşılığında hediye kutusuyla gönderilir.

Paketin içine en fazla 200 karakterlik bir not ekleyebilirsiniz; faturada fiyat yazmaz.
"""


def kb_import(stack: Stack, folder: Path, *more: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "--data-dir", str(stack.settings.data_dir / "kb"), "import",
         str(folder), *more],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


async def logged(stack: Stack, line: str, times: int, timeout: float = 120) -> None:
    """Wait until the bot service's log holds ``line`` ``times`` times."""
    log = stack.log_dir / "bot.log"
    for _ in range(int(timeout * 10)):
        if log.read_text(encoding="utf-8", errors="replace").count(line) >= times:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{line!r} was not logged {times} times within {timeout} s")


async def test_an_article_imported_from_the_command_line_is_refitted_before_anyone_asks(
    stack: Stack, tmp_path: Path
) -> None:
    refitted = "article classifiers refitted after a change"
    before = (stack.log_dir / "bot.log").read_text(encoding="utf-8", errors="replace").count(refitted)
    (tmp_path / "hediye-paketi-e2e.md").write_text(GIFT_WRAP, encoding="utf-8")
    kb_import(stack, tmp_path)
    try:
        await logged(stack, refitted, before + 1)  # nobody searched meanwhile: the service looked by itself
        found = httpx.post(f"{stack.url}/api/search", json={"query": "hediye paketi ücreti ne kadar?"}, timeout=30)
        result = found.json()
        assert result["calibration"] in ("quick_refit", "current"), result
        assert result["decision"] == "answer", result["reason"]
        assert result["candidates"][0]["id"] == "hediye-paketi-e2e"
    finally:  # leave the sample help center as the other tests know it, fully calibrated
        kb_import(stack, SAMPLE_ARTICLES, "--prune")
        await logged(stack, refitted, before + 2)
        for _ in range(600):
            after = httpx.post(f"{stack.url}/api/search", json={"query": "kargo ücreti"}, timeout=30).json()
            if after["calibration"] == "current":
                break
            await asyncio.sleep(0.2)
        assert after["calibration"] == "current"
        assert "hediye-paketi-e2e" not in {c["id"] for c in after["candidates"]}
