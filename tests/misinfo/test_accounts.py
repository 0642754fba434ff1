"""Newly seen accounts per narrative, on a real SQLite store (the aggregations are contract-tested on both)."""

from __future__ import annotations

from datetime import timedelta

from misinfo.accounts import NewAccount, newly_seen_accounts
from misinfo.store.sqlite import SqliteStore
from tests.factories import T0, make_tagged


def test_only_accounts_first_seen_in_the_window_with_their_posts_about_the_narrative(tmp_path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    merger = ("province_merger",)
    store.upsert([
        make_tagged(1, "bài cũ, chuyện khác", author="acc_cu", hours=-100),  # known for days: not new
        make_tagged(2, "sáp nhập tỉnh", narratives=merger, author="acc_cu", hours=3),
        make_tagged(3, "sáp nhập tỉnh!!", narratives=merger, author="acc_moi", hours=2),
        make_tagged(4, "sáp nhập xã", narratives=merger, author="acc_moi", hours=5),
        make_tagged(5, "lừa đảo trước đó", narratives=("scam_extortion",), author="acc_moi", hours=1),
        make_tagged(6, "sáp nhập huyện", narratives=merger, author="acc_moi2", hours=6),
        make_tagged(7, "lừa đảo", narratives=("scam_extortion",), author="acc_khac", hours=4),
        make_tagged(8, "sáp nhập, nhưng sau cửa sổ", narratives=merger, author="acc_sau", hours=30),
    ])  # fmt: skip
    got = newly_seen_accounts(store, "province_merger", T0, T0 + timedelta(hours=24))
    assert got == [
        NewAccount("tiktok", "acc_moi", T0 + timedelta(hours=1), 2),  # first seen with a scam post, same window
        NewAccount("tiktok", "acc_moi2", T0 + timedelta(hours=6), 1),
    ]
    assert newly_seen_accounts(store, "province_merger", T0, T0 + timedelta(hours=24), limit=1)[0].handle == "acc_moi"
    assert newly_seen_accounts(store, "party_congress_smear", T0, T0 + timedelta(hours=24)) == []
    store.close()
