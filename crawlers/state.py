"""Per-source crawl state under HOME/state/crawl/: what earlier runs saw, for incremental crawls.

The watermark (newest post seen) only moves after a run that was not blocked, so pages a blocked
run never reached are fetched again next time instead of being skipped for good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from misinfo.domain import Post, utcnow
from misinfo.state import read_json, write_json


def state_path(home: Path, key: str) -> Path:
    return Path(home) / "state" / "crawl" / f"{key}.json"


@dataclass
class CrawlState:
    key: str
    newest: datetime | None = None
    seen: dict[str, str] = field(default_factory=dict)  # post_id -> created_at ISO
    items_total: int = 0
    run_newest: datetime | None = None

    @classmethod
    def load(cls, home: Path, key: str) -> CrawlState:
        data = read_json(state_path(home, key), {})
        newest = data.get("newest")
        return cls(
            key=key,
            newest=datetime.fromisoformat(newest) if newest else None,
            seen=dict(data.get("seen") or {}),
            items_total=int(data.get("items_total") or 0),
        )

    def cutoff(self, overlap: timedelta) -> datetime | None:
        """Posts older than this were seen by an earlier complete run: stop paginating there."""
        return self.newest - overlap if self.newest else None

    def see(self, post: Post) -> bool:
        """Remember a post; True when no earlier run (or this one) had it."""
        new = post.post_id not in self.seen
        self.seen[post.post_id] = post.created_at.isoformat()
        self.items_total += 1
        if self.run_newest is None or post.created_at > self.run_newest:
            self.run_newest = post.created_at
        return new

    def save(self, home: Path, *, advance: bool, retention_days: int) -> None:
        """Persist; move the watermark only when `advance` (the run was complete and unblocked)."""
        if advance and self.run_newest and (self.newest is None or self.run_newest > self.newest):
            self.newest = self.run_newest
        horizon = (utcnow() - timedelta(days=retention_days)).isoformat()
        seen = {k: v for k, v in self.seen.items() if v >= horizon}
        write_json(
            state_path(home, self.key),
            {
                "key": self.key,
                "newest": self.newest.isoformat() if self.newest else None,
                "items_total": self.items_total,
                "seen": seen,
                "saved_at": utcnow().isoformat(),
            },
        )
