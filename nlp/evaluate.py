"""Measuring the tagger: per-narrative precision/recall/F1, macro-F1, stratified cross-validation.

`cross_validate` answers the questions the tagger is judged by: does the hybrid beat the rules
alone and the model alone, on texts the model never saw? Each fold's model is trained on the
other folds plus the project's own examples, never on the fold it is scored on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from misinfo.domain import NARRATIVES
from misinfo.errors import ConfigError
from misinfo.text import fold
from nlp.model import TaggerModel
from nlp.rules import RuleResult
from nlp.tagger import Analysis, Mode, Tagger, analyse, decide
from nlp.taxonomy import Taxonomy

EXAMPLES_PATH = Path(__file__).resolve().parent / "data" / "examples.jsonl"
HELDOUT_PATH = EXAMPLES_PATH.with_name("heldout.jsonl")  # written apart from rules and examples; never trained on
# Real texts about none of the narratives (public corpora; see nlp/data/real/PROVENANCE.md): never trained on.
FALSE_ALARMS_PATH = EXAMPLES_PATH.parent / "real" / "false_alarms.jsonl"


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    text: str
    labels: tuple[str, ...]
    kind: str = ""  # false-alarm sets: "everyday" or "hard" (shares a narrative's vocabulary)


def load_labelled(path: Path) -> list[Labelled]:
    """JSON lines with `text` and `labels` (the shared file's format); a bad line is a clear error."""
    out: list[Labelled] = []
    if not Path(path).is_file():
        raise ConfigError(f"labelled data file not found: {path} (set MISINFO_LABELLED_DATA or --data)")
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text, labels = rec["text"], rec.get("labels") or []
                if not isinstance(text, str) or not isinstance(labels, list):
                    raise TypeError("text must be a string and labels a list")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ConfigError(f"{path}:{line_no}: not a labelled record ({exc})") from None
            unknown = [lab for lab in labels if lab not in NARRATIVES]
            if unknown:
                raise ConfigError(f"{path}:{line_no}: unknown narrative id {unknown[0]!r}")
            out.append(
                Labelled(str(rec.get("id", f"{path.name}:{line_no}")), text, tuple(labels), str(rec.get("kind") or ""))
            )
    return out


def report(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]], ids: Sequence[str] = NARRATIVES) -> dict:
    """`{"macro_f1", "per_label": {id: {precision, recall, f1, support}}, "n"}`."""
    gold_sets = [set(g) for g in gold]
    pred_sets = [set(p) for p in pred]
    per: dict[str, dict[str, float]] = {}
    for n in ids:
        tp = sum(1 for g, p in zip(gold_sets, pred_sets, strict=True) if n in g and n in p)
        fp = sum(1 for g, p in zip(gold_sets, pred_sets, strict=True) if n not in g and n in p)
        fn = sum(1 for g, p in zip(gold_sets, pred_sets, strict=True) if n in g and n not in p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[n] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    macro = float(np.mean([v["f1"] for v in per.values()])) if per else 0.0
    return {"macro_f1": round(macro, 4), "per_label": per, "n": len(gold_sets)}


def evaluate(tagger: Tagger, data: Sequence[Labelled], *, strip_diacritics: bool = False) -> dict:
    texts = [fold(d.text) if strip_diacritics else d.text for d in data]
    tags = tagger.tag_texts(texts)
    return report([d.labels for d in data], [[t.narrative for t in ts] for ts in tags], tagger.ids)


def false_alarm_report(tagged: Sequence[Iterable[str]], data: Sequence[Labelled], ids: Sequence[str] = NARRATIVES) -> dict:
    """Share of off-topic texts given any tag: overall, per kind (everyday/hard) and per narrative.

    `tagged[i]` are the narratives given to `data[i]`; texts labelled with a narrative are skipped (a
    false-alarm set holds none, but a mixed file may). Rates are fractions with the counts beside them.
    """
    rows = [(d.kind or "all", set(t)) for d, t in zip(data, tagged, strict=True) if not d.labels]

    def rate(sel: list[set[str]]) -> dict:
        hit = sum(1 for t in sel if t)
        per = {n: sum(1 for t in sel if n in t) for n in ids}
        return {"n": len(sel), "tagged": hit, "rate": round(hit / len(sel), 4) if sel else 0.0,
                "per_narrative": {n: {"tagged": c, "rate": round(c / len(sel), 4) if sel else 0.0} for n, c in per.items()}}

    out = {"overall": rate([t for _, t in rows])}
    for kind in sorted({k for k, _ in rows}):
        out[kind] = rate([t for k, t in rows if k == kind])
    return out


def false_alarms(tagger: Tagger, data: Sequence[Labelled], *, strip_diacritics: bool = False) -> dict:
    """`false_alarm_report` of a tagger on a false-alarm set (the texts it tags are errors)."""
    texts = [fold(d.text) if strip_diacritics else d.text for d in data]
    tags = tagger.tag_texts(texts)
    return false_alarm_report([[t.narrative for t in ts] for ts in tags], data, tagger.ids)


def _predict(mode: Mode, p: float, rule: RuleResult) -> bool:
    return decide(mode, p, rule)[1]


def _strata(data: Sequence[Labelled]) -> list[str]:
    return ["+".join(sorted(d.labels)) or "none" for d in data]


def cross_validate(
    data: Sequence[Labelled],
    taxonomy: Taxonomy,
    *,
    extra: Sequence[Labelled] = (),
    k: int = 5,
    seed: int = 0,
    strip_diacritics: bool = False,
    analyses: Sequence[Analysis] | None = None,
    extra_analyses: Sequence[Analysis] | None = None,
) -> dict[str, Any]:
    """Stratified k-fold CV of the three modes; `extra` (the project's examples) is always trained on.

    Returns `{"rules": report, "model": report, "hybrid": report, "k": k, "oof": {...}}` where `oof`
    holds each text's out-of-fold model probabilities and rule scores (to tune the blend).
    """
    from sklearn.model_selection import StratifiedKFold

    strata = _strata(data)
    counts = {s: strata.count(s) for s in set(strata)}
    strata = [s if counts[s] >= k else (s.split("+")[0] if "+" in s else "rare") for s in strata]
    if analyses is None:
        analyses = [analyse(fold(d.text) if strip_diacritics else d.text) for d in data]
    if extra_analyses is None:
        extra_analyses = [analyse(d.text) for d in extra]
    ids = taxonomy.ids
    probs = np.zeros((len(data), len(ids)))
    rules: list[dict[str, RuleResult]] = [{} for _ in data]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(data)), strata):
        train_inputs = [analyses[i].model_input for i in train_idx] + [a.model_input for a in extra_analyses]
        train_labels = [data[i].labels for i in train_idx] + [d.labels for d in extra]
        model = TaggerModel.train(train_inputs, train_labels)
        tagger = Tagger(taxonomy, model)
        test = [analyses[i] for i in test_idx]
        rr, pp = tagger.scores(test)
        for j, i in enumerate(test_idx):
            probs[i] = pp[j]
            rules[i] = rr[j]
    gold = [d.labels for d in data]
    out: dict[str, Any] = {"k": k, "n": len(data)}
    for mode in ("rules", "model", "hybrid"):
        pred = [[n for c, n in enumerate(ids) if _predict(mode, probs[i, c], rules[i][n])] for i in range(len(data))]
        out[mode] = report(gold, pred, ids)
    out["oof"] = {"probs": probs, "rules": rules, "gold": gold, "ids": ids}
    return out
