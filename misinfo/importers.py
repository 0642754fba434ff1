"""Exports collected elsewhere: TikTok Research API JSON, Meta CSV exports, Zeeschuimer NDJSON.

`tiktok-research`: answers of the Research API `video/query` endpoint (`{"data": {"videos": […]}}`),
saved one per line or as one JSON document, or bare video objects; fields `id, video_description,
create_time, username, like_count, comment_count, share_count, view_count, hashtag_names`.
`meta-csv`: Meta Content Library CSV (`id, creation_time, text, post_owner.*, statistics.*`) or the
older CrowdTangle export (`Page Name, User Name, Post Created, Message, URL, Likes, …`). Headers are
matched loosely (case, spaces and punctuation ignored). `zeeschuimer`: the NDJSON that the
Zeeschuimer browser extension (and 4CAT) export, one captured item per line in an envelope
(`source_platform`, `source_platform_url`, `source_url`, `timestamp_collected` in ms, `data` = the
TikTok item as the page's API gave it, read by the crawler's own item parser). Each record is
validated on its own: a bad one is quarantined with its reason (and line) and the rest are imported.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from crawlers.parsers.tiktok import item_to_record
from misinfo.domain import Post, utcnow
from misinfo.errors import InvalidRecord
from misinfo.landing import LandingZone, RunWriter, new_run_id
from misinfo.pipeline import ImportReport, import_posts
from misinfo.schema import post_from_record
from misinfo.text import nfc

FORMATS = ("tiktok-research", "meta-csv", "zeeschuimer")
TIKTOK_URL = "https://www.tiktok.com"
_HASHTAG_RE = re.compile(r"#([^\W_]\w*)")
_TZ_ABBREV = {
    "UTC": 0, "GMT": 0, "Z": 0, "ICT": 7, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "BST": 1,
}  # fmt: skip


# ---------------------------------------------------------------- TikTok Research API


def tiktok_research_videos(doc: Any) -> list[Any]:
    """The video objects in one saved answer (or a list of videos, or one video)."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        videos = (doc.get("data") or {}).get("videos") if isinstance(doc.get("data"), dict) else None
        if videos is None:
            videos = doc.get("videos")
        if isinstance(videos, list):
            return videos
        if "id" in doc:
            return [doc]
    raise InvalidRecord("not a Research API answer: no data.videos list and no video id")


def tiktok_research_record(video: Any, *, source: str, collected_at: str) -> dict[str, Any]:
    if not isinstance(video, dict):
        raise InvalidRecord(f"expected a video object, got {type(video).__name__}")
    created = video.get("create_time")
    username = video.get("username") or ""
    vid = video.get("id")
    return {
        "platform": "tiktok",
        "post_id": str(vid) if vid is not None else None,
        "source": source,
        "url": f"https://www.tiktok.com/@{username}/video/{vid}",
        "author": username,
        "author_name": username,
        "text": video.get("video_description") or "",
        "created_at": _unix_iso(created),
        "collected_at": collected_at,
        "metrics": {
            "views": video.get("view_count"),
            "likes": video.get("like_count"),
            "comments": video.get("comment_count"),
            "shares": video.get("share_count"),
        },
        "hashtags": video.get("hashtag_names") or [],
    }


def _unix_iso(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return value
    return value  # let validation name it


def _json_docs(path: Path) -> Iterator[tuple[str, Any]]:
    """(origin, document): JSON lines, or the whole file when it is one pretty-printed document."""
    with open(path, "rb") as fh:
        first = b""
        for line in fh:
            if line.strip():
                first = line
                break
    try:
        json.loads(first or b"null")
        whole = False
    except ValueError:
        whole = True
    if whole:
        try:
            yield f"{path.name}", json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidRecord(f"{path}: neither JSON lines nor one JSON document: {exc}") from None
        return
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield f"{path.name}:{n}", json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                yield f"{path.name}:{n}", InvalidRecord(f"invalid JSON: {exc}")


# ---------------------------------------------------------------- Meta Content Library / CrowdTangle CSV

_COLUMNS: dict[str, tuple[str, ...]] = {
    "post_id": ("id", "postid", "post_id", "ccpostid", "facebookpostid"),
    "created": ("creationtime", "postcreated", "created", "createdtime", "creation_time", "date"),
    "text": ("text", "message", "posttext", "body"),
    "url": ("url", "posturl", "link", "permalink"),
    "author": ("postownerusername", "username", "accountusername", "postownerid", "facebookid"),
    "author_name": ("postownername", "pagename", "accountname", "name"),
    "likes": ("statisticsreactioncount", "reactioncount", "reactionscount", "reactions"),
    "comments": ("statisticscommentcount", "commentcount", "commentscount", "comments"),
    "shares": ("statisticssharecount", "sharecount", "sharescount", "shares"),
    "views": ("statisticsviews", "statisticsviewcount", "viewcount", "views", "postviews", "totalviews"),
    "platform": ("platform",),
}
_CT_REACTIONS = ("likes", "love", "wow", "haha", "sad", "angry", "care")
_POST_ID_RE = re.compile(r"(?:/posts/|/videos/|/permalink/|story_fbid=|fbid=|/reel/)([A-Za-z0-9]+)")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _count(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip().replace(",", "")
    try:
        return int(float(text))
    except ValueError:
        return -1  # validation names the field


def parse_export_time(value: str) -> str | None:
    """ISO 8601, unix seconds, or CrowdTangle's '2024-11-01 07:00:00 ICT'; naive times read as UTC."""
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{9,11}(\.\d+)?", value):
        return datetime.fromtimestamp(float(value), UTC).isoformat()
    offset = None
    m = re.fullmatch(r"(.+?)\s+([A-Z]{1,4})", value)
    if m and m.group(2) in _TZ_ABBREV:
        value, offset = m.group(1), timezone(timedelta(hours=_TZ_ABBREV[m.group(2)]))
    try:
        parsed = datetime.fromisoformat(value.replace(" +", "+"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=offset or UTC)
    return parsed.astimezone(UTC).isoformat()


def meta_csv_record(row: dict[str, str], columns: dict[str, str], *, source: str, collected_at: str) -> dict[str, Any]:
    def get(field: str) -> str | None:
        col = columns.get(field)
        return row.get(col) if col else None

    url = (get("url") or "").strip()
    post_id = (get("post_id") or "").strip()
    if not post_id and url:
        m = _POST_ID_RE.search(url)
        post_id = m.group(1) if m else "u" + hashlib.sha1(url.encode()).hexdigest()[:16]
    likes = _count(get("likes"))
    if likes is None:  # CrowdTangle: reactions by kind
        parts = [_count(row.get(c)) for c in columns.get("_ct_reactions", "").split("|") if c]
        likes = sum(p for p in parts if p and p > 0) if any(p is not None for p in parts) else None
    text = nfc(get("text") or "")
    created_raw = get("created") or ""
    platform = (get("platform") or "facebook").strip().lower() or "facebook"
    return {
        "platform": platform,
        "post_id": post_id or None,
        "source": source,
        "url": url,
        "author": (get("author") or "").strip(),
        "author_name": (get("author_name") or "").strip(),
        "text": text,
        "created_at": parse_export_time(created_raw) or (created_raw or None),
        "collected_at": collected_at,
        "metrics": {
            "views": _count(get("views")),
            "likes": likes,
            "comments": _count(get("comments")),
            "shares": _count(get("shares")),
        },
        "hashtags": list(dict.fromkeys(_HASHTAG_RE.findall(text))),
    }


def _csv_columns(headers: list[str]) -> dict[str, str]:
    by_norm = {_norm(h): h for h in headers}
    columns = {}
    for field, names in _COLUMNS.items():
        for name in names:
            if _norm(name) in by_norm:
                columns[field] = by_norm[_norm(name)]
                break
    reactions = [by_norm[r] for r in _CT_REACTIONS if r in by_norm]
    if reactions and "likes" not in columns:
        columns["_ct_reactions"] = "|".join(reactions)
    if "created" not in columns or ("post_id" not in columns and "url" not in columns):
        raise InvalidRecord(
            "not a Meta Content Library or CrowdTangle CSV: need a post id or URL column and a creation "
            f"time column (found: {', '.join(headers[:12])})"
        )
    return columns


def _csv_rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            for row in reader:
                yield f"{path.name}:{reader.line_num}", row
        except csv.Error as exc:
            raise InvalidRecord(f"{path}: malformed CSV near line {reader.line_num}: {exc}") from None


# ---------------------------------------------------------------- Zeeschuimer NDJSON

ZEESCHUIMER_TIKTOK = frozenset({"tiktok.com", "www.tiktok.com"})  # Zeeschuimer's TikTok (posts) module


def zeeschuimer_record(envelope: Any, *, source: str, imported_at: str) -> dict[str, Any]:
    """One Zeeschuimer line as a posts record; other platforms (Instagram, TikTok comments…) are refused."""
    if not isinstance(envelope, dict):
        raise InvalidRecord(f"expected a Zeeschuimer item (a JSON object), got {type(envelope).__name__}")
    platform = envelope.get("source_platform")
    if platform not in ZEESCHUIMER_TIKTOK:
        raise InvalidRecord(f"source_platform {platform!r} is not TikTok posts (tiktok.com): only TikTok items are imported")
    item = envelope.get("data")
    if not isinstance(item, dict):
        raise InvalidRecord("no captured item under 'data'")
    collected = envelope.get("timestamp_collected")
    at = _unix_iso(collected / 1000) if isinstance(collected, int | float) and not isinstance(collected, bool) else None
    record = item_to_record(item, source=source, base_url=TIKTOK_URL, collected_at=at if isinstance(at, str) else imported_at)
    if record is None:
        raise InvalidRecord("the captured item has no video id")
    return record


def zeeschuimer_posts(line: bytes, *, source: str, imported_at: str) -> list[Post]:
    try:
        envelope = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise InvalidRecord(f"invalid JSON: {exc}") from None
    return [post_from_record(zeeschuimer_record(envelope, source=source, imported_at=imported_at))]


# ---------------------------------------------------------------- import


def import_export(home: Path, path: Path, fmt: str, *, source: str | None = None) -> ImportReport:
    """Append the posts of an export file to the landing zone; quarantine each bad record with its reason."""
    if fmt not in FORMATS:
        raise InvalidRecord(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    if fmt == "zeeschuimer":
        read = partial(zeeschuimer_posts, source=source or "zeeschuimer", imported_at=utcnow().isoformat())
        return import_posts(home, path, parse=read)
    zone = LandingZone(home)
    report = ImportReport()
    run_id = new_run_id()
    collected_at = utcnow().isoformat()
    source = source or ("tiktok_research" if fmt == "tiktok-research" else "meta_content_library")
    writers: dict[str, RunWriter] = {}
    buffer: list[Post] = []

    def flush() -> None:
        for post in buffer:
            writer = writers.get(post.platform) or zone.open_run(post.platform, run_id)
            writers[post.platform] = writer
        for platform, writer in writers.items():
            writer.append([p for p in buffer if p.platform == platform])
        buffer.clear()

    def take(origin: str, raw: Any, make: Any) -> None:
        report.lines += 1
        try:
            buffer.append(post_from_record(make()))
            report.imported += 1
        except InvalidRecord as exc:
            zone.quarantine(str(exc), raw, origin=f"import:{origin}")
            report.quarantined += 1
        if len(buffer) >= 500:
            flush()

    try:
        if fmt == "tiktok-research":
            for origin, doc in _json_docs(path):
                if isinstance(doc, InvalidRecord):
                    report.lines += 1
                    report.quarantined += 1
                    zone.quarantine(str(doc), origin, origin=f"import:{origin}")
                    continue
                try:
                    videos = tiktok_research_videos(doc)
                except InvalidRecord as exc:
                    report.lines += 1
                    report.quarantined += 1
                    zone.quarantine(str(exc), doc, origin=f"import:{origin}")
                    continue
                for video in videos:
                    take(origin, video, lambda v=video: tiktok_research_record(v, source=source, collected_at=collected_at))
        else:
            rows = _csv_rows(path)
            columns: dict[str, str] | None = None
            for origin, row in rows:
                if columns is None:
                    columns = _csv_columns(list(row.keys()))
                cols = columns
                take(origin, row, lambda r=row, c=cols: meta_csv_record(r, c, source=source, collected_at=collected_at))
        flush()
    finally:
        for platform, writer in writers.items():
            writer.close()
            report.files[platform] = str(writer.path)
    return report
