"""The narrative taxonomy from `config/narratives.yaml`, validated on load with clear errors."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from misinfo.configfile import read_yaml, unique_ids, validation_message
from misinfo.domain import NARRATIVES
from misinfo.errors import ConfigError
from misinfo.text import fold


class Combo(BaseModel):
    """Phrase groups that signal a narrative only when each group matches near the others."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    groups: tuple[tuple[str, ...], ...] = Field(min_length=2)
    window: int = Field(default=120, ge=10, description="max characters between the groups' hits")

    @field_validator("groups")
    @classmethod
    def _non_empty_groups(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in value:
            if not group or any(not fold(p).strip() for p in group):
                raise ValueError("a combination group is empty or has an empty phrase")
        return value


class Narrative(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    signals: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    # Optional (added by the NLP stage, older files stay valid): phrases that count only together
    # with others, and combinations: every group of a combination must match within `window`
    # characters of each other (e.g. a trip abroad *and* its cost).
    weak_signals: tuple[str, ...] = ()
    combos: tuple[Combo, ...] = ()
    # What must be in view for a post to be about the narrative at all (an official or public money for
    # travel spending; a deceptive ask or a warning for scams): groups of phrases, one hit from every
    # group anywhere in the text. Without them no tag is given, however the model scores the text.
    requires: tuple[tuple[str, ...], ...] = ()

    @field_validator("requires", mode="before")
    @classmethod
    def _splice(cls, value: object) -> object:
        """A YAML alias inside a group (`[tỉnh, xã, *provinces]`) is spliced into it: YAML cannot."""
        if isinstance(value, list):
            return [[p for item in g for p in (item if isinstance(item, list) else [item])] if isinstance(g, list) else g
                    for g in value]
        return value

    @field_validator("requires")
    @classmethod
    def _non_empty_groups(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in value:
            if not group or any(not fold(p).strip() for p in group):
                raise ValueError("a requires group is empty or has an empty phrase")
        return value

    @field_validator("id")
    @classmethod
    def _known_id(cls, value: str) -> str:
        if value not in NARRATIVES:
            raise ValueError(f"unknown narrative id {value!r} (ids are fixed: {', '.join(NARRATIVES)})")
        return value

    @field_validator("signals", "exclusions", "weak_signals")
    @classmethod
    def _non_empty_phrases(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for phrase in value:
            if not fold(phrase).strip():
                raise ValueError("empty phrase")
        return value


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    narratives: tuple[Narrative, ...]

    @field_validator("narratives")
    @classmethod
    def _unique(cls, value: tuple[Narrative, ...]) -> tuple[Narrative, ...]:
        return unique_ids(value, "narrative")

    def get(self, narrative_id: str) -> Narrative:
        for n in self.narratives:
            if n.id == narrative_id:
                return n
        raise KeyError(narrative_id)

    def label(self, narrative_id: str) -> str:
        try:
            return self.get(narrative_id).label
        except KeyError:
            return narrative_id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.narratives)


@lru_cache(maxsize=8)
def load_taxonomy(path: Path) -> Taxonomy:
    data = read_yaml(Path(path), "narratives")
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(Path(path), exc)) from None
