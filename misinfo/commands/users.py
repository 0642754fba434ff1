"""`misinfo users add/passwd/remove/list`: dashboard accounts in the users file (MISINFO_USERS)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

users_app = typer.Typer(help="Dashboard users: bcrypt-hashed passwords and roles.", no_args_is_help=True)


class Role(StrEnum):
    viewer = "viewer"
    analyst = "analyst"
    admin = "admin"


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _password(from_stdin: bool) -> str:
    """From a prompt (hidden, asked twice) or one line of stdin (for scripts)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name (a-z, 0-9, . _ -).")],
    role: Annotated[Role, typer.Option(help="viewer reads; analyst also reviews; admin also manages users.")] = Role.viewer,
    name: Annotated[str, typer.Option(help="Full name shown on the dashboard.")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Add a user."""
    from dashboard.auth import add_user
    from misinfo.cli import console, settings

    s = settings()
    add_user(s.users_file, username, _password(password_stdin), role.value, name)
    console.print(f"added {username} ({role.value}) to {s.users_file}")


@users_app.command("passwd")
def passwd(
    username: Annotated[str, typer.Argument()],
    role: Annotated[Role | None, typer.Option(help="Also change the role.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Set a user's password (and optionally role)."""
    from dashboard.auth import set_password
    from misinfo.cli import console, settings

    s = settings()
    user = set_password(s.users_file, username, _password(password_stdin), role.value if role else None)
    console.print(f"password of {username} changed ({user.role})")


@users_app.command("remove")
def remove(username: Annotated[str, typer.Argument()]) -> None:
    """Remove a user."""
    from dashboard.auth import remove_user
    from misinfo.cli import console, settings

    s = settings()
    remove_user(s.users_file, username)
    console.print(f"removed {username}")


@users_app.command("list")
def list_users() -> None:
    """List users and roles (never the hashes)."""
    from dashboard.auth import load_users
    from misinfo.cli import console, settings

    s = settings()
    users = load_users(s.users_file)
    if not users:
        console.print(f"no users in {s.users_file}")
    for u in users.values():
        console.print(f"{u.username}\t{u.role}\t{u.name}")
