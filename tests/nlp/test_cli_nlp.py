import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from misinfo.cli import app


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


def test_train_saves_a_new_version(env, tmp_path):
    result = CliRunner().invoke(app, ["nlp", "train", "--data", str(env)])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "home" / "models").glob("tagger-*.joblib"))) == 1


def test_bad_data_file_is_one_clear_line(tmp_path):
    environ = dict(os.environ, MISINFO_HOME=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "misinfo.cli", "nlp", "evaluate", "--data", str(tmp_path / "nope.jsonl")],
        capture_output=True, text=True, env=environ,
    )
    assert out.returncode != 0
    assert "labelled data file not found" in out.stderr and "Traceback" not in out.stderr
