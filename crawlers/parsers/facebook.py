"""Facebook public pages, logged out: the www (ServerJS JSON) and m.facebook.com layouts.

www: `<script type="application/json">` blobs (`{"define":…}` / `{"require":…}`) hold `Story` nodes
under `timeline_list_feed_units.edges[].node`; logged out only the top posts are shown, so there is
no next page. m: `article[data-ft*="top_level_post_id"]` with `publish_time` in `data-ft`, text in
`.story_body_container`, counts in `footer .like_def/.cmt_def`, next page via
`page_content_list_view/more/?…start_cursor=…`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawlers.parsers import Block, PageResult, dig, iso_from_unix
from crawlers.parsers.numbers import parse_count
from misinfo.text import nfc

_JSON_SCRIPT_RE = re.compile(
    r"<script\b[^>]*\btype=[\"']application/json[\"'][^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_HASHTAG_RE = re.compile(r"#([^\W_][\w]*)", re.UNICODE)
_BLOCKED_RE = re.compile(r"temporarily blocked|tạm thời bị chặn", re.IGNORECASE)
_LOGIN_RE = re.compile(r"log in to facebook|log into facebook|đăng nhập facebook|đăng nhập vào facebook", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
_MAX_DEPTH = 60


def hashtags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for tag in _HASHTAG_RE.findall(text):
        seen.setdefault(tag, None)
    return list(seen)


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Depth-first dicts; does not descend into a Story (its attached stories are part of it)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        yield node
        if node.get("__typename") == "Story" and "post_id" in node:
            return
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, depth + 1)


def _find_key(node: Any, key: str, depth: int = 0) -> Any:
    """First value of `key` anywhere under `node` (depth-first), or None."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, dict):
        if node.get(key) is not None:
            return node[key]
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find_key(child, key, depth + 1)
        if found is not None:
            return found
    return None


def _story_record(story: dict[str, Any], *, handle: str, base_url: str, source: str, collected_at: str) -> dict[str, Any]:
    post_id = story.get("post_id")
    post_id = str(post_id) if isinstance(post_id, int | str) and not isinstance(post_id, bool) else None
    text = dig(story, "comet_sections", "content", "story", "message", "text")
    if not isinstance(text, str):
        text = dig(story, "message", "text")
    text = nfc(text) if isinstance(text, str) else ""
    actor = dig(story, "actors", 0) or {}
    name = dig(actor, "name")
    url = story.get("url") or _find_key(dig(story, "comet_sections", "context_layout"), "url")
    if not isinstance(url, str) or not url:
        url = f"{base_url.rstrip('/')}/{handle}/posts/{post_id}"
    feedback = _find_key(story.get("comet_sections"), "comet_ufi_summary_and_actions_renderer")
    feedback = dig(feedback, "feedback") or _find_key(story, "feedback") or {}
    likes = parse_count(dig(feedback, "reaction_count", "count"))
    if likes is None:
        likes = parse_count(dig(feedback, "i18n_reaction_count"))
    comments = parse_count(dig(feedback, "comment_count", "total_count"))
    if comments is None:
        comments = parse_count(dig(feedback, "comment_rendering_instance", "comments", "total_count"))
    return {
        "platform": "facebook",
        "post_id": post_id,
        "source": source,
        "url": url,
        "author": handle,
        "author_name": nfc(name) if isinstance(name, str) else "",
        "text": text,
        "created_at": iso_from_unix(_find_key(story, "creation_time")),
        "collected_at": collected_at,
        "metrics": {
            "views": None,
            "likes": likes,
            "comments": comments,
            "shares": parse_count(dig(feedback, "share_count", "count")),
        },
        "hashtags": hashtags(text),
    }


def _www(text: str, **kw: str) -> PageResult | None:
    """Records from the ServerJS blobs, or None when the page has none of them."""
    found_serverjs = False
    stories: dict[str, dict[str, Any]] = {}
    for match in _JSON_SCRIPT_RE.finditer(text):
        blob = match.group(1).strip()
        if not blob.startswith("{") or ('"define"' not in blob and '"require"' not in blob):
            continue
        try:
            data = json.loads(blob)
        except (ValueError, RecursionError):
            continue
        found_serverjs = True
        if '"Story"' not in blob:
            continue
        for node in _walk(data):
            if node.get("__typename") == "Story" and node.get("post_id") is not None:
                stories.setdefault(str(node["post_id"]), node)
    if not found_serverjs:
        return None
    return PageResult(records=[_story_record(s, **kw) for s in stories.values()], info={"layout": "www"})


def _squash(text: str) -> str:
    """Inline HTML text: runs of white space as one space, NFC."""
    return nfc(_SPACE_RE.sub(" ", text).strip())


def _m_article(article: Selector, *, url: str, handle: str, base_url: str, source: str, collected_at: str) -> dict[str, Any] | None:
    try:
        ft = json.loads(article.xpath("@data-ft").get() or "{}")  # not .attrib: lxml raises on mangled attributes
    except (ValueError, RecursionError):
        ft = {}
    ft = ft if isinstance(ft, dict) else {}
    post_id = ft.get("top_level_post_id") or ft.get("mf_story_key")
    if not isinstance(post_id, int | str) or isinstance(post_id, bool) or not str(post_id):
        return None
    body = article.css(".story_body_container")
    paragraphs = [_squash("".join(p.xpath(".//text()").getall())) for p in body.css("p")]
    text = "\n".join(p for p in paragraphs if p)
    if not text:
        parts = body.xpath("./div[not(header)]//text()").getall()
        text = _squash(" ".join(parts))
    name = " ".join(body.css("header h3 strong ::text, header h3 a ::text").getall()[:1]).strip()
    footer = article.css("footer")
    likes = parse_count(" ".join(footer.css(".like_def ::text").getall()))
    comments = parse_count(" ".join(footer.css(".cmt_def ::text").getall()))
    share_text = footer.xpath(".//*[contains(text(), 'chia sẻ') or contains(text(), 'share')]/text()").getall()
    shares = next((n for n in (parse_count(t) for t in share_text) if n is not None), None)
    link = article.css('a[href*="story.php"]::attr(href), a[href*="/posts/"]::attr(href)').get()
    post_url = urljoin(url or base_url, link) if link else f"{base_url.rstrip('/')}/{handle}/posts/{post_id}"
    return {
        "platform": "facebook",
        "post_id": str(post_id),
        "source": source,
        "url": post_url,
        "author": handle,
        "author_name": nfc(name),
        "text": text,
        "created_at": iso_from_unix(_find_key(ft, "publish_time")),
        "collected_at": collected_at,
        "metrics": {"views": None, "likes": likes, "comments": comments, "shares": shares},
        "hashtags": hashtags(text),
    }


def _m(text: str, url: str, **kw: str) -> PageResult | None:
    if "top_level_post_id" not in text and "page_content_list_view" not in text and "m_more_item" not in text:
        return None
    sel = Selector(text=text, type="html")
    articles = sel.css('article[data-ft*="top_level_post_id"], div[role="article"][data-ft*="top_level_post_id"]')
    records = [r for r in (_m_article(a, url=url, **kw) for a in articles) if r is not None]
    more = sel.css('a[href*="page_content_list_view/more"]::attr(href), #see_more_pager a::attr(href)').get()
    next_url = urljoin(url, more) if more else None
    if not records and not next_url and not sel.css("#pages_msite_body_contents, #structured_composer_async_container"):
        return None
    return PageResult(records=records, next_url=next_url, has_more=bool(next_url), info={"layout": "m"})


def url_block(url: str) -> Block | None:
    """A block visible in the URL alone (a redirect to the login page or a checkpoint)."""
    path = urlsplit(url).path if url else ""
    if path.startswith("/checkpoint") or "/checkpoint/" in path:
        return Block("checkpoint", f"redirected to {path}")
    if path.startswith("/login"):
        return Block("login_wall", f"redirected to {path}")
    return None


def _block(text: str, url: str) -> Block | None:
    if (block := url_block(url)) is not None:
        return block
    title_match = _TITLE_RE.search(text[:50000])
    title = nfc(title_match.group(1)) if title_match else ""
    if _BLOCKED_RE.search(title) or _BLOCKED_RE.search(text[:5000]):
        return Block("temporarily_blocked", title.strip()[:80])
    if _LOGIN_RE.search(title):
        return Block("login_wall", f"page title {title.strip()[:80]!r}")
    return None


def parse_page(
    text: str, url: str, *, source: str, handle: str, base_url: str, collected_at: str
) -> PageResult:
    """Posts from a page in either layout, the next page (m only), or the block it shows."""
    if (block := _block(text, url)) is not None:
        return PageResult(block=block)
    kw = {"source": source, "handle": handle, "base_url": base_url, "collected_at": collected_at}
    result = _m(text, url, **kw) or _www(text, **kw)
    if result is not None:
        return result
    if not text.strip():
        return PageResult(block=Block("layout_changed", "empty page"))
    if _LOGIN_RE.search(text[:20000]):
        return PageResult(block=Block("login_wall", "a login form instead of posts"))
    return PageResult(block=Block("layout_changed", "neither ServerJS posts nor m.facebook.com articles"))
