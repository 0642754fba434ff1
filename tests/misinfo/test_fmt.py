"""Vietnamese number and date formats as the digest shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from misinfo import fmt


def test_numbers_use_dot_grouping_and_comma_decimals():
    assert fmt.number(1234) == "1.234"
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.number(1.5, 1) == "1,5"
    assert fmt.number(0) == "0"
    assert fmt.number(None) == "–"
    assert fmt.signed(12) == "+12" and fmt.signed(-3) == "−3" and fmt.signed(0) == "0"
    assert fmt.percent(1.5) == "+150%" and fmt.percent(None) == "–"


def test_dates_in_ho_chi_minh_time():
    utc = datetime(2026, 11, 4, 17, 30, tzinfo=UTC)  # 00:30 on the 5th in Vietnam (UTC+7)
    assert fmt.datetime_vi(utc) == "00:30 05/11/2026"
    assert fmt.time_vi(utc) == "00:30"
    assert fmt.date_vi(date(2026, 11, 5)) == "05/11/2026"
    assert fmt.long_date_vi(date(2026, 11, 5)) == "Thứ Năm, 05/11/2026"


def test_durations():
    assert fmt.duration_vi(0.5) == "dưới 1 phút"
    assert fmt.duration_vi(45) == "45 phút"
    assert fmt.duration_vi(150) == "2,5 giờ"
    assert fmt.duration_vi(60 * 72) == "3,0 ngày"
