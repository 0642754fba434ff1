"""The pipeline as plain, idempotent functions: import → landing zone → process → store.

The CLI and the Airflow DAGs call these and nothing else. `process` is incremental: a checkpoint
per store records how far each landing file has been indexed and by which NLP version, so a
crash (even SIGKILL) re-does at most one batch, and upserts make re-doing it harmless.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from misinfo.domain import Post, Review, TaggedPost, Transcript
from misinfo.errors import InvalidRecord
from misinfo.landing import LandedLine, LandingZone, new_run_id
from misinfo.schema import post_from_line
from misinfo.settings import Settings
from misinfo.state import append_jsonl, file_lock, read_json, read_jsonl, write_json
from misinfo.store.base import PostStore

BATCH_SIZE = 500


class Stage(Protocol):
    """The NLP stage: posts in, tagged posts out, same order; `version` names the model behind it."""

    version: str

    def __call__(self, posts: list[Post]) -> list[TaggedPost]: ...


@dataclass
class PassThrough:
    """No tagging: what `process` does when no NLP stage is configured."""

    version: str = "none"

    def __call__(self, posts: list[Post]) -> list[TaggedPost]:
        return [TaggedPost(post=p, model_version=self.version) for p in posts]


def make_stage(settings: Settings) -> Stage:
    """The NLP stage for this installation (normalize → tag → dedup → claims)."""
    from nlp.stage import NlpStage  # heavy (scikit-learn, underthesea): only when processing

    return NlpStage(settings)


@dataclass
class ImportReport:
    lines: int = 0
    imported: int = 0
    quarantined: int = 0
    files: dict[str, str] = field(default_factory=dict)


def import_posts(
    home: Path, path: Path, *, parse: Callable[[bytes], Iterable[Post]] | None = None, source: str = ""
) -> ImportReport:
    """Append posts from a JSON-lines file to the landing zone; bad lines go to quarantine.

    `parse` turns one line into posts (default: the public `posts` format). Posts are streamed to
    the run files in batches, so a large export never sits in memory whole.
    """
    zone = LandingZone(home)
    report = ImportReport()
    run_id = new_run_id()
    writers: dict[str, object] = {}
    parse = parse or (lambda line: [post_from_line(line)])
    buffer: list[Post] = []

    def flush() -> None:
        by_platform: dict[str, list[Post]] = {}
        for p in buffer:
            by_platform.setdefault(p.platform, []).append(p)
        for platform, group in by_platform.items():
            writer = writers.get(platform) or zone.open_run(platform, run_id)
            writers[platform] = writer
            writer.append(group)  # type: ignore[attr-defined]
        buffer.clear()

    try:
        with open(path, "rb") as fh:
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                report.lines += 1
                try:
                    posts = list(parse(line.rstrip(b"\r\n")))
                except InvalidRecord as exc:
                    zone.quarantine(str(exc), line, origin=f"import:{path.name}:{line_no}")
                    report.quarantined += 1
                    continue
                buffer.extend(posts)
                report.imported += len(posts)
                if len(buffer) >= BATCH_SIZE:
                    flush()
        flush()
    finally:
        for platform, writer in writers.items():
            writer.close()  # type: ignore[attr-defined]
            report.files[platform] = str(writer.path)  # type: ignore[attr-defined]
    return report


@dataclass
class ProcessReport:
    read: int = 0
    indexed: int = 0
    quarantined: int = 0
    files: int = 0
    per_narrative: dict[str, int] = field(default_factory=dict)


def _checkpoint_path(home: Path, store: PostStore) -> Path:
    return home / "state" / f"process-{store.backend}.json"


def _batches(lines: Iterator[LandedLine], size: int) -> Iterator[list[LandedLine]]:
    batch: list[LandedLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def process(
    home: Path,
    store: PostStore,
    stage: Stage,
    *,
    full: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: bool = True,
    files: Iterable[Path] | None = None,
) -> ProcessReport:
    """Index what landed since the last run (or everything with `full`, or after a model change).

    Each batch is tagged and upserted, then the checkpoint moves past it; bad lines are
    quarantined once (their id is file:line) and the rest of the file goes on.
    """
    zone = LandingZone(home)
    ckpt_path = _checkpoint_path(home, store)
    ckpt = read_json(ckpt_path, {})
    if full or ckpt.get("model_version") != stage.version:
        ckpt = {"model_version": stage.version, "offsets": {}}
    offsets: dict[str, int] = ckpt["offsets"]
    for rel in [r for r in offsets if not (home / r).exists()]:
        del offsets[rel]  # removed by retention: forget it, so the checkpoint does not grow forever
    todo = [p for p in (files if files is not None else zone.files())]
    pending = []
    for path in todo:
        rel = zone.relpath(path)
        size = path.stat().st_size
        if offsets.get(rel, 0) < size:
            pending.append((path, rel, offsets.get(rel, 0), size))
    report = ProcessReport(files=len(pending))
    total_bytes = sum(size - start for _, _, start, size in pending)
    bar = tqdm(total=total_bytes, unit="B", unit_scale=True, desc="process", disable=not progress, leave=False)
    try:
        for path, rel, start, _size in pending:
            done_to = start
            for batch in _batches(zone.read_file(path, start), batch_size):
                posts: list[Post] = []
                for line in batch:
                    report.read += 1
                    if line.post is None:
                        zone.quarantine(line.error or "invalid", line.raw, origin=rel, item_id=f"{rel}:{line.line_no}")
                        report.quarantined += 1
                    else:
                        posts.append(line.post)
                posts = keep_transcripts(posts, store)
                tagged = stage(posts) if posts else []
                store.upsert(tagged)
                for tp in tagged:
                    for n in tp.narratives:
                        report.per_narrative[n] = report.per_narrative.get(n, 0) + 1
                report.indexed += len(tagged)
                bar.update(batch[-1].offset - done_to)
                done_to = batch[-1].offset
                offsets[rel] = done_to
                write_json(ckpt_path, ckpt)
    finally:
        bar.close()
    return report


def keep_transcripts(posts: list[Post], store: PostStore) -> list[Post]:
    """Copies of a video that come without its transcript (a count refresh fetches none) keep the one an
    earlier copy brought: from earlier in the batch, else from the store. Reindex replays the landing zone
    in order, so it keeps them the same way."""
    missing = [p.key for p in posts if p.transcript is None]
    if not missing:
        return posts
    known: dict[str, Transcript] = store.transcripts(missing)
    out = []
    for post in posts:
        post = post.keeping_transcript(known.get(post.key))
        if post.transcript is not None:
            known[post.key] = post.transcript
        out.append(post)
    return out


def process_lock(home: Path) -> AbstractContextManager[None]:
    """Held by whoever indexes (CLI, Airflow task, reindex): they share the checkpoint."""
    return file_lock(home / "state" / "process.lock")


def reviews_path(home: Path) -> Path:
    return home / "reviews.jsonl"


def record_review(home: Path, store: PostStore, review: Review) -> bool:
    """Keep the review in the durable review log first, then in the store (reindex replays the log)."""
    append_jsonl(reviews_path(home), review.to_dict())
    return store.set_review(review)


def iter_reviews(home: Path) -> Iterator[Review]:
    for record in read_jsonl(reviews_path(home)):
        try:
            yield Review.from_dict(record)
        except (KeyError, ValueError):
            continue


def replay_reviews(home: Path, store: PostStore) -> int:
    """Apply every logged review in order (latest wins); returns how many found their post."""
    return sum(1 for review in iter_reviews(home) if store.set_review(review))


def reindex(settings: Settings, stage: Stage, backend: str | None = None, progress: bool = True) -> ProcessReport:
    """Rebuild a store from the landing zone and the review log, then swap it in.

    SQLite: build a new file beside the old one and rename it over; readers see the old store
    until the swap. Elasticsearch does the same with a new versioned index and an alias swap.
    """
    backend = backend or settings.store
    home = settings.home
    if backend == "elasticsearch":
        from misinfo.store.elastic import ElasticStore

        return ElasticStore.from_settings(settings).rebuild(
            lambda store: _rebuild_into(home, store, stage, progress)
        )
    from misinfo.store.sqlite import SqliteStore

    target = settings.sqlite_file
    tmp = target.with_name(target.name + ".rebuild")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    store = SqliteStore(tmp)
    try:
        report = _rebuild_into(home, store, stage, progress)
        store.optimize()
    finally:
        store.close()
    os.replace(tmp, target)
    for side in ("-wal", "-shm"):
        Path(f"{target}{side}").unlink(missing_ok=True)
    return report


def _rebuild_into(home: Path, store: PostStore, stage: Stage, progress: bool) -> ProcessReport:
    report = process(home, store, stage, full=True, progress=progress)
    replay_reviews(home, store)
    return report
