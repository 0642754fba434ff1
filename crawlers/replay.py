"""A replay of the TikTok and Facebook page structures, and a local HTTP server to serve them.

Tests, the demo and the benchmark render pages from a list of `Post`s with these functions and
serve them at the real paths, so the real spiders run end to end without the internet. The
structures follow what the maintained open-source extractors parse (see `crawlers.parsers`).

TikTok videos may carry caption tracks (`CaptionTrack`): WebVTT files (or anything else, a broken
one) served at signed-looking CDN paths, listed in the item's `video.subtitleInfos` as TikTok lists
them, with their expiry (`UrlExpire`); `cdn` is the scheme and host the item's URLs name.

`live=True` TikTok sites behave as today's tiktok.com does: the list APIs answer HTTP 200 with an
empty body to any request that lacks the signature the page's own script computes (TikTok's
`X-Bogus`; here an FNV-1a hash of the path and query), and the profile, hashtag and search pages
carry a small script that signs its requests and fetches the next list page as the reader scrolls.
Only a real browser gets their videos; plain HTTP gets `api_empty`, as on the live site.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from misinfo.domain import Post

# ---------------------------------------------------------------- server


@dataclass(frozen=True)
class Reply:
    """One HTTP answer; `body` str is sent as UTF-8; `delay` seconds pass first (a slow or hanging site)."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    signed: bool = False  # served only to requests carrying the page script's signature (else 200, empty)

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Route = Reply | Sequence[Reply]


@dataclass(frozen=True)
class Served:
    """One request as the server saw it: target, User-Agent, start and end (`time.monotonic()`),
    so politeness tests can check the delay between requests and that they never overlap."""

    target: str
    user_agent: str
    started: float
    finished: float


SIGNATURE_PARAM = "X-Bogus"


def signature(path_and_query: str) -> str:
    """The replay's request signature: FNV-1a (32 bit) of the path and query, as the page script computes it."""
    data = path_and_query.encode("utf-16-le")  # UTF-16 code units, as JavaScript's charCodeAt sees them
    h = 0x811C9DC5
    for i in range(0, len(data), 2):
        h = ((h ^ (data[i] | data[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


def split_signature(target: str) -> tuple[str, str | None]:
    """`(target without the signature, the signature or None)`; the signature is always the last parameter."""
    head, sep, sig = target.rpartition(f"&{SIGNATURE_PARAM}=")
    return (head, sig) if sep else (target, None)


def route_key(target: str) -> str:
    """Path plus query with parameters sorted, so `?b=1&a=2` and `?a=2&b=1` are one route."""
    parts = urlsplit(split_signature(target)[0])
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + ("?" + urlencode(query) if query else "")


class ReplayServer:
    """Threaded HTTP server on 127.0.0.1 serving `{path[?query]: Reply | [Reply, ...]}`.

    A list is served in order, its last reply repeating (e.g. 429 then 200). A path with a query is
    matched exactly (parameters in any order) before the bare path. Unknown paths get 404.
    """

    def __init__(self, routes: Mapping[str, Route] | None = None, port: int = 0) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.hits: list[str] = []
        self.served: list[Served] = []
        self._closing = threading.Event()  # wakes delayed replies when the server stops
        self.update(routes or {})
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                started = time.monotonic()
                reply = server._reply_for(self.path)
                if reply.delay and server._closing.wait(reply.delay):
                    return  # the server is stopping: a hanging reply never answers
                data = reply.data()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                served = Served(self.path, self.headers.get("User-Agent", ""), started, time.monotonic())
                with server._lock:
                    server.served.append(served)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `hits`
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def update(self, routes: Mapping[str, Route]) -> None:
        with self._lock:
            for key, route in routes.items():
                self._routes[route_key(key)] = [route] if isinstance(route, Reply) else list(route)
                self._served.pop(route_key(key), None)

    def _reply_for(self, target: str) -> Reply:
        key = route_key(target)
        with self._lock:
            self.hits.append(target)
            if key not in self._routes:
                key = urlsplit(target).path
            replies = self._routes.get(key)
            if not replies:
                return Reply(404, "not found", "text/plain")
            head, sig = split_signature(target)
            if head.startswith(("http://", "https://")):  # absolute form: the request came through a proxy
                parts = urlsplit(head)
                head = parts.path + (f"?{parts.query}" if parts.query else "")
            if replies[0].signed and sig != signature(head):
                return Reply(200, b"", "application/json; charset=utf-8")  # what TikTok answers unsigned requests
            n = self._served.get(key, 0)
            self._served[key] = n + 1
            return replies[min(n, len(replies) - 1)]

    @property
    def agents(self) -> list[tuple[str, str]]:
        """(target, User-Agent) of every request answered so far."""
        with self._lock:
            return [(s.target, s.user_agent) for s in self.served]

    def count(self, path_prefix: str) -> int:
        """How many requests started with this path (robots.txt checks, retry counts)."""
        with self._lock:
            return sum(1 for h in self.hits if h.startswith(path_prefix))

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def robots_txt(disallow_all: bool) -> Reply:
    """facebook.com's robots.txt disallows everything to unnamed crawlers; TikTok's allows profiles."""
    body = "User-agent: *\nDisallow: /\n" if disallow_all else "User-agent: *\nDisallow: /login\nAllow: /\n"
    return Reply(200, body, "text/plain; charset=utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside <script> (no `</` can close it early)."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _page(title: str, body: str) -> str:
    return f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body>{body}</body></html>'


# ---------------------------------------------------------------- TikTok


@dataclass(frozen=True)
class CaptionTrack:
    """One caption track of a replayed video: `body` served at a signed-looking CDN path with `status`.

    `expires` is the URL's expiry (unix seconds; default an hour after the routes are built): a
    past one makes an expired URL. `source` is `ASR` (the video's own speech) or `MT` (a translation).
    """

    body: str | bytes
    language: str = "vie-VN"
    source: str = "ASR"
    expires: int | None = None
    status: int = 200


def webvtt_file(lines: Sequence[str], seconds: float = 2.0) -> str:
    """A WebVTT file as TikTok's ASR tracks are: one cue per line, each cue repeating the line before it
    (the caption rolls on), with cue settings and a voice tag now and then."""

    def stamp(t: float) -> str:
        return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}"

    cues = []
    for i, line in enumerate(lines):
        shown = [lines[i - 1], line] if i else [line]
        text = "\n".join(shown)
        if i % 3 == 2:
            text = f"<v Speaker>{text}</v>"
        cues.append(f"{i + 1}\n{stamp(i * seconds)} --> {stamp((i + 1) * seconds)} align:middle line:84%\n{text}")
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def caption_tracks(
    captions: Mapping[str, Sequence[CaptionTrack]] | None, cdn: str
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Route]]:
    """`video.subtitleInfos` per post id, and the routes serving the tracks (at `cdn` + a signed-looking path)."""
    infos: dict[str, list[dict[str, Any]]] = {}
    routes: dict[str, Route] = {}
    default_expiry = int(time.time()) + 3600
    for post_id, tracks in (captions or {}).items():
        for n, track in enumerate(tracks):
            expires = track.expires if track.expires is not None else default_expiry
            key = hashlib.sha1(f"{post_id}:{n}:{track.language}:{track.source}".encode()).hexdigest()
            path = (f"/{key[:32]}/{expires:x}/video/tos/alisg/tos-alisg-pv-0037/{key[8:40]}/?"
                    + urlencode({"a": "1988", "ch": "0", "cr": "3", "dr": "0", "lr": "all", "cv": "1",
                                 "mime_type": "video_mp4", "qs": "13", "x-expires": expires,
                                 "x-signature": key[:27] + "%3D", "btag": "e00078000"}))  # fmt: skip
            body = track.body.encode("utf-8") if isinstance(track.body, str) else track.body
            routes[path] = Reply(track.status, body, "text/vtt; charset=utf-8")
            infos.setdefault(post_id, []).append({
                "LanguageID": str(n + 1), "LanguageCodeName": track.language, "Url": cdn.rstrip("/") + path,
                "UrlExpire": expires, "Format": "webvtt", "Version": "1:llm", "Source": track.source,
                "Size": len(body),
            })  # fmt: skip
    return infos, routes


def tiktok_item(post: Post, nickname: str | None = None, subtitles: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A post as TikTok's `itemStruct` (with the video's caption tracks, AI label and location when it has them)."""
    video: dict[str, Any] = {"id": post.post_id, "duration": 15, "ratio": "540p", "format": "mp4"}
    if subtitles:
        video["subtitleInfos"] = list(subtitles)
    return {
        "id": post.post_id,
        "desc": post.text,
        "createTime": int(post.created_at.timestamp()),
        "author": {"id": f"7{zlib.crc32(post.author.encode()):017d}", "uniqueId": post.author, "nickname": nickname or post.author_name},
        "stats": {
            "playCount": post.metrics.views or 0,
            "diggCount": post.metrics.likes or 0,
            "commentCount": post.metrics.comments or 0,
            "shareCount": post.metrics.shares or 0,
            "collectCount": 0,
        },
        "challenges": [{"id": str(i), "title": t} for i, t in enumerate(post.hashtags)],
        "textExtra": [{"hashtagName": t, "type": 1} for t in post.hashtags],
        "isPinnedItem": False,
        "video": video,
        "IsAigc": post.aigc,
        "AIGCDescription": post.aigc_description,
        "textLanguage": "vi",
        **({"locationCreated": post.location_created} if post.location_created else {}),
    }


# The live pages' list loader: signs each list request (FNV-1a of path and query, as `signature`), fetches
# the first page on load and the next one whenever the reader reaches the bottom, and renders each video.
_LIST_SCRIPT = """(function () {
  var cfg = JSON.parse(document.getElementById("list-config").textContent);
  var list = document.getElementById("list"), cursor = cfg.start, more = true, busy = false;
  function sign(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return ("0000000" + h.toString(16)).slice(-8);
  }
  function query() {
    var p = Object.assign({}, cfg.params); p[cfg.cursor_param] = cursor;
    return Object.keys(p).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(p[k]); }).join("&");
  }
  function load() {
    if (busy || !more) return;
    busy = true;
    var path = cfg.api + "?" + query();
    fetch(path + "&X-Bogus=" + sign(path)).then(function (r) { return r.json(); }).then(function (d) {
      var items = d.itemList || d.item_list || (d.data || []).map(function (e) { return e.item; }).filter(Boolean);
      items.forEach(function (it) {
        var div = document.createElement("div");
        div.className = "video"; div.style.height = "400px"; div.textContent = it.desc;
        list.appendChild(div);
      });
      more = d.hasMore === true || d.has_more > 0; cursor = String(d.cursor); busy = false;
    }).catch(function () { busy = false; more = false; });
  }
  window.addEventListener("scroll", function () {
    if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 100) load();
  });
  load();
})();"""


def _universal(scope: dict[str, Any], title: str, loader: dict[str, Any] | None = None) -> str:
    """A page with rehydration data; with `loader` (api, params, cursor_param, start) the live list script too."""
    data = {"__DEFAULT_SCOPE__": scope}
    script = f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{_script_json(data)}</script>'
    if loader is None:
        return _page(title, f'<div id="app"></div>{script}')
    config = f'<script id="list-config" type="application/json">{_script_json(loader)}</script>'
    return _page(title, f'<div id="app"><div id="list"></div></div>{script}{config}<script>{_LIST_SCRIPT}</script>')


def tiktok_profile_page(
    handle: str, nickname: str = "", sec_uid: str = "", *, status_code: int = 0, video_count: int = 0,
    live: bool = False, page_size: int = 15,
) -> str:
    """`/@handle`: `webapp.user-detail` with the `secUid` the list API needs (or a status code);
    `live` adds the script that loads `/api/post/item_list/` pages as the reader scrolls."""
    detail: dict[str, Any] = {"statusCode": status_code, "statusMsg": "" if status_code == 0 else "unavailable"}
    sec_uid = sec_uid or f"MS4w{handle}"
    if status_code == 0:
        detail["userInfo"] = {
            "user": {"id": "1", "uniqueId": handle, "nickname": nickname or handle, "secUid": sec_uid},
            "stats": {"followerCount": 1000, "videoCount": video_count},
        }
    loader = {"api": "/api/post/item_list/", "params": {"secUid": sec_uid, "count": page_size},
              "cursor_param": "cursor", "start": "0"} if live and status_code == 0 else None  # fmt: skip
    return _universal({"webapp.user-detail": detail}, f"{nickname or handle} (@{handle}) | TikTok", loader)


def tiktok_video_page(post: Post, *, layout: str = "universal", status_code: int = 0) -> str:
    """`/@user/video/id` in the `universal`, `sigi` or `next` layout (or a status code)."""
    item = tiktok_item(post)
    title = f"{post.author_name} on TikTok"
    if layout == "sigi":
        state = {"ItemModule": {post.post_id: item}, "UserModule": {"users": {post.author: item["author"]}}}
        return _page(title, f'<script id="SIGI_STATE" type="application/json">{_script_json(state)}</script>')
    if layout == "next":
        props = {"props": {"pageProps": {"statusCode": status_code, "itemInfo": {"itemStruct": item}}}}
        return _page(title, f'<script id="__NEXT_DATA__" type="application/json">{_script_json(props)}</script>')
    detail: dict[str, Any] = {"statusCode": status_code, "statusMsg": ""}
    if status_code == 0:
        detail["itemInfo"] = {"itemStruct": item}
    return _universal({"webapp.video-detail": detail}, title)


def tiktok_item_list(
    posts: Sequence[Post], *, has_more: bool, cursor: str, status_code: int = 0, nickname: str | None = None,
    subtitles: Mapping[str, Sequence[dict[str, Any]]] | None = None,
) -> Reply:
    """One `/api/creator/item_list/` answer."""
    subs = subtitles or {}
    items = [tiktok_item(p, nickname, subs.get(p.post_id, ())) for p in posts]
    body = {"itemList": items, "hasMore": has_more, "cursor": cursor, "statusCode": status_code}
    return Reply(200, json.dumps(body, ensure_ascii=False), "application/json; charset=utf-8")


def tiktok_challenge_page() -> str:
    """The "Please wait..." JS-challenge page: no rehydration data at all."""
    return _page("Please wait...", '<div id="tiktok-verify-ele">Please wait...</div><script src="/_wafchallengeid.js"></script>')


def tiktok_login_page() -> str:
    """`/login`: where a login wall redirects, and the logged-out login prompt itself."""
    return _page("Log in | TikTok", '<div id="loginContainer"><h2>Log in to TikTok</h2><form><input name="username"></form></div>')


def tiktok_login_wall(path: str) -> dict[str, Route]:
    """`path` redirects to the login page (as TikTok does for pages it keeps from logged-out readers)."""
    return {path: redirect(f"/login?redirect_url={quote(path, safe='')}"), "/login": Reply(200, tiktok_login_page())}


def tiktok_api_path(sec_uid: str, cursor: str | int, count: int = 15, api: str = "creator") -> str:
    return f"/api/{api}/item_list/?" + urlencode({"secUid": sec_uid, "count": count, "cursor": cursor})


def _list_reply(body: dict[str, Any], signed: bool) -> Reply:
    return Reply(200, json.dumps(body, ensure_ascii=False), "application/json; charset=utf-8", signed=signed)


def _offset_pages(
    ordered: Sequence[Post], page_size: int, path: Callable[[int], str], body: Callable[[list[Post], bool, int], dict[str, Any]],
    signed: bool,
) -> dict[str, Route]:
    """List pages whose cursor is the offset of the next page (hashtag and search lists)."""
    routes: dict[str, Route] = {}
    for start in range(0, max(len(ordered), 1), page_size):
        nxt = start + page_size
        routes[path(start)] = _list_reply(body(list(ordered[start:nxt]), nxt < len(ordered), nxt), signed)
    return routes


def tiktok_tag_site(name: str, posts: Iterable[Post], *, challenge_id: str = "", page_size: int = 15, live: bool = False,
                    captions: Mapping[str, Sequence[CaptionTrack]] | None = None, cdn: str = "") -> dict[str, Route]:
    """Routes for one hashtag: `/tag/{name}` (`webapp.challenge-detail`) and `/api/challenge/item_list/` pages."""
    ordered = sorted(posts, key=lambda p: p.created_at, reverse=True)
    subs, track_routes = caption_tracks(captions, cdn)
    challenge_id = challenge_id or str(1_000_000 + zlib.crc32(name.encode()) % 1_000_000)
    detail = {"statusCode": 0, "statusMsg": "", "challengeInfo": {
        "challenge": {"id": challenge_id, "title": name}, "stats": {"videoCount": len(ordered)}}}  # fmt: skip
    loader = {"api": "/api/challenge/item_list/", "params": {"challengeID": challenge_id, "count": page_size},
              "cursor_param": "cursor", "start": "0"} if live else None  # fmt: skip
    routes: dict[str, Route] = {f"/tag/{quote(name)}": Reply(200, _universal({"webapp.challenge-detail": detail}, f"#{name} | TikTok", loader))}
    routes.update(track_routes)
    routes.update(_offset_pages(
        ordered, page_size,
        lambda start: "/api/challenge/item_list/?" + urlencode({"challengeID": challenge_id, "count": page_size, "cursor": start}),
        lambda chunk, more, nxt: {"statusCode": 0, "itemList": [tiktok_item(p, None, subs.get(p.post_id, ())) for p in chunk],
                                  "hasMore": more, "cursor": str(nxt)},
        live,
    ))  # fmt: skip
    return routes


def tiktok_search_path(query: str) -> str:
    """The videos tab of a keyword search, as TikTok links it."""
    return "/search/video?" + urlencode({"q": query})


def tiktok_search_api_path(query: str, offset: int | str, count: int = 15) -> str:
    return "/api/search/item/full/?" + urlencode({"keyword": query, "count": count, "offset": offset})


def tiktok_search_site(query: str, posts: Iterable[Post], *, page_size: int = 15, live: bool = False) -> dict[str, Route]:
    """Routes for one keyword search: the videos tab and its `/api/search/item/full/` pages (`item_list`, `has_more`)."""
    ordered = sorted(posts, key=lambda p: (p.metrics.views or 0, p.created_at), reverse=True)  # relevance-ish, not time
    loader = {"api": "/api/search/item/full/", "params": {"keyword": query, "count": page_size},
              "cursor_param": "offset", "start": "0"} if live else None  # fmt: skip
    page = _universal({"webapp.app-context": {"language": "vi-VN"}}, f"{query} | TikTok", loader)
    routes: dict[str, Route] = {tiktok_search_path(query): Reply(200, page)}
    routes.update(_offset_pages(
        ordered, page_size, lambda start: tiktok_search_api_path(query, start, page_size),
        lambda chunk, more, nxt: {"status_code": 0, "item_list": [tiktok_item(p) for p in chunk], "has_more": int(more), "cursor": nxt},
        live,
    ))  # fmt: skip
    return routes


def tiktok_site(
    handle: str, posts: Iterable[Post], *, nickname: str = "", sec_uid: str = "", page_size: int = 15, live: bool = False,
    captions: Mapping[str, Sequence[CaptionTrack]] | None = None, cdn: str = "",
) -> dict[str, Route]:
    """Routes for one profile: `/@handle` and its list API pages, newest first, cursor = ms of the last item.

    `live`: the page carries the list script, and both list APIs (`/api/post/…` that the page calls,
    `/api/creator/…` that plain HTTP calls) answer only signed requests. `captions`: caption tracks per
    post id, served under `cdn` (see `CaptionTrack`).
    """
    ordered = sorted(posts, key=lambda p: p.created_at, reverse=True)
    subs, track_routes = caption_tracks(captions, cdn)
    sec_uid = sec_uid or f"MS4w{handle}"
    profile = tiktok_profile_page(handle, nickname, sec_uid, video_count=len(ordered), live=live, page_size=page_size)
    routes: dict[str, Route] = {f"/@{handle}": Reply(200, profile), **track_routes}
    cursor: str = "0"
    used = {cursor}
    pages = [ordered[i : i + page_size] for i in range(0, len(ordered), page_size)] or [[]]
    for i, chunk in enumerate(pages):
        ms = int(chunk[-1].created_at.timestamp() * 1000) if chunk else 0
        while str(ms) in used and i < len(pages) - 1:  # posts at the same instant: keep routes apart
            ms -= 1
        next_cursor = str(ms)
        used.add(next_cursor)
        has_more = i < len(pages) - 1
        reply = replace(tiktok_item_list(chunk, has_more=has_more, cursor=next_cursor, nickname=nickname or None,
                                         subtitles=subs), signed=live)
        for api in ("creator", "post") if live else ("creator",):
            routes[tiktok_api_path(sec_uid, cursor, page_size, api)] = reply
        cursor = next_cursor
    return routes


# ---------------------------------------------------------------- Facebook


def format_count_vi(n: int | None) -> str:
    """A count as a Vietnamese-locale page shows it: 950, 3.456, 12 N, 1,5 Tr."""
    if n is None:
        return ""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".replace(".0", "").replace(".", ",") + " Tr"
    if n >= 10_000:
        return f"{n / 1000:.1f}".replace(".0", "").replace(".", ",") + " N"
    return f"{n:,}".replace(",", ".")


def _story(post: Post, page_id: str, page_name: str) -> dict[str, Any]:
    feedback = {
        "reaction_count": {"count": post.metrics.likes or 0},
        "i18n_reaction_count": format_count_vi(post.metrics.likes or 0),
        "share_count": {"count": post.metrics.shares or 0},
        "comment_count": {"total_count": post.metrics.comments or 0},
    }
    return {
        "__typename": "Story",
        "id": f"UzpfS{page_id}:{post.post_id}",
        "post_id": post.post_id,
        "url": post.url,
        "actors": [{"__typename": "Page", "id": page_id, "name": page_name}],
        "comet_sections": {
            "content": {"story": {"message": {"text": post.text}}},
            "context_layout": {"story": {"comet_sections": {"metadata": [
                {"__typename": "CometFeedStoryMinimizedTimestampStrategy",
                 "story": {"creation_time": int(post.created_at.timestamp()), "url": post.url}}
            ]}}},
            "feedback": {"story": {"feedback_context": {"feedback_target_with_context": {"ufi_renderer": {
                "feedback": {"comet_ufi_summary_and_actions_renderer": {"feedback": feedback}}}}}}},
        },
    }  # fmt: skip


def facebook_www_page(handle: str, posts: Sequence[Post], *, page_name: str = "", page_id: str = "100064") -> str:
    """Logged-out `www.facebook.com/{page}`: ServerJS JSON with the top posts as `Story` nodes."""
    page_name = page_name or handle
    edges = [{"node": _story(p, page_id, page_name), "cursor": f"c{i}"} for i, p in enumerate(posts)]
    result = {"data": {"node": {"__typename": "Page", "id": page_id, "timeline_list_feed_units": {
        "edges": edges, "page_info": {"has_next_page": False, "end_cursor": None}}}}}
    serverjs = {"define": [["CurrentUserInitialData", [], {"USER_ID": "0"}, 270]],
                "require": [["ScheduledServerJS", "handle", None, [{"__bbox": {"require": [
                    ["RelayPrefetchedStreamCache", "next", [], ["adp_ProfileCometTimelineFeedQuery",
                     {"__bbox": {"complete": True, "result": result}}]]]}}]]]}  # fmt: skip
    scripts = (
        '<script type="application/json" data-content-len="120" data-sjs>'
        + _script_json({"define": [["SiteData", [], {"locale": "vi_VN"}, 317]]})
        + "</script>"
        + '<script type="application/json" data-sjs>' + _script_json(serverjs) + "</script>"
    )
    login_prompt = '<div role="dialog"><a href="/login/">Đăng nhập</a> hoặc <a href="/reg/">Đăng ký</a></div>'
    return _page(f"{page_name} | Facebook", f'<div id="mount_0_0">{login_prompt}</div>{scripts}')


def facebook_more_path(page_id: str, cursor: str) -> str:
    return "/page_content_list_view/more/?" + urlencode(
        {"page_id": page_id, "start_cursor": cursor, "num_to_fetch": 10, "surface_type": "posts_tab"}
    )


def _m_article(post: Post, handle: str, page_id: str, page_name: str) -> str:
    ft = {
        "mf_story_key": post.post_id,
        "top_level_post_id": post.post_id,
        "content_owner_id_new": page_id,
        "page_id": page_id,
        "page_insights": {page_id: {"page_id": page_id, "post_context": {"publish_time": int(post.created_at.timestamp())}}},
    }
    # as m. pages show text: a paragraph per blank-line-separated block, <br> for single line breaks
    paragraphs = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in post.text.split("\n\n") if block.strip()
    )
    shares = f'<span class="_28wy">{format_count_vi(post.metrics.shares)} lượt chia sẻ</span>' if post.metrics.shares else ""
    return (
        f'<article class="_55wo _5rgr _5gh8 async_like" data-ft="{html.escape(json.dumps(ft))}">'
        f'<div class="story_body_container"><header><h3><strong><a href="/{handle}">{html.escape(page_name)}</a></strong></h3>'
        f"<abbr>{post.created_at:%d/%m/%Y}</abbr></header>"
        f'<div class="_5rgt _5nk5">{paragraphs}</div></div>'
        f'<footer><div class="_1fnt"><span class="like_def _28wy">{format_count_vi(post.metrics.likes or 0)} lượt thích</span>'
        f'<span class="cmt_def _28wy">{format_count_vi(post.metrics.comments or 0)} bình luận</span>{shares}</div>'
        f'<a href="/story.php?story_fbid={post.post_id}&amp;id={page_id}">Toàn bộ tin</a></footer></article>'
    )


def facebook_m_page(handle: str, posts: Sequence[Post], *, next_href: str | None = None, page_name: str = "", page_id: str = "100064") -> str:
    """An m.facebook.com page (or `more` page): articles with `data-ft`, and the next-page link."""
    page_name = page_name or handle
    articles = "".join(_m_article(p, handle, page_id, page_name) for p in posts)
    more = f'<div id="see_more_pager"><a href="{html.escape(next_href)}">Xem thêm tin</a></div>' if next_href else ""
    return _page(page_name, f'<div id="pages_msite_body_contents"><section>{articles}</section>{more}</div>')


def facebook_site(handle: str, posts: Iterable[Post], *, layout: str = "m", page_name: str = "", page_id: str = "100064", page_size: int = 10) -> dict[str, Route]:
    """Routes for one page: `/{handle}/posts/` and, in the m layout, `page_content_list_view/more` pages."""
    ordered = sorted(posts, key=lambda p: p.created_at, reverse=True)
    if layout == "www":
        return {f"/{handle}/posts/": Reply(200, facebook_www_page(handle, ordered[:page_size], page_name=page_name, page_id=page_id))}
    pages = [ordered[i : i + page_size] for i in range(0, len(ordered), page_size)] or [[]]
    routes: dict[str, Route] = {}
    path = f"/{handle}/posts/"  # where the spider asks for a page's timeline
    for i, chunk in enumerate(pages):
        next_path = facebook_more_path(page_id, f"cur{i + 1}") if i < len(pages) - 1 else None
        routes[path] = Reply(200, facebook_m_page(handle, chunk, next_href=next_path, page_name=page_name, page_id=page_id))
        path = next_path or ""
    return routes


def facebook_blocked_page(lang: str = "vi") -> str:
    title = "Bạn tạm thời bị chặn" if lang == "vi" else "You're Temporarily Blocked"
    return _page(title, f"<h2>{title}</h2><p>It looks like you were misusing this feature by going too fast.</p>")


def facebook_login_page() -> str:
    return _page("Log in to Facebook", '<form id="login_form" action="/login/device-based/regular/login/"><input name="email"></form>')


def facebook_checkpoint_page() -> str:
    return _page("Security check", "<p>Please complete a security check to continue.</p>")


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, "", "text/html", {"Location": location})


# ---------------------------------------------------------------- whole sites from a list of posts


def build_sites(
    posts: Iterable[Post],
    *,
    facebook_layout: str = "m",
    facebook_robots_disallow: bool = True,
    tiktok_page_size: int = 15,
    facebook_page_size: int = 10,
) -> dict[str, dict[str, Route]]:
    """Routes per platform (`{"tiktok": …, "facebook": …}`) for posts grouped by author = handle.

    Serve each platform's routes on its own `ReplayServer` (robots.txt is per host) and point
    MISINFO_TIKTOK_BASE_URL / MISINFO_FACEBOOK_BASE_URL at them; sources use `handle: <author>`.
    With the real-site robots.txt for Facebook (disallow), Facebook sources need `obey_robots: false`
    and a `permission:` note, as they would in production.
    """
    groups: dict[tuple[str, str], list[Post]] = {}
    for post in posts:
        groups.setdefault((post.platform, post.author), []).append(post)
    sites: dict[str, dict[str, Route]] = {
        "tiktok": {"/robots.txt": robots_txt(False)},
        "facebook": {"/robots.txt": robots_txt(facebook_robots_disallow)},
    }
    for n, ((platform, handle), group) in enumerate(sorted(groups.items())):
        name = group[0].author_name
        if platform == "tiktok":
            sites["tiktok"].update(tiktok_site(handle, group, nickname=name, page_size=tiktok_page_size))
        elif platform == "facebook":
            sites["facebook"].update(
                facebook_site(handle, group, layout=facebook_layout, page_name=name,
                              page_id=str(100_000 + n), page_size=facebook_page_size)  # fmt: skip
            )
    return sites
