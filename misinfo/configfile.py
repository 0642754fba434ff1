"""Reading the YAML config files (sources, narratives, claims, users) with one kind of error.

Every problem is one `ConfigError` that names the file and, for bad YAML, the line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from misinfo.errors import ConfigError

_MISSING = object()


def read_yaml(path: Path, what: str, *, missing: Any = _MISSING, hint: str = "") -> Any:
    """The parsed document; `missing` (when given) is returned for a file that does not exist."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        if missing is not _MISSING:
            return missing
        raise ConfigError(f"{what} file not found: {path}{hint}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{what} file {path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} file {path}: {exc}") from None


def validation_message(path: Path, exc: ValidationError) -> str:
    """One line naming where in the file each of the first problems is."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "file"
        parts.append(f"{where}: {err['msg']}")
    return f"{path}: " + "; ".join(parts)


def unique_ids(items: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    """A pydantic validator's body: the items unchanged, or a ValueError naming the repeated ids."""
    ids = [item.id for item in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate {what} ids: {', '.join(dupes)}")
    return items
