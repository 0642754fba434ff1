"""The fact-check registry (`config/claims.yaml`): verified false/misleading claims and their sources."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from misinfo.errors import ConfigError
from nlp.taxonomy import _load_yaml, validation_message


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
        ids = [c.id for c in value]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate claim ids: {', '.join(sorted(dupes))}")
        return value

    def get(self, claim_id: str) -> Claim | None:
        return next((c for c in self.claims if c.id == claim_id), None)


@lru_cache(maxsize=8)
def load_registry(path: Path) -> Registry:
    data = _load_yaml(Path(path), "claims")
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(Path(path), exc)) from None
