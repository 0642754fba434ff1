"""Store benchmark: upsert throughput, search latency p50/p95, counts latency.

Prints JSON lines as it goes; the last line is one object with at least
{"backend", "n", "upsert_per_s", "search_p50_ms", "search_p95_ms", "counts_ms"}.
Usage: python bench/store.py [--n 200000] [--backend sqlite|elasticsearch] [--url URL] [--compat-json]
       python bench/store.py --backend elasticsearch --osmem --n 20000   # local osmem-server, NOT Elasticsearch
The Elasticsearch run writes to a fresh alias `misinfo-bench-<time>` and deletes its indices afterwards.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tqdm import tqdm  # noqa: E402

from bench.synth import synth_posts  # noqa: E402
from misinfo.store.base import PostStore, SearchQuery  # noqa: E402

END = datetime(2026, 11, 1, tzinfo=UTC)
QUERIES = [
    SearchQuery(text="sap nhap", sort="newest"),
    SearchQuery(text="sáp nhập tỉnh", sort="relevance"),
    SearchQuery(text='"trung tâm hành chính"', sort="newest"),
    SearchQuery(text="lua dao -ngan", sort="relevance"),
    SearchQuery(text="cong an OR tong tien", sort="newest"),
    SearchQuery(text="", narratives=("province_merger",), sort="newest"),
    SearchQuery(text="dai hoi", narratives=("party_congress_smear",), sort="relevance"),
    SearchQuery(text="", since=END - timedelta(days=1), sort="engagement"),
    SearchQuery(text="video ghep mat", sort="newest", page=3),
    SearchQuery(text="Đồng Nai", platforms=("facebook",), sort="relevance"),
]


def open_backend(backend: str, url: str | None, workdir: Path, compat_json: bool = False) -> PostStore:
    if backend == "sqlite":
        from misinfo.store.sqlite import SqliteStore

        return SqliteStore(workdir / "bench.sqlite3")
    from misinfo.settings import Settings
    from misinfo.store.elastic import ElasticStore

    overrides: dict[str, object] = {"es_url": url} if url else {}  # else MISINFO_ES_URL / its default
    if compat_json:
        overrides["es_compat_json"] = True
    settings = Settings(home=workdir, store="elasticsearch", es_index=f"misinfo-bench-{int(time.time())}",
                        **overrides)  # type: ignore[arg-type]
    return ElasticStore.from_settings(settings)


def drop_backend(store: PostStore) -> None:
    """Leave a real cluster as it was: delete the bench alias' indices and template."""
    from misinfo.store.elastic import ElasticStore

    if isinstance(store, ElasticStore):
        for pattern in (f"{store.alias}-*", store.meta_index):
            store.client.indices.delete(index=pattern, ignore_unavailable=True, allow_no_indices=True)
        store.client.indices.delete_index_template(name=store.alias)


def emit(record: dict[str, object]) -> None:
    print(json.dumps(record), flush=True)


def run(n: int, backend: str, url: str | None, batch: int, rounds: int,
        compat_json: bool = False) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_backend(backend, url, Path(tmp), compat_json)
        posts = list(tqdm(synth_posts(n, end=END), total=n, desc="generate", leave=False))
        t0 = time.perf_counter()
        for i in tqdm(range(0, n, batch), desc=f"upsert ({backend})", leave=False):
            store.upsert(posts[i : i + batch])
        upsert_s = time.perf_counter() - t0
        emit({"step": "upsert", "n": n, "seconds": round(upsert_s, 3), "per_s": round(n / upsert_s)})

        latencies: list[float] = []
        by_sort: dict[str, list[float]] = {}
        for _ in range(rounds):
            for query in QUERIES:
                t = time.perf_counter()
                store.search(query)
                ms = (time.perf_counter() - t) * 1000
                latencies.append(ms)
                by_sort.setdefault(query.sort, []).append(ms)
        p50 = statistics.median(latencies)
        p95 = statistics.quantiles(latencies, n=20)[-1]
        emit({"step": "search", "queries": len(latencies), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
              "p95_by_sort_ms": {k: round(statistics.quantiles(v, n=20)[-1], 2) for k, v in by_sort.items()}})

        counts_ms = []
        for interval, days in (("hour", 8), ("day", 30)):
            for _ in range(max(1, rounds // 2)):
                t = time.perf_counter()
                store.counts(interval, END - timedelta(days=days), END)  # type: ignore[arg-type]
                counts_ms.append((time.perf_counter() - t) * 1000)
        counts = max(counts_ms)
        emit({"step": "counts", "max_ms": round(counts, 2), "median_ms": round(statistics.median(counts_ms), 2)})
        drop_backend(store)
        store.close()
    return {
        "backend": backend,
        "n": n,
        "upsert_per_s": round(n / upsert_s),
        "search_p50_ms": round(p50, 2),
        "search_p95_ms": round(p95, 2),
        "counts_ms": round(counts, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "elasticsearch"], default="sqlite")
    parser.add_argument("--url", help="Elasticsearch URL (elasticsearch backend)")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--compat-json", action="store_true",
                        help="send plain application/json (OpenSearch-API servers such as osmem-server)")
    parser.add_argument("--osmem", action="store_true",
                        help="start a local osmem-server and use it (an in-memory stand-in, not Elasticsearch)")
    args = parser.parse_args()
    if args.osmem:
        from osmem_server import OsmemServer

        with OsmemServer.start(japanese=False) as server:
            result = run(args.n, args.backend, server.url, args.batch, args.rounds, compat_json=True)
        emit({**result, "server": "osmem-server (in-memory OpenSearch-API stand-in, not Elasticsearch)"})
        return
    emit(run(args.n, args.backend, args.url, args.batch, args.rounds, args.compat_json))


if __name__ == "__main__":
    main()
