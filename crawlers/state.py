"""Per-source crawl state under HOME/state/crawl/: what earlier runs saw, for incremental crawls.

The watermark (newest post seen) only moves after a run that was not blocked, so pages a blocked
run never reached are fetched again next time instead of being skipped for good.

`transcripts_pending`: videos whose caption track could not be read (expired, failed, broken),
retried when a later crawl lists them again, up to `TRANSCRIPT_ATTEMPTS` crawls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from misinfo.domain import Post, utcnow
from misinfo.state import read_json, write_json

TRANSCRIPT_ATTEMPTS = 5  # crawls that try one video's caption track before giving up on it


def state_path(home: Path, key: str) -> Path:
    return Path(home) / "state" / "crawl" / f"{key}.json"


@dataclass
class CrawlState:
    key: str
    newest: datetime | None = None
    seen: dict[str, str] = field(default_factory=dict)  # post_id -> created_at ISO
    items_total: int = 0
    run_newest: datetime | None = None
    # post_id -> {"attempts": n, "reason": "...", "created_at": ISO}
    transcripts_pending: dict[str, dict[str, object]] = field(default_factory=dict)

    @classmethod
    def load(cls, home: Path, key: str) -> CrawlState:
        data = read_json(state_path(home, key), {})
        newest = data.get("newest")
        return cls(
            key=key,
            newest=datetime.fromisoformat(newest) if newest else None,
            seen=dict(data.get("seen") or {}),
            items_total=int(data.get("items_total") or 0),
            transcripts_pending=dict(data.get("transcripts_pending") or {}),
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

    def wants_transcript(self, post_id: str) -> bool:
        """Fetch this video's caption track? Yes when no earlier run saw it, or its last try failed."""
        return post_id not in self.seen or post_id in self.transcripts_pending

    def transcript_failed(self, post_id: str, created_at: str, reason: str) -> bool:
        """Remember a failed try for the next crawl; False once the video has had its last try."""
        attempts = int(self.transcripts_pending.get(post_id, {}).get("attempts", 0)) + 1  # type: ignore[call-overload]
        if attempts >= TRANSCRIPT_ATTEMPTS:
            self.transcripts_pending.pop(post_id, None)
            return False
        self.transcripts_pending[post_id] = {"attempts": attempts, "reason": reason, "created_at": created_at}
        return True

    def transcript_done(self, post_id: str) -> None:
        self.transcripts_pending.pop(post_id, None)

    def save(self, home: Path, *, advance: bool, retention_days: int) -> None:
        """Persist; move the watermark only when `advance` (the run was complete and unblocked)."""
        if advance and self.run_newest and (self.newest is None or self.run_newest > self.newest):
            self.newest = self.run_newest
        horizon = (utcnow() - timedelta(days=retention_days)).isoformat()
        seen = {k: v for k, v in self.seen.items() if v >= horizon}
        pending = {k: v for k, v in self.transcripts_pending.items() if str(v.get("created_at", "")) >= horizon}
        write_json(
            state_path(home, self.key),
            {
                "key": self.key,
                "newest": self.newest.isoformat() if self.newest else None,
                "items_total": self.items_total,
                "seen": seen,
                "transcripts_pending": pending,
                "saved_at": utcnow().isoformat(),
            },
        )
