"""The fact-check registry (`config/claims.yaml`): verified false/misleading claims and their sources."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from misinfo.configfile import read_yaml, unique_ids, validation_message
from misinfo.domain import ClaimMatch
from misinfo.errors import ConfigError


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    text: str = Field(min_length=10)
    verdict: Literal["false", "misleading"]
    source: str = Field(min_length=1)
    source_url: str = Field(pattern=r"^https?://")
    date: date

    @field_validator("verdict", mode="before")
    @classmethod
    def _unquoted_false(cls, value: object) -> object:
        return "false" if value is False else value  # YAML reads an unquoted `false` as a boolean


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    claims: tuple[Claim, ...]

    @field_validator("claims")
    @classmethod
    def _unique(cls, value: tuple[Claim, ...]) -> tuple[Claim, ...]:
        return unique_ids(value, "claim")

    def get(self, claim_id: str) -> Claim | None:
        return next((c for c in self.claims if c.id == claim_id), None)


@lru_cache(maxsize=8)
def load_registry(path: Path) -> Registry:
    data = read_yaml(Path(path), "claims")
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(Path(path), exc)) from None


# --- matching posts to claims -------------------------------------------------------------------

CLAIM_THRESHOLD = 0.4  # cosine of folded word n-grams: paraphrases score 0.5+, same-topic posts < 0.3
_WINDOW, _STRIDE = 40, 20  # long posts are compared window by window: a claim is a sentence or two


class ClaimMatcher:
    """Retrieval of registry claims for posts: TF-IDF over folded syllables and syllable pairs, cosine.

    Folded text makes a post typed without diacritics match; syllable pairs are Vietnamese words
    (`sáp nhập`, `tài khoản`), so a paraphrase that keeps the key terms (`63 tỉnh`, `31 tỉnh`,
    `danh sách`) matches while a post on the same topic with another claim does not. The IDF
    is fitted on the claims plus the project's own examples about no narrative, so that words every
    post shares (`người dân`, `thông tin`) weigh little while the narratives' own words keep their weight.
    """

    def __init__(self, registry: Registry, *, threshold: float = CLAIM_THRESHOLD,
                 background: tuple[str, ...] = ()) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        from misinfo.text import fold

        self.registry = registry
        self.threshold = threshold
        self.ids = [c.id for c in registry.claims]
        claim_texts = [fold(c.text) for c in registry.claims]
        self._vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
        self._vec.fit(claim_texts + [fold(t) for t in background])
        self._claims = self._vec.transform(claim_texts) if claim_texts else None

    def match_batch(self, folded_texts: list[str]) -> list[tuple[ClaimMatch, ...]]:
        """Claims each (already folded) text repeats, best first."""
        if self._claims is None or not folded_texts:
            return [() for _ in folded_texts]
        windows: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(folded_texts):
            words = text.split()
            if len(words) <= _WINDOW + _STRIDE:
                windows.append(text)
                owner.append(i)
                continue
            for start in range(0, len(words) - _STRIDE, _STRIDE):
                windows.append(" ".join(words[start : start + _WINDOW]))
                owner.append(i)
        sims = (self._vec.transform(windows) @ self._claims.T).toarray()
        best = [[0.0] * len(self.ids) for _ in folded_texts]
        for row, i in enumerate(owner):
            for j, s in enumerate(sims[row]):
                if s > best[i][j]:
                    best[i][j] = float(s)
        out = []
        for scores in best:
            hits = sorted(
                (ClaimMatch(self.ids[j], round(s, 4)) for j, s in enumerate(scores) if s >= self.threshold),
                key=lambda m: -m.score,
            )
            out.append(tuple(hits))
        return out

    def match(self, text: str) -> tuple[ClaimMatch, ...]:
        from nlp.normalize import normalize

        return self.match_batch([normalize(text).folded])[0]
