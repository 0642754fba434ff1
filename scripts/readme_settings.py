"""Refresh the configuration table in README.md from `misinfo.settings.Settings`."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.settings_table import main as print_table  # noqa: E402


def main() -> None:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_table()
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    text = re.sub(
        r"(<!-- settings-table:.*?-->\n).*?(<!-- /settings-table -->)",
        lambda m: m.group(1) + buf.getvalue() + m.group(2),
        text,
        flags=re.S,
    )
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
