"""TikTok pages: profile, hashtag and video pages (rehydration JSON) and the web APIs' item lists.

Layouts, newest first: `__UNIVERSAL_DATA_FOR_REHYDRATION__` (`__DEFAULT_SCOPE__` → `webapp.user-detail`
/ `webapp.video-detail` / `webapp.challenge-detail`), `SIGI_STATE` (`ItemModule[id]`, `UserModule`),
`__NEXT_DATA__` (`props.pageProps.itemInfo.itemStruct`). A non-zero `statusCode` is a block, named by
its code. List answers come in three shapes, all handled by `parse_item_list`: `itemList`/`hasMore`
(`/api/post|creator|challenge/item_list/`), `item_list`/`has_more` (`/api/search/item/full/`) and
`data[].item` (`/api/search/general/full/`), the same shapes Zeeschuimer's TikTok module captures.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from crawlers.parsers import Block, PageResult, dig, iso_from_unix
from crawlers.parsers.captions import best_track
from crawlers.parsers.numbers import parse_count
from misinfo.text import nfc

STATUS_BLOCKS: dict[int, str] = {
    10204: "ip_blocked",
    10216: "private_post",
    10222: "private_account",
    10221: "not_found",
    10231: "region",
}

_SCRIPT_RE = {
    name: re.compile(
        rf"<script\b[^>]*\bid=[\"']{name}[\"'][^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
    )
    for name in ("__UNIVERSAL_DATA_FOR_REHYDRATION__", "SIGI_STATE", "__NEXT_DATA__")
}
_CHALLENGE_RE = re.compile(r"please wait|_wafchallengeid|verify to continue|tiktok-verify-page", re.IGNORECASE)
# the logged-out login prompt TikTok puts in front of a page instead of its content
_LOGIN_RE = re.compile(r'id=["\']loginContainer["\']|data-e2e=["\']login-modal["\']', re.IGNORECASE)
# the answers a TikTok page fetches for its video lists (profile, hashtag, search): browser mode captures these
LIST_API_RE = re.compile(r"/api/(?:post|creator|challenge)/item_list/|/api/search/(?:item|general)/full/")


def is_list_api(url: str) -> bool:
    """Is this URL one of the list APIs whose answers `parse_item_list` reads?"""
    return bool(LIST_API_RE.search(urlsplit(url).path))


def _script_json(text: str, name: str) -> Any:
    match = _SCRIPT_RE[name].search(text)
    if not match:
        return None
    try:
        return json.loads(match.group(1))
    except (ValueError, RecursionError):
        return None


def _status_block(data: Any) -> Block | None:
    code = dig(data, "statusCode")
    if code is None:
        code = dig(data, "status_code")
    if isinstance(code, str) and code.lstrip("-").isdigit():
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool) or code == 0:
        return None
    msg = dig(data, "statusMsg") or dig(data, "status_msg") or ""
    detail = f"statusCode {code}" + (f": {msg}" if isinstance(msg, str) and msg else "")
    if code == -1:
        return Block("api_empty", detail)
    return Block(STATUS_BLOCKS.get(code, "unavailable"), detail)


def url_block(url: str) -> Block | None:
    """A block visible in the URL alone (a redirect to the login page)."""
    path = urlsplit(url).path if url else ""
    if path.startswith("/login"):
        return Block("login_wall", f"redirected to {path}")
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _hashtags(item: dict[str, Any]) -> list[str]:
    """One per tag whatever its case (#CanhBao = #canhbao), the first spelling kept."""
    tags: dict[str, str] = {}
    for entry in _as_list(dig(item, "challenges")):
        title = dig(entry, "title")
        if isinstance(title, str) and title.strip():
            tags.setdefault(nfc(title.strip()).casefold(), nfc(title.strip()))
    for entry in _as_list(dig(item, "textExtra")):
        name = dig(entry, "hashtagName")
        if isinstance(name, str) and name.strip():
            tags.setdefault(nfc(name.strip()).casefold(), nfc(name.strip()))
    return list(tags.values())


def _video_fields(item: dict[str, Any]) -> dict[str, Any]:
    """TikTok's own AI-generated label (`IsAigc`, `AIGCDescription`) and `locationCreated` (a country code)."""
    description = item.get("AIGCDescription")
    location = item.get("locationCreated")
    return {
        "aigc": item.get("IsAigc") is True,
        "aigc_description": nfc(description.strip()) if isinstance(description, str) else "",
        "location_created": location.strip().upper()[:16] if isinstance(location, str) else "",
    }


def item_to_record(item: Any, *, source: str, base_url: str, collected_at: str) -> dict[str, Any] | None:
    """One `itemStruct` as a posts-format record (fields the page lacks stay None for validation).

    `caption_track` is the caption track to read as the transcript (`captions.best_track`): not a
    post field, the spider fetches it when the video is new to the source.
    """
    if not isinstance(item, dict):
        return None
    post_id = item.get("id")
    if isinstance(post_id, int) and not isinstance(post_id, bool):
        post_id = str(post_id)
    if not isinstance(post_id, str) or not post_id:
        return None
    author = dig(item, "author")
    unique_id = dig(author, "uniqueId") if isinstance(author, dict) else author
    # an item from the API has an author object; one embedded in a page (SIGI_STATE) a name and `nickname`
    nickname = dig(author, "nickname") if isinstance(author, dict) else item.get("nickname")
    unique_id = unique_id if isinstance(unique_id, str) else ""
    nickname = nickname if isinstance(nickname, str) else ""
    stats = dig(item, "stats") if isinstance(dig(item, "stats"), dict) else {}
    stats_v2 = dig(item, "statsV2") if isinstance(dig(item, "statsV2"), dict) else {}

    def count(name: str) -> int | None:
        value = parse_count(stats.get(name))
        return value if value is not None else parse_count(stats_v2.get(name))

    desc = item.get("desc")
    return {
        "platform": "tiktok",
        "post_id": post_id,
        "source": source,
        "url": f"{base_url.rstrip('/')}/@{unique_id}/video/{post_id}",
        "author": unique_id,
        "author_name": nfc(nickname),
        "text": nfc(desc) if isinstance(desc, str) else "",
        "created_at": iso_from_unix(item.get("createTime")),
        "collected_at": collected_at,
        "metrics": {
            "views": count("playCount"),
            "likes": count("diggCount"),
            "comments": count("commentCount"),
            "shares": count("shareCount"),
        },
        "hashtags": _hashtags(item),
        **_video_fields(item),
        "caption_track": best_track(item),
    }


def _records(items: Any, **kw: str) -> list[dict[str, Any]]:
    if isinstance(items, dict):
        items = list(items.values())
    if not isinstance(items, list):
        return []
    return [r for r in (item_to_record(i, **kw) for i in items) if r is not None]


def _unrecognised(text: str) -> Block:
    if not text.strip():
        return Block("api_empty", "empty body")
    if _CHALLENGE_RE.search(text[:20000]):
        return Block("challenge", "no rehydration data")
    if _LOGIN_RE.search(text[:50000]):
        return Block("login_wall", "a login prompt instead of the page's data")
    return Block("layout_changed", "no __UNIVERSAL_DATA_FOR_REHYDRATION__, SIGI_STATE or __NEXT_DATA__")


def _layout_data(text: str, url: str, scope: str) -> tuple[str, dict[str, Any]] | PageResult:
    """The page's data in whichever layout it uses: `("universal", detail)` for
    `__DEFAULT_SCOPE__[scope]`, `("sigi", state)`, `("next", pageProps)`; or the `PageResult` carrying
    the block (login redirect, status code, missing scope, none of the three scripts)."""
    if block := url_block(url):
        return PageResult(block=block)
    found = _find_layout(text, scope)
    if isinstance(found, Block):
        return PageResult(block=found)
    if found is None:
        return PageResult(block=_unrecognised(text))
    return found


def _find_layout(text: str, scope: str) -> tuple[str, dict[str, Any]] | Block | None:
    universal = _script_json(text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    if universal is not None:
        detail = dig(universal, "__DEFAULT_SCOPE__", scope)
        if not isinstance(detail, dict):
            return Block("layout_changed", f"no {scope} in rehydration data")
        return _status_block(detail) or ("universal", detail)
    sigi = _script_json(text, "SIGI_STATE")
    if isinstance(sigi, dict):
        return "sigi", sigi
    nxt = _script_json(text, "__NEXT_DATA__")
    if isinstance(nxt, dict):
        props = dig(nxt, "props", "pageProps") or {}
        return _status_block(props) or ("next", props if isinstance(props, dict) else {})
    return None


def parse_profile(text: str, url: str, *, source: str, base_url: str, collected_at: str) -> PageResult:
    """A profile page: the account's `secUid` (for the list API) and any videos embedded in it."""
    kw = {"source": source, "base_url": base_url, "collected_at": collected_at}
    found = _layout_data(text, url, "webapp.user-detail")
    if isinstance(found, PageResult):
        return found
    layout, data = found
    if layout == "universal":
        return PageResult(info=_user_info(dig(data, "userInfo", "user") or {}, dig(data, "userInfo", "stats")))
    if layout == "sigi":
        users = dig(data, "UserModule", "users") or {}
        user: Any = next(iter(users.values()), {}) if isinstance(users, dict) and users else {}
        return PageResult(records=_records(dig(data, "ItemModule") or {}, **kw), info=_user_info(user, None))
    user = dig(data, "userInfo", "user") or {}
    return PageResult(records=_records(dig(data, "items") or [], **kw), info=_user_info(user, None))


def _user_info(user: Any, stats: Any) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for key in ("uniqueId", "nickname", "secUid", "id"):
        value = dig(user, key)
        if isinstance(value, str) and value:
            info[key] = value
    if isinstance(stats, dict):
        for key in ("followerCount", "videoCount"):
            n = parse_count(stats.get(key))
            if n is not None:
                info[key] = n
    return info


def parse_video(text: str, url: str, *, source: str, base_url: str, collected_at: str) -> PageResult:
    """A video page in any of the three layouts: one record, or the block (e.g. 10216 private post)."""
    kw = {"source": source, "base_url": base_url, "collected_at": collected_at}
    found = _layout_data(text, url, "webapp.video-detail")
    if isinstance(found, PageResult):
        return found
    layout, data = found
    if layout == "sigi":
        return PageResult(records=_records(dig(data, "ItemModule") or {}, **kw))
    return PageResult(records=_records([dig(data, "itemInfo", "itemStruct")], **kw))


def _list_items(data: dict[str, Any]) -> list[Any] | None:
    """The videos of a list answer in any of its shapes; None when the answer has no list at all."""
    for name in ("itemList", "item_list"):
        if name in data:
            return _as_list(data[name])
    if isinstance(data.get("data"), list):  # general search: entries of several types, videos carry `item`
        return [e["item"] for e in data["data"] if isinstance(e, dict) and isinstance(e.get("item"), dict)]
    return None


def _has_more(data: dict[str, Any]) -> bool:
    value = data.get("hasMore", data.get("has_more"))
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def parse_item_list(text: str, url: str, *, source: str, base_url: str, collected_at: str) -> PageResult:
    """One list API answer (profile, hashtag or search, any of the three shapes): videos, more, cursor."""
    if block := url_block(url):
        return PageResult(block=block)
    if not text.strip():
        return PageResult(block=Block("api_empty", "empty body"))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return PageResult(block=_unrecognised(text))
    if not isinstance(data, dict):
        return PageResult(block=Block("layout_changed", "list API answer is not a JSON object"))
    if block := _status_block(data):
        return PageResult(block=block)
    items = _list_items(data)
    if items is None:
        if data.get("hasMore", data.get("has_more")) in (False, 0):
            items = []  # the API omits the list on an empty last page
        else:
            return PageResult(block=Block("api_empty", "no item list in the answer"))
    records = _records(items, source=source, base_url=base_url, collected_at=collected_at)
    cursor = data.get("cursor")
    cursor = str(cursor) if isinstance(cursor, int | str) and not isinstance(cursor, bool) else None
    return PageResult(records=records, has_more=_has_more(data), next_cursor=cursor)


def parse_challenge(text: str, url: str) -> PageResult:
    """A hashtag page `/tag/{name}`: the challenge id the hashtag list API needs, in `info`."""
    found = _layout_data(text, url, "webapp.challenge-detail")
    if isinstance(found, PageResult):
        return found
    _, data = found
    challenge = dig(data, "challengeInfo", "challenge") or {}
    info = {k: challenge[k] for k in ("id", "title") if isinstance(challenge.get(k), str) and challenge[k]}
    if "id" not in info:
        return PageResult(block=Block("layout_changed", "hashtag page without challengeInfo.challenge.id"))
    return PageResult(info=info)


def page_block(text: str, url: str) -> Block | None:
    """What a rendered page (browser mode) shows instead of content: login wall, challenge, status code.

    A page with rehydration data whose status is 0 is content, whatever its scope; one with none of
    the known scripts is a challenge, a login prompt or a changed layout (`_unrecognised`).
    """
    if block := url_block(url):
        return block
    universal = _script_json(text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    if isinstance(universal, dict):
        scope = dig(universal, "__DEFAULT_SCOPE__")
        details = [v for k, v in scope.items() if k.startswith("webapp.") and isinstance(v, dict)] if isinstance(scope, dict) else []
        return next((b for b in map(_status_block, details) if b), None)
    if _script_json(text, "SIGI_STATE") is not None or _script_json(text, "__NEXT_DATA__") is not None:
        return None
    return _unrecognised(text)
