"""Dashboard users: a YAML file of bcrypt hashes and roles, and the check done at login.

Roles: `viewer` reads, `analyst` also reviews and saves searches, `admin` also manages users. The demo account
(`demo`/`demo`, analyst) exists only when `MISINFO_DEMO=1`, never otherwise, and a real user
called `demo` in the file takes precedence over it.
"""

from __future__ import annotations

import functools
import hmac
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import bcrypt
import yaml

from misinfo.configfile import read_yaml
from misinfo.domain import utcnow
from misinfo.errors import ConfigError, MisinfoError
from misinfo.settings import Settings

ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
DEMO_USER = "demo"
DEMO_PASSWORD = "demo"
BCRYPT_ROUNDS = 12
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# bcrypt reads at most 72 bytes; refusing longer passwords beats silently ignoring their tail
MAX_PASSWORD_BYTES = 72


class NotAllowed(MisinfoError):
    """The signed-in user's role does not allow this action (a viewer reviewing, say)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    name: str = ""
    password_hash: str = ""

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def can_review(self) -> bool:
        return self.role in ("analyst", "admin")

    @property
    def can_save_searches(self) -> bool:
        """Analysts keep searches (and attach them to alert rules); viewers only read."""
        return self.role in ("analyst", "admin")

    @property
    def can_manage_users(self) -> bool:
        return self.role == "admin"

    def to_dict(self) -> dict[str, str]:
        return {"username": self.username, "name": self.name, "role": self.role, "password_hash": self.password_hash}


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    data = password.encode("utf-8")
    if not password:
        raise ConfigError("the password is empty")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ConfigError(f"the password is longer than {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)")
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    data = password.encode("utf-8")
    if not password_hash or len(data) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except ValueError:  # a malformed hash in the file is a refusal, not a crash
        return False


def load_users(path: Path) -> dict[str, User]:
    """Users by name; a missing file is no users. Bad YAML or entries raise one `ConfigError`."""
    path = Path(path)
    data = read_yaml(path, "users", missing={})
    entries: Any = (data or {}).get("users", []) if isinstance(data, dict) else data
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ConfigError(f"users file {path}: expected 'users:' followed by a list")
    users: dict[str, User] = {}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("username"):
            raise ConfigError(f"users file {path}: entry {i} needs a username")
        role = entry.get("role", "viewer")
        if role not in ROLES:
            raise ConfigError(f"users file {path}: entry {i}: role must be one of {', '.join(ROLES)}, not {role!r}")
        name = str(entry["username"])
        users[name] = User(name, role, str(entry.get("name") or ""), str(entry.get("password_hash") or ""))
    return users


def save_users(path: Path, users: dict[str, User]) -> None:
    """Write-then-rename, readable by the owner only (it holds password hashes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(
        {"users": [u.to_dict() for u in sorted(users.values(), key=lambda u: u.username)]},
        allow_unicode=True,
        sort_keys=False,
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# Dashboard users (misinfo users add/passwd/remove). Passwords are bcrypt hashes.\n")
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _valid_username(username: str) -> str:
    if not _USERNAME_RE.match(username):
        raise ConfigError(
            f"user name {username!r}: use 2-64 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
        )
    return username


def add_user(path: Path, username: str, password: str, role: str = "viewer", name: str = "") -> User:
    users = load_users(path)
    if username in users:
        raise ConfigError(f"user {username!r} already exists (use `misinfo users passwd`)")
    if role not in ROLES:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    user = User(_valid_username(username), role, name, hash_password(password))
    users[username] = user
    save_users(path, users)
    return user


def set_password(path: Path, username: str, password: str, role: str | None = None) -> User:
    users = load_users(path)
    if username not in users:
        raise ConfigError(f"no user {username!r} in {path}")
    if role is not None and role not in ROLES:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    old = users[username]
    user = User(username, role or old.role, old.name, hash_password(password))
    users[username] = user
    save_users(path, users)
    return user


def remove_user(path: Path, username: str) -> None:
    users = load_users(path)
    if username not in users:
        raise ConfigError(f"no user {username!r} in {path}")
    del users[username]
    save_users(path, users)


def authenticate(settings: Settings, username: str, password: str) -> User | None:
    """The user if the password is right; None otherwise (unknown user and wrong password look alike)."""
    username = (username or "").strip()
    users = load_users(settings.users_file)
    user = users.get(username)
    if user is not None:
        return user if check_password(password or "", user.password_hash) else None
    if settings.demo and username == DEMO_USER:
        if hmac.compare_digest((password or "").encode("utf-8"), DEMO_PASSWORD.encode("utf-8")):
            return User(DEMO_USER, "analyst", "Tài khoản trình diễn")
        return None
    # spend the same time as a real check, so timing does not tell which user names exist
    check_password(password or "x", _dummy_hash())
    return None


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not a password of anyone")


class LoginThrottle:
    """Wrong passwords per user name: after `max_failures` within `lockout`, the name is refused for
    `lockout` even with the right password, so nobody can guess a password by trying many.

    Kept in memory, shared by every session of one dashboard process (a restart forgets it); keyed
    by the name typed, so unknown names are throttled the same way and do not stand out.
    """

    def __init__(self, max_failures: int, lockout: timedelta, clock: Callable[[], datetime] = utcnow) -> None:
        self.max_failures = max_failures
        self.lockout = lockout
        self.clock = clock
        self._failures: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return (username or "").strip().lower()[:64]

    def _recent(self, key: str, now: datetime) -> list[datetime]:
        recent = [t for t in self._failures.get(key, []) if now - t < self.lockout]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def locked_for(self, username: str) -> timedelta | None:
        """How long the name stays locked, or None when it may try."""
        now = self.clock()
        with self._lock:
            recent = self._recent(self._key(username), now)
        if len(recent) < self.max_failures:
            return None
        return recent[-1] + self.lockout - now

    def failed(self, username: str) -> None:
        with self._lock:
            key = self._key(username)
            now = self.clock()
            self._failures[key] = [*self._recent(key, now), now]

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self._key(username), None)
