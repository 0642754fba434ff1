"""Filter evasion: the tricks themselves, clean text untouched by the matching normalisation, and the
tagger's macro-F1 under each trick within 0.05 of the clean text on every labelled set."""

from __future__ import annotations

import re

import pytest

import nlp.normalize
from misinfo.text import fold
from nlp.evaluate import EXAMPLES_PATH, HELDOUT_PATH, evaluate, load_labelled
from nlp.evasion import TRICKS, evade
from nlp.normalize import normalize
from nlp.tagger import Tagger
from tests.nlp.conftest import SHARED_DATA

LABELLED = [p for p in (SHARED_DATA, HELDOUT_PATH, EXAMPLES_PATH) if p.exists()]
TEXT = "Cảnh báo lừa đảo sáp nhập tỉnh: đối tượng giả danh công an yêu cầu chuyển khoản ngay"


@pytest.mark.parametrize("trick", list(TRICKS))
def test_each_trick_rewrites_a_third_to_a_half_of_the_words(trick: str) -> None:
    words = re.findall(r"[^\W\d_]+", TEXT)
    evaded = evade(TEXT, trick)
    assert evaded == evade(TEXT, trick)  # reproducible
    changed = len(words) - sum(1 for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", evaded))
    assert len(words) / 3 - 1 <= changed <= len(words) / 2 + 1
    assert fold(evaded) != fold(TEXT) or trick == "caps"


def test_clean_text_reads_the_same_with_and_without_the_matching_normalisation(monkeypatch) -> None:
    """The shipped model stays valid: what the tagger reads of plain text is exactly what it read before."""
    texts = [d.text for path in LABELLED for d in load_labelled(path)]
    with_it = [normalize(t) for t in texts]
    monkeypatch.setattr(nlp.normalize, "match_text", lambda text: text)
    without = [normalize(t) for t in texts]
    assert len(texts) >= 2000
    assert [n.tokens for n in with_it] == [n.tokens for n in without]
    assert [n.hashtags for n in with_it] == [n.hashtags for n in without]


@pytest.mark.slow
@pytest.mark.parametrize("path", [HELDOUT_PATH, SHARED_DATA], ids=["heldout", "shared"])
def test_each_evasion_costs_at_most_005_macro_f1(taxonomy, shipped_model, path) -> None:
    if not path.exists():
        pytest.skip(f"{path} not found")
    tagger = Tagger(taxonomy, shipped_model)
    data = load_labelled(path)
    clean = evaluate(tagger, data)["macro_f1"]
    for trick in TRICKS:
        evaded = [d.__class__(d.id, evade(d.text, trick), d.labels) for d in data]
        score = evaluate(tagger, evaded)["macro_f1"]
        assert clean - score <= 0.05, (trick, clean, score)
