"""Exports collected elsewhere: TikTok Research API JSON, Meta CSV exports, Zeeschuimer NDJSON.

`tiktok-research`: answers of the Research API `video/query` endpoint (`{"data": {"videos": […]}}`),
saved one per line or as one JSON document, or bare video objects; fields `id, video_description,
create_time, username, like_count, comment_count, share_count, view_count, hashtag_names`, and
`voice_to_text` (what the video says) as the post's transcript when the query asked for it.
`meta-csv`: a Meta Content Library CSV of Facebook posts (its data dictionary's field names, dotted:
`id, creation_time, text, post_owner.id/.name/.username, statistics.reaction_count/.comment_count/
.share_count/.views`; it has no post URL) or a CrowdTangle historical-data CSV (`Page Name` or `Group
Name`, `User Name`, `Facebook Id`, `Post Created`, `Message`, `URL`, `Likes`, `Love`, `Wow`, `Haha`,
`Sad`, `Angry`, `Care`, `Comments`, `Shares`, `Post Views`, …). Columns are matched by those exact
names; the format is told by which ones the header has.
`zeeschuimer`: the NDJSON that the
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
from misinfo.schema import MAX_TEXT_CHARS, post_from_record
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
        "transcript": _voice_to_text(video.get("voice_to_text")),
    }


def _voice_to_text(value: Any) -> dict[str, str] | None:
    """The Research API's `voice_to_text` as a transcript (its language is not given)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return {"text": value.strip()[:MAX_TEXT_CHARS], "language": "", "source": "voice_to_text"}


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

# Meta Content Library, Facebook posts: the data dictionary's fields as the CSV download names them
MCL_COLUMNS = {
    "post_id": "id",
    "created": "creation_time",
    "text": "text",
    "author": "post_owner.username",
    "author_id": "post_owner.id",
    "author_name": "post_owner.name",
    "likes": "statistics.reaction_count",
    "comments": "statistics.comment_count",
    "shares": "statistics.share_count",
    "views": "statistics.views",
}
# CrowdTangle historical data, Facebook pages (`Page Name`) or groups (`Group Name`); `Likes` counts
# only the like reaction, so the reactions are summed kind by kind
CT_REACTIONS = ("Likes", "Love", "Wow", "Haha", "Sad", "Angry", "Care")
_POST_ID_RE = re.compile(r"(?:/posts/|/videos/|/permalink/|story_fbid=|fbid=|/reel/)([A-Za-z0-9]+)")


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


def _facebook_record(
    *, post_id: str, url: str, created: str, text: str, author: str, author_name: str,
    likes: int | None, comments: int | None, shares: int | None, views: int | None, source: str, collected_at: str,
) -> dict[str, Any]:
    text = nfc(text)
    hashtags: dict[str, str] = {}
    for tag in _HASHTAG_RE.findall(text):
        hashtags.setdefault(tag.casefold(), tag)
    return {
        "platform": "facebook",
        "post_id": post_id or None,
        "source": source,
        "url": url,
        "author": author.strip(),
        "author_name": author_name.strip(),
        "text": text,
        "created_at": parse_export_time(created) or (created or None),
        "collected_at": collected_at,
        "metrics": {"views": views, "likes": likes, "comments": comments, "shares": shares},
        "hashtags": list(hashtags.values()),
    }  # fmt: skip


def meta_content_library_record(row: dict[str, str], *, source: str, collected_at: str) -> dict[str, Any]:
    """One Meta Content Library row; it carries no link to the post, so the URL stays empty."""

    def get(field: str) -> str:
        return (row.get(MCL_COLUMNS[field]) or "").strip()

    return _facebook_record(
        post_id=get("post_id"), url="", created=get("created"), text=row.get("text") or "",
        author=get("author") or get("author_id"), author_name=get("author_name"),
        likes=_count(get("likes")), comments=_count(get("comments")), shares=_count(get("shares")),
        views=_count(get("views")), source=source, collected_at=collected_at,
    )  # fmt: skip


def crowdtangle_record(row: dict[str, str], *, source: str, collected_at: str) -> dict[str, Any]:
    """One CrowdTangle row: the post id from its URL, reactions summed over every kind."""
    url = (row.get("URL") or "").strip()
    m = _POST_ID_RE.search(url)
    post_id = m.group(1) if m else ("u" + hashlib.sha1(url.encode()).hexdigest()[:16] if url else "")
    reactions = [r for r in (_count(row.get(c)) for c in CT_REACTIONS) if r is not None]
    likes = -1 if -1 in reactions else sum(reactions) if reactions else None  # -1: validation names the field
    return _facebook_record(
        post_id=post_id, url=url, created=(row.get("Post Created") or "").strip(), text=row.get("Message") or "",
        author=row.get("User Name") or row.get("Facebook Id") or "",
        author_name=row.get("Page Name") or row.get("Group Name") or "",
        likes=likes, comments=_count(row.get("Comments")),
        shares=_count(row.get("Shares")), views=_count(row.get("Post Views")), source=source, collected_at=collected_at,
    )  # fmt: skip


def csv_format(headers: list[str]) -> str:
    """`mcl` or `crowdtangle`, told by the exact column names; otherwise one error naming what is missing."""
    names = {h.strip() for h in headers}
    if {"id", "creation_time"} <= names:
        return "mcl"
    if {"URL", "Post Created"} <= names and names & {"Page Name", "Group Name"}:
        return "crowdtangle"
    raise InvalidRecord(
        "not a Meta Content Library or CrowdTangle CSV: expected the columns id, creation_time (Meta Content "
        "Library) or Page Name/Group Name, Post Created, URL (CrowdTangle) "
        f"(found: {', '.join(headers[:12])})"
    )


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
            record = None
            for origin, row in _csv_rows(path):
                if record is None:
                    record = meta_content_library_record if csv_format(list(row)) == "mcl" else crowdtangle_record
                take(origin, row, lambda r=row, f=record: f(r, source=source, collected_at=collected_at))
        flush()
    finally:
        for platform, writer in writers.items():
            writer.close()
            report.files[platform] = str(writer.path)
    return report
