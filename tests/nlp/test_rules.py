import pytest

from nlp.normalize import normalize
from nlp.rules import Rules
from nlp.tagger import RULES_THRESHOLD as RULES_MIN_SCORE


@pytest.fixture(scope="module")
def rules(taxonomy):
    return Rules(taxonomy)


def verdict(rules, text):
    n = normalize(text)
    return rules.match(n.tokens + n.hashtags)


@pytest.mark.parametrize(
    "text,narrative",
    [
        ("Tin đồn sáp nhập tỉnh mình với tỉnh bên cạnh", "province_merger"),
        ("tin don sap nhap tinh minh voi tinh ben canh", "province_merger"),
        ("Cảnh báo lừa đảo giả danh công an", "scam_extortion"),
        ("canh bao lua dao gia danh cong an", "scam_extortion"),
        ("Đoàn cán bộ đi Mỹ 10 ngày, chi hơn 2 tỷ đồng tiền ngân sách", "leadership_travel_spending"),
        ("Các thế lực thù địch xuyên tạc công tác nhân sự Đại hội XIV", "party_congress_smear"),
    ],
)
def test_signals_match_with_and_without_diacritics(rules, text, narrative):
    result = verdict(rules, text)[narrative]
    assert result.score >= RULES_MIN_SCORE
    assert any(e.kind == "phrase" and e.weight > 0 for e in result.evidence)


def test_exclusion_consumes_the_words_of_a_weaker_signal(rules):
    bank = verdict(rules, "Hai ngân hàng công bố kế hoạch sáp nhập ngân hàng trong quý tới")["province_merger"]
    assert bank.score < RULES_MIN_SCORE and bank.excluded
    assert any(e.value == "≠ sáp nhập ngân hàng" for e in bank.evidence)


def test_sports_dai_hoi_is_not_party_congress(rules):
    r = verdict(rules, "Đại hội Thể dục thể thao toàn quốc bị tin đồn xuyên tạc kết quả")["party_congress_smear"]
    assert r.score < RULES_MIN_SCORE


def test_diacritics_are_respected_when_present(rules):
    # `phương án` folds to `phuong an` like `phường`, but it is typed with diacritics: no match
    r = verdict(rules, "Công ty sắp xếp phương án kinh doanh mới")["province_merger"]
    assert r.score < RULES_MIN_SCORE
    assert verdict(rules, "sap xep phuong xa trong nam nay")["province_merger"].score >= RULES_MIN_SCORE


def test_combination_needs_every_group_close_together(rules):
    trip_and_cost = "Đoàn cán bộ tỉnh đi Nhật học tập kinh nghiệm, chi phí hơn 800 triệu đồng"
    assert verdict(rules, trip_and_cost)["leadership_travel_spending"].score >= RULES_MIN_SCORE
    trip_only = "Đoàn cán bộ tỉnh đi Nhật học tập kinh nghiệm về xử lý rác thải"
    assert verdict(rules, trip_only)["leadership_travel_spending"].score < RULES_MIN_SCORE


def test_nothing_on_ordinary_text(rules):
    assert all(r.score == 0 for r in verdict(rules, "Hôm nay trời đẹp, cả nhà đi công viên").values())
    assert all(r.score == 0 for r in verdict(rules, "").values())


@pytest.mark.parametrize(
    "text,narrative,phrase",
    [
        ("Sáng đầu tiên vận hành, một cửa đông nghịt #chinhquyenhaicap", "province_merger", "chính quyền hai cấp"),
        ("Ai sẽ lên? #SápNhậpTỉnh", "province_merger", "sáp nhập tỉnh"),
        ("Cẩn thận nha mn #luadao #canhgiac", "scam_extortion", "lừa đảo"),
    ],
)
def test_a_hashtag_that_runs_a_phrase_together_matches_the_phrase(rules, text, narrative, phrase):
    result = verdict(rules, text)[narrative]
    assert result.score >= RULES_MIN_SCORE
    assert phrase in [e.value for e in result.evidence]


def test_a_run_together_exclusion_rules_out_too(rules):
    bank = verdict(rules, "Cổ phiếu tăng trần sau tin #sapnhapnganhang")["province_merger"]
    assert bank.excluded and bank.score < RULES_MIN_SCORE
    assert verdict(rules, "Hôm nay trời đẹp #cafesang")["province_merger"].score == 0


def test_overlapping_phrases_both_count_but_a_covered_one_is_consumed(rules):
    # `đi học tập` (a trip) and `học tập kinh nghiệm` (its usual name) overlap: both are evidence
    trip = verdict(rules, "Huyện lại tổ chức đi học tập kinh nghiệm ở bãi biển")["leadership_travel_spending"]
    assert {"học tập kinh nghiệm"} <= {e.value for e in trip.evidence}
    # `sáp nhập` lies inside `sáp nhập ngân hàng`: only the exclusion is left
    bank = verdict(rules, "Kế hoạch sáp nhập ngân hàng được cổ đông thông qua")["province_merger"]
    assert "sáp nhập" not in {e.value for e in bank.evidence}


def test_requires_puts_the_subject_in_view_and_shows_it_as_evidence():
    from pathlib import Path

    from nlp.normalize import normalize
    from nlp.rules import Rules
    from nlp.taxonomy import load_taxonomy

    rules = Rules(load_taxonomy(Path("config/narratives.yaml")))

    def verdict(text: str, narrative: str):  # noqa: ANN202
        return rules.match(normalize(text).tokens)[narrative]

    official = verdict("Đoàn cán bộ tỉnh đi nước ngoài tốn kém tiền ngân sách", "leadership_travel_spending")
    assert official.anchored and any(e.value == "✓ đoàn" for e in official.evidence)  # the first in the text
    family = verdict("Gia đình mình đi Nhật 5 ngày, chi phí hết 90 triệu", "leadership_travel_spending")
    assert not family.anchored and family.score > 0  # the trip and its cost match, no official in view
    assert not verdict("Công ty đổi tên ứng dụng sang thương hiệu mới", "province_merger").anchored
    assert not verdict("Công an huyện Thanh Trì bắt đối tượng trộm xe ở xã Tả Thanh Oai", "province_merger").anchored
    assert verdict("Sáp nhập tỉnh Hà Giang với Tuyên Quang", "province_merger").anchored
    assert not verdict("Sáp nhập ngân hàng ở tỉnh Hà Nam", "province_merger").anchored  # inside an exclusion
    assert not verdict("Quét mã QR chuyển khoản tiền hàng cho shop", "scam_extortion").anchored
    assert verdict("Cảnh giác cuộc gọi giả danh công an yêu cầu chuyển tiền", "scam_extortion").anchored
    # a one-syllable requirement matches bare only in a text typed without any diacritics
    assert not verdict("Nhiều gia đình thuê tàu đi chơi", "scam_extortion").anchored
    assert verdict("canh bao lua dao gia mao ngan hang", "scam_extortion").anchored


def test_hybrid_needs_anchor_or_a_sure_model():
    from nlp.rules import RuleResult
    from nlp.tagger import UNANCHORED_MODEL_MIN, decide

    unanchored = RuleResult(score=0.9, anchored=False)
    assert not decide("hybrid", UNANCHORED_MODEL_MIN - 0.01, unanchored)[1]
    assert decide("hybrid", UNANCHORED_MODEL_MIN, unanchored)[1]
    assert decide("hybrid", 0.3, RuleResult(score=0.9, anchored=True))[1]
    assert not decide("rules", 0.99, unanchored)[1]
