import json

import pytest

from misinfo.errors import ConfigError
from misinfo.text import fold
from nlp.evaluate import EXAMPLES_PATH, HELDOUT_PATH, cross_validate, evaluate, load_labelled, report
from nlp.tagger import Tagger
from nlp.train import training_set
from tests.nlp.conftest import SHARED_DATA, needs_shared_data


def test_report_counts_precision_recall_f1_support():
    gold = [["scam_extortion"], ["scam_extortion"], [], ["province_merger"]]
    pred = [["scam_extortion"], [], ["scam_extortion"], ["province_merger"]]
    r = report(gold, pred, ("scam_extortion", "province_merger"))
    assert r["per_label"]["scam_extortion"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert r["per_label"]["province_merger"]["f1"] == 1.0
    assert r["macro_f1"] == 0.75 and r["n"] == 4


def test_labelled_file_errors_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_labelled(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "labels": []}\n{not json\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=":2:"):
        load_labelled(bad)
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text(json.dumps({"text": "x", "labels": ["weather"]}) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="weather"):
        load_labelled(unknown)


def test_project_examples_are_marked_and_valid():
    examples = load_labelled(EXAMPLES_PATH)
    assert len(examples) >= 150
    records = [json.loads(line) for line in EXAMPLES_PATH.read_text(encoding="utf-8").splitlines()]
    assert all("written by the misinfo-monitor project" in r["source"] for r in records)
    shared = {d.text for d in load_labelled(SHARED_DATA)} if SHARED_DATA.exists() else set()
    assert not shared & {e.text for e in examples}


@pytest.mark.slow
@needs_shared_data()
def test_cross_validated_hybrid_beats_each_half_and_ignores_diacritics(taxonomy):
    """Done-when of the tagger: 5-fold stratified CV on the shared set, with and without diacritics."""
    data = load_labelled(SHARED_DATA)
    extra = load_labelled(EXAMPLES_PATH)
    cv = cross_validate(data, taxonomy, extra=extra, k=5, seed=0)
    stripped = cross_validate(data, taxonomy, extra=extra, k=5, seed=0, strip_diacritics=True)
    hybrid, rules, model = cv["hybrid"]["macro_f1"], cv["rules"]["macro_f1"], cv["model"]["macro_f1"]
    print(json.dumps({"hybrid": hybrid, "rules": rules, "model": model, "stripped": stripped["hybrid"]["macro_f1"]}))
    assert hybrid >= 0.85
    assert hybrid > rules and hybrid > model
    assert hybrid - stripped["hybrid"]["macro_f1"] <= 0.05
    assert all(fold(d.text) == fold(fold(d.text)) for d in data)  # stripping really removes every diacritic


def test_heldout_set_is_apart_from_everything_trained_on(settings):
    heldout = {d.text for d in load_labelled(HELDOUT_PATH)}
    assert len(heldout) >= 150
    assert not heldout & {d.text for d in training_set(settings)}


def test_shipped_tagger_on_the_heldout_set_beats_each_half(taxonomy, shipped_model):
    """Texts written apart from the rules and never trained on: the honest measure of the tagger."""
    data = load_labelled(HELDOUT_PATH)
    scores = {mode: evaluate(Tagger(taxonomy, shipped_model, mode=mode), data)["macro_f1"]
              for mode in ("hybrid", "rules", "model")}  # fmt: skip
    print(json.dumps(scores))
    assert scores["hybrid"] >= 0.9
    # the rules alone miss unlisted wordings; the model alone is close: the blend must not cost more than noise
    assert scores["hybrid"] > scores["rules"] + 0.1
    assert scores["hybrid"] >= scores["model"] - 0.01


def test_false_alarm_report_counts_per_kind_and_narrative():
    from nlp.evaluate import Labelled, false_alarm_report

    data = [Labelled("a", "x", (), "everyday"), Labelled("b", "y", (), "everyday"), Labelled("c", "z", (), "hard"),
            Labelled("d", "w", ("scam_extortion",), "hard")]  # fmt: skip
    r = false_alarm_report([["scam_extortion"], [], ["scam_extortion", "province_merger"], ["scam_extortion"]], data)
    assert r["overall"]["n"] == 3 and r["overall"]["tagged"] == 2  # the on-topic text is not a false alarm
    assert r["everyday"]["rate"] == 0.5 and r["hard"]["rate"] == 1.0
    assert r["hard"]["per_narrative"]["province_merger"] == {"tagged": 1, "rate": 1.0}
    assert r["everyday"]["per_narrative"]["party_congress_smear"]["tagged"] == 0


def test_real_false_alarm_set_is_real_sourced_and_never_trained_on(settings):
    from nlp.evaluate import FALSE_ALARMS_PATH

    records = [json.loads(line) for line in FALSE_ALARMS_PATH.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 500
    kinds = {k: sum(r["kind"] == k for r in records) for k in ("everyday", "hard")}
    assert kinds["hard"] >= len(records) / 4 and kinds["everyday"] + kinds["hard"] == len(records)
    assert all(r["source"].startswith("github:") and "@" in r["source"] and r["licence"] for r in records)
    assert all(not r["labels"] for r in records)
    assert any(not r["diacritics"] for r in records)
    texts = {r["text"] for r in records}
    assert not texts & {d.text for d in training_set(settings)}
    assert not texts & {d.text for d in load_labelled(HELDOUT_PATH)}


def test_shipped_tagger_false_alarms_on_real_text(taxonomy, shipped_model):
    """Measured, not tuned on: everyday within target (1%); hard negatives recorded (target 3%, not met yet)."""
    from nlp.evaluate import FALSE_ALARMS_PATH, false_alarms

    r = false_alarms(Tagger(taxonomy, shipped_model), load_labelled(FALSE_ALARMS_PATH))
    print(json.dumps({k: v["rate"] for k, v in r.items()}))
    assert r["everyday"]["rate"] <= 0.01
    assert r["hard"]["rate"] <= 0.06
