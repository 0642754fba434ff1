"""Trends page render time (Streamlit AppTest) on a small store and a 200,000-post SQLite store.

For each size: `cold_ms` is a new session with empty caches (the first analyst after a crawl:
every query runs), `warm_ms` the same session rerun (answers from `st.cache_data`). The script
run is what AppTest times; the browser adds transfer and drawing on top. Prints one JSON line
per size; the last line is one JSON object with `n` and `trends_page_ms` (cold, the largest size).

    .venv/bin/python bench/dashboard.py [--n 200000] [--small 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import synth_posts  # noqa: E402

TARGET_MS = 2000


def build_store(path: Path, n: int, end: datetime) -> float:
    """Fill a SQLite store with `n` synthetic posts ending at `end`; returns seconds taken."""
    from tqdm import tqdm

    from misinfo.store.sqlite import SqliteStore

    t0 = time.perf_counter()
    store = SqliteStore(path)
    posts = synth_posts(n, end=end, days=30)
    with tqdm(total=n, desc=f"fill {n}", unit="post", leave=False, file=sys.stderr) as bar:
        while batch := list(islice(posts, 5000)):
            store.upsert(batch)
            bar.update(len(batch))
    store.optimize()
    store.close()
    return time.perf_counter() - t0


def add_burst(path: Path, n: int, end: datetime) -> None:
    """A burst of one narrative in the last six hours (plus a claim), so the page shows a rising
    narrative with its top posts and a spreading claim: the morning an analyst cares about."""
    from dataclasses import replace
    from datetime import timedelta

    from misinfo.domain import ClaimMatch, Tag
    from misinfo.store.sqlite import SqliteStore

    store = SqliteStore(path)
    burst = []
    for i, tp in enumerate(synth_posts(n, end=end, days=1, seed=99)):
        post = replace(tp.post, post_id=f"burst-{i}", created_at=end - timedelta(minutes=(i * 360) // n + 1))
        claims = (ClaimMatch("fake-63-to-31-list", 0.8),) if i % 5 == 0 else ()
        burst.append(replace(tp, post=post, tags=(Tag("province_merger", 0.9),), claims=claims))
    store.upsert(burst)
    store.close()


def render(home: Path, repeats: int) -> dict[str, float]:
    """Time the Trends page: cold (fresh caches and session) `repeats` times, then warm reruns."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User

    os.environ["MISINFO_HOME"] = str(home)
    cold, warm = [], []
    at = None
    for _ in range(repeats):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "dashboard" / "streamlit_app.py"), default_timeout=300)
        at.session_state["user"] = User("bench", "analyst")
        t0 = time.perf_counter()
        at.run()
        cold.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise SystemExit(f"the page failed: {at.exception[0].message}")
        assert at.title[0].value == "Xu hướng" and at.get("vega_lite_chart"), "the Trends page did not render"
    for _ in range(repeats):
        t0 = time.perf_counter()
        at.run()
        warm.append((time.perf_counter() - t0) * 1000)
    metrics = {m.label: m.value for m in at.metric}
    return {
        "cold_ms": round(statistics.median(cold), 1),
        "cold_max_ms": round(max(cold), 1),
        "warm_ms": round(statistics.median(warm), 1),
        "posts_24h_shown": metrics.get("Bài trong 24 giờ"),
        "rising_shown": metrics.get("Chủ đề tăng bất thường"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--burst", type=int, default=300, help="extra posts of one narrative in the last 6 h")
    parser.add_argument("--keep", type=Path, help="keep the stores in this folder (reused when present)")
    args = parser.parse_args()

    for name in [k for k in os.environ if k.startswith("MISINFO_")]:
        del os.environ[name]
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    # a warm-up run imports Streamlit, Altair and the pages, so the first size does not pay for it
    results = {}
    for i, n in enumerate((args.small, args.n)):
        home = base / f"home-{n}"
        fill_s = 0.0
        if not (home / "store.sqlite3").exists():
            home.mkdir(parents=True, exist_ok=True)
            fill_s = build_store(home / "store.sqlite3", n, end)
        if args.burst:
            add_burst(home / "store.sqlite3", args.burst, end)
        if i == 0:
            render(home, 1)
        r = render(home, args.repeats)
        r.update(n=n, fill_s=round(fill_s, 1))
        results[n] = r
        print(json.dumps({"bench": "dashboard_trends", **r}), flush=True)
    big, small = results[args.n], results[args.small]
    print(json.dumps({
        "n": args.n,
        "trends_page_ms": big["cold_ms"],
        "trends_page_warm_ms": big["warm_ms"],
        "small_n": args.small,
        "small_trends_page_ms": small["cold_ms"],
        "small_trends_page_warm_ms": small["warm_ms"],
        "target_ms": TARGET_MS,
        "ok": big["cold_ms"] <= TARGET_MS,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
