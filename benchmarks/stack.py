"""Start the real stack on free ports, hold a few conversations, print the figures.

    .venv/bin/python -m benchmarks.stack [--turns 20]

Prints: time until all three services are healthy, resident memory of each
service (with its child processes), and the median and 90th-percentile time
from a visitor's message to the bot's reply over the real WebSocket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

from bot.model_cache import ensure_model
from bot.settings import PROJECT_ROOT, load_settings
from bot.stack import Stack, free_port

QUESTIONS = [
    "İade süresi kaç gün?",
    "How long do refunds take?",
    "kargo ucreti ne kadar",
    "Can I pay in installments?",
    "Şifremi unuttum",
    "yarın hava nasıl olacak?",
]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        pids += [int(c) for c in children]
    return total / 1024


async def converse(url: str, turns: int) -> list[float]:
    timings = []
    async with websockets.connect(url) as ws:
        await ws.recv()
        for i in range(turns):
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "text": QUESTIONS[i % len(QUESTIONS)]}))
            while json.loads(await ws.recv())["message"]["sender"] == "visitor":
                pass
            timings.append(time.perf_counter() - started)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stack-bench-") as tmp:
        data_dir = Path(tmp)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "knowledge_base",
                "--data-dir",
                str(data_dir / "kb"),
                "import",
                str(PROJECT_ROOT / "knowledge_base" / "sample_articles"),
            ],
            check=True,
            capture_output=True,
        )
        settings = load_settings(
            {}, data_dir=data_dir, port=free_port(), rasa_port=free_port(), actions_port=free_port()
        )
        stack = Stack(settings, ensure_model(), data_dir / "logs")
        started = time.perf_counter()
        stack.start()
        ready = time.perf_counter() - started
        try:
            timings = asyncio.run(converse(stack.url.replace("http", "ws") + "/chat/ws", args.turns))
            memory = {name: rss_mib(s.process.pid) for name, s in stack.services.items() if s.process}
        finally:
            stack.stop()
    print(f"stack healthy after: {ready:.1f} s")
    for name, mib in memory.items():
        print(f"resident memory {name:<8} {mib:8.0f} MiB")
    print(f"resident memory total    {sum(memory.values()):8.0f} MiB")
    timings.sort()
    print(
        f"reply time over {len(timings)} turns: median {statistics.median(timings) * 1000:.0f} ms, "
        f"p90 {timings[int(0.9 * (len(timings) - 1))] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
