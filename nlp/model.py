"""The statistical half of the tagger: TF-IDF features into one logistic regression per narrative.

Features are computed on the folded text (so a post typed without diacritics gets the same
features): syllables and syllable pairs seen in at least two training texts (one text's pair is
memorised, not learned), plus underthesea's multi-syllable words and word pairs (+0.005 macro-F1 in
cross-validation and +0.02 on the held-out set over single words and unfiltered pairs). Character
n-grams were tried: +0.004 to +0.009 macro-F1 in cross-validation for a third more CPU per post,
which the throughput target (≥ 0.7× raw segmentation) cannot afford. One scikit-learn Pipeline,
saved with joblib as a versioned artifact: `MISINFO_HOME/models/tagger-<version>.joblib`, or the
one shipped in `nlp/models/` for a fresh install.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from misinfo.domain import NARRATIVES
from misinfo.errors import ConfigError

SHIPPED_DIR = Path(__file__).resolve().parent / "models"
ARTIFACT_RE = re.compile(r"^tagger-(?P<version>[0-9]{8}T[0-9]{6}(?:[0-9]{6})?-[0-9a-f]{8})\.joblib$")


@dataclass(frozen=True, slots=True)
class ModelInput:
    """What the model reads of one text: folded syllables and folded segmented words."""

    folded: str
    words: str


def build_pipeline(c: float = 8.0) -> Any:
    """A fresh, untrained pipeline (sklearn is imported here, not when the module is imported)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    features = ColumnTransformer(
        [
            (
                "syl",
                TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
                "folded",
            ),
            (
                "word",
                TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"\S*_\S*", lowercase=False, sublinear_tf=True),
                "words",
            ),
        ]
    )
    clf = OneVsRestClassifier(LogisticRegression(C=c, class_weight="balanced", max_iter=3000))
    return Pipeline([("features", features), ("clf", clf)])


def _frame(inputs: Sequence[ModelInput]) -> Any:
    import pandas as pd

    return pd.DataFrame({"folded": [i.folded for i in inputs], "words": [i.words for i in inputs]})


@dataclass
class TaggerModel:
    """A trained pipeline with its version and what it was trained on."""

    pipeline: Any
    version: str
    narratives: tuple[str, ...] = NARRATIVES
    info: dict[str, Any] = field(default_factory=dict)
    _names: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def train(
        cls, inputs: Sequence[ModelInput], labels: Sequence[Sequence[str]], info: dict[str, Any] | None = None
    ) -> TaggerModel:
        y = np.array([[1 if n in set(ls) else 0 for n in NARRATIVES] for ls in labels])
        for j, n in enumerate(NARRATIVES):
            if y[:, j].min() == y[:, j].max():
                raise ConfigError(f"training data needs positive and negative examples of {n}")
        pipeline = build_pipeline()
        pipeline.fit(_frame(inputs), y)
        digest = hashlib.sha1(
            "\n".join(f"{i.folded}\t{','.join(sorted(ls))}" for i, ls in zip(inputs, labels, strict=True)).encode()
        ).hexdigest()[:8]
        version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + digest  # µs: two in one second stay ordered
        return cls(pipeline, version, NARRATIVES, dict(info or {}, n=len(inputs)))

    def transform(self, inputs: Sequence[ModelInput]) -> Any:
        return self.pipeline.named_steps["features"].transform(_frame(inputs))

    def proba(self, x: Any) -> np.ndarray:
        """Probability per narrative (columns in `self.narratives` order) for transformed rows."""
        return np.asarray(self.pipeline.named_steps["clf"].predict_proba(x))

    def predict_proba(self, inputs: Sequence[ModelInput]) -> np.ndarray:
        return self.proba(self.transform(inputs))

    def top_features(self, x_row: tuple[Any, Any], narrative_index: int, k: int = 3) -> list[tuple[str, float]]:
        """The features that pushed a row towards the narrative most (value × coefficient).

        `x_row` is the row's (values, column indices), as `row_of(x, i)` gives them.
        """
        if self._names is None:
            self._names = self.pipeline.named_steps["features"].get_feature_names_out()
        est = self.pipeline.named_steps["clf"].estimators_[narrative_index]
        coef = est.coef_[0]
        data, indices = x_row
        contrib = data * coef[indices]
        order = np.argsort(-contrib)[:k]
        out = []
        for o in order:
            if contrib[o] <= 0:
                break
            name = str(self._names[indices[o]]).split("__", 1)[-1]
            out.append((name.strip(), round(float(contrib[o]), 3)))
        return out

    def save(self, folder: Path) -> Path:
        import joblib

        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"tagger-{self.version}.joblib"
        tmp = path.with_suffix(".tmp")
        joblib.dump(
            {"pipeline": self.pipeline, "version": self.version, "narratives": self.narratives, "info": self.info},
            tmp,
            compress=3,
        )
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> TaggerModel:
        import joblib

        try:
            data = joblib.load(path)
            return cls(data["pipeline"], data["version"], tuple(data["narratives"]), dict(data.get("info", {})))
        except (OSError, KeyError, EOFError, ValueError, TypeError) as exc:
            raise ConfigError(f"model file {path} cannot be loaded: {exc}") from None


def row_of(x: Any, i: int) -> tuple[Any, Any]:
    """Values and column indices of row i of a CSR matrix, without building a new matrix."""
    start, end = x.indptr[i], x.indptr[i + 1]
    return x.data[start:end], x.indices[start:end]


def model_files(folder: Path) -> list[Path]:
    """Model artifacts in a folder, oldest first (versions start with a UTC timestamp)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if ARTIFACT_RE.match(p.name)), key=lambda p: p.name)


def newest_model_path(home: Path | None) -> Path:
    """The newest model trained here (`home/models`), else the one shipped with the package."""
    for folder in ([home / "models"] if home else []) + [SHIPPED_DIR]:
        files = model_files(folder)
        if files:
            return files[-1]
    raise ConfigError(f"no tagger model found in {home / 'models' if home else ''} or {SHIPPED_DIR}; run `misinfo nlp train`")
