"""Shared fixtures: an isolated MISINFO_HOME per test, the browser; and the run's skip count.

Under `CI=true` nothing may skip: a skipped test is a check that silently did not run, so a missing
browser fails its tests and any skip fails the run. `make test` ends by printing how many skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from misinfo.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright never downloads a browser of its own


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def browser_or_skip(path: Path, ci: bool) -> Path:
    """`path` if the browser is there; else a skip on a developer's machine, a failure under CI."""
    if path.is_file():
        return path
    message = f"Debian chromium not found at {path}: run scripts/ensure-browser.sh as root"
    if ci:
        pytest.fail(f"{message} (CI=true: browser tests never skip)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Path:
    return browser_or_skip(CHROMIUM, in_ci())


def _skipped(config: pytest.Config) -> int:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return len(reporter.stats.get("skipped", [])) if reporter is not None else 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if in_ci() and exitstatus == pytest.ExitCode.OK and _skipped(session.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    n = _skipped(config)
    terminalreporter.section("skipped tests", sep="-")
    terminalreporter.write_line(f"skipped: {n}" + (" (each is listed with its reason under SKIPPED below)" if n else ""))
    if n and in_ci():
        terminalreporter.write_line(f"CI=true: {n} skipped tests fail the run; nothing may skip in CI", red=True)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own MISINFO_HOME; no test reads the developer's environment or var/."""
    for name in list(os.environ):
        if name.startswith("MISINFO_") and name not in ("MISINFO_TEST_ES_URL",):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MISINFO_HOME", str(tmp_path / "home"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(home=home)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[object]:
    from misinfo.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "store.sqlite3")
    yield store
    store.close()
