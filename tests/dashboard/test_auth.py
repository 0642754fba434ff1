"""Users file, bcrypt passwords, roles, the demo account, and `misinfo users` / `misinfo dashboard`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard import auth
from misinfo.cli import app as cli_app
from misinfo.errors import ConfigError
from misinfo.settings import Settings


@pytest.fixture(autouse=True)
def _cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(auth.hash_password, "__defaults__", (4,))


def test_add_check_passwd_remove(settings: Settings) -> None:
    path = settings.users_file
    auth.add_user(path, "lan", "mật-khẩu-1", "analyst", "Nguyễn Thị Lan")
    text = path.read_text(encoding="utf-8")
    assert "mật-khẩu-1" not in text and "$2b$" in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert auth.authenticate(settings, "lan", "mật-khẩu-1").role == "analyst"
    assert auth.authenticate(settings, "lan", "mật-khẩu-2") is None
    assert auth.authenticate(settings, "lan", "") is None
    with pytest.raises(ConfigError, match="already exists"):
        auth.add_user(path, "lan", "x", "viewer")
    auth.set_password(path, "lan", "mật-khẩu-2", role="viewer")
    assert auth.authenticate(settings, "lan", "mật-khẩu-1") is None
    user = auth.authenticate(settings, "lan", "mật-khẩu-2")
    assert user.role == "viewer" and not user.can_review and user.name == "Nguyễn Thị Lan"
    auth.remove_user(path, "lan")
    assert auth.authenticate(settings, "lan", "mật-khẩu-2") is None
    with pytest.raises(ConfigError, match="no user"):
        auth.remove_user(path, "lan")


def test_roles() -> None:
    assert [auth.User("u", r).can_review for r in auth.ROLES] == [False, True, True]
    assert [auth.User("u", r).can_manage_users for r in auth.ROLES] == [False, False, True]


@pytest.mark.parametrize(
    ("username", "password", "role", "match"),
    [("Bad Name", "pw", "viewer", "user name"), ("ok", "", "viewer", "empty"), ("ok", "p" * 73, "viewer", "72 bytes"),
     ("ok", "pw", "root", "role")],
)  # fmt: skip
def test_bad_user_input(settings: Settings, username: str, password: str, role: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        auth.add_user(settings.users_file, username, password, role)


def test_bad_users_file_is_one_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "users.yaml"
    bad.write_text("users: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        auth.load_users(bad)
    bad.write_text("users:\n  - username: x\n    role: boss\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="role must be one of"):
        auth.load_users(bad)
    bad.write_text("users:\n  - username: x\n    password_hash: not-bcrypt\n", encoding="utf-8")
    assert auth.authenticate(Settings(users=bad), "x", "anything") is None  # refused, no crash
    assert auth.load_users(tmp_path / "missing.yaml") == {}


def test_demo_account_exists_only_in_demo_mode(home: Path) -> None:
    assert auth.authenticate(Settings(home=home), "demo", "demo") is None
    demo = auth.authenticate(Settings(home=home, demo=True), "demo", "demo")
    assert demo is not None and demo.role == "analyst"
    assert auth.authenticate(Settings(home=home, demo=True), "demo", "wrong") is None
    # a real user called demo wins over the built-in one
    auth.add_user(Settings(home=home).users_file, "demo", "real-password", "viewer")
    assert auth.authenticate(Settings(home=home, demo=True), "demo", "demo") is None
    assert auth.authenticate(Settings(home=home, demo=True), "demo", "real-password").role == "viewer"


def test_users_cli(settings: Settings) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["users", "add", "lan", "--role", "analyst", "--password-stdin"], input="pw-1\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli_app, ["users", "add", "minh"], input="pw-2\npw-2\n")  # prompt, confirmed
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli_app, ["users", "list"])
    assert re.search(r"lan\s+analyst", result.output) and re.search(r"minh\s+viewer", result.output)
    assert "$2b$" not in result.output
    assert auth.authenticate(settings, "minh", "pw-2") is not None
    result = runner.invoke(cli_app, ["users", "passwd", "minh", "--password-stdin", "--role", "admin"], input="pw-3\n")
    assert result.exit_code == 0 and auth.authenticate(settings, "minh", "pw-3").role == "admin"
    result = runner.invoke(cli_app, ["users", "remove", "lan"])
    assert result.exit_code == 0 and "lan" not in auth.load_users(settings.users_file)
    result = runner.invoke(cli_app, ["users", "remove", "lan"])
    assert isinstance(result.exception, ConfigError)  # main() prints it as one line, exit code 2


def test_dashboard_command_line() -> None:
    from misinfo.commands.dashboard import streamlit_command

    cmd = streamlit_command(8600, "0.0.0.0")
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("dashboard/streamlit_app.py")
    assert Path(cmd[4]).is_file()
    assert {"--server.headless=true", "--server.port=8600", "--server.address=0.0.0.0",
            "--browser.gatherUsageStats=false"} <= set(cmd)  # fmt: skip


def test_login_throttle_locks_a_name_after_repeated_failures_then_forgets() -> None:
    from datetime import UTC, datetime, timedelta

    now = [datetime(2026, 11, 29, 8, 0, tzinfo=UTC)]
    throttle = auth.LoginThrottle(3, timedelta(minutes=15), clock=lambda: now[0])
    for _ in range(2):
        throttle.failed("Lan ")
    assert throttle.locked_for("lan") is None  # two wrong passwords: may still try
    throttle.failed("lan")
    assert throttle.locked_for(" LAN") == timedelta(minutes=15)  # the name as typed, case and spaces aside
    assert throttle.locked_for("minh") is None  # other names are not affected
    now[0] += timedelta(minutes=10)
    assert throttle.locked_for("lan") == timedelta(minutes=5)
    now[0] += timedelta(minutes=5)
    assert throttle.locked_for("lan") is None  # the failures have aged out
    throttle.failed("minh")
    throttle.failed("minh")
    throttle.succeeded("minh")  # a right password clears the count
    throttle.failed("minh")
    assert throttle.locked_for("minh") is None
