import pytest

from nlp.tagger import THRESHOLD, Tagger


@pytest.fixture(scope="module")
def tagger(taxonomy, shipped_model):
    return Tagger(taxonomy, shipped_model)


def narratives(tagger, text):
    return {t.narrative for t in tagger.tag_texts([text])[0]}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Rộ tin đồn gộp tỉnh, tên tỉnh mới và nơi đặt trụ sở được chia sẻ khắp các hội nhóm", {"province_merger"}),
        ("mấy ông lãnh đạo đi châu Âu khảo sát mà toàn đi tham quan mua sắm, tiền thuế của dân cả", {"leadership_travel_spending"}),
        ("Nhận được cuộc gọi tự xưng công an, yêu cầu chuyển tiền để chứng minh trong sạch", {"scam_extortion"}),
        ("Tung tin thất thiệt về nhân sự Bộ Chính trị trước Đại hội Đảng nhằm chia rẽ nội bộ", {"party_congress_smear"}),
        ("Hai ngân hàng sáp nhập, cổ đông được hoán đổi cổ phiếu theo tỷ lệ 1:1", set()),
        ("Đại hội Thể dục thể thao toàn quốc khai mạc tại Hà Nội", set()),
        ("Mã OTP của bạn là 123456, có hiệu lực trong 3 phút. Không chia sẻ mã này cho bất kỳ ai.", set()),
        ("Cả nhà cuối tuần đi Đà Lạt, tổng chi phí 10 triệu cho 4 người", set()),
    ],
)
def test_tags_real_cases_and_hard_negatives(tagger, text, expected):
    assert narratives(tagger, text) == expected


def test_every_tag_has_a_score_and_evidence(tagger):
    [tags] = tagger.tag_texts(["Cảnh báo lừa đảo: kẻ gian ghép mặt vào clip nhạy cảm rồi tống tiền nạn nhân"])
    [tag] = tags
    assert tag.narrative == "scam_extortion"
    assert THRESHOLD <= tag.score <= 1
    kinds = {e.kind for e in tag.evidence}
    assert kinds == {"phrase", "feature"}
    assert any(e.value == "tống tiền" for e in tag.evidence)
    assert any(e.kind == "feature" and e.value != "model probability" for e in tag.evidence)


def test_text_without_diacritics_is_tagged_like_with_them(tagger):
    a = "Cảnh báo thủ đoạn giả danh công an gọi điện yêu cầu chuyển tiền vào tài khoản tạm giữ"
    b = "canh bao thu doan gia danh cong an goi dien yeu cau chuyen tien vao tai khoan tam giu"
    assert narratives(tagger, a) == narratives(tagger, b) == {"scam_extortion"}


def test_modes_for_evaluation(taxonomy, shipped_model):
    text = ["Tin đồn sáp nhập tỉnh lan truyền"]
    assert Tagger(taxonomy, None, mode="rules").tag_texts(text)[0][0].narrative == "province_merger"
    assert all(e.kind == "feature" for t in Tagger(taxonomy, shipped_model, mode="model").tag_texts(text)[0]
               for e in t.evidence)
    with pytest.raises(ValueError):
        Tagger(taxonomy, None)


def test_empty_batch(tagger):
    assert tagger.tag_batch([]) == []
