"""A replay of the TikTok and Facebook page structures, and a local HTTP server to serve them.

Tests, the demo and the benchmark render pages from a list of `Post`s with these functions and
serve them at the real paths, so the real spiders run end to end without the internet. The
structures follow what the maintained open-source extractors parse (see `crawlers.parsers`).
"""

from __future__ import annotations

import html
import json
import threading
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from misinfo.domain import Post

# ---------------------------------------------------------------- server


@dataclass(frozen=True)
class Reply:
    """One HTTP answer; `body` str is sent as UTF-8."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Route = Reply | Sequence[Reply]


def route_key(target: str) -> str:
    """Path plus query with parameters sorted, so `?b=1&a=2` and `?a=2&b=1` are one route."""
    parts = urlsplit(target)
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
        self.update(routes or {})
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                reply = server._reply_for(self.path)
                data = reply.data()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

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
            n = self._served.get(key, 0)
            self._served[key] = n + 1
            return replies[min(n, len(replies) - 1)]

    def count(self, path_prefix: str) -> int:
        """How many requests started with this path (robots.txt checks, retry counts)."""
        with self._lock:
            return sum(1 for h in self.hits if h.startswith(path_prefix))

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
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


def tiktok_item(post: Post, nickname: str | None = None) -> dict[str, Any]:
    """A post as TikTok's `itemStruct`."""
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
    }


def _universal(scope: dict[str, Any], title: str) -> str:
    data = {"__DEFAULT_SCOPE__": scope}
    script = f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{_script_json(data)}</script>'
    return _page(title, f'<div id="app"></div>{script}')


def tiktok_profile_page(handle: str, nickname: str = "", sec_uid: str = "", *, status_code: int = 0, video_count: int = 0) -> str:
    """`/@handle`: `webapp.user-detail` with the `secUid` the list API needs (or a status code)."""
    detail: dict[str, Any] = {"statusCode": status_code, "statusMsg": "" if status_code == 0 else "unavailable"}
    if status_code == 0:
        detail["userInfo"] = {
            "user": {"id": "1", "uniqueId": handle, "nickname": nickname or handle, "secUid": sec_uid or f"MS4w{handle}"},
            "stats": {"followerCount": 1000, "videoCount": video_count},
        }
    return _universal({"webapp.user-detail": detail}, f"{nickname or handle} (@{handle}) | TikTok")


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
    posts: Sequence[Post], *, has_more: bool, cursor: str, status_code: int = 0, nickname: str | None = None
) -> Reply:
    """One `/api/creator/item_list/` answer."""
    body = {"itemList": [tiktok_item(p, nickname) for p in posts], "hasMore": has_more, "cursor": cursor, "statusCode": status_code}
    return Reply(200, json.dumps(body, ensure_ascii=False), "application/json; charset=utf-8")


def tiktok_challenge_page() -> str:
    """The "Please wait..." JS-challenge page: no rehydration data at all."""
    return _page("Please wait...", '<div id="tiktok-verify-ele">Please wait...</div><script src="/_wafchallengeid.js"></script>')


def tiktok_api_path(sec_uid: str, cursor: str | int, count: int = 15) -> str:
    return "/api/creator/item_list/?" + urlencode({"secUid": sec_uid, "count": count, "cursor": cursor})


def tiktok_site(handle: str, posts: Iterable[Post], *, nickname: str = "", sec_uid: str = "", page_size: int = 15) -> dict[str, Route]:
    """Routes for one profile: `/@handle` and its list API pages, newest first, cursor = ms of the last item."""
    ordered = sorted(posts, key=lambda p: p.created_at, reverse=True)
    sec_uid = sec_uid or f"MS4w{handle}"
    routes: dict[str, Route] = {
        f"/@{handle}": Reply(200, tiktok_profile_page(handle, nickname, sec_uid, video_count=len(ordered)))
    }
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
        routes[tiktok_api_path(sec_uid, cursor, page_size)] = tiktok_item_list(
            chunk, has_more=has_more, cursor=next_cursor, nickname=nickname or None
        )
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
