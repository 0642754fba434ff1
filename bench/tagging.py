"""Throughput of the NLP stage against raw underthesea segmentation, side by side in one run.

Measures, on the same texts (the shared labelled set, else the project's examples), repeated to
`--repeat` times, in interleaved rounds (best of each): (1) underthesea `word_tokenize` alone, (2) the full stage the pipeline runs
(normalize + segment + tag + dedup + claims) in batches. Prints JSON lines; the last line is one
object with n, segment_per_s, process_per_s and ratio (target ≥ 0.7, single process), and beside them
the shipped tagger's quality: held-out macro-F1 and the false-alarm rate on real off-topic text
(overall, everyday, hard; nlp/data/real/false_alarms.jsonl).

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
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from nlp.evaluate import EXAMPLES_PATH, load_labelled
    from nlp.segment import word_tokenize_text
    from nlp.stage import NlpStage

    settings_default = Settings()
    data_path = args.data or (settings_default.labelled_data if settings_default.labelled_data.exists() else EXAMPLES_PATH)
    texts = [d.text for d in load_labelled(data_path)] * args.repeat
    n = len(texts)
    now = datetime.now(UTC)

    def posts_for(round_no: int) -> list[Post]:
        # every round's posts are new posts (own keys), so dedup really inserts and looks up
        return [
            Post(platform="bench", post_id=f"{round_no}-{i}", source="bench", url="", author="", author_name="",
                 text=t, created_at=now, collected_at=now)
            for i, t in enumerate(texts)
        ]

    with tempfile.TemporaryDirectory() as home:
        stage = NlpStage(Settings(home=Path(home)))
        word_tokenize_text(texts[0])  # warm up: loading models is not throughput
        stage(posts_for(-1)[:2])
        seg_times, proc_times, seg_wall, proc_wall = [], [], [], []
        # CPU time of this process (all its threads), in interleaved rounds, best of each: the
        # machine is shared, and wall time mostly measures what the neighbours are doing.
        for round_no in range(args.rounds):
            w0, t0 = time.perf_counter(), time.process_time()
            for t in texts:
                word_tokenize_text(t)
            seg_times.append(time.process_time() - t0)
            seg_wall.append(time.perf_counter() - w0)
            posts = posts_for(round_no)
            w0, t0 = time.perf_counter(), time.process_time()
            tagged = 0
            for start in range(0, n, args.batch):
                tagged += len(stage(posts[start : start + args.batch]))
            proc_times.append(time.process_time() - t0)
            proc_wall.append(time.perf_counter() - w0)
            assert tagged == n
            emit({"round": round_no, "n": n, "segment_cpu_s": round(seg_times[-1], 3),
                  "process_cpu_s": round(proc_times[-1], 3), "segment_wall_s": round(seg_wall[-1], 3),
                  "process_wall_s": round(proc_wall[-1], 3)})
        stage.close()
    seg_s, proc_s = min(seg_times), min(proc_times)

    seg_rate, proc_rate = n / seg_s, n / proc_s
    quality = tagger_quality()
    emit({
        "n": n,
        "data": data_path.name,
        "segment_per_s": round(seg_rate, 1),
        "process_per_s": round(proc_rate, 1),
        "ratio": round(proc_rate / seg_rate, 3),
        "rounds": args.rounds,
        "clock": "process CPU time, best of rounds",
        "wall_ratio": round(min(seg_wall) / min(proc_wall), 3),
        "target_ratio": 0.7,
        **quality,
    })


def tagger_quality() -> dict:
    """Macro-F1 on the held-out set beside the false-alarm rates on real off-topic text."""
    from nlp.evaluate import FALSE_ALARMS_PATH, HELDOUT_PATH, evaluate, false_alarms, load_labelled
    from nlp.model import TaggerModel, newest_model_path
    from nlp.tagger import Tagger
    from nlp.taxonomy import load_taxonomy

    settings = Settings()
    tagger = Tagger(load_taxonomy(settings.narratives), TaggerModel.load(newest_model_path(None)))
    fa = false_alarms(tagger, load_labelled(FALSE_ALARMS_PATH))
    return {
        "heldout_macro_f1": evaluate(tagger, load_labelled(HELDOUT_PATH))["macro_f1"],
        "false_alarm_rate": fa["overall"]["rate"],
        "false_alarm_everyday": fa["everyday"]["rate"],
        "false_alarm_hard": fa["hard"]["rate"],
        "false_alarm_target": {"everyday": 0.01, "hard": 0.03},
    }


if __name__ == "__main__":
    main()
