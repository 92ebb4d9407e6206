"""Messages that arrive together with the close, against a real Sanic server on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.stack import free_port
from tests.conftest import PROJECT_ROOT
from tests.raw_websocket import send_then_close

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# A handler that is still busy (as the chat's is while it sends the welcome) when the
# messages and the close arrive, then reads as the chat does, and reads what is left
# with read_unread when the close ends it. UNREAD=0 leaves that last step out.
SERVER = """
import asyncio, os, sys
from sanic import Sanic
from sanic.response import json
import importlib

chat = importlib.import_module("bot.blueprints.chat")  # the package's `chat` is the blueprint

app = Sanic("unread_frames_check")
received = []

@app.websocket("/ws")
async def socket(request, ws):
    try:
        await asyncio.sleep(0.2)
        async for frame in ws:
            received.append(frame)
    finally:
        if os.environ["UNREAD"] == "1":
            async def keep(message):
                received.append(message)
            asyncio.create_task(chat.read_unread(ws, keep))

@app.get("/received")
async def report(request):
    return json(received)

app.run(host="127.0.0.1", port=int(sys.argv[1]), single_process=True, access_log=False, motd=False)
"""


@pytest.fixture(params=["1", "0"], ids=["with read_unread", "without"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[int, bool]]:
    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    port = free_port()
    env = {"PATH": "", "PYTHONPATH": str(PROJECT_ROOT), "UNREAD": request.param}
    process = subprocess.Popen([sys.executable, str(script), str(port)], cwd=PROJECT_ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/received", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the test server did not start"
                time.sleep(0.1)
        yield port, request.param == "1"
    finally:
        process.terminate()
        process.wait(10)


def test_messages_sent_with_the_close_are_all_read(server: tuple[int, bool]) -> None:
    port, unread = server
    sent = [json.dumps({"type": "message", "text": f"soru {i}", "id": f"m-{i}"}) for i in range(3)]
    send_then_close("127.0.0.1", port, "/ws", sent)
    time.sleep(1.5)  # the handler's finally, then the recovery, run after the connection is gone
    received = httpx.get(f"http://127.0.0.1:{port}/received", timeout=5).json()
    if unread:
        assert received == sent
    else:
        # Sanic alone loses them: the reason for read_unread. If this starts to fail, Sanic
        # reads such messages itself and read_unread can go.
        assert received != sent
