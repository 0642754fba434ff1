import pytest

from misinfo.settings import CONFIG_DIR
from nlp.claims import ClaimMatcher, load_registry
from nlp.stage import background_texts


@pytest.fixture(scope="module")
def matcher():
    return ClaimMatcher(load_registry(CONFIG_DIR / "claims.yaml"), background=background_texts())


@pytest.mark.parametrize(
    "text,claim",
    [
        ("NÓNG: danh sách 63 tỉnh thành sáp nhập còn 31 tỉnh đã được Trung ương duyệt, xem tên tỉnh mới",
         "fake-63-to-31-list"),
        ("danh sach sap nhap 63 tinh con 31 tinh da duoc phe duyet, xem ten tinh moi cua ban", "fake-63-to-31-list"),
        ("Sáp nhập tỉnh xong là phải đổi căn cước, sổ đỏ ngay, không đổi bị phạt và mất đất đó mọi người",
         "merger-mandatory-document-change"),
        ("cong an goi video bao toi chuyen tien vao tai khoan de dieu tra, chung minh khong lien quan vu an",
         "police-video-call-transfer"),
        ("Nhà nước hỗ trợ tiền cho dân sau sáp nhập, đăng ký qua link, điền số tài khoản và mã OTP để nhận",
         "merger-support-money-link"),
        ("Danh sách Bộ Chính trị khóa mới đã chốt trước Đại hội, đang lan truyền trên mạng",
         "fake-congress-personnel-list"),
    ],
)
def test_paraphrases_and_text_without_diacritics_match(matcher, text, claim):
    matches = matcher.match(text)
    assert matches and matches[0].claim_id == claim
    assert 0 < matches[0].score <= 1


@pytest.mark.parametrize(
    "text",
    [
        "Quốc hội thông qua nghị quyết sắp xếp đơn vị hành chính cấp tỉnh, cả nước còn 34 tỉnh thành từ 1/7",
        "Công an tỉnh cảnh báo thủ đoạn lừa đảo qua mạng, người dân cần cảnh giác",
        "Hai ngân hàng sáp nhập, khách hàng không cần đổi thẻ hay tài khoản",
        "Đại hội đại biểu Đảng bộ tỉnh bầu Ban Chấp hành khóa mới",
        "Giá đất nền ven đô tăng nhẹ trong quý III do hạ tầng cải thiện",
        "",
        "😂😂",
    ],
)
def test_near_misses_do_not_match(matcher, text):
    assert matcher.match(text) == ()


def test_a_claim_inside_a_long_post_is_found(matcher):
    filler = "Hôm nay thời tiết đẹp, chợ quê đông vui, bà con mua bán tấp nập chuẩn bị cho ngày hội làng. " * 6
    post = filler + "Tin mới: danh sách sáp nhập 63 tỉnh thành còn 31 tỉnh đã được Trung ương phê duyệt. " + filler
    assert [m.claim_id for m in matcher.match(post)][:1] == ["fake-63-to-31-list"]
