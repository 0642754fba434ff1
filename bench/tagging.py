"""Throughput of the NLP stage against raw underthesea segmentation, side by side in one run.

Measures, on the same texts (the shared labelled set, else the project's examples), repeated to
`--repeat` rounds: (1) underthesea `word_tokenize` alone, (2) the full stage the pipeline runs
(normalize + segment + tag + dedup + claims) in batches. Prints JSON lines; the last line is one
object with n, segment_per_s, process_per_s and ratio (target ≥ 0.7, single process).

    .venv/bin/python bench/tagging.py [--data FILE] [--repeat 5] [--batch 500]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from misinfo.domain import Post  # noqa: E402
from misinfo.settings import Settings  # noqa: E402


def emit(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    from nlp.evaluate import EXAMPLES_PATH, load_labelled
    from nlp.segment import word_tokenize_text
    from nlp.stage import NlpStage

    settings_default = Settings()
    data_path = args.data or (settings_default.labelled_data if settings_default.labelled_data.exists() else EXAMPLES_PATH)
    texts = [d.text for d in load_labelled(data_path)] * args.repeat
    n = len(texts)
    now = datetime.now(UTC)
    # Each repeat is a distinct post (its own key), as reposts of the same text would be.
    posts = [
        Post(platform="bench", post_id=str(i), source="bench", url="", author="", author_name="", text=t,
             created_at=now, collected_at=now)
        for i, t in enumerate(texts)
    ]
    with tempfile.TemporaryDirectory() as home:
        stage = NlpStage(Settings(home=Path(home)))
        # warm both up (model loading is not throughput)
        word_tokenize_text(texts[0])
        stage(posts[:2])
        stage.dedup.close()
        stage = NlpStage(Settings(home=Path(home) / "fresh"))
        stage(posts[:1])

        t0 = time.perf_counter()
        for t in texts:
            word_tokenize_text(t)
        seg_s = time.perf_counter() - t0
        emit({"step": "segment", "n": n, "seconds": round(seg_s, 3), "per_s": round(n / seg_s, 1)})

        t0 = time.perf_counter()
        tagged = 0
        for start in range(0, n, args.batch):
            tagged += len(stage(posts[start : start + args.batch]))
        proc_s = time.perf_counter() - t0
        stage.close()
        emit({"step": "process", "n": tagged, "seconds": round(proc_s, 3), "per_s": round(n / proc_s, 1)})

    seg_rate, proc_rate = n / seg_s, n / proc_s
    emit({
        "n": n,
        "data": data_path.name,
        "segment_per_s": round(seg_rate, 1),
        "process_per_s": round(proc_rate, 1),
        "ratio": round(proc_rate / seg_rate, 3),
        "target_ratio": 0.7,
    })


if __name__ == "__main__":
    main()
