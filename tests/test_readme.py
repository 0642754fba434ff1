"""README stays true: the two newcomer commands, the settings table as generated, CI runs the test command."""

from __future__ import annotations

import subprocess
import sys

from misinfo.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
BEGIN, END = "<!-- settings-table:", "<!-- /settings-table -->"


def test_readme_settings_table_is_the_generated_one() -> None:
    """Every variable with its default and description, exactly as `scripts/settings_table.py` prints it."""
    generated = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "settings_table.py")],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
    ).stdout  # fmt: skip
    block = README.split(BEGIN, 1)[1].split("\n", 1)[1].split(END, 1)[0]
    assert block == generated, "README's settings table is stale: paste the output of python scripts/settings_table.py"
    assert generated.count("\n| `MISINFO_") >= 40


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "make demo" in README and "make test" in README
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
