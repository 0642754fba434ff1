"""What the dashboard writes: reviews (review log first, then the store), saved searches, audit records."""

from __future__ import annotations

from pathlib import Path

from dashboard.auth import NotAllowed, User
from dashboard.queries import query_details
from misinfo.alerts.saved import SavedSearch, add_saved, attach, current_matches, get_saved, remove_saved
from misinfo.audit import audit
from misinfo.domain import VERDICTS, Review, utcnow
from misinfo.pipeline import record_review
from misinfo.store.base import PostStore, SearchQuery


def save_review(
    home: Path, store: PostStore, user: User, post_key: str, verdict: str, narrative: str | None, note: str
) -> bool:
    """Record an analyst's verdict; True when the post was in the store (it is logged either way).

    Goes through `misinfo.pipeline.record_review`, so the review survives a reindex and feeds
    `misinfo nlp train`; the audit log gets who, when, which post and what verdict.
    """
    if not user.can_review:
        raise NotAllowed(f"user {user.username!r} ({user.role}) may not review posts")
    if verdict not in VERDICTS:
        raise NotAllowed(f"unknown verdict {verdict!r}")
    review = Review(
        post_key=post_key,
        verdict=verdict,
        reviewer=user.username,
        reviewed_at=utcnow(),
        narrative=narrative or None,
        note=(note or "").strip()[:2000],
    )
    found = record_review(home, store, review)
    audit(home, who=user.username, action="review", post=post_key, verdict=verdict, narrative=narrative,
          note=review.note, found=found)  # fmt: skip
    return found


def audit_search(home: Path, user: User, query: SearchQuery, total: int) -> None:
    audit(home, who=user.username, action="search", total=total, **query_details(query))


def _alert_rule(rules_path: Path, rule_id: str | None, store: PostStore,
                query: SearchQuery) -> tuple[str | None, tuple[str, ...]]:  # fmt: skip
    """The rule (which must be a saved-search rule of the rules file) and the search's current matches
    within its lookback: those are never "new" for the rule."""
    if not rule_id:
        return None, ()
    from misinfo.alerts.rules import SavedSearchRule, load_rules

    rule = load_rules(rules_path).rule(rule_id)
    if not isinstance(rule, SavedSearchRule):
        raise NotAllowed(f"{rule_id!r} is not a saved-search alert rule")
    return rule_id, current_matches(store, query, rule.lookback)


def _mine(user: User, search: SavedSearch) -> None:
    if search.owner != user.username and not user.can_manage_users:
        raise NotAllowed(f"saved search {search.id!r} belongs to {search.owner!r}")


def save_search(home: Path, rules_path: Path, store: PostStore, user: User, name: str, query: SearchQuery,
                rule_id: str | None = None) -> SavedSearch:  # fmt: skip
    """Keep the query and its filters under `name`, owned by the user, optionally attached to an alert rule."""
    if not user.can_save_searches:
        raise NotAllowed(f"user {user.username!r} ({user.role}) may not save searches")
    rule, baseline = _alert_rule(rules_path, rule_id, store, query)
    search = add_saved(home, user.username, name, query, alert_rule=rule, baseline=baseline)
    audit(home, who=user.username, action="save_search", search=search.id, name=search.name, alert_rule=rule,
          **query_details(query))  # fmt: skip
    return search


def attach_search(home: Path, rules_path: Path, store: PostStore, user: User, search_id: str,
                  rule_id: str | None) -> SavedSearch:  # fmt: skip
    """Attach a saved search to an alert rule (None detaches); only its owner or an admin may."""
    search = get_saved(home, search_id)
    _mine(user, search)
    rule, baseline = _alert_rule(rules_path, rule_id, store, search.query())
    changed = attach(home, search_id, rule, baseline)
    audit(home, who=user.username, action="attach_search", search=search_id, alert_rule=rule)
    return changed


def delete_search(home: Path, user: User, search_id: str) -> None:
    search = get_saved(home, search_id)
    _mine(user, search)
    remove_saved(home, search_id)
    audit(home, who=user.username, action="delete_search", search=search_id, name=search.name)
