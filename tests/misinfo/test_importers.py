"""Official exports into the landing zone: every field mapped, bad records quarantined, the rest kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from misinfo.cli import app
from misinfo.errors import InvalidRecord
from misinfo.importers import import_export, parse_export_time
from misinfo.landing import LandingZone

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def landed(home):
    return {line.post.post_id: line.post for line in LandingZone(home).iter_posts() if line.post}


def test_tiktok_research_answer(tmp_path):
    report = import_export(tmp_path, EXPORTS / "tiktok_research_query.json", "tiktok-research")
    assert (report.lines, report.imported, report.quarantined) == (3, 2, 1)
    post = landed(tmp_path)["7312345678901234567"]
    assert post.text.startswith("Cảnh báo giả danh công an") and post.author == "congan.tinh"
    assert post.created_at.isoformat() == "2024-11-01T00:00:00+00:00"
    assert (post.metrics.views, post.metrics.likes, post.metrics.comments, post.metrics.shares) == (356000, 12800, 97, 431)
    assert post.hashtags == ("canhbao", "luadao") and post.source == "tiktok_research"
    assert post.url == "https://www.tiktok.com/@congan.tinh/video/7312345678901234567"
    assert post.transcript is None  # the query did not ask for voice_to_text for this one
    spoken = landed(tmp_path)["7312345678901234000"].transcript
    assert spoken is not None and spoken.text.startswith("Bà con chú ý, danh sách sáp nhập xã")
    assert (spoken.language, spoken.source) == ("", "voice_to_text")
    bad = list(LandingZone(tmp_path).iter_quarantine())
    assert len(bad) == 1 and "created_at" in bad[0]["reason"] and bad[0]["raw"]["video_description"] == "no time"


def test_tiktok_research_json_lines_with_a_broken_line(tmp_path):
    src = tmp_path / "pages.jsonl"
    one = '{"data":{"videos":[{"id":1,"video_description":"a","create_time":1730419200,"username":"u"}]}}'
    two = '{"data":{"videos":[{"id":2,"video_description":"b","create_time":1730419300,"username":"u"}]}}'
    src.write_text(one + "\n{broken\n" + two + "\n", encoding="utf-8")
    report = import_export(tmp_path / "home", src, "tiktok-research")
    assert (report.imported, report.quarantined) == (2, 1)
    assert set(landed(tmp_path / "home")) == {"1", "2"}


def test_crowdtangle_csv(tmp_path):
    report = import_export(tmp_path, EXPORTS / "crowdtangle.csv", "meta-csv")
    assert (report.imported, report.quarantined) == (2, 1)
    posts = landed(tmp_path)
    post = posts["123456789012345"]
    assert post.text == "CẢNH BÁO: thủ đoạn lừa đảo mới.\n\nKhông cung cấp mã OTP. #canhbao #CanhBao"  # blank line kept
    assert post.created_at.isoformat() == "2024-11-01T00:00:00+00:00"  # 07:00 ICT
    assert (post.metrics.likes, post.metrics.comments, post.metrics.shares) == (1266, 34, 5)  # every reaction kind
    assert (post.author, post.author_name, post.platform, post.hashtags) == ("baotintinh", "Báo Tin Tỉnh", "facebook", ("canhbao",))
    assert post.url == "https://www.facebook.com/baotintinh/posts/123456789012345" and post.metrics.views == 0
    assert posts["999"].created_at.isoformat() == "2024-10-31T17:00:00+00:00"  # 12:00 EST
    reason = next(LandingZone(tmp_path).iter_quarantine())["reason"]
    assert "created_at" in reason


def test_crowdtangle_group_export(tmp_path):
    """A group's export names the group in `Group Name` and may leave `User Name` empty."""
    rows = list(csv.DictReader((EXPORTS / "crowdtangle.csv").open(encoding="utf-8")))[:1]
    rows[0] = {("Group Name" if k == "Page Name" else k): v for k, v in rows[0].items()} | {"User Name": ""}
    src = tmp_path / "group.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert import_export(tmp_path / "home", src, "meta-csv").imported == 1
    post = landed(tmp_path / "home")["123456789012345"]
    assert (post.author, post.author_name) == ("100064", "Báo Tin Tỉnh")


def test_meta_content_library_csv(tmp_path):
    report = import_export(tmp_path, EXPORTS / "meta_content_library.csv", "meta-csv")
    assert (report.imported, report.quarantined) == (3, 0)
    posts = landed(tmp_path)
    first = posts["555001"]
    assert (first.metrics.likes, first.metrics.comments, first.metrics.shares, first.metrics.views) == (1234, 78, 56, None)
    assert (first.author, first.author_name, first.hashtags) == ("baotintinh", "Báo Tin Tỉnh", ("tingia",))
    assert first.url == ""  # the Content Library gives no link to the post
    assert posts["555002"].created_at.isoformat() == "2024-10-31T00:00:00+00:00"
    assert posts["555002"].metrics.views == 120
    assert (posts["555003"].author, posts["555003"].author_name) == ("700001", "")  # no username: the owner id


def test_loosely_named_columns_are_not_guessed(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("Post ID,Created,Message\n1,2024-11-01,hi\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="expected the columns id, creation_time"):
        import_export(tmp_path, src, "meta-csv")


def test_not_an_export_is_one_clear_error(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="not a Meta Content Library or CrowdTangle CSV"):
        import_export(tmp_path, src, "meta-csv")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-11-01 07:00:00 ICT", "2024-11-01T00:00:00+00:00"),
        ("2024-11-01T00:00:00+0000", "2024-11-01T00:00:00+00:00"),
        ("2024-11-01 00:00:00", "2024-11-01T00:00:00+00:00"),
        ("1730419200", "2024-11-01T00:00:00+00:00"),
        ("yesterday", None),
    ],
)
def test_export_times(value, iso):
    assert parse_export_time(value) == iso


def test_cli_import_formats(tmp_path, monkeypatch):
    monkeypatch.setenv("MISINFO_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["import", str(EXPORTS / "meta_content_library.csv"), "--format", "meta-csv"])
    assert result.exit_code == 0, result.output
    assert "imported 3 posts" in result.output
    assert set(landed(tmp_path)) == {"555001", "555002", "555003"}


def test_zeeschuimer_ndjson(tmp_path):
    report = import_export(tmp_path, EXPORTS / "zeeschuimer_tiktok.ndjson", "zeeschuimer")
    assert (report.lines, report.imported, report.quarantined) == (6, 3, 3)
    posts = landed(tmp_path)
    api = posts["7441000000000000001"]
    assert api.text.startswith("Danh sách sáp nhập tỉnh") and api.hashtags == ("sapnhaptinh", "tingia")
    assert (api.author, api.author_name, api.source, api.platform) == ("tinnong.mophong", "Tin Nóng (mô phỏng)", "zeeschuimer", "tiktok")
    assert (api.metrics.views, api.metrics.likes, api.metrics.comments, api.metrics.shares) == (35100, 1200, 64, 85)
    assert api.created_at.isoformat() == "2024-12-04T05:26:40+00:00"
    assert api.collected_at.isoformat() == "2024-12-04T08:30:00.123000+00:00"  # timestamp_collected, ms
    assert api.url == "https://www.tiktok.com/@tinnong.mophong/video/7441000000000000001"
    assert posts["7441000000000000002"].author == "acc.moi.mophong"  # a search answer's item
    embedded = posts["7441000000000000003"]  # an item embedded in a video page: author is a name
    assert (embedded.author, embedded.author_name, embedded.metrics.likes) == ("tinnong.mophong", "Tin Nóng (mô phỏng)", 300)
    bad = sorted(LandingZone(tmp_path).iter_quarantine(), key=lambda q: q["origin"])
    assert [q["origin"] for q in bad] == [f"import:zeeschuimer_tiktok.ndjson:{n}" for n in (4, 5, 6)]
    assert "source_platform 'instagram.com' is not TikTok" in bad[0]["reason"]
    assert "invalid JSON" in bad[1]["reason"] and "created_at" in bad[2]["reason"]


def test_zeeschuimer_cli(tmp_path, monkeypatch):
    monkeypatch.setenv("MISINFO_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["import", str(EXPORTS / "zeeschuimer_tiktok.ndjson"), "--format", "zeeschuimer"])
    assert result.exit_code == 0, result.output
    assert "imported 3 posts from 6 lines; quarantined 3" in result.output
