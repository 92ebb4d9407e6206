"""``python -m bot.cli``: manage the support team, and read the question log, from the command line.

    python -m bot.cli agents add --email ayse@example.com --name "Ayşe" --role admin
    python -m bot.cli agents list
    python -m bot.cli report articles [--days 30]
    python -m bot.cli report unanswered [--days 30] [--limit 100]

``add`` asks for the password twice, or reads one line from standard input
with ``--password-stdin`` (for scripts). The first admin is made this way; an
admin adds the others from the console or ``POST /api/agents``.

``report`` prints JSON lines from the database alone: per article answered
with, its answers, picks, 👍 and 👎; or the questions the bot left unsettled,
newest first. ``GET /api/reports/articles`` adds the titles and the articles
never used.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.auth import hash_password
from bot.errors import ApiError
from bot.settings import load_settings
from bot.storage import REPORT_MAX_DAYS, REPORT_MAX_LIMIT, ROLES, DuplicateAgent, SQLiteStore, Store, report_bound
from bot.storage.models import stored_time


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ApiError("the two passwords differ", code="password_mismatch")
    return first


def _whole(highest: int) -> Callable[[str], int]:
    """An argument type: a whole number from 1 to ``highest`` (the API's bounds), else a clear error."""

    def parse(text: str) -> int:
        try:
            return report_bound(text, highest)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return parse


def _report(store: Store, args: argparse.Namespace) -> None:
    since = stored_time(datetime.now(UTC) - timedelta(days=args.days))
    rows = store.article_use(since) if args.command == "articles" else store.unanswered(since, args.limit)
    for row in rows:
        print(json.dumps(row.to_dict(), ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="group", required=True)
    agents = commands.add_parser("agents", help="the support team").add_subparsers(dest="command", required=True)
    add = agents.add_parser("add", help="add an agent (the first admin too)")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    agents.add_parser("list", help="list the agents as JSON lines")
    report = commands.add_parser("report", help="the question log").add_subparsers(dest="command", required=True)
    for name, what in (("articles", "answers and verdicts per article"), ("unanswered", "what the bot left unsettled")):
        one = report.add_parser(name, help=f"{what}, as JSON lines")
        one.add_argument("--days", type=_whole(REPORT_MAX_DAYS), default=30, help="how far back (default 30)")
        if name == "unanswered":
            one.add_argument("--limit", type=_whole(REPORT_MAX_LIMIT), default=100, help="at most (default 100)")
    args = parser.parse_args(argv)
    store = SQLiteStore(load_settings().database_path)
    try:
        if args.group == "report":
            _report(store, args)
            return 0
        if args.command == "list":
            for agent in store.list_agents():
                print(json.dumps(agent.to_dict(), ensure_ascii=False))
            return 0
        if "@" not in args.email or not args.name.strip():
            print("error: --email must be an e-mail address and --name must not be empty", file=sys.stderr)
            return 2
        agent = store.create_agent(
            args.email, args.name.strip(), args.role, hash_password(_password(args.password_stdin))
        )
    except (ApiError, DuplicateAgent) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"added {agent.role} {agent.email} (#{agent.id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
