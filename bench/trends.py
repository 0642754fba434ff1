"""Benchmark: `misinfo trends --json` on N posts over D days in SQLite (target ≤ 1000 ms for 200,000/30).

Prints JSON lines; the last line is one object with at least {"n", "trends_ms"}. `trends_ms` is the
median in-process time of compute_trends + JSON serialisation on an open store (what the dashboard and
the digest pay); `cli_ms` is the wall time of the real `misinfo trends --json` command, Python start-up
and imports included.

    .venv/bin/python bench/trends.py [--n 200000] [--days 30] [--repeat 5] [--home DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from misinfo.domain import NARRATIVES, ClaimMatch, Metrics, Post, Tag, TaggedPost  # noqa: E402

END = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # local midnight in Vietnam
TEXTS = (
    "Thông tin sáp nhập tỉnh mới, danh sách tên tỉnh và trung tâm hành chính",
    "Cảnh báo lừa đảo giả danh công an gọi video yêu cầu chuyển tiền",
    "Đoàn cán bộ đi công tác nước ngoài tốn tiền tỷ",
    "Tin đồn nhân sự Đại hội Đảng lan truyền trên mạng",
    "Giá rau hôm nay ở chợ đầu mối tăng nhẹ",
    "Lịch cắt điện cuối tuần tại các phường trung tâm",
    "Kết quả bóng đá và lịch thi đấu vòng tới",
)
CLAIMS = ("fake-63-to-31-list", "police-video-call-transfer", "fake-congress-personnel-list")


def emit(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def generate(n: int, days: int, seed: int = 7):
    """Posts with a daily rhythm (busier evenings), ~45% tagged, copy-paste groups, claim matches,
    and one burst of `province_merger` on the last day, so the report has something to find."""
    rng = random.Random(seed)
    start = END - timedelta(days=days)
    hour_weights = [1 + (2 if 18 <= h <= 22 else 0) + (1 if 7 <= h <= 11 else 0) for h in range(24)]
    collected = END + timedelta(hours=1)
    burst = int(n * 0.01)
    for i in range(n):
        if i < burst:
            created = END - timedelta(seconds=rng.uniform(60, 86_400))
            narratives = ("province_merger",)
        else:
            day = rng.randrange(days)
            hour = rng.choices(range(24), hour_weights)[0]
            created = start + timedelta(days=day, hours=hour, seconds=rng.uniform(0, 3599))
            r = rng.random()
            narratives = (NARRATIVES[int(r / 0.1125)],) if r < 0.45 else ()
        text_i = NARRATIVES.index(narratives[0]) if narratives else rng.randrange(4, len(TEXTS))
        group = f"dup-{rng.randrange(n // 40)}" if rng.random() < 0.2 else None
        claims = (ClaimMatch(rng.choice(CLAIMS), 0.8),) if narratives and rng.random() < 0.03 else ()
        post = Post(
            platform=rng.choice(("tiktok", "facebook")),
            post_id=str(i),
            source=f"page-{rng.randrange(300)}",
            url=f"https://example.test/p/{i}",
            author=f"acct-{rng.randrange(20_000)}",
            author_name="Tài khoản",
            text=f"{TEXTS[text_i]} #{i}",
            created_at=created,
            collected_at=collected,
            metrics=Metrics(views=None, likes=rng.randrange(500), comments=rng.randrange(50), shares=rng.randrange(30)),
        )
        yield TaggedPost(post, tags=tuple(Tag(nid, 0.9) for nid in narratives), claims=claims, dup_group=group,
                         model_version="bench")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="Keep the generated store.")
    args = ap.parse_args()

    from tqdm import tqdm

    from misinfo.settings import CONFIG_DIR
    from misinfo.store.sqlite import SqliteStore
    from misinfo.trends import compute_trends
    from nlp.claims import load_registry
    from nlp.taxonomy import load_taxonomy

    home = args.home or Path(tempfile.mkdtemp(prefix="misinfo-bench-trends-"))
    db_path = home / "store.sqlite3"
    try:
        store = SqliteStore(db_path)
        if store.stats().posts != args.n:
            t0 = time.perf_counter()
            batch: list[TaggedPost] = []
            for tp in tqdm(generate(args.n, args.days), total=args.n, desc="indexing", file=sys.stderr):
                batch.append(tp)
                if len(batch) == 5000:
                    store.upsert(batch)
                    batch.clear()
            store.upsert(batch)
            store.optimize()
            emit({"phase": "index", "n": args.n, "seconds": round(time.perf_counter() - t0, 1)})
        store.close()

        store = SqliteStore(db_path)
        times, out = [], ""
        for i in range(args.repeat):
            t0 = time.perf_counter()  # what the command does after start-up: config, report, JSON
            taxonomy = load_taxonomy(CONFIG_DIR / "narratives.yaml")
            labels = {x.id: x.label for x in taxonomy.narratives}
            report = compute_trends(store, at=END, labels=labels, registry=load_registry(CONFIG_DIR / "claims.yaml"))
            out = json.dumps(report.to_json(), ensure_ascii=False)
            times.append((time.perf_counter() - t0) * 1000)
            emit({"run": i + 1, "trends_ms": round(times[-1], 1)})
        store.close()
        data = json.loads(out)

        env = {**os.environ, "MISINFO_HOME": str(home), "MISINFO_STORE": "sqlite"}
        env.pop("MISINFO_SQLITE_PATH", None)
        cli = Path(sys.executable).with_name("misinfo")
        t0 = time.perf_counter()
        proc = subprocess.run([str(cli), "trends", "--json", "--at", END.isoformat()], env=env,
                              capture_output=True, text=True, timeout=300)
        cli_ms = (time.perf_counter() - t0) * 1000
        if proc.returncode != 0:
            raise SystemExit(f"misinfo trends failed: {proc.stderr.strip()}")
        assert json.loads(proc.stdout)["narratives"] == data["narratives"]

        median = statistics.median(times)
        emit({
            "n": args.n,
            "days": args.days,
            "trends_ms": round(median, 1),
            "trends_ms_first": round(times[0], 1),
            "trends_ms_max": round(max(times), 1),
            "cli_ms": round(cli_ms, 1),
            "target_ms": 1000,
            "ok": median <= 1000,
            "rising": [x["id"] for x in data["narratives"] if x["rising"]],
            "campaigns": len(data["campaigns"]),
            "claims": len(data["claims"]),
            "db_mb": round(db_path.stat().st_size / 1e6, 1),
        })
    finally:
        if not args.keep and args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
