"""TikTok's caption tracks: which one to read as a video's transcript, and its WebVTT as plain text.

An item's `video.subtitleInfos[]` lists tracks as TikTok's web app receives them (yt-dlp's TikTok
extractor reads the same list): `{LanguageCodeName: "vie-VN", Url, UrlExpire (unix seconds, a
number or a string), Format: "webvtt", Source: "ASR" | "MT", Size, Version, LanguageID}`. `ASR` is
speech recognition of the video's own language; `MT` a machine translation of it, never taken as
what the video says. The URL is a signed CDN link that stops working at `UrlExpire`.
"""

from __future__ import annotations

import webvtt
from webvtt.errors import MalformedFileError

from crawlers.parsers import dig
from misinfo.schema import MAX_TEXT_CHARS
from misinfo.text import nfc

VIETNAMESE = "vie"


class BrokenTrack(ValueError):
    """A caption file that is not WebVTT, or holds no text."""


def _language(entry: dict[str, object]) -> str:
    value = entry.get("LanguageCodeName")
    return value if isinstance(value, str) else ""


def _expires(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def best_track(item: object) -> dict[str, object] | None:
    """The track to read as the transcript, as `{url, language, source, expires}`, or None.

    The ASR track, preferring Vietnamese (`vie-VN`); otherwise a Vietnamese track that is not a
    machine translation (a creator's own captions); never an MT track. Only WebVTT tracks with an
    http(s) URL count.
    """
    tracks = dig(item, "video", "subtitleInfos")
    if not isinstance(tracks, list):
        return None
    usable = []
    for entry in tracks:
        if not isinstance(entry, dict):
            continue
        url, fmt, source = entry.get("Url"), entry.get("Format"), entry.get("Source")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            continue
        if fmt not in (None, "", "webvtt") or not isinstance(source, str) or source.upper() == "MT":
            continue
        usable.append(entry)

    def rank(entry: dict[str, object]) -> int:
        asr = str(entry.get("Source")).upper() == "ASR"
        vietnamese = _language(entry).lower().startswith(VIETNAMESE)
        return 0 if asr and vietnamese else 1 if asr else 2 if vietnamese else 3

    candidates = sorted((e for e in usable if rank(e) < 3), key=rank)
    if not candidates:
        return None
    best = candidates[0]
    return {"url": best["Url"], "language": _language(best), "source": str(best["Source"]).upper(),
            "expires": _expires(best.get("UrlExpire"))}  # fmt: skip


def transcript_text(body: str) -> str:
    """The spoken text of a WebVTT file: cue texts (tags and timings dropped), each line once in a row.

    ASR tracks often repeat a line in the next cue as the caption rolls on; a line equal to the one
    before it is dropped. Raises `BrokenTrack` for a file that is not WebVTT or has no text.
    """
    try:
        captions = webvtt.from_string(body.lstrip("\ufeff")).captions
    except (MalformedFileError, ValueError, IndexError) as exc:
        raise BrokenTrack(f"not a WebVTT file: {exc}") from None
    lines: list[str] = []
    for caption in captions:
        for line in caption.text.splitlines():
            line = " ".join(line.split())
            if line and (not lines or lines[-1] != line):
                lines.append(line)
    text = nfc("\n".join(lines))
    if not text:
        raise BrokenTrack("the WebVTT file holds no text")
    return text[:MAX_TEXT_CHARS]
