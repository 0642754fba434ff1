"""What every page shares: the request context, the error guard, and how a post is shown.

Post text, snippets and names come from the public web, so they reach the page only HTML-escaped
(`html.escape`) and without invisible controls (`misinfo.safe.visible`: no bidi override can reorder
what an analyst reads) inside `st.html`; the store's snippets are already escaped with `<mark>` as the
only markup. Nothing user-supplied is rendered as Markdown.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from dashboard.auth import LoginThrottle, NotAllowed, User
from dashboard.i18n import label_of, t
from dashboard.queries import (
    cached_facets,
    cached_new_accounts,
    claim_texts,
    narrative_labels,
    open_cached_store,
    store_key,
)
from misinfo import fmt
from misinfo.domain import Evidence, TaggedPost
from misinfo.errors import ConfigError, MisinfoError, QueryError, StoreUnavailable
from misinfo.safe import safe_url, visible
from misinfo.settings import Settings, load_settings
from misinfo.store.base import PostStore, SearchQuery
from misinfo.store.highlight import written_as

CARD_CSS = """
<style>
.mm-card {font-size: 0.95rem; line-height: 1.45;}
.mm-meta {color: #555; font-size: 0.85rem; margin-bottom: 0.25rem;}
.mm-tags span {display: inline-block; background: #e8eef9; color: #1a3e7a; border-radius: 0.6rem;
  padding: 0 0.5rem; margin: 0 0.25rem 0.25rem 0; font-size: 0.8rem;}
.mm-review {background: #fff4e5; border-left: 3px solid #ef6c00; padding: 0.2rem 0.5rem; margin-top: 0.3rem;
  font-size: 0.85rem;}
.mm-review.false, .mm-review.misleading {background: #fdecea; border-color: #c62828;}
.mm-review.accurate {background: #edf7ed; border-color: #2e7d32;}
.mm-claim {background: #fdecea; padding: 0.2rem 0.5rem; margin-top: 0.3rem; font-size: 0.85rem;}
.mm-card mark {background: #ffe08a; padding: 0 1px;}
.mm-ev {font-size: 0.85rem; color: #333;}
.mm-aigc {background: #f3e8fd; border-left: 3px solid #7b1fa2; padding: 0.1rem 0.5rem; margin-top: 0.3rem;
  font-size: 0.85rem;}
.mm-transcript {font-size: 0.9rem; color: #333; white-space: pre-line;}
</style>
"""


@dataclass(frozen=True)
class Ctx:
    """What a page needs: settings, the store (and its cache key), the signed-in user."""

    settings: Settings
    store: PostStore
    key: str
    user: User

    @property
    def version(self) -> str:
        return self.store.version()

    @property
    def tz(self) -> str:
        return self.settings.timezone

    @property
    def labels(self) -> dict[str, str]:
        return narrative_labels(str(self.settings.narratives))


def current_user() -> User | None:
    return st.session_state.get("user")


def context() -> Ctx:
    """Settings, store and user for this run; failures are shown by `guard`."""
    user = current_user()
    if user is None:  # pages are only registered after login; this is a safety net
        st.stop()
    with guard():
        settings = load_settings()
        key = store_key(settings)
        return Ctx(settings, open_cached_store(key, settings), key, user)
    raise AssertionError("unreachable: guard stops the page")


def show_error(exc: MisinfoError) -> None:
    """One clear message in Vietnamese, the technical detail underneath, never a traceback."""
    if isinstance(exc, StoreUnavailable):
        st.error(t("errors.store_down"), icon=":material/error:")
        open_cached_store.clear()  # reconnect on the next run instead of keeping a dead handle
    elif isinstance(exc, QueryError):
        st.warning(t("errors.bad_query"), icon=":material/warning:")
    elif isinstance(exc, NotAllowed):
        st.error(t("errors.not_allowed"), icon=":material/block:")
    elif isinstance(exc, ConfigError):
        st.error(t("errors.config"), icon=":material/error:")
    else:
        st.error(t("errors.generic"), icon=":material/error:")
    st.caption(t("errors.detail", detail=str(exc)))


@contextmanager
def guard(stop: bool = True) -> Iterator[None]:
    """Run a page section; an expected failure becomes a message (and ends the page when `stop`)."""
    try:
        yield
    except MisinfoError as exc:
        show_error(exc)
        if stop:
            st.stop()


def esc(value: object) -> str:
    return html.escape(visible(str(value)), quote=True)


def post_html(tp: TaggedPost, ctx: Ctx, snippet: str | None = None, text_limit: int = 600) -> str:
    """A post as escaped HTML: meta line, narrative chips, text (or the search snippet), review."""
    p = tp.post
    labels = ctx.labels
    meta = t(
        "post.meta",
        when=fmt.datetime_vi(p.created_at, ctx.tz),
        platform=label_of("platform", p.platform),
        source=p.source,
        engagement=fmt.number(p.metrics.engagement),
    )
    chips = "".join(f"<span>{esc(labels.get(n, n))}</span>" for n in tp.narratives) or (
        f"<span>{esc(t('post.untagged'))}</span>"
    )
    if snippet is None:
        text = " ".join(p.text.split())
        body = esc(text if len(text) <= text_limit else text[: text_limit - 1] + "…")
    else:
        body = snippet  # escaped by the store, `<mark>` the only markup
    link = ""
    url = safe_url(p.url)
    if url:
        link = f' · <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(t("common.open"))}</a>'
    parts = [
        '<div class="mm-card">',
        f'<div class="mm-meta">{esc(meta)}{link}</div>',
        f'<div class="mm-tags">{chips}</div>',
        f"<div>{body}</div>",
    ]
    if p.aigc:  # TikTok's own label, as the platform shows it: the deepfakes the analysts look for
        detail = f" · {esc(p.aigc_description)}" if p.aigc_description else ""
        parts.append(f'<div class="mm-aigc">🤖 {esc(t("post.aigc"))}{detail}</div>')
    if p.location_created:
        parts.append(f'<div class="mm-meta">{esc(t("post.location", code=p.location_created))}</div>')
    if tp.claims:
        claims = claim_texts(str(ctx.settings.claims))
        for c in tp.claims:
            info = claims.get(c.claim_id, {})
            parts.append(
                f'<div class="mm-claim">⚠ {esc(t("common.claim"))}: {esc(info.get("text", c.claim_id))}</div>'
            )
    if tp.review:
        r = tp.review
        verdict = label_of("verdict", r.verdict)
        line = f"✔ <b>{esc(verdict)}</b> · {esc(r.reviewer)} · {esc(fmt.datetime_vi(r.reviewed_at, ctx.tz))}"
        if r.narrative:
            line += f" · {esc(labels.get(r.narrative, r.narrative))}"
        if r.note:
            line += f"<br>{esc(t('post.review_note', note=r.note))}"
        parts.append(f'<div class="mm-review {esc(r.verdict)}">{line}</div>')
    copies = group_size(tp, ctx)
    if copies > 1:  # every post has a group id; only a group with copies is a copy-paste group
        parts.append(f'<div class="mm-meta">{esc(t("post.dup_group", group=tp.dup_group, n=fmt.number(copies)))}</div>')
    parts.append("</div>")
    return "".join(parts)


def group_size(tp: TaggedPost, ctx: Ctx) -> int:
    """Posts in this post's near-duplicate group (cached per store version)."""
    if not tp.dup_group:
        return 0
    query = SearchQuery(dup_groups=(tp.dup_group,))
    counts = cached_facets(ctx.store, ctx.key, ctx.version, query, "dup_group", 1)
    return counts[0][1] if counts else 1


def _written(tp: TaggedPost, e: Evidence) -> str:
    """For a phrase the post writes otherwise (split, look-alike letters, leet): how it writes it; and
    whether the video's transcript, not the caption, said it."""
    where = " " + t("post.evidence_transcript") if e.part == "transcript" else ""
    if e.kind != "phrase" or e.value.startswith(("[", "≠")):
        return where
    spoken = tp.post.transcript.text if e.part == "transcript" and tp.post.transcript else None
    written = written_as(spoken if spoken is not None else tp.post.text, e.value)
    if written is None or written == e.value or visible(written).lower() == e.value.lower():
        return where
    return where + " " + t("post.evidence_written", text=visible(written))


def evidence_lines(tp: TaggedPost, ctx: Ctx) -> list[str]:
    """One line per tag: the narrative, its score, and the evidence the tagger recorded."""
    out = []
    for tag in tp.tags:
        label = ctx.labels.get(tag.narrative, tag.narrative)
        score = fmt.number(tag.score, 2)
        if tag.evidence:
            items = "; ".join(
                f"{label_of('evidence', e.kind)} «{e.value}»{_written(tp, e)} ({fmt.number(e.weight, 2)})"
                for e in tag.evidence
            )
            out.append(t("post.evidence_row", narrative=label, score=score, items=items))
        else:
            out.append(t("post.evidence_none", narrative=label, score=score))
    claims = claim_texts(str(ctx.settings.claims))
    for c in tp.claims:
        info = claims.get(c.claim_id, {})
        out.append(
            t(
                "post.claim_row",
                text=info.get("text", c.claim_id),
                source=info.get("source", ""),
                score=fmt.number(c.score, 2),
            )
        )
    return out


def transcript_html(tp: TaggedPost, match: str = "") -> str:
    """What the video says, escaped; with the search's marked excerpt first when the query matched there."""
    spoken = tp.post.transcript
    if spoken is None:
        return ""
    full = esc(spoken.text)
    if not match:
        return f'<div class="mm-transcript">{full}</div>'
    if not match.startswith("…") and not match.endswith("…"):  # the excerpt is the whole transcript
        return f'<div class="mm-transcript">{match}</div>'
    return (f'<div class="mm-transcript"><b>{esc(t("post.transcript_match"))}</b> {match}<br><br>'
            f'<b>{esc(t("post.transcript_full"))}</b><br>{full}</div>')


def post_card(tp: TaggedPost, ctx: Ctx, snippet: str | None = None, evidence: bool = True, transcript_snippet: str = "") -> None:
    """A bordered card for one post, with what its video says folded under the caption, and its tag
    evidence and claim matches one click away. `transcript_snippet` (escaped by the store, `<mark>` its
    only markup) opens the transcript when the search matched there."""
    with st.container(border=True):
        st.html(post_html(tp, ctx, snippet))
        spoken = tp.post.transcript
        if spoken is not None:
            source = label_of("transcript_source", spoken.source or "other")
            title = t("post.transcript", source=source, language=spoken.language or "?")
            with st.expander(title, expanded=bool(transcript_snippet), icon=":material/record_voice_over:"):
                st.html(transcript_html(tp, transcript_snippet))
        if evidence and (tp.tags or tp.claims):
            with st.expander(t("post.evidence")):
                st.html('<div class="mm-ev">' + "<br>".join(esc(line) for line in evidence_lines(tp, ctx)) + "</div>")


T = TypeVar("T")


def boxed_section(
    title: str, items: Sequence[T], empty: str, on_empty: Callable[[str], Any] = st.caption
) -> Iterator[T]:
    """A page section: its heading, `empty` when there is nothing to show, else each item in its own
    bordered box (the caller's loop body draws inside it)."""
    st.subheader(title)
    if not items:
        on_empty(empty)
    for item in items:
        with st.container(border=True):
            yield item


def new_accounts_section(ctx: Ctx, since: datetime, until: datetime, limit: int = 10) -> None:
    """Accounts the archive first met in [since, until), per narrative: handle, platform, first seen, posts.

    Handles and counts from public posts only; nothing about the person behind an account.
    """
    with guard(stop=False):
        found = cached_new_accounts(ctx.store, ctx.key, ctx.version, tuple(ctx.labels), since, until, limit)
        groups = [(ctx.labels[n], accounts) for n, accounts in found.items()]
        for label, accounts in boxed_section(t("accounts.title"), groups, t("accounts.none")):
            st.markdown(f"**{esc(label)}**")
            st.dataframe(pd.DataFrame([{
                t("accounts.col_handle"): a.handle,
                t("accounts.col_platform"): label_of("platform", a.platform),
                t("accounts.col_first_seen"): fmt.datetime_vi(a.first_seen, ctx.tz),
                t("accounts.col_posts"): fmt.number(a.posts),
            } for a in accounts]), hide_index=True, width="stretch")  # fmt: skip
        st.caption(t("accounts.caption", since=fmt.datetime_vi(since, ctx.tz), until=fmt.datetime_vi(until, ctx.tz)))


def inject_css() -> None:
    st.html(CARD_CSS)


@st.cache_resource(show_spinner=False)
def login_throttle(max_failures: int, lockout_minutes: float) -> LoginThrottle:
    """One throttle per dashboard process, shared by every browser session."""
    return LoginThrottle(max_failures, timedelta(minutes=lockout_minutes))


def login(settings: Settings, username: str, password: str) -> str | None:
    """Check the password; on success keep the user in this browser session and return None, else
    the message to show. Every outcome is audited; a name with too many wrong passwords is locked."""
    from dashboard.auth import authenticate
    from misinfo.audit import audit

    throttle = login_throttle(settings.login_max_failures, settings.login_lockout_minutes)
    name = (username or "").strip()[:64]
    wait = throttle.locked_for(name)
    if wait is not None:
        audit(settings.home, who=name, action="login_locked")
        return t("login.locked", minutes=max(1, math.ceil(wait.total_seconds() / 60)))
    user = authenticate(settings, username, password)
    if user is None:
        throttle.failed(name)
        audit(settings.home, who=name, action="login_failed")
        return t("login.wrong")
    throttle.succeeded(name)
    st.session_state["user"] = user
    audit(settings.home, who=user.username, action="login", role=user.role)
    return None


def logout() -> None:
    from misinfo.audit import audit

    user = st.session_state.pop("user", None)
    if user is not None:
        audit(load_settings().home, who=user.username, action="logout")
