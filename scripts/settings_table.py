"""Print the README's configuration table from `misinfo.settings.Settings` (one source of truth)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from misinfo.settings import PROJECT_ROOT, Settings  # noqa: E402


def main() -> None:
    print("| variable | default | what it is |")
    print("|---|---|---|")
    for name, field in Settings.model_fields.items():
        default = field.default
        if default is None:
            shown = "—"
        elif isinstance(default, Path):
            shown = f"`{os.path.relpath(default, PROJECT_ROOT) if default.is_absolute() else default}`"
        else:
            shown = f"`{default}`" if default != "" else "(empty)"
        print(f"| `MISINFO_{name.upper()}` | {shown} | {field.description or ''} |")


if __name__ == "__main__":
    main()
