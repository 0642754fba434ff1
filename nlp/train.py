"""Training and retraining the tagger's model from labelled texts, the project's examples and reviews.

Analysts' reviews are labels too: a `false`/`misleading`/`accurate` verdict on a narrative says
the post is about it, `not_about` says it is not. `retrain` is what the Airflow maintenance DAG
calls: it trains only when there are reviews newer than the current model (or when forced) and
keeps the old model if the new one scores worse on the shared labelled set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from misinfo.domain import Review
from misinfo.settings import Settings
from nlp.evaluate import EXAMPLES_PATH, Labelled, evaluate, load_labelled
from nlp.model import TaggerModel, model_files, newest_model_path
from nlp.tagger import Tagger, analyse
from nlp.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

ABOUT = {"false", "misleading", "accurate"}


def review_examples(settings: Settings, reviews: Sequence[Review] | None = None) -> list[Labelled]:
    """Labelled texts from the review log (latest review of a post wins), texts from the store."""
    from misinfo.pipeline import iter_reviews
    from misinfo.store import open_store

    reviews = list(iter_reviews(settings.home)) if reviews is None else list(reviews)
    if not reviews:
        return []
    by_key: dict[str, list[Review]] = {}
    for r in sorted(reviews, key=lambda r: r.reviewed_at):
        by_key.setdefault(r.post_key, []).append(r)
    store = open_store(settings)
    out: list[Labelled] = []
    try:
        for key, rs in by_key.items():
            tagged = store.get(key)
            if tagged is None or not tagged.post.text.strip():
                continue
            labels = set(tagged.narratives)
            for r in rs:
                if r.narrative is None:
                    if r.verdict == "not_about":
                        labels = set()
                elif r.verdict in ABOUT:
                    labels.add(r.narrative)
                else:
                    labels.discard(r.narrative)
            out.append(Labelled(f"review:{key}", tagged.post.text, tuple(sorted(labels))))
    finally:
        store.close()
    return out


def training_set(settings: Settings, data_files: Sequence[Path] = (), *, with_reviews: bool = True) -> list[Labelled]:
    """The project's examples + the given files (default: the shared labelled set, if present) + reviews."""
    data = load_labelled(EXAMPLES_PATH)
    files = list(data_files) or ([settings.labelled_data] if settings.labelled_data.exists() else [])
    for f in files:
        data += load_labelled(Path(f))
    if with_reviews:
        data += review_examples(settings)
    return data


def train(data: Sequence[Labelled], *, info: dict[str, Any] | None = None, progress: bool = False) -> TaggerModel:
    from tqdm import tqdm

    analyses = [analyse(d.text) for d in tqdm(data, desc="analyse", disable=not progress, leave=False)]
    return TaggerModel.train([a.model_input for a in analyses], [d.labels for d in data], info=info)


def _last_review(settings: Settings) -> datetime | None:
    from misinfo.pipeline import iter_reviews

    times = [r.reviewed_at for r in iter_reviews(settings.home)]
    return max(times) if times else None


def train_and_save(settings: Settings, data_files: Sequence[Path] = (), *, progress: bool = False) -> tuple[TaggerModel, Path]:
    data = training_set(settings, data_files)
    last = _last_review(settings)
    info = {"files": [str(f) for f in data_files], "last_review": last.isoformat() if last else None}
    model = train(data, info=info, progress=progress)
    return model, model.save(settings.home / "models")


def retrain(
    settings: Settings,
    *,
    force: bool = False,
    trainer: Callable[..., TaggerModel] = train,
) -> dict[str, Any]:
    """Retrain when reviews arrived since the current model (or `force`); keep whichever scores better.

    Both models are scored on the shared labelled set (`MISINFO_LABELLED_DATA`); the new one is
    trained on it too, so the comparison guards against a regression rather than measuring quality
    (cross-validation does that: `misinfo nlp evaluate --cv`). `trainer(data, info=…)` builds the
    new model (replaceable for experiments with other training recipes).
    """
    old = TaggerModel.load(newest_model_path(settings.home))
    last = _last_review(settings)
    old_last = old.info.get("last_review")
    new_reviews = last is not None and (old_last is None or last > datetime.fromisoformat(old_last))
    report: dict[str, Any] = {"old_version": old.version, "new_version": None, "kept": "old",
                              "macro_f1_old": None, "macro_f1_new": None, "reason": ""}
    if not (force or new_reviews):
        report["reason"] = "no new reviews since the current model"
        return report
    taxonomy = load_taxonomy(settings.narratives)
    data = training_set(settings)
    info = {"last_review": last.isoformat() if last else None, "retrained_at": datetime.now(UTC).isoformat()}
    new = trainer(data, info=info)
    report["new_version"] = new.version
    if settings.labelled_data.exists():
        shared = load_labelled(settings.labelled_data)
        report["macro_f1_old"] = evaluate(Tagger(taxonomy, old), shared)["macro_f1"]
        report["macro_f1_new"] = evaluate(Tagger(taxonomy, new), shared)["macro_f1"]
    if report["macro_f1_old"] is not None and report["macro_f1_new"] < report["macro_f1_old"]:
        report["reason"] = "the new model scores worse on the shared labelled set"
        return report
    new.save(settings.home / "models")
    report["kept"] = "new"
    report["reason"] = "forced" if force and not new_reviews else "new reviews"
    report["models"] = [p.name for p in model_files(settings.home / "models")]
    return report
