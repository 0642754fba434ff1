"""README stays true: the two newcomer commands, every setting documented, CI runs the test command."""

from __future__ import annotations

from misinfo.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_setting() -> None:
    missing = [f"MISINFO_{name.upper()}" for name in Settings.model_fields if f"`MISINFO_{name.upper()}`" not in README]
    assert not missing, f"README lacks {missing}: run python scripts/readme_settings.py"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "make demo" in README and "make test" in README
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
