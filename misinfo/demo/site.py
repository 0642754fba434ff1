"""The demo's replay of TikTok and Facebook: the crawler's own renderers, served on a loopback port.

One `ReplayServer` serves every source at the platforms' real paths (TikTok `/@handle` and its
list API, Facebook `/{page}` in the m or www layout), so the real spiders crawl it as they would
the sites. Its robots.txt allows the demo pages. Each source's page and each post's page carry
`DEMO_NOTE`, so no one mistakes a saved page for a real one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

from crawlers import replay
from crawlers.replay import ReplayServer, Reply, Route
from misinfo.demo.content import DEMO_NOTE, DemoSource, DemoWorld
from misinfo.domain import Post

NOTE_META = f'<meta name="description" content="{DEMO_NOTE}">'
NOTE_HTML = f'<aside class="demo-note" lang="vi">{DEMO_NOTE}: bài đăng, tài khoản và số liệu đều là giả lập.</aside>'
FB_PAGE_ID_BASE = 100_064_000_000_000


def mark(reply: Reply) -> Reply:
    """The demo note in a page (a meta tag and an aside) or a JSON answer (a `demoNote` field)."""
    if reply.status != 200 or not reply.body:
        return reply
    body = reply.body if isinstance(reply.body, str) else reply.body.decode("utf-8")
    if reply.content_type.startswith("application/json"):
        data = json.loads(body)
        data["demoNote"] = DEMO_NOTE
        return replace(reply, body=json.dumps(data, ensure_ascii=False))
    if reply.content_type.startswith("text/html") and "<body>" in body:
        body = body.replace("</head>", NOTE_META + "</head>", 1)
        return replace(reply, body=body.replace("<body>", "<body>" + NOTE_HTML, 1))
    return reply


def _marked(routes: Mapping[str, Route]) -> dict[str, Route]:
    return {path: mark(r) if isinstance(r, Reply) else [mark(x) for x in r] for path, r in routes.items()}


def post_url(base_url: str, source: DemoSource, post: Post) -> str:
    """Where the post lives on the replay site (what the crawlers record for it)."""
    if source.platform == "tiktok":
        return f"{base_url}/@{source.handle}/video/{post.post_id}"
    return f"{base_url}/{source.handle}/posts/{post.post_id}"


def page_id(index: int) -> str:
    return str(FB_PAGE_ID_BASE + index)


def source_routes(source: DemoSource, posts: list[Post], base_url: str, index: int) -> dict[str, Route]:
    """One source's pages: its profile/page with pagination, or the block it answers with."""
    posts = [replace(p, url=post_url(base_url, source, p)) for p in posts]
    if source.blocked == "tiktok-10204":
        # TikTok's answer to an IP it refuses: the profile page with statusCode 10204 and no user
        return {f"/@{source.handle}": Reply(200, replay.tiktok_profile_page(source.handle, status_code=10204))}
    if source.platform == "tiktok":
        routes = replay.tiktok_site(source.handle, posts, nickname=source.name, sec_uid=f"MS4wLjABAAAA{index:04d}")
        for p in posts:  # the post pages, so the dashboard's links open while the demo runs
            routes[f"/@{source.handle}/video/{p.post_id}"] = Reply(200, replay.tiktok_video_page(p))
        return routes
    pid = page_id(index)
    if source.layout == "www":
        # logged-out www shows the newest posts; the demo page keeps them all on the first screen
        routes = replay.facebook_site(source.handle, posts, layout="www", page_name=source.name, page_id=pid,
                                      page_size=max(len(posts), 1))
    else:
        routes = replay.facebook_site(source.handle, posts, layout="m", page_name=source.name, page_id=pid)
    for p in posts:  # a post's own page, at both addresses the two layouts link to
        page = Reply(200, replay.facebook_m_page(source.handle, [p], page_name=source.name, page_id=pid))
        routes[f"/{source.handle}/posts/{p.post_id}"] = page
        routes[f"/story.php?story_fbid={p.post_id}&id={pid}"] = page
    return routes


def site_routes(world: DemoWorld, base_url: str) -> dict[str, Route]:
    """Every route of the demo site, marked with the demo note."""
    routes: dict[str, Route] = {"/robots.txt": replay.robots_txt(disallow_all=False)}
    for i, source in enumerate(world.sources):
        routes.update(source_routes(source, world.posts[source.key], base_url, i))
    routes["/"] = Reply(200, "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>misinfo-monitor demo"
                        "</title></head><body><h1>misinfo-monitor demo</h1><ul>"
                        + "".join(f"<li>{s.name}</li>" for s in world.sources) + "</ul></body></html>")
    return _marked(routes)


def serve(world: DemoWorld, port: int = 0) -> ReplayServer:
    """Start the replay server on 127.0.0.1 (port 0: a free one) serving the whole demo site."""
    server = ReplayServer(port=port)
    server.update(site_routes(world, server.url))
    return server.start()
