"""Under CI=true nothing quietly switches off: a missing browser fails (script and tests alike)."""

from __future__ import annotations

import os
import subprocess
import sys
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
    outcomes = (pytest.fail.Exception, pytest.skip.Exception)  # caught here, so neither ends this test
    with pytest.raises(outcomes) as in_ci:
        browser_or_skip(missing, ci=True)
    assert in_ci.type is pytest.fail.Exception and "CI=true: browser tests never skip" in str(in_ci.value)
    with pytest.raises(outcomes) as elsewhere:
        browser_or_skip(missing, ci=False)
    assert elsewhere.type is pytest.skip.Exception and "scripts/ensure-browser.sh" in str(elsewhere.value)
    missing.write_text("")
    assert browser_or_skip(missing, ci=True) == missing


def run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """A small suite (one test skips) run with this project's conftest, as `make test` runs it."""
    (tmp_path / "test_one.py").write_text(
        "import pytest\n\ndef test_skips():\n    pytest.skip('no browser here')\n\ndef test_passes():\n    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-q", "-rs",
         "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_one.py")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_run_ends_with_the_skip_count_and_a_skip_fails_under_ci(tmp_path: Path) -> None:
    here = run_pytest(tmp_path, None)
    assert here.returncode == 0, here.stdout[-2000:]
    assert "skipped: 1 (each is listed with its reason under SKIPPED below)" in here.stdout
    assert "SKIPPED [1]" in here.stdout and "no browser here" in here.stdout
    ci = run_pytest(tmp_path, "true")
    assert ci.returncode == 1, ci.stdout[-2000:]
    assert "CI=true: 1 skipped tests fail the run; nothing may skip in CI" in ci.stdout
