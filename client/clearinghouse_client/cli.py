"""``clearinghouse-client``: the toolkit at a terminal.

The server is ``--url`` or ``CLEARINGHOUSE_URL``. The session token is read from the environment
(``CLEARINGHOUSE_TOKEN``) or from a file (``--token-file`` or ``CLEARINGHOUSE_TOKEN_FILE``), never
from the command line, where other users of the machine could read it; ``login`` writes that
file (readable by its owner only), taking the password from ``CLEARINGHOUSE_PASSWORD`` or the
terminal.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from clearinghouse_client.errors import ClearinghouseError
from clearinghouse_client.query import Query
from clearinghouse_client.services.orders import STATES
from clearinghouse_client.session import Session
from clearinghouse_client.values import OrderItem, fields_of


def _numbers(text: str, count: int, what: str) -> list[float]:
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != count:
        raise argparse.ArgumentTypeError(f"{what}: give {count} numbers separated by commas")
    return values


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clearinghouse-client",
        description="Search the clearinghouse and order from it.",
        epilog="The token comes from CLEARINGHOUSE_TOKEN or a token file, never an argument.",
        allow_abbrev=False,  # or --token would be taken for --token-file
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("CLEARINGHOUSE_URL"),
        help="the server (default: $CLEARINGHOUSE_URL)",
    )
    parser.add_argument(
        "--token-file",
        default=os.environ.get("CLEARINGHOUSE_TOKEN_FILE"),
        help="where the session token is kept ($CLEARINGHOUSE_TOKEN_FILE)",
    )
    parser.add_argument("--client-id", default="clearinghouse-client")
    commands = parser.add_subparsers(dest="command", required=True)

    login = commands.add_parser("login", help="log in; the token goes to the token file")
    login.add_argument("username")
    commands.add_parser("logout", help="log out and forget the token")

    search = commands.add_parser("search", help="search the catalog")
    search.add_argument("target", choices=["granules", "collections"])
    search.add_argument("--provider", action="append", default=[])
    search.add_argument("--short-name", action="append", default=[])
    search.add_argument("--version")
    search.add_argument("--dataset-id")
    search.add_argument("--granule-ur")
    search.add_argument(
        "--bbox", type=lambda t: _numbers(t, 4, "--bbox"), help="west,south,east,north"
    )
    search.add_argument("--point", type=lambda t: _numbers(t, 2, "--point"), help="lon,lat")
    search.add_argument("--temporal", help="start,end (ISO 8601; end may be left out)")
    search.add_argument(
        "--cloud-cover", type=lambda t: _numbers(t, 2, "--cloud-cover"), help="min,max"
    )
    search.add_argument("--day-night", choices=["DAY", "NIGHT", "BOTH"])
    search.add_argument("--online-only", action="store_true")
    search.add_argument("--page-size", type=int, default=100)
    search.add_argument("--limit", type=int, help="at most this many records")
    search.add_argument("--hits", action="store_true", help="print only how many are found")
    search.add_argument("--json", action="store_true", help="one JSON object per line")

    order = commands.add_parser("order", help="create, fill, quote, submit, follow orders")
    actions = order.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new order; prints its id")
    create.add_argument("items", nargs="*", help="catalog item ids")
    add = actions.add_parser("add", help="add an item")
    add.add_argument("order_id")
    add.add_argument("item")
    add.add_argument("--quantity", type=int, default=1)
    add.add_argument("--options", help="the option selection as JSON")
    for name in ("quote", "submit"):
        step = actions.add_parser(name, help=f"{name} the order")
        step.add_argument("order_id")
        step.add_argument("--wait", choices=STATES, help="then wait for this state")
        step.add_argument("--timeout", type=float, default=120.0)
    status = actions.add_parser("status", help="the order's provider orders and states")
    status.add_argument("order_id")
    status.add_argument("--json", action="store_true")
    return parser


def _token(args) -> str | None:
    token = os.environ.get("CLEARINGHOUSE_TOKEN")
    if token:
        return token.strip()
    if args.token_file and Path(args.token_file).exists():
        return Path(args.token_file).read_text().strip() or None
    return None


def _save_token(path: str | None, token: str | None) -> None:
    if not path:
        raise ClearinghouseError(
            "login needs --token-file (or CLEARINGHOUSE_TOKEN_FILE) to keep the token in",
            code="Usage",
        )
    target = Path(path)
    if token is None:
        target.unlink(missing_ok=True)
        return
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")


def _query(args) -> Query:
    query = Query.granules() if args.target == "granules" else Query.collections()
    if args.provider:
        query = query.provider(*args.provider)
    if args.short_name:
        query = query.short_name(*args.short_name)
    if args.version:
        query = query.version_id(args.version)
    if args.dataset_id:
        query = query.dataset_id(args.dataset_id)
    if args.granule_ur:
        query = query.granule_ur(args.granule_ur)
    if args.bbox:
        query = query.bounding_box(*args.bbox)
    if args.point:
        query = query.point(*args.point)
    if args.temporal:
        start, _, end = args.temporal.partition(",")
        query = query.temporal(start, end or None)
    if args.cloud_cover:
        query = query.cloud_cover(*args.cloud_cover)
    if args.day_night:
        query = query.day_night(args.day_night)
    if args.online_only:
        query = query.online_only()
    return query


def _search(session: Session, args, out) -> None:
    query = _query(args)
    if args.hits:
        print(session.catalog.hits(query), file=out)
        return
    results = session.catalog.search(query, page_size=args.page_size, max_results=args.limit)
    for record in results:
        if args.json:
            print(json.dumps(fields_of(record)), file=out)
        else:
            name = getattr(record, "granule_ur", None) or getattr(record, "dataset_id", "")
            print(f"{record.item_id}\t{name}", file=out)


def _order(session: Session, args, out) -> None:
    if args.action == "create":
        order = session.orders.create(*(OrderItem(i) for i in args.items))
        print(order.order_id, file=out)
        return
    order = session.orders.get(args.order_id)
    if args.action == "add":
        options = json.loads(args.options) if args.options else None
        order.add(args.item, quantity=args.quantity, options=options)
    elif args.action in ("quote", "submit"):
        getattr(order, args.action)()
        if args.wait:
            order.wait_for(args.wait, timeout=args.timeout)
    if args.action == "status" and args.json:
        print(json.dumps({k: v for k, v in fields_of(order).items()}), file=out)
        return
    for note in order.notes:
        print(f"note: {note}", file=out)
    for provider, state in sorted(order.states.items()):
        print(f"{provider}\t{state}", file=out)


def main(argv: list[str] | None = None, out=None) -> int:
    """Run one command; the exit status (0 done, 1 refused by the server, 2 misused)."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    if not args.url:
        print("clearinghouse-client: give --url or set CLEARINGHOUSE_URL", file=sys.stderr)
        return 2
    session = Session(args.url, client_id=args.client_id, token=_token(args))
    try:
        if args.command == "login":
            password = os.environ.get("CLEARINGHOUSE_PASSWORD") or getpass.getpass()
            session.login(args.username, password)
            _save_token(args.token_file, session.token)
            print(f"logged in as {args.username}", file=out)
        elif args.command == "logout":
            session.logout()
            if args.token_file:
                _save_token(args.token_file, None)
        elif args.command == "search":
            _search(session, args, out)
        else:
            _order(session, args, out)
    except ClearinghouseError as error:
        print(f"clearinghouse-client: {error.code}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
