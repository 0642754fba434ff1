"""The landing zone: the append-only system of record, and the quarantine beside it.

Layout under HOME: `raw/<platform>/<YYYY-MM-DD>/<run_id>.jsonl`, one file per crawl or import run,
each line a `Post.to_dict()`; `quarantine/<YYYY-MM-DD>.jsonl`, each line `{id, at, reason, origin,
raw}`. Every batch is flushed and fsync'd before the writer returns, so a crash loses at most the
batch being written and never corrupts what came before. Stores are derived from this.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from misinfo.domain import Post, utcnow
from misinfo.errors import InvalidRecord, StoreUnavailable
from misinfo.schema import post_from_line

_RUN_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, unique run ids: files of one day replay in the order they were written."""
    now = now or utcnow()
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8]


@dataclass(frozen=True, slots=True)
class LandedLine:
    """One line read back: a post, or the reason it is not one. `offset` is the byte after the line."""

    path: Path
    line_no: int
    offset: int
    post: Post | None
    error: str | None = None
    raw: bytes = b""


class RunWriter:
    """Appends posts of one run to its own file; `append` returns once the batch is on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] = open(path, "ab")  # noqa: SIM115 - closed by close()/__exit__

    def append(self, posts: Iterable[Post]) -> int:
        data = b"".join(
            json.dumps(p.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
            for p in posts
        )
        if not data:
            return 0
        try:
            self._fh.write(data)
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise StoreUnavailable(f"cannot write the landing zone file {self.path}: {exc.strerror or exc}") from exc
        n = data.count(b"\n")
        self.count += n
        return n

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LandingZone:
    """Append-only raw storage of every collected post, plus the quarantine of what failed validation."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.raw_dir = self.home / "raw"
        self.quarantine_dir = self.home / "quarantine"

    # writing
    def open_run(self, platform: str, run_id: str | None = None, day: datetime | None = None) -> RunWriter:
        run_id = run_id or new_run_id()
        if not _RUN_ID_RE.match(run_id) or not _RUN_ID_RE.match(platform):
            raise InvalidRecord(f"bad run id or platform name: {platform!r}/{run_id!r}")
        day = (day or utcnow()).astimezone(UTC)
        return RunWriter(self.raw_dir / platform / day.strftime("%Y-%m-%d") / f"{run_id}.jsonl")

    def append(self, posts: Iterable[Post], run_id: str | None = None) -> dict[str, Path]:
        """Append posts in one run file per platform; returns the files written."""
        by_platform: dict[str, list[Post]] = {}
        for post in posts:
            by_platform.setdefault(post.platform, []).append(post)
        run_id = run_id or new_run_id()
        written = {}
        for platform, group in by_platform.items():
            with self.open_run(platform, run_id) as writer:
                writer.append(group)
            written[platform] = writer.path
        return written

    def quarantine(self, reason: str, raw: bytes | str | Any, origin: str, item_id: str | None = None) -> bool:
        """Keep a bad item with its reason and raw payload; the same `item_id` is kept only once."""
        item_id = item_id or uuid.uuid4().hex
        if item_id in self._quarantined_ids():
            return False
        if isinstance(raw, bytes):
            payload: Any = raw.decode("utf-8", errors="backslashreplace")
        else:
            payload = raw
        entry = {"id": item_id, "at": utcnow().isoformat(), "reason": reason, "origin": origin, "raw": payload}
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        path = self.quarantine_dir / f"{utcnow():%Y-%m-%d}.jsonl"
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise StoreUnavailable(f"cannot write the quarantine file {path}: {exc.strerror or exc}") from exc
        self._ids.add(item_id)
        return True

    def _quarantined_ids(self) -> set[str]:
        if not hasattr(self, "_ids"):
            self._ids: set[str] = {e["id"] for e in self.iter_quarantine()}
        return self._ids

    # reading
    def files(self, platform: str | None = None) -> list[Path]:
        """Run files in replay order: by day, then by run id (which starts with its time)."""
        if not self.raw_dir.exists():
            return []
        pattern = f"{platform}/*/*.jsonl" if platform else "*/*/*.jsonl"
        return sorted(self.raw_dir.glob(pattern), key=lambda p: (p.parent.name, p.name, p.parent.parent.name))

    def read_file(self, path: Path, start: int = 0) -> Iterator[LandedLine]:
        """Stream one file from byte `start`; a bad line is yielded with its reason, never raised.

        A final line without a newline is a write still in progress (or cut by a crash) and is left
        for the next read, so a reader never consumes half a record.
        """
        with open(path, "rb") as fh:
            fh.seek(start)
            offset = start
            line_no = 0
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break
                line_no += 1
                offset += len(raw)
                body = raw.rstrip(b"\r\n")
                if not body.strip():
                    continue
                try:
                    yield LandedLine(path, line_no, offset, post_from_line(body))
                except InvalidRecord as exc:
                    yield LandedLine(path, line_no, offset, None, str(exc), body)

    def iter_posts(self, platform: str | None = None) -> Iterator[LandedLine]:
        """Every landed line of every file, streamed in replay order."""
        for path in self.files(platform):
            yield from self.read_file(path)

    def iter_quarantine(self) -> Iterator[dict[str, Any]]:
        if not self.quarantine_dir.exists():
            return
        for path in sorted(self.quarantine_dir.glob("*.jsonl")):
            with open(path, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        continue

    def delete_older_than(self, cutoff: datetime) -> int:
        """Retention: drop whole day folders older than the cutoff day; returns files removed."""
        removed = 0
        cutoff_day = cutoff.astimezone(UTC).strftime("%Y-%m-%d")
        for path in self.files():
            if path.parent.name < cutoff_day:
                path.unlink()
                removed += 1
        for day_dir in self.raw_dir.glob("*/*") if self.raw_dir.exists() else []:
            if day_dir.is_dir() and not any(day_dir.iterdir()):
                day_dir.rmdir()
        return removed

    def relpath(self, path: Path) -> str:
        return path.relative_to(self.home).as_posix()
