import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from misinfo.domain import Review
from misinfo.pipeline import record_review
from misinfo.settings import Settings
from misinfo.store.sqlite import SqliteStore
from nlp.evaluate import EXAMPLES_PATH, load_labelled
from nlp.model import TaggerModel, model_files, newest_model_path
from nlp.train import retrain, review_examples, train
from tests.factories import make_tagged

T = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture()
def small_settings(tmp_path):
    """A labelled file of 40 project examples: training and scoring stay quick."""
    examples = load_labelled(EXAMPLES_PATH)
    random.Random(1).shuffle(examples)
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps({"text": e.text, "labels": list(e.labels)}, ensure_ascii=False) + "\n"
                            for e in examples[:40]), encoding="utf-8")
    return Settings(home=tmp_path / "home", labelled_data=path)


def review(key, verdict, narrative=None, minutes=0):
    return Review(key, verdict, "analyst", T + timedelta(minutes=minutes), narrative)


def test_reviews_become_labels(small_settings):
    store = SqliteStore(small_settings.sqlite_file)
    store.upsert([
        make_tagged("1", "Tin đồn gộp tỉnh, tên mới lan truyền", narratives=("province_merger",)),
        make_tagged("2", "Nhắn tin đòi tiền nếu không sẽ tung ảnh", narratives=()),
        make_tagged("3", "Ngân hàng sáp nhập", narratives=("province_merger",)),
    ])
    home = small_settings.home
    record_review(home, store, review("tiktok:2", "false", "scam_extortion"))
    record_review(home, store, review("tiktok:3", "not_about", "province_merger"))
    record_review(home, store, review("tiktok:1", "accurate", "province_merger"))
    record_review(home, store, review("tiktok:404", "false", "scam_extortion"))  # not in the store
    store.close()
    labels = {e.id: e.labels for e in review_examples(small_settings)}
    assert labels == {
        "review:tiktok:1": ("province_merger",),
        "review:tiktok:2": ("scam_extortion",),
        "review:tiktok:3": (),
    }


def test_retrain_does_nothing_without_new_reviews(small_settings):
    result = retrain(small_settings)
    assert result["kept"] == "old" and result["new_version"] is None
    assert "no new reviews" in result["reason"]
    assert model_files(small_settings.home / "models") == []


def test_retrain_keeps_a_better_new_model(small_settings):
    # the current model here is a poor one: trained on shuffled labels
    examples = load_labelled(EXAMPLES_PATH)
    shuffled = [e.labels for e in examples]
    random.Random(0).shuffle(shuffled)
    poor = train([e.__class__(e.id, e.text, lab) for e, lab in zip(examples, shuffled, strict=True)])
    poor.save(small_settings.home / "models")
    result = retrain(small_settings, force=True)
    assert result["old_version"] == poor.version
    assert result["macro_f1_new"] > result["macro_f1_old"]
    assert result["kept"] == "new"
    assert newest_model_path(small_settings.home).name == f"tagger-{result['new_version']}.joblib"


def test_retrain_keeps_the_old_model_when_the_new_scores_worse(small_settings, shipped_model):
    """A training recipe that goes wrong (labels scrambled) must not replace the current model."""
    shipped_model.save(small_settings.home / "models")

    def scrambled(data, info=None):
        labels = [d.labels for d in data]
        random.Random(0).shuffle(labels)
        return train([d.__class__(d.id, d.text, lab) for d, lab in zip(data, labels, strict=True)], info=info)

    result = retrain(small_settings, force=True, trainer=scrambled)
    assert result["reason"] == "the new model scores worse on the shared labelled set"
    assert result["kept"] == "old" and result["macro_f1_new"] < result["macro_f1_old"]
    assert [p.name for p in model_files(small_settings.home / "models")] == [f"tagger-{shipped_model.version}.joblib"]


def test_a_saved_model_loads_back(tmp_path, shipped_model):
    path = shipped_model.save(tmp_path / "models")
    again = TaggerModel.load(path)
    assert again.version == shipped_model.version
    (tmp_path / "models" / "tagger-20990101T000000-deadbeef.joblib").write_bytes(b"not a model")
    from misinfo.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot be loaded"):
        TaggerModel.load(newest_model_path(tmp_path))
