"""One alerts run: evaluate every rule for an hour, record what fires, deliver everything still owed.

`misinfo.jobs.check_alerts` calls this for the `misinfo_collect` DAG (after processing) and for
`misinfo alerts check`. Order matters for "never twice, never lost":

1. under a file lock (a manual run beside Airflow's waits), read the state;
2. evaluate each rule not yet evaluated for this hour (a rerun or backfill decides nothing new);
3. write the state with the new alerts as pending *before* sending anything;
4. deliver every pending (alert, channel) the sent-alert log does not already hold; a channel that
   fails is skipped for the rest of this run (others go on) and retried next run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from misinfo.alerts import channels as ch
from misinfo.alerts.evaluate import (
    TOP_POSTS,
    Matches,
    burst_findings,
    campaign_findings,
    claim_matches,
    saved_matches,
)
from misinfo.alerts.rules import (
    AlertsConfig,
    CampaignRule,
    ClaimRule,
    NarrativeBurstRule,
    SavedSearchRule,
    load_rules,
)
from misinfo.alerts.state import (
    Alert,
    AlertState,
    lock_path,
    log_event,
    make_alert,
    open_episodes,
    sent_pairs,
    take_new,
)
from misinfo.domain import utcnow
from misinfo.errors import ConfigError, MisinfoError
from misinfo.settings import Settings
from misinfo.state import file_lock
from misinfo.store.base import PostStore
from misinfo.trends import PostSummary, floor_hour


@dataclass
class CheckReport:
    at: datetime
    dry_run: bool = False
    fired: list[Alert] = field(default_factory=list)
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (alert id, channel, detail)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (alert id, channel, error)
    gave_up: list[tuple[str, str, str]] = field(default_factory=list)
    pending: int = 0  # deliveries still owed after this run
    skipped: list[str] = field(default_factory=list)  # rules already evaluated for this hour
    problems: dict[str, str] = field(default_factory=dict)  # saved search id → why it could not run
    misconfigured: set[str] = field(default_factory=set)  # channels that failed for a config problem

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "fired": [{"id": a.id, "rule": a.rule, "kind": a.kind, "subject": a.subject,
                       "channels": list(a.channels)} for a in self.fired],  # fmt: skip
            "sent": [list(x) for x in self.sent],
            "failed": [list(x) for x in self.failed],
            "gave_up": [list(x) for x in self.gave_up],
            "pending": self.pending,
            "skipped": self.skipped,
            "problems": self.problems,
        }


def _new_posts_alert(rule: ClaimRule | SavedSearchRule, m: Matches, fresh: list[PostSummary], at: datetime,
                     channels: Sequence[str]) -> Alert:  # fmt: skip
    numbers = {"new_posts": len(fresh), "posts_in_lookback": len(m.posts),
               "lookback_hours": int(rule.lookback.total_seconds() // 3600), **m.details}  # fmt: skip
    top = sorted(fresh, key=lambda p: (-p.engagement, p.created_at))[:TOP_POSTS]
    return make_alert(rule, m.subject, m.title, at, numbers, top, (p.key for p in fresh), channels)


def evaluate_rules(
    config: AlertsConfig, store: PostStore, state: AlertState, at: datetime, *, labels: Mapping[str, str],
    registry: Any, searches: Sequence[Any], report: CheckReport,
) -> list[Alert]:  # fmt: skip
    """The alerts that fire at `at`, updating `state` (episodes, seen posts, last evaluated hour)."""
    alerts: list[Alert] = []
    for rule in config.active_rules:
        if state.already_evaluated(rule.id, at):
            report.skipped.append(rule.id)
            continue
        to = [c for c in rule.channels if (channel := config.channel(c)) is not None and channel.enabled]
        if isinstance(rule, NarrativeBurstRule | CampaignRule):
            findings = (burst_findings(store, rule, at, labels) if isinstance(rule, NarrativeBurstRule)
                        else campaign_findings(store, rule, at))  # fmt: skip
            for f in open_episodes(state, rule, findings, at):
                alerts.append(make_alert(rule, f.subject, f.title, at, f.numbers, f.posts, f.keys, to))
        else:
            if isinstance(rule, ClaimRule):
                matches = claim_matches(store, rule, at, registry)
            else:
                matches, failed = saved_matches(store, rule, at, searches)
                report.problems.update(failed)
            for m, fresh in take_new(state, rule, matches, at):
                alerts.append(_new_posts_alert(rule, m, fresh, at, to))
        state.mark_evaluated(rule.id, at)
    return alerts


def deliver_pending(settings: Settings, config: AlertsConfig, state: AlertState, report: CheckReport,
                    get_connection: ch.GetConnection | None = None) -> None:  # fmt: skip
    """Send every pending (alert, channel) not already in the sent log; keep what failed for next run."""
    home = settings.home
    sent = sent_pairs(home)
    down: set[str] = set()
    now = utcnow()
    keep = []
    for entry in state.pending:
        alert = Alert.from_json(entry["alert"])
        if not entry.get("logged"):
            log_event(home, "fired", alert=entry["alert"])
            entry["logged"] = True
        todo = []
        for cid in entry.get("todo", []):
            if (alert.id, cid) in sent:
                continue
            channel = config.channel(cid)
            why = None
            if channel is None or not channel.enabled:
                why = f"channel {cid!r} is no longer configured (or disabled) in {settings.alerts}"
            elif now - alert.fired_at > config.give_up_after:
                why = f"undelivered for longer than give_up_after ({config.give_up_after})"
            if why is not None:
                log_event(home, "gave_up", alert=alert.id, channel=cid, error=why)
                report.gave_up.append((alert.id, cid, why))
                continue
            assert channel is not None
            if cid in down:
                todo.append(cid)
                continue
            try:
                detail = ch.send(settings, channel, alert, get_connection)
            except MisinfoError as exc:
                if isinstance(exc, ConfigError):
                    report.misconfigured.add(cid)
                log_event(home, "failed", alert=alert.id, channel=cid, error=str(exc))
                report.failed.append((alert.id, cid, str(exc)))
                down.add(cid)
                todo.append(cid)
                continue
            log_event(home, "sent", alert=alert.id, channel=cid, detail=detail)
            report.sent.append((alert.id, cid, detail))
        if todo:
            keep.append({**entry, "todo": todo})
    state.pending = keep
    report.pending = sum(len(e["todo"]) for e in keep)


def check(
    settings: Settings, store: PostStore, at: datetime, *, dry_run: bool = False,
    get_connection: ch.GetConnection | None = None,
) -> CheckReport:  # fmt: skip
    """Evaluate the rules for the hour ending at `at` (floored) and deliver; `dry_run` sends and writes nothing."""
    from misinfo.alerts.saved import load_saved
    from misinfo.digest.compose import narrative_labels
    from nlp.claims import load_registry

    config = load_rules(settings.alerts)
    at = floor_hour(at)
    report = CheckReport(at=at, dry_run=dry_run)
    kinds = {r.kind for r in config.active_rules}
    labels = narrative_labels(settings) if "narrative_burst" in kinds else {}
    registry = load_registry(settings.claims) if "claim" in kinds else None
    searches = load_saved(settings.home) if "saved_search" in kinds else []
    with file_lock(lock_path(settings.home)):
        state = AlertState.load(settings.home)
        fired = evaluate_rules(config, store, state, at, labels=labels, registry=registry, searches=searches,
                               report=report)  # fmt: skip
        report.fired = fired
        if dry_run:
            report.pending = sum(len(e.get("todo", [])) for e in state.pending) + sum(len(a.channels) for a in fired)
            return report
        state.pending += [{"alert": a.to_json(), "todo": list(a.channels), "logged": False} for a in fired]
        state.forget_old(at)
        state.save(settings.home)  # decided before anything is sent: a crash from here on never re-fires
        if state.pending:
            deliver_pending(settings, config, state, report, get_connection)
            state.save(settings.home)
    return report
