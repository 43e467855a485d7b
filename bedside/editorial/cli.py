"""`bedside users …` and `bedside review …`: accounts, API tokens and the review queue from the terminal.

Passwords are read from standard input (without echo at a terminal) and are never printed. An API token is
printed once, on stdout alone, so ``TOKEN=$(bedside users token alice)`` works. Exit codes as everywhere:
0 success, 2 bad input (a message on stderr), 1 internal error.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from bedside.config import Settings
from bedside.editorial.articles import ArticleStore
from bedside.editorial.users import ROLES, AccountError, Accounts, check_name, check_role
from bedside.library.store import Store

users_app = typer.Typer(help="Accounts (reader, reviewer, editor, admin) and their API tokens.", no_args_is_help=True)
review_app = typer.Typer(help="The medical advisory board's review queue and article histories.", no_args_is_help=True)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print("[red]error:[/red] ", end="")
    err.print(message, markup=False)
    return typer.Exit(code)


def open_store() -> ArticleStore:
    """The editorial tables only: no starter library, no indexes."""
    try:
        settings = Settings.from_env()
        settings.home.mkdir(parents=True, exist_ok=True)
        return ArticleStore(Store(settings.database_url).engine)
    except ValueError as exc:
        raise fail(str(exc)) from exc


def read_password() -> str:
    """One line from stdin; at a terminal, asked twice without echo."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise fail("the two passwords differ")
        return first
    line = sys.stdin.readline()
    if not line:
        raise fail("give the password on standard input (one line)")
    return line.rstrip("\r\n")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user name (used to sign in; shown on approved articles).")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "reader",
) -> None:
    """Add an account; the password is read from standard input."""
    try:
        check_name(name)
        check_role(role)
    except AccountError as exc:
        raise fail(str(exc)) from exc
    password = read_password()
    accounts = Accounts(open_store().engine)
    try:
        user = accounts.add(name, role, password)
    except AccountError as exc:
        raise fail(str(exc)) from exc
    err.print(f"added {user.name} ({user.role})", markup=False)


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="The user the token acts for.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke all of this user's tokens instead.")] = False,
) -> None:
    """Print a new API token for NAME (shown once: store it now), or revoke all of NAME's tokens."""
    accounts = Accounts(open_store().engine)
    if accounts.get(name) is None:
        raise fail(f"no user named {name!r}")
    if revoke:
        n = accounts.revoke_tokens(name)
        err.print(f"revoked {n} token{'s' if n != 1 else ''} of {name}", markup=False)
        return
    token = accounts.issue_token(name)
    sys.stdout.write(token + "\n")
    sys.stdout.flush()
    err.print(
        "This token is shown once; bedside keeps only its hash. Send it as 'Authorization: Bearer TOKEN'.",
        markup=False,
    )


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout.")] = False) -> None:
    """List the accounts and their roles."""
    for user in Accounts(open_store().engine).list():
        if as_json:
            sys.stdout.write(json.dumps({"name": user.name, "role": user.role, "created_at": user.created_at}) + "\n")
        else:
            out.print(f"{user.name}\t{user.role}\t{user.created_at}", markup=False)


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="The user to remove.")]) -> None:
    """Remove an account with its tokens and sessions (the audit log keeps what it did)."""
    try:
        Accounts(open_store().engine).remove(name)
    except AccountError as exc:
        raise fail(str(exc)) from exc
    err.print(f"removed {name}", markup=False)


@review_app.command("queue")
def review_queue(as_json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout.")] = False) -> None:
    """Articles waiting for review (submitted or under review), oldest first."""
    for item in open_store().workflow.queue():
        if as_json:
            sys.stdout.write(json.dumps(item) + "\n")
        else:
            out.print(f"{item['id']}\tv{item['version']}\t{item['status']}\t{item['question']}", markup=False)


@review_app.command("history")
def review_history(article_id: Annotated[str, typer.Argument(help="The article id.")]) -> None:
    """The versions, reviews and audit entries of one article, as one JSON object."""
    history = open_store().workflow.history(article_id)
    if history is None:
        raise fail(f"no article with id {article_id!r}")
    sys.stdout.write(json.dumps(history, ensure_ascii=False) + "\n")
