import subprocess
import sys

from nlp.dedup import DedupIndex, group_id
from nlp.normalize import normalize

ORIGINAL = (
    "KHẨN: từ ngày 1/7 toàn bộ người dân phải đổi căn cước và sổ đỏ theo địa chỉ mới sau sáp nhập, "
    "ai không đổi sẽ bị phạt tiền và mất quyền sử dụng đất, chia sẻ ngay cho người thân biết"
)
REPOST_WITH_HASHTAGS = ORIGINAL + " #sapnhap #tinnong #chiase @trang_tin 🔥🔥 https://bit.ly/abc"
PARAPHRASE = (
    "KHẨN CẤP: từ ngày 1/7 toàn bộ người dân buộc phải đổi căn cước và sổ đỏ theo địa chỉ mới sau sáp nhập, "
    "ai không đổi sẽ bị phạt tiền và mất quyền sử dụng đất, chia sẻ gấp cho người thân biết nhé"
)
NO_DIACRITICS = (
    "khan: tu ngay 1/7 toan bo nguoi dan phai doi can cuoc va so do theo dia chi moi sau sap nhap, "
    "ai khong doi se bi phat tien va mat quyen su dung dat, chia se ngay cho nguoi than biet"
)
BOILERPLATE = " Theo dõi trang Tin Nóng 24h để cập nhật tin tức mới nhất mỗi ngày, bấm like và chia sẻ nhé"
SHARED_BOILERPLATE_A = "Giá xăng giảm 500 đồng mỗi lít từ chiều nay theo điều hành của liên bộ." + BOILERPLATE
SHARED_BOILERPLATE_B = "Đội tuyển bóng đá nữ giành vé dự vòng chung kết châu Á sau trận thắng 3-0." + BOILERPLATE


def folded(text: str) -> str:
    return normalize(text).folded


def test_copies_join_the_first_members_group(tmp_path):
    index = DedupIndex(tmp_path / "dedup.sqlite3")
    groups = index.assign(
        [
            ("fb:1", folded(ORIGINAL)),
            ("tt:2", folded(REPOST_WITH_HASHTAGS)),
            ("fb:3", folded(PARAPHRASE)),
            ("fb:4", folded(NO_DIACRITICS)),
        ]
    )
    assert groups == [group_id("fb:1")] * 4


def test_texts_sharing_only_boilerplate_are_not_copies(tmp_path):
    index = DedupIndex(tmp_path / "dedup.sqlite3")
    a, b = index.assign([("fb:a", folded(SHARED_BOILERPLATE_A)), ("fb:b", folded(SHARED_BOILERPLATE_B))])
    assert a == group_id("fb:a") and b == group_id("fb:b")


def test_short_texts_are_never_grouped(tmp_path):
    index = DedupIndex(tmp_path / "dedup.sqlite3")
    a, b = index.assign([("x:1", folded("hay quá")), ("x:2", folded("hay quá"))])
    assert a != b


def test_groups_are_stable_across_runs_and_reprocessing(tmp_path):
    path = tmp_path / "state" / "dedup.sqlite3"
    first = DedupIndex(path)
    [g1] = first.assign([("fb:day1", folded(ORIGINAL))])
    first.close()
    later = DedupIndex(path)  # hours or days later, a new process
    [g2, g3] = later.assign([("tt:day3", folded(REPOST_WITH_HASHTAGS)), ("fb:day1", folded(ORIGINAL))])
    assert g1 == g2 == g3 == group_id("fb:day1")


def test_another_process_sees_the_same_groups(tmp_path):
    path = tmp_path / "dedup.sqlite3"
    DedupIndex(path).assign([("fb:1", folded(ORIGINAL))])
    code = (
        "import sys; from pathlib import Path; from nlp.dedup import DedupIndex; from nlp.normalize import normalize;"
        "print(DedupIndex(Path(sys.argv[1])).assign([('tt:9', normalize(sys.argv[2]).folded)])[0])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path), PARAPHRASE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == group_id("fb:1")


def test_state_from_an_older_layout_is_rebuilt_not_misread(tmp_path):
    import sqlite3

    from nlp.dedup import DedupIndex

    path = tmp_path / "dedup.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("CREATE TABLE bands (bkey BLOB, seq INTEGER, extra TEXT); CREATE TABLE groups (key TEXT);")
    old.close()
    index = DedupIndex(path)
    text = "danh sach sap nhap tinh moi dang lan truyen tren mang xa hoi la gia mao"
    assert index.assign([("tiktok:1", text), ("tiktok:2", text)]) == [index.group_of("tiktok:1")] * 2
    index.close()
