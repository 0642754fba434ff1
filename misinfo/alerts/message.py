"""An alert as a short Vietnamese message: the numbers, up to three top posts, a link to the dashboard.

Plain text only (email text/plain, Telegram without parse_mode): post text comes from the public web,
and plain text is inert everywhere it lands. The webhook's JSON carries the same text plus the data.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from misinfo import fmt
from misinfo.alerts.state import Alert
from misinfo.domain import utcnow

SUBJECT_PREFIX = "[Cảnh báo sớm]"
TELEGRAM_LIMIT = 4096
FOOTER = "Cảnh báo tự động của hệ thống giám sát thông tin sai lệch; mỗi đợt chỉ gửi một lần."


def dashboard_link(base_url: str, alert_id: str) -> str:
    """The dashboard's Cảnh báo page, showing this alert and exactly its posts."""
    return f"{base_url.rstrip('/')}/alerts?id={quote(alert_id, safe='')}"


def title(alert: Alert) -> str:
    n = alert.numbers
    if alert.kind == "narrative_burst":
        return (f"Chủ đề «{alert.title}» tăng đột biến: {fmt.number(n['count'])} bài trong {n['window_hours']} giờ "
                f"(nền {fmt.number(n['baseline'], 1)}; điểm {fmt.number(n['score'], 1)})")  # fmt: skip
    if alert.kind == "campaign":
        return (f"Nội dung sao chép lan rộng: {fmt.number(n['posts'])} bài từ {fmt.number(n['accounts'])} "
                f"tài khoản trong {fmt.duration_vi(n['spread_minutes'])}")  # fmt: skip
    if alert.kind == "claim":
        return f"Tin sai đã kiểm chứng được đăng lại: {fmt.number(n['new_posts'])} bài mới"
    return f"Tìm kiếm đã lưu «{alert.title}»: {fmt.number(n['new_posts'])} bài mới"


def details(alert: Alert) -> list[str]:
    n = alert.numbers
    if alert.kind == "narrative_burst":
        growth = f", tăng {fmt.percent(n['growth'])}" if n.get("growth") is not None else ""
        spread = (f" từ {fmt.number(n['accounts'])} tài khoản, {fmt.number(n['sources'])} nguồn"
                  if n.get("accounts") else "")  # fmt: skip
        return [f"{fmt.number(n['count'])} bài{spread} trong {n['window_hours']} giờ qua; trung bình cùng khung giờ các ngày "
                f"trước: {fmt.number(n['baseline'], 1)}{growth}; điểm bùng phát {fmt.number(n['score'], 1)} "
                f"(ngưỡng {fmt.number(n['threshold'], 1)})."]  # fmt: skip
    if alert.kind == "campaign":
        return [f"{fmt.number(n['posts'])} bài gần như giống hệt nhau từ {fmt.number(n['accounts'])} tài khoản, "
                f"{fmt.number(n['sources'])} nguồn, trong {n['window_hours']} giờ qua."]  # fmt: skip
    if alert.kind == "claim":
        lines = [f"Nội dung sai: «{n.get('claim_text') or alert.subject}»"]
        if n.get("source"):
            lines.append(f"Đã được kiểm chứng bởi {n['source']}: {n.get('source_url', '')}")
        lines.append(f"{fmt.number(n['new_posts'])} bài mới; {fmt.number(n['posts_in_lookback'])} bài "
                     f"trong {n['lookback_hours']} giờ qua.")  # fmt: skip
        return lines
    return [f"Từ khoá: «{n.get('query') or '(mọi bài)'}»; {fmt.number(n['new_posts'])} bài mới, "
            f"{fmt.number(n['posts_in_lookback'])} bài trong {n['lookback_hours']} giờ qua."]  # fmt: skip


def body(alert: Alert, dashboard_url: str, tz: str) -> str:
    """The message text: what, the numbers, top posts (time, source, engagement, excerpt, link), dashboard link."""
    lines = [title(alert), *details(alert), f"Thời điểm đánh giá: {fmt.datetime_vi(alert.at, tz)} (quy tắc {alert.rule_label})."]
    if alert.posts:
        lines.append("")
        lines.append("Bài tiêu biểu:")
        for i, p in enumerate(alert.posts, start=1):
            when = fmt.datetime_vi(datetime.fromisoformat(p["created_at"]), tz)
            lines.append(f"{i}. {when} · {p['source']} · {fmt.number(p['engagement'])} tương tác")
            lines.append(f"   {p['excerpt'][:200]}")
            if p.get("url"):
                lines.append(f"   {p['url']}")
    lines += ["", f"Xem trên bảng điều khiển: {dashboard_link(dashboard_url, alert.id)}", "--", FOOTER]
    return "\n".join(lines)


def subject_line(alert: Alert) -> str:
    return f"{SUBJECT_PREFIX} {title(alert)}"


def webhook_json(alert: Alert, dashboard_url: str, tz: str) -> bytes:
    """The generic webhook body (the exact bytes that are signed)."""
    payload: dict[str, Any] = {
        "type": "misinfo.alert",
        "version": 1,
        "id": alert.id,
        "rule": alert.rule,
        "kind": alert.kind,
        "subject": alert.subject,
        "title": title(alert),
        "text": body(alert, dashboard_url, tz),
        "at": alert.at.isoformat(),
        "fired_at": alert.fired_at.isoformat(),
        "sent_at": utcnow().isoformat(),
        "numbers": alert.numbers,
        "posts": list(alert.posts),
        "post_keys": list(alert.keys),
        "dashboard_url": dashboard_link(dashboard_url, alert.id),
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def telegram_json(alert: Alert, chat_id: str, dashboard_url: str, tz: str) -> bytes:
    """A Bot API `sendMessage` body: plain text (no parse_mode, so post text stays inert), no link previews."""
    text = body(alert, dashboard_url, tz)
    if len(text) > TELEGRAM_LIMIT:
        text = text[: TELEGRAM_LIMIT - 1] + "…"
    payload = {"chat_id": chat_id, "text": text, "link_preview_options": {"is_disabled": True}}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
