import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from misinfo.cli import app
from nlp.evaluate import EXAMPLES_PATH, load_labelled


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MISINFO_HOME", str(tmp_path / "home"))
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "Cảnh báo lừa đảo giả danh công an gọi video yêu cầu chuyển tiền", "labels": ["scam_extortion"]},
        {"text": "Tin đồn sáp nhập tỉnh, tên tỉnh mới lan truyền", "labels": ["province_merger"]},
        {"text": "Hôm nay trời đẹp quá", "labels": []},
    ]
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return labelled


def test_tag_prints_tags_with_evidence(env):
    result = CliRunner().invoke(app, ["nlp", "tag", "canh bao lua dao gia danh cong an goi video bat chuyen tien"])
    assert result.exit_code == 0, result.output
    assert "scam_extortion" in result.output and "phrase:" in result.output and "feature:" in result.output


def test_tag_json(env):
    result = CliRunner().invoke(app, ["nlp", "tag", "--json", "Đội tuyển bóng đá thắng 2-0"])
    out = json.loads(result.output)
    assert out["tags"] == [] and out["model_version"]


def test_evaluate_json_shape(env):
    result = CliRunner().invoke(app, ["nlp", "evaluate", "--data", str(env), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"macro_f1", "per_label", "n"} and out["n"] == 3
    assert set(out["per_label"]["scam_extortion"]) == {"precision", "recall", "f1", "support"}
    assert out["per_label"]["scam_extortion"]["support"] == 1


def tag_json(text: str) -> dict:
    result = CliRunner().invoke(app, ["nlp", "tag", "--json", text])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_train_saves_a_model_that_tag_then_uses(tmp_path):
    """Made-up words labelled as a narrative (project-written, a smoke test): after `train` on them,
    `tag` knows them, which the shipped model did not, and names the new version."""
    text = "zorblax kuvet quamph"
    data = tmp_path / "made-up.jsonl"
    data.write_text((json.dumps({"text": text, "labels": ["party_congress_smear"]}) + "\n") * 20, encoding="utf-8")
    before = tag_json(text)
    assert before["tags"] == []

    result = CliRunner().invoke(app, ["nlp", "train", "--data", str(data)])
    assert result.exit_code == 0, result.output
    (saved,) = (tmp_path / "home" / "models").glob("tagger-*.joblib")
    version = saved.name.removeprefix("tagger-").removesuffix(".joblib")
    assert f"saved model {version} ({len(load_labelled(EXAMPLES_PATH)) + 20} texts)" in " ".join(result.output.split())

    after = tag_json(text)
    assert after["model_version"].startswith(version) and not before["model_version"].startswith(version)
    assert [t["narrative"] for t in after["tags"]] == ["party_congress_smear"]
    features = {e["value"] for e in after["tags"][0]["evidence"] if e["kind"] == "feature"}
    assert {"kuvet", "quamph"} <= features  # the tag comes from what it was trained on


def test_bad_data_file_is_one_clear_line(tmp_path):
    environ = dict(os.environ, MISINFO_HOME=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "misinfo.cli", "nlp", "evaluate", "--data", str(tmp_path / "nope.jsonl")],
        capture_output=True, text=True, env=environ,
    )
    assert out.returncode != 0
    assert "labelled data file not found" in out.stderr and "Traceback" not in out.stderr
