"""Under CI=true nothing quietly switches off: a missing browser fails (script and tests alike)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from misinfo.settings import PROJECT_ROOT
from tests.conftest import browser_or_skip

SCRIPT = PROJECT_ROOT / "scripts" / "ensure-browser.sh"


def ensure_browser(tmp_path: Path, chromium: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """Run the script with an `apt-get` that fails: installing for real would change this machine,
    so this stub (the one mock here) stands for a package mirror that cannot be reached."""
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    (stubs / "apt-get").write_text("#!/bin/sh\necho 'E: network unreachable' >&2\nexit 100\n")
    (stubs / "apt-get").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PATH": f"{stubs}:/usr/bin:/bin"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(["bash", str(SCRIPT), str(chromium)], env=env, capture_output=True, text=True, timeout=60)


def test_ensure_browser_fails_in_ci_when_it_cannot_install(tmp_path: Path) -> None:
    missing = tmp_path / "no-chromium"
    out = ensure_browser(tmp_path, missing, "true")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: chromium not found at {missing} and cannot be installed")
    assert "CI=true" in lines[0]


def test_ensure_browser_only_warns_outside_ci_and_is_silent_when_present(tmp_path: Path) -> None:
    out = ensure_browser(tmp_path, tmp_path / "no-chromium", None)
    assert out.returncode == 0 and out.stderr.startswith("warning: chromium not found")
    present = ensure_browser(tmp_path, Path("/bin/sh"), "true")  # any executable stands for the browser
    assert (present.returncode, present.stdout, present.stderr) == (0, "", "")


def test_a_missing_browser_fails_the_test_under_ci_and_skips_elsewhere(tmp_path: Path) -> None:
    missing = tmp_path / "chromium"
    with pytest.raises(pytest.fail.Exception, match="CI=true: browser tests never skip"):
        browser_or_skip(missing, ci=True)
    with pytest.raises(pytest.skip.Exception, match="scripts/ensure-browser.sh"):
        browser_or_skip(missing, ci=False)
    missing.write_text("")
    assert browser_or_skip(missing, ci=True) == missing
