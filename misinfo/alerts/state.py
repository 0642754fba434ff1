"""Alert state: episodes and cool-downs, posts already alerted, deliveries still owed, and the sent-alert log.

Two files under `HOME/state/`:

- `alerts.json`, rewritten atomically each run, is what decisions read: per rule and subject when the
  condition last held and when it last fired, which posts a new-posts rule already alerted on (within its
  lookback), the hour each rule was last evaluated, and the alerts not yet delivered to every channel.
  It is written *before* anything is sent, so a crash never makes an episode fire twice.
- `alert-log.jsonl`, append-only like the digest log: `fired`, then per channel `sent`, `failed` or
  `gave_up`. A `sent` record is checked before every delivery, so a rerun, a retry or a backfill never
  sends an alert to a channel twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from misinfo.alerts.evaluate import Finding, Matches
from misinfo.alerts.rules import AnyRule, ClaimRule, SavedSearchRule
from misinfo.domain import utcnow
from misinfo.state import append_jsonl, read_json, read_jsonl, write_json
from misinfo.trends import PostSummary

FORGET_AFTER = timedelta(days=30)  # the longest lookback; a subject quiet this long is dropped from the state


def state_path(home: Path) -> Path:
    return Path(home) / "state" / "alerts.json"


def log_path(home: Path) -> Path:
    return Path(home) / "state" / "alert-log.jsonl"


def lock_path(home: Path) -> Path:
    return Path(home) / "state" / "alerts.lock"


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def post_json(p: PostSummary) -> dict[str, Any]:
    return {"key": p.key, **p.to_json()}


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert as decided, kept as is until every channel has it (a retry sends the same message)."""

    id: str
    rule: str
    kind: str
    rule_label: str
    subject: str
    title: str
    at: datetime  # the evaluated hour
    fired_at: datetime
    numbers: dict[str, Any]
    posts: tuple[dict[str, Any], ...]  # the top posts (post_json)
    keys: tuple[str, ...]  # every post the alert is about
    channels: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "rule": self.rule, "kind": self.kind, "rule_label": self.rule_label,
                "subject": self.subject, "title": self.title, "at": self.at.isoformat(),
                "fired_at": self.fired_at.isoformat(), "numbers": self.numbers, "posts": list(self.posts),
                "keys": list(self.keys), "channels": list(self.channels)}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        return cls(id=data["id"], rule=data["rule"], kind=data["kind"], rule_label=data.get("rule_label", ""),
                   subject=data["subject"], title=data.get("title", ""), at=_dt(data["at"]),
                   fired_at=_dt(data["fired_at"]), numbers=dict(data.get("numbers") or {}),
                   posts=tuple(data.get("posts") or ()), keys=tuple(data.get("keys") or ()),
                   channels=tuple(data.get("channels") or ()))  # fmt: skip


def make_alert(rule: AnyRule, subject: str, title: str, at: datetime, numbers: dict[str, Any],
               posts: Iterable[PostSummary], keys: Iterable[str], channels: Iterable[str]) -> Alert:
    """The id names the rule, subject and hour: the same decision always has the same id."""
    return Alert(id=f"{rule.id}:{subject}:{at:%Y%m%dT%H}", rule=rule.id, kind=rule.kind,
                 rule_label=rule.label or rule.id, subject=subject, title=title, at=at, fired_at=utcnow(),
                 numbers=numbers, posts=tuple(post_json(p) for p in posts), keys=tuple(keys),
                 channels=tuple(channels))  # fmt: skip


@dataclass
class AlertState:
    evaluated: dict[str, str] = field(default_factory=dict)  # rule id → last evaluated hour
    subjects: dict[str, dict[str, Any]] = field(default_factory=dict)  # "rule|subject" → last_true, last_fired, seen
    pending: list[dict[str, Any]] = field(default_factory=list)  # {"alert": {...}, "todo": [channel ids]}

    @classmethod
    def load(cls, home: Path) -> AlertState:
        data = read_json(state_path(home), {})
        return cls(dict(data.get("evaluated") or {}), dict(data.get("subjects") or {}), list(data.get("pending") or []))

    def save(self, home: Path) -> None:
        write_json(state_path(home), {"version": 1, "evaluated": self.evaluated, "subjects": self.subjects,
                                      "pending": self.pending})  # fmt: skip

    def subject(self, rule_id: str, subject: str) -> dict[str, Any]:
        return self.subjects.setdefault(f"{rule_id}|{subject}", {})

    def already_evaluated(self, rule_id: str, at: datetime) -> bool:
        """A rerun or a backfill of an hour at or before the last one evaluated: decide nothing new."""
        last = self.evaluated.get(rule_id)
        return last is not None and at <= _dt(last)

    def mark_evaluated(self, rule_id: str, at: datetime) -> None:
        self.evaluated[rule_id] = at.isoformat()

    def forget_old(self, at: datetime) -> None:
        """Drop what no rule can need again: posts seen longer ago than any lookback, quiet subjects."""
        for key in list(self.subjects):
            s = self.subjects[key]
            seen = s.get("seen") or {}
            for k in [k for k, v in seen.items() if at - _dt(v) > FORGET_AFTER]:
                del seen[k]
            last = max((_dt(v) for k, v in s.items() if k in ("last_true", "last_fired") and v), default=None)
            if not s.get("seen") and (last is None or at - last > FORGET_AFTER):
                del self.subjects[key]


def open_episodes(state: AlertState, rule: AnyRule, findings: Iterable[Finding], at: datetime) -> list[Finding]:
    """The findings that start an episode: the condition holds and was last true more than the cool-down
    ago (or never). Every holding subject's `last_true` moves to `at`, so a continuing burst stays silent."""
    cooldown: timedelta = rule.cooldown
    out = []
    for f in findings:
        s = state.subject(rule.id, f.subject)
        last = s.get("last_true")
        if last is None or at - _dt(last) > cooldown:
            out.append(f)
            s["last_fired"] = at.isoformat()
        s["last_true"] = at.isoformat()
    return out


def take_new(
    state: AlertState, rule: ClaimRule | SavedSearchRule, matches: Iterable[Matches], at: datetime
) -> list[tuple[Matches, list[PostSummary]]]:
    """Per subject, the posts not alerted on before, when there are at least `min_new_posts` of them and
    the cool-down since the last alert has passed; those posts are then remembered as alerted."""
    lookback, minimum = rule.lookback, rule.min_new_posts
    out = []
    for m in matches:
        s = state.subject(rule.id, m.subject)
        seen: dict[str, str] = s.setdefault("seen", {})
        for key in [k for k, v in seen.items() if _dt(v) < at - lookback]:
            del seen[key]  # out of the lookback: it can never match again
        fresh = [p for k, p in m.posts.items() if k not in seen and k not in m.known]
        if len(fresh) < minimum:
            continue
        last = s.get("last_fired")
        if last is not None and at - _dt(last) < rule.cooldown:
            continue
        fresh.sort(key=lambda p: (p.created_at, p.key))
        seen.update({p.key: p.created_at.isoformat() for p in fresh})
        s["last_fired"] = at.isoformat()
        out.append((m, fresh))
    return out


# ----------------------------------------------------------------------------------------- the log


def log_event(home: Path, event: str, **fields: Any) -> None:
    append_jsonl(log_path(home), {"event": event, "logged_at": utcnow().isoformat(), **fields})


def sent_pairs(home: Path) -> set[tuple[str, str]]:
    """(alert id, channel) of every delivery a server accepted."""
    return {(r["alert"], r["channel"]) for r in read_jsonl(log_path(home)) if r.get("event") == "sent"}


def recent_alerts(home: Path, since: datetime | None = None, alert_id: str | None = None) -> list[dict[str, Any]]:
    """Fired alerts (newest first), each with `deliveries`: channel → the latest record about it."""
    fired: dict[str, dict[str, Any]] = {}
    for r in read_jsonl(log_path(home)):
        if r.get("event") == "fired":
            alert = r.get("alert") or {}
            if alert_id is not None and alert.get("id") != alert_id:
                continue
            if since is not None and _dt(alert.get("at", "1970-01-01T00:00:00+00:00")) < since:
                continue
            fired[alert["id"]] = {**alert, "deliveries": {c: {"status": "pending"} for c in alert.get("channels", [])}}
        elif r.get("alert") in fired and r.get("channel"):
            fired[r["alert"]]["deliveries"][r["channel"]] = {k: v for k, v in r.items() if k not in ("alert", "channel")}
            fired[r["alert"]]["deliveries"][r["channel"]]["status"] = r["event"]
    return sorted(fired.values(), key=lambda a: (a["at"], a["fired_at"]), reverse=True)
