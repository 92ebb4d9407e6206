"""Start the whole stack (action server, Rasa, bot service) and supervise it.

Used by ``make run`` and by the end-to-end tests, so that what the tests start
is exactly what a user starts. Every service binds to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.model_cache import rasa_environment
from bot.settings import PREFIX, PROJECT_ROOT, SETTINGS, Settings, load_settings
from bot.storage import SQLiteStore

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin"


class StackError(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port free on loopback now, for a stack that must not clash with another (tests, benchmarks)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def stack_env(settings: Settings) -> dict[str, str]:
    """Every setting as an environment variable, with the URLs pointing the services at each other."""
    env = {PREFIX + s.name: str(getattr(settings, s.name.lower())) for s in SETTINGS}
    env.update(
        {
            PREFIX + "HOST": "127.0.0.1",
            PREFIX + "RASA_URL": f"http://127.0.0.1:{settings.rasa_port}",
            PREFIX + "ACTIONS_URL": f"http://127.0.0.1:{settings.actions_port}/webhook",
            PREFIX + "BOT_URL": f"http://127.0.0.1:{settings.port}",
        }
    )
    return env


def build_services(settings: Settings, model: Path) -> dict[str, Service]:
    return {
        "actions": Service(
            "actions",
            [str(RASA_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)],
            f"http://127.0.0.1:{settings.actions_port}/health",
            env={"SANIC_HOST": "127.0.0.1"},
        ),
        "rasa": Service(
            "rasa",
            [
                str(RASA_BIN / "rasa"),
                "run",
                "--model",
                str(model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(settings.rasa_port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/",
        ),
        "bot": Service(
            "bot",
            [sys.executable, "-m", "bot"],
            f"http://127.0.0.1:{settings.port}/health",
        ),
    }


class Stack:
    def __init__(self, settings: Settings, model: Path, log_dir: Path) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.services = build_services(settings, model)
        self.env = {**rasa_environment(), **stack_env(settings), "PYTHONUNBUFFERED": "1"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def start_service(self, name: str) -> None:
        service = self.services[name]
        if service.running():
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        service.log_path = self.log_dir / f"{name}.log"
        log = service.log_path.open("ab")
        service.process = subprocess.Popen(
            service.argv,
            cwd=PROJECT_ROOT,
            env={**self.env, **service.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def stop_service(self, name: str, timeout: float = 20) -> None:
        service = self.services[name]
        if service.process is None:
            return
        if service.running():
            os.killpg(service.process.pid, signal.SIGTERM)
            try:
                service.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()
        service.process = None

    def wait_healthy(self, names: list[str] | None = None, timeout: float = 300) -> None:
        pending = list(names or self.services)
        deadline = time.monotonic() + timeout
        while pending:
            for name in list(pending):
                service = self.services[name]
                if not service.running():
                    raise StackError(f"{name} exited while starting; last log lines:\n{service.log_tail()}")
                try:
                    if httpx.get(service.health_url, timeout=2).status_code == 200:
                        pending.remove(name)
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() > deadline:
                raise StackError(f"not healthy after {timeout:.0f}s: {', '.join(pending)}")
            if pending:
                time.sleep(0.5)

    def start(self, timeout: float = 300) -> None:
        for name in self.services:
            self.start_service(name)
        try:
            self.wait_healthy(timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for name in reversed(list(self.services)):
            self.stop_service(name)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def has_agents(settings: Settings) -> bool:
    store = SQLiteStore(settings.database_path)
    try:
        return store.count_agents() > 0
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the action server, Rasa and the bot service.")
    parser.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "supportbot.tar.gz")
    args = parser.parse_args()
    settings = load_settings()
    stack = Stack(settings, args.model, settings.data_dir / "logs")
    print(f"starting the action server, Rasa and the bot service (logs in {stack.log_dir}) …", flush=True)
    started = time.monotonic()
    # Ctrl-C and a plain `kill` both stop every service, even where the shell
    # that started us had SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.start()
        print(f"ready in {time.monotonic() - started:.0f}s", flush=True)
        print(f"\n  Chat page:  {stack.url}/\n  Agent page: {stack.url}/agent\n", flush=True)
        if not has_agents(settings):
            print('  No agent can sign in yet: make admin EMAIL=you@example.com NAME="Your Name"\n', flush=True)
        print("Ctrl-C stops everything.", flush=True)
        while all(s.running() for s in stack.services.values()):
            time.sleep(1)
        crashed = [s for s in stack.services.values() if not s.running()]
        for service in crashed:
            print(f"{service.name} stopped unexpectedly:\n{service.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping …", flush=True)
        return 0
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
