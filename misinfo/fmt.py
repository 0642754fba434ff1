"""Vietnamese formatting for what people read (digest, CLI tables): numbers `1.234`, `1,5`, local dates.

Babel holds the CLDR rules for the `vi` locale, so separators and weekday names are not hand-written.
Times are stored in UTC and shown in the configured zone (default Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _format_date
from babel.numbers import format_decimal

LOCALE = "vi"
DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def number(value: int | float | None, digits: int = 0) -> str:
    """`1234` → `1.234`, `1.5` → `1,5` (digits=1); None → `–` (the page did not show it)."""
    if value is None:
        return "–"
    if digits <= 0:
        return format_decimal(round(value), format="#,##0", locale=LOCALE)
    return format_decimal(value, format="#,##0." + "0" * digits, locale=LOCALE)


def signed(value: int | float, digits: int = 0) -> str:
    """A change with its sign: `+12`, `−3`, `0`."""
    text = number(abs(value), digits)
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return text


def percent(ratio: float | None) -> str:
    """Growth ratio `1.5` → `+150%`; None (baseline too small for a ratio) → `–`."""
    if ratio is None:
        return "–"
    return signed(ratio * 100) + "%"


def local(value: datetime, tz: str = DEFAULT_TZ) -> datetime:
    return value.astimezone(ZoneInfo(tz))


def datetime_vi(value: datetime, tz: str = DEFAULT_TZ) -> str:
    """`08:30 05/11/2026` in the local zone."""
    return local(value, tz).strftime("%H:%M %d/%m/%Y")


def time_vi(value: datetime, tz: str = DEFAULT_TZ) -> str:
    return local(value, tz).strftime("%H:%M")


def date_vi(value: date) -> str:
    """`05/11/2026`."""
    return value.strftime("%d/%m/%Y")


def long_date_vi(value: date) -> str:
    """`Thứ Năm, 05/11/2026`."""
    return _format_date(value, "EEEE, dd/MM/yyyy", locale=LOCALE)


def duration_vi(minutes: float | None) -> str:
    """A time span in words people use: `45 phút`, `2,5 giờ`, `3 ngày`."""
    if minutes is None:
        return "–"
    if minutes < 1:
        return "dưới 1 phút"
    if minutes < 90:
        return f"{number(minutes)} phút"
    hours = minutes / 60
    if hours < 48:
        return f"{number(hours, 1 if hours < 10 else 0)} giờ"
    return f"{number(hours / 24, 1)} ngày"
