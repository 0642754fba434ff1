"""The audit log: who searched, exported or reviewed what, and when (principle 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from misinfo.domain import utcnow
from misinfo.state import append_jsonl, read_jsonl


def audit_path(home: Path) -> Path:
    return Path(home) / "audit.jsonl"


def audit(home: Path, who: str, action: str, **details: Any) -> None:
    append_jsonl(audit_path(home), {"at": utcnow().isoformat(), "who": who, "action": action, **details})


def read_audit(home: Path) -> list[dict[str, Any]]:
    return read_jsonl(audit_path(home))
