"""``python -m bot.cli``: manage the support team from the command line.

    python -m bot.cli agents add --email ayse@example.com --name "Ayşe" --role admin
    python -m bot.cli agents list

``add`` asks for the password twice, or reads one line from standard input
with ``--password-stdin`` (for scripts). The first admin is made this way; an
admin adds the others from the console or ``POST /api/agents``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from bot.auth import hash_password
from bot.errors import ApiError
from bot.settings import load_settings
from bot.storage import ROLES, DuplicateAgent, SQLiteStore


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ApiError("the two passwords differ", code="password_mismatch")
    return first


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
    args = parser.parse_args(argv)
    store = SQLiteStore(load_settings().database_path)
    try:
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
