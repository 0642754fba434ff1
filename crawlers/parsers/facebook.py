"""Facebook public pages and public groups, logged out: the www (ServerJS JSON) and m.facebook.com layouts.

www: ServerJS payloads (`{"require":…}` / `{"define":…}`) hold `Story` nodes under
`timeline_list_feed_units.edges[].node`. Since 2024 they sit in `<script type="application/json"
data-sjs>`; in 2023 they were arguments of `requireLazy(…)` / `(new ServerJS()).handle…(…)` calls in
plain scripts, so every script is searched. A Story's permalink (`permalink.php?story_fbid=pfbid…`)
and its actor are under `comet_sections` (`content.story.wwwURL`, `context_layout…metadata[].story.url`,
`…actors[0].name`); the first `url` in a Story is often the actor's profile. Logged out, www shows
only the top posts, so there is no next page.

m: `article[data-ft*="top_level_post_id"]`, `publish_time` in `data-ft` (the entry of the post
itself, not of a story it shares), text in `<p>` (each once, without the "… More" link), counts in
`footer .like_def/.cmt_def`. A page's next page is held in a script (`"see_more_cards_id"` …
`href:"/page_content_list_view/more/?…"`) and answered as `for (;;);{"payload":{"actions":[…]}}`:
the `html` of its actions holds the articles, its `script` action the following link. A group's
next page is the `#m_more_item` link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from crawlers.parsers import Block, PageResult, dig, iso_from_unix
from crawlers.parsers.numbers import parse_count
from misinfo.text import nfc

_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_SERVERJS_RE = re.compile(r'\{"(?:require|define)":')
_SEE_MORE_RE = re.compile(r'see_more_cards_id\\?"\s*,\s*"?href"?\s*:\s*"((?:[^"\\]|\\.)*)"')
_FOR_LOOP = "for (;;);"
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_HASHTAG_RE = re.compile(r"#([^\W_][\w]*)", re.UNICODE)
_BLOCKED_RE = re.compile(r"temporarily blocked|tạm thời bị chặn", re.IGNORECASE)
_LOGIN_RE = re.compile(r"log in to facebook|log into facebook|đăng nhập facebook|đăng nhập vào facebook", re.IGNORECASE)
_SPACE_RE = re.compile(r"[^\S\n]+")
_PERMALINK_RE = re.compile(r"story\.php|permalink\.php|/permalink/|/posts/")
# the query parameters that name a post; everything else (`_ft_`, `__tn__`, `refid`…) is tracking
_POST_PARAMS = {"story_fbid", "id", "fbid", "v", "set"}
_MAX_DEPTH = 60
_DECODER = json.JSONDecoder()


def hashtags(text: str) -> list[str]:
    """Hashtags in order of first use, one per tag whatever its case (#Datalover = #datalover)."""
    seen: dict[str, str] = {}
    for tag in _HASHTAG_RE.findall(text):
        seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def canonical_url(url: str) -> str:
    """A post URL without tracking: only the parameters that name the post, no fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in _POST_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def page_path(handle: str) -> str:
    """Where a source's posts are: `/{page}/posts/`, or `/groups/{id or name}/` for a public group."""
    return f"/{handle}/" if handle.startswith("groups/") else f"/{handle}/posts/"


# ---------------------------------------------------------------- www (ServerJS)


def serverjs_payloads(text: str) -> Iterator[Any]:
    """Every ServerJS payload in the page's inline scripts, whether a JSON script or a JS call's argument."""
    for match in _SCRIPT_RE.finditer(text):
        if re.search(r"\bsrc\s*=", match.group(1)):
            continue
        body = match.group(2)
        pos = 0
        while (start := _SERVERJS_RE.search(body, pos)) is not None:
            try:
                payload, pos = _DECODER.raw_decode(body, start.start())
            except (ValueError, RecursionError):
                pos = start.end()
                continue
            yield payload


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


def _context_stories(story: dict[str, Any]) -> Iterator[Any]:
    """The Story's header sections (2024: directly under comet_sections; 2023: under content.story too)."""
    for sections in (dig(story, "comet_sections"), dig(story, "comet_sections", "content", "story", "comet_sections")):
        yield dig(sections, "context_layout", "story", "comet_sections")


def _story_permalink(story: dict[str, Any]) -> Any:
    """The post's own URL: never the first `url` found, which is often the actor's profile."""
    if isinstance(story.get("url"), str):
        return story["url"]
    if isinstance(url := dig(story, "comet_sections", "content", "story", "wwwURL"), str):
        return url
    for context in _context_stories(story):
        for item in dig(context, "metadata") or []:
            if isinstance(url := dig(item, "story", "url"), str):
                return url
    return dig(story, "comet_sections", "feedback", "story", "url")


def _story_actor(story: dict[str, Any]) -> Any:
    name = dig(story, "actors", 0, "name") or dig(story, "comet_sections", "content", "story", "actors", 0, "name")
    for context in _context_stories(story):
        name = name or dig(context, "title", "story", "actors", 0, "name")
    return name


def _story_time(story: dict[str, Any]) -> Any:
    for context in _context_stories(story):
        for item in dig(context, "metadata") or []:
            if (seconds := dig(item, "story", "creation_time")) is not None:
                return seconds
    return _find_key(story, "creation_time")


def _story_record(story: dict[str, Any], *, handle: str, base_url: str, source: str, collected_at: str) -> dict[str, Any]:
    post_id = story.get("post_id")
    post_id = str(post_id) if isinstance(post_id, int | str) and not isinstance(post_id, bool) else None
    text = dig(story, "comet_sections", "content", "story", "message", "text")
    if not isinstance(text, str):
        text = dig(story, "message", "text")
    text = "\n".join(line.rstrip() for line in nfc(text).splitlines()).strip("\n") if isinstance(text, str) else ""
    name = _story_actor(story)
    url = _story_permalink(story)
    url = canonical_url(url) if isinstance(url, str) and url else f"{base_url.rstrip('/')}/{handle}/posts/{post_id}"
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
        "created_at": iso_from_unix(_story_time(story)),
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
    """Records from the ServerJS payloads, or None when the page has none."""
    found_serverjs = False
    stories: dict[str, dict[str, Any]] = {}
    for payload in serverjs_payloads(text):
        found_serverjs = True
        for node in _walk(payload):
            if node.get("__typename") == "Story" and node.get("post_id") is not None:
                stories.setdefault(str(node["post_id"]), node)
    if not found_serverjs:
        return None
    return PageResult(records=[_story_record(s, **kw) for s in stories.values()], info={"layout": "www"})


# ---------------------------------------------------------------- m.facebook.com


def _classes(el: Any) -> list[str]:
    value = el.get("class") if isinstance(el.tag, str) else None
    return value.split() if isinstance(value, str) else []


def _inline_text(el: Any) -> str:
    """An element's text as shown: `<br>` as a new line, the "… More" link of folded text left out."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node.tag, str) and "text_exposed_hide" not in _classes(node):
            if node.tag == "br":
                parts.append("\n")
            parts.append(node.text or "")
            for child in node:
                walk(child)
        if node is not el:
            parts.append(node.tail or "")

    walk(el)
    lines = (nfc(_SPACE_RE.sub(" ", line).strip()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _m_text(article: Selector) -> str:
    """Each paragraph once, the post's own first and then the post it shares (a nested container)."""
    paragraphs = (_inline_text(p) for p in article.root.iter("p"))
    return "\n\n".join(p for p in paragraphs if p)


def _m_permalink(article: Selector, page_url: str) -> str | None:
    """The post's own link: its footer's, else the first post link outside the header's actor links."""
    links = article.xpath("./footer//a/@href").getall() + article.xpath(".//a[not(ancestor::h3)]/@href").getall()
    link = next((h for h in links if _PERMALINK_RE.search(h)), None)
    return canonical_url(urljoin(page_url, link)) if link else None


def _publish_time(ft: dict[str, Any], post_id: str) -> Any:
    """The post's own `publish_time`: a shared post's insights also carry the original's time."""
    insights = ft.get("page_insights")
    entries = [e for e in insights.values() if isinstance(e, dict)] if isinstance(insights, dict) else []
    contexts = [e["post_context"] for e in entries if isinstance(e.get("post_context"), dict)]
    for context in contexts:
        fbids = context.get("story_fbid")
        if isinstance(fbids, list) and post_id in (str(f) for f in fbids) and context.get("publish_time") is not None:
            return context["publish_time"]
    for context in contexts:
        if context.get("publish_time") is not None:
            return context["publish_time"]
    return _find_key(ft, "publish_time")


def _m_article(article: Selector, *, url: str, handle: str, base_url: str, source: str, collected_at: str) -> dict[str, Any] | None:
    try:
        ft = json.loads(article.xpath("@data-ft").get() or "{}")  # not .attrib: lxml raises on mangled attributes
    except (ValueError, RecursionError):
        ft = {}
    ft = ft if isinstance(ft, dict) else {}
    post_id = ft.get("top_level_post_id") or ft.get("mf_story_key")
    if not isinstance(post_id, int | str) or isinstance(post_id, bool) or not str(post_id):
        return None
    text = _m_text(article)
    name = article.xpath("string((.//header)[1]//h3//strong[1])").get() or ""
    footer = article.xpath("./footer")
    likes = parse_count(" ".join(footer.css(".like_def ::text").getall()))
    comments = parse_count(" ".join(footer.css(".cmt_def ::text").getall()))
    share_text = footer.xpath(".//*[contains(text(), 'chia sẻ') or contains(text(), 'share')]/text()").getall()
    shares = next((n for n in (parse_count(t) for t in share_text) if n is not None), None)
    post_url = _m_permalink(article, url or base_url) or f"{base_url.rstrip('/')}/{handle}/posts/{post_id}"
    return {
        "platform": "facebook",
        "post_id": str(post_id),
        "source": source,
        "url": post_url,
        "author": handle,
        "author_name": nfc(_SPACE_RE.sub(" ", name).strip()),
        "text": text,
        "created_at": iso_from_unix(_publish_time(ft, str(post_id))),
        "collected_at": collected_at,
        "metrics": {"views": None, "likes": likes, "comments": comments, "shares": shares},
        "hashtags": hashtags(text),
    }


def _see_more(script: str) -> str | None:
    """The next-page link a script holds (`"see_more_cards_id"`, `href:"…"`), as a path."""
    match = _SEE_MORE_RE.search(script)
    if match is None:
        return None
    try:
        href = json.loads(f'"{match.group(1)}"')
    except ValueError:
        return None
    return href if isinstance(href, str) and href.startswith("/") else None


def _more_answer(text: str) -> tuple[str, str] | None:
    """(html, scripts) of a `for (;;);` answer to a `more` request, or None when it is not one."""
    try:
        data = json.loads(text.lstrip()[len(_FOR_LOOP) :])
    except (ValueError, RecursionError):
        return None
    actions = dig(data, "payload", "actions")
    if not isinstance(actions, list):
        return None
    html = "".join(a["html"] for a in actions if isinstance(a, dict) and isinstance(a.get("html"), str))
    code = "\n".join(a["code"] for a in actions if isinstance(a, dict) and isinstance(a.get("code"), str))
    return html, code


def _m(text: str, url: str, **kw: str) -> PageResult | None:
    answer = _more_answer(text) if text.lstrip().startswith(_FOR_LOOP) else None
    if answer is None and "top_level_post_id" not in text and "page_content_list_view" not in text and "m_more_item" not in text:
        return None
    html, scripts = answer or (text, text)
    sel = Selector(text=html or "<html></html>", type="html")
    articles = sel.css('article[data-ft*="top_level_post_id"], div[role="article"][data-ft*="top_level_post_id"]')
    records = [r for r in (_m_article(a, url=url, **kw) for a in articles) if r is not None]
    more = _see_more(scripts) or sel.css(
        'a[href*="page_content_list_view/more"]::attr(href), #see_more_pager a::attr(href), #m_more_item a::attr(href)'
    ).get()
    next_url = urljoin(url, more) if more else None
    if answer is None and not records and not next_url and not sel.css("#pages_msite_body_contents, #structured_composer_async_container"):
        return None
    return PageResult(records=records, next_url=next_url, has_more=bool(next_url), info={"layout": "m"})


# ---------------------------------------------------------------- blocks and the entry point


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
    """Posts from a page or a `more` answer in either layout, the next page (m only), or the block it shows."""
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
