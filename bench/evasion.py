"""Macro-F1 of the tagger on clean text and on each filter-evasion trick, on every labelled set.

The tricks (`nlp/evasion.py`) rewrite a third to a half of each text's words. Three measurements:
the shipped model on the shared real set (it was trained on that set, so this flatters it), 5-fold
cross-validation on the shared set (each fold's model trained on the clean training folds plus the
project's examples, scored on the clean and the evaded test fold), and the shipped model on the
project-written held-out set (never trained on). Prints JSON lines, one per set; the last line is a
summary with each set's clean macro-F1, each trick's macro-F1 and the worst cost (target ≤ 0.05).

    .venv/bin/python bench/evasion.py [--data FILE] [--cv 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from misinfo.settings import Settings  # noqa: E402

TARGET_COST = 0.05


def emit(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def row(name: str, clean: dict, evaded: dict[str, dict]) -> dict:
    scores = {k: v["macro_f1"] for k, v in evaded.items()}
    return {
        "set": name,
        "n": clean["n"],
        "clean": clean["macro_f1"],
        **scores,
        "worst_cost": round(max(clean["macro_f1"] - s for s in scores.values()), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=None, help="the shared labelled set (default MISINFO_LABELLED_DATA)")
    parser.add_argument("--cv", type=int, default=5, help="folds of the cross-validation on the shared set (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from nlp.evaluate import EXAMPLES_PATH, HELDOUT_PATH, cross_validate, evaluate, load_labelled
    from nlp.evasion import TRICKS, evade
    from nlp.model import SHIPPED_DIR, TaggerModel, model_files
    from nlp.tagger import Tagger, analyse
    from nlp.taxonomy import load_taxonomy

    settings = Settings()
    taxonomy = load_taxonomy(settings.narratives)
    tagger = Tagger(taxonomy, TaggerModel.load(model_files(SHIPPED_DIR)[-1]))
    shared = args.data or settings.labelled_data
    rows = []

    def shipped(name: str, path: Path) -> None:
        data = load_labelled(path)
        clean = evaluate(tagger, data)
        evaded = {}
        for trick in TRICKS:
            ev = [d.__class__(d.id, evade(d.text, trick, seed=args.seed), d.labels) for d in data]
            evaded[trick] = evaluate(tagger, ev)
        rows.append(row(name, clean, evaded))
        emit(rows[-1])

    if shared.exists():
        shipped("shared (shipped model, trained on it)", shared)
        if args.cv:
            data = load_labelled(shared)
            variants = {t: [analyse(evade(d.text, t, seed=args.seed)) for d in data] for t in TRICKS}
            cv = cross_validate(data, taxonomy, extra=load_labelled(EXAMPLES_PATH), k=args.cv, seed=args.seed,
                                variants=variants)
            rows.append(row(f"shared ({args.cv}-fold CV)", cv["hybrid"], cv["variants"]))
            emit(rows[-1])
    shipped("heldout (project-written, shipped model)", HELDOUT_PATH)
    emit({
        "tricks": list(TRICKS),
        "sets": rows,
        "worst_cost": max(r["worst_cost"] for r in rows),
        "target_cost": TARGET_COST,
    })


if __name__ == "__main__":
    main()
