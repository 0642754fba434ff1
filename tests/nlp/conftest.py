"""Shared fixtures: the taxonomy, the shipped model (loaded once), a small trained model."""

from __future__ import annotations

from pathlib import Path

import pytest

from misinfo.settings import CONFIG_DIR, Settings
from nlp.model import SHIPPED_DIR, TaggerModel, model_files
from nlp.taxonomy import Taxonomy, load_taxonomy

SHARED_DATA = Settings().labelled_data


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy(CONFIG_DIR / "narratives.yaml")


@pytest.fixture(scope="session")
def shipped_model() -> TaggerModel:
    return TaggerModel.load(model_files(SHIPPED_DIR)[-1])


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


def needs_shared_data() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SHARED_DATA.exists(), reason=f"shared labelled set not found at {SHARED_DATA}")
