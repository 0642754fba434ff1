"""Synthetic Vietnamese posts for the demo: deterministic, varied, and clearly marked as synthetic.

Every text here was written for the demo from templates; no real post, account or person is
copied. Sources have obviously made-up names (handles end in `.mophong` / `mophong`, "simulated"),
and every page the demo serves carries `DEMO_NOTE`. Slot filling, tone prefixes, hashtags and a
casual rewrite (no diacritics, `ko`, `dc`, `ae`...) make 3,000 posts read like a feed, not like 20
sentences repeated.

What the data holds, so the demo shows every part of the system:
- everyday posts (food, traffic, weather, football, shopping, daily life): most of the feed;
- hard negatives: bank and company mergers, sports "Đại hội", shareholder meetings, official
  trips reported neutrally, congress personnel news without a smear;
- the four narratives at a steady background rate over 14 days (spreading, debunking, warning);
- a province-merger hoax bursting in the last 24 hours (`burst`);
- a copy-paste scam campaign: one text with small variations and extra hashtags posted by several
  accounts within minutes (`campaign`);
- a few posts repeating a claim of `config/claims.yaml` in other words (`claim:<id>`);
- one source that is blocked (TikTok statusCode 10204), so the crawl reports it.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from misinfo.domain import Metrics, Post

SEED = 20250701
DAYS = 14
DEMO_NOTE = "Dữ liệu mô phỏng cho bản demo"
LOCAL_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh, for the daily rhythm of posting

# ------------------------------------------------------------------------------------ sources


@dataclass(frozen=True, slots=True)
class DemoSource:
    """One simulated public page; `layout` is `api` (TikTok), `m` or `www` (Facebook)."""

    key: str
    platform: Literal["tiktok", "facebook"]
    handle: str
    name: str
    layout: str
    volume: int  # background posts over the 14 days
    casual: float  # share of posts typed casually (shorthand, often without diacritics)
    topics: dict[str, float]
    blocked: str | None = None  # "tiktok-10204": the profile answers statusCode 10204

    def yaml_entry(self) -> dict[str, Any]:
        return {"key": self.key, "platform": self.platform, "handle": self.handle, "label": self.name}


SOURCES: tuple[DemoSource, ...] = (
    DemoSource("tin-nhanh-tt", "tiktok", "tinnhanh.mophong", "Tin Nhanh Mỗi Ngày (mô phỏng)", "api", 420, 0.05,
               {"weather": 14, "traffic": 14, "football": 8, "life": 14, "food": 4, "neg_bank": 6, "neg_sport": 5,
                "neg_trip": 5, "neg_congress": 4, "pm": 8, "travel": 3, "smear": 3, "scam": 12}),
    DemoSource("chuyen-pho-tt", "tiktok", "chuyenpho.mophong", "Chuyện Phố Phường (mô phỏng)", "api", 380, 0.35,
               {"food": 30, "traffic": 20, "weather": 15, "life": 25, "shopping": 5, "pm": 2, "scam": 3}),
    DemoSource("bong-da-tt", "tiktok", "bongda.sanco.mophong", "Bóng Đá Sân Cỏ (mô phỏng)", "api", 300, 0.3,
               {"football": 80, "neg_sport": 10, "life": 6, "food": 4}),
    DemoSource("ae-dong-que-tt", "tiktok", "aedongque.mophong", "Anh Em Đồng Quê (mô phỏng)", "api", 320, 0.6,
               {"life": 25, "food": 10, "football": 10, "pm": 15, "travel": 10, "smear": 10, "scam": 10,
                "weather": 5, "neg_bank": 2, "shopping": 3}),
    DemoSource("review-do-tt", "tiktok", "reviewdo.mophong", "Review Đồ Xinh (mô phỏng)", "api", 260, 0.3,
               {"food": 40, "shopping": 50, "life": 10}),
    DemoSource("tin-nong-tt", "tiktok", "tinnong247.mophong", "Tin Nóng 24/7 (mô phỏng)", "api", 150, 0.5,
               {"life": 30, "pm": 25, "smear": 15, "travel": 10, "scam": 10, "football": 10},
               blocked="tiktok-10204"),
    DemoSource("cong-dong-fb", "facebook", "congdongphomoimophong", "Cộng Đồng Cư Dân Phố Mới (mô phỏng)", "m", 420,
               0.3, {"life": 25, "traffic": 20, "weather": 15, "food": 10, "shopping": 5, "pm": 8, "scam": 10,
                     "neg_misc": 5, "travel": 2}),
    DemoSource("canh-bao-fb", "facebook", "gocanhbaomophong", "Góc Cảnh Báo Lừa Đảo (mô phỏng)", "m", 220, 0.0,
               {"scam": 50, "pm": 12, "smear": 8, "neg_misc": 10, "neg_bank": 5, "life": 10, "travel": 5}),
    DemoSource("cho-que-fb", "facebook", "choqueonlinemophong", "Chợ Quê Online (mô phỏng)", "m", 330, 0.4,
               {"shopping": 55, "food": 30, "life": 10, "scam": 5}),
    DemoSource("goc-nhin-fb", "facebook", "gocnhinthoisumophong", "Góc Nhìn Thời Sự (mô phỏng)", "www", 30, 0.05,
               {"travel": 20, "smear": 20, "pm": 20, "neg_trip": 10, "neg_congress": 15, "neg_bank": 5, "life": 10}),
)  # fmt: skip

# ------------------------------------------------------------------------------------ vocabulary

PROVINCES = ["Nghệ An", "Hà Tĩnh", "Quảng Trị", "Thanh Hóa", "Lạng Sơn", "Cao Bằng", "Tuyên Quang", "Lào Cai",
             "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình", "Quảng Ngãi", "Gia Lai", "Đắk Lắk",
             "Khánh Hòa", "Lâm Đồng", "Đồng Nai", "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Cà Mau",
             "Sơn La", "Điện Biên", "Quảng Ninh", "Lai Châu"]
VOCAB: dict[str, Sequence[str]] = {
    "prov": PROVINCES,
    "prov2": PROVINCES,
    "newname": ["Sông Lam", "Trường Sơn", "Đông Hải", "Nam Sơn", "Hồng Lam", "Tây Nguyên Thượng", "Bắc Hà Sơn",
                "Cửu Long Nam", "Lam Hồng", "Đông Bắc"],
    "town": ["thị trấn Phú Mỹ", "khu vực Tân An", "thị xã Bình Minh", "phường An Khê", "khu đô thị Long Thành",
             "thị trấn Hòa Bình", "xã Tân Phú", "phường Bình An"],
    "n_prov": ["31", "31", "28", "25", "24"],
    "street": ["Nguyễn Trãi", "Lê Văn Sỹ", "Cầu Giấy", "Hàng Bạc", "Trần Hưng Đạo", "Lê Lợi", "Phạm Văn Đồng",
               "Nguyễn Văn Linh", "Điện Biên Phủ", "Võ Văn Kiệt", "Hai Bà Trưng", "Lạc Long Quân", "Kim Mã"],
    "district": ["Cầu Giấy", "Hoàn Kiếm", "Bình Thạnh", "Gò Vấp", "Hải Châu", "Ninh Kiều", "Thủ Đức", "Long Biên",
                 "Đống Đa", "Tân Bình"],
    "bridge": ["Chương Dương", "Vĩnh Tuy", "Thăng Long", "Sài Gòn", "Bình Triệu", "Rồng", "Trần Thị Lý"],
    "food": ["phở bò tái lăn", "bún chả", "bún bò Huế", "bánh mì pate", "cơm tấm sườn bì", "bún đậu mắm tôm",
             "bánh cuốn nóng", "cháo sườn", "miến lươn", "hủ tiếu Nam Vang", "bánh xèo", "lẩu mắm", "ốc luộc",
             "nem nướng", "chè bưởi", "cà phê trứng", "xôi xéo", "bánh canh cua", "mì Quảng", "bún riêu"],
    "taste": ["đậm đà", "hơi ngọt so với khẩu vị miền Bắc", "vừa miệng", "cay nồng đúng kiểu", "thanh nhẹ",
              "béo mà không ngấy"],
    "service": ["nhanh nhẹn", "hơi chậm giờ cao điểm", "cô chủ vui tính", "nhân viên nhiệt tình", "chỗ để xe rộng"],
    "step": ["ướp thịt với hành tỏi băm 30 phút", "nướng than hoa cho thơm", "chần bánh qua nước sôi",
             "phi thơm hành khô", "nêm nước mắm vừa ăn", "hầm xương lửa nhỏ 3 tiếng"],
    "side": ["rau sống", "dưa góp", "chanh ớt", "nước mắm chua ngọt", "quẩy giòn"],
    "cause": ["va chạm giữa hai ô tô", "mưa lớn gây ngập", "xe tải chết máy giữa đường", "thi công cống thoát nước",
              "giờ tan tầm đông xe"],
    "project": ["đường vành đai 3", "ga tàu điện ngầm", "cầu vượt", "hệ thống thoát nước", "nút giao mới"],
    "alt": ["đường vòng qua phố bên", "hướng cầu vượt", "làn đường bên phải", "tuyến song song"],
    "region": ["Hà Nội", "TP.HCM", "Đà Nẵng", "Bắc Bộ", "Nam Bộ", "Tây Nguyên", "Huế", "Cần Thơ", "Nghệ An"],
    "weather": ["có mưa rào và dông rải rác", "nắng nóng, chiều tối có mưa", "trời rét, sương mù buổi sáng",
                "nhiều mây, không mưa", "mưa vừa đến mưa to"],
    "item": ["áo mưa", "ô", "áo khoác", "kem chống nắng", "khẩu trang"],
    "team": ["Hà Nội FC", "Công an Hà Nội", "Thép Xanh Nam Định", "Thể Công Viettel", "Hải Phòng",
             "Hoàng Anh Gia Lai", "Becamex Bình Dương", "Sông Lam Nghệ An", "Đông Á Thanh Hóa", "Quy Nhơn Bình Định"],
    "nt": ["Thái Lan", "Indonesia", "Malaysia", "Philippines", "Singapore", "Lào", "Campuchia", "Myanmar"],
    "epl": ["MU", "Arsenal", "Liverpool", "Man City", "Chelsea", "Tottenham", "Newcastle"],
    "player": ["tiền đạo số 9", "trung vệ đội trưởng", "cầu thủ trẻ vào sân từ ghế dự bị", "tiền vệ cánh trái",
               "thủ môn"],
    "stadium": ["Mỹ Đình", "Hàng Đẫy", "Thiên Trường", "Lạch Tray", "Thống Nhất", "Pleiku"],
    "product": ["nồi chiên không dầu", "áo khoác gió", "giày thể thao", "son kem lì", "quạt tích điện",
                "máy lọc không khí", "bình giữ nhiệt", "tai nghe bluetooth", "váy hoa nhí", "bộ chăn ga cotton",
                "sữa rửa mặt", "balo laptop"],
    "sale": ["9.9", "10.10", "11.11", "12.12", "cuối tháng", "Black Friday", "sinh nhật shop"],
    "place": ["công viên nước", "vườn bách thảo", "bảo tàng", "hồ Tây", "phố đi bộ", "khu vui chơi trong nhà"],
    "market": ["Hôm", "Bến Thành", "Đồng Xuân", "Tân Định", "Long Biên", "Hàn"],
    "school": ["Nguyễn Du", "Lê Quý Đôn", "Trần Phú", "Chu Văn An", "Quang Trung"],
    "bank": ["Ngân hàng An Phú", "Ngân hàng Hưng Thịnh", "Ngân hàng Đại Tín", "Ngân hàng Sông Hồng",
             "Ngân hàng Phương Nam Á"],
    "bank2": ["Ngân hàng Bảo Long", "Ngân hàng Hoàn Cầu", "Ngân hàng Kim Sơn", "Ngân hàng Đông Dương"],
    "company": ["Thép Hòa Phát Đạt", "Nhựa Tiền Phong Mới", "Dược Hậu Giang Xanh", "Vận tải Sao Mai",
                "Sữa Đồng Quê"],
    "industry": ["logistics", "bán lẻ điện máy", "dược phẩm", "bất động sản nghỉ dưỡng", "thức ăn chăn nuôi"],
    "country": ["Mỹ", "Pháp", "Nhật Bản", "Hàn Quốc", "Úc", "Đức", "Ý", "Singapore", "Thụy Sĩ", "Canada"],
    "field": ["nông nghiệp công nghệ cao", "du lịch", "giáo dục nghề nghiệp", "chuyển đổi số", "năng lượng tái tạo"],
    "agency": ["Sở Xây dựng", "một huyện miền núi", "Sở Văn hóa", "Ban quản lý dự án", "Sở Giao thông",
               "một tổng công ty nhà nước"],
    "unit": ["tỉnh", "thành phố", "khối cơ quan tỉnh", "huyện"],
    "roman": ["XV", "XVI", "XX", "XXI", "IX", "X"],
    "ward": ["Phú Diễn", "Tân Định", "Hòa Minh", "Thạch Bàn", "An Hải"],
    "utility": ["điện lực", "cấp nước", "viễn thông", "bảo hiểm xã hội", "thuế"],
    "amount": ["2.500.000", "3.000.000", "1.800.000"],
}
NUMBERS: dict[str, Callable[[random.Random], str]] = {
    "price": lambda r: str(r.choice([25, 30, 35, 40, 45, 50, 55, 60, 79, 99, 129, 149, 199])),
    "km": lambda r: str(r.randint(1, 4)),
    "n": lambda r: str(r.randint(3, 40)),
    "n1": lambda r: str(r.randint(90, 180)),
    "n2": lambda r: str(r.randint(30, 70)),
    "s1": lambda r: str(r.randint(0, 4)),
    "s2": lambda r: str(r.randint(0, 3)),
    "minute": lambda r: str(r.randint(3, 90)),
    "minutes": lambda r: str(r.choice([10, 15, 20, 30, 45])),
    "hour": lambda r: str(r.randint(17, 21)),
    "temp": lambda r: str(r.randint(34, 39)),
    "low": lambda r: str(r.randint(8, 14)),
    "round": lambda r: str(r.randint(2, 24)),
    "months": lambda r: str(r.choice([6, 12, 24])),
    "days": lambda r: str(r.randint(2, 20)),
    "score": lambda r: str(r.randint(6, 9)),
    "pct": lambda r: str(r.choice([2, 3, 5, 8, 10, 12, 15])),
    "x": lambda r: str(r.choice([2, 3, 5, 7, 12, 15, 30, 80, 120, 450])),
    "y": lambda r: str(r.choice([180, 250, 320, 480, 610, 750])),
    "d": lambda r: str(r.randint(5, 15)),
    "rank": lambda r: str(r.randint(2, 12)),
    "h1": lambda r: str(r.randint(7, 9)),
    "h2": lambda r: str(r.randint(14, 17)),
    "date_dm": lambda r: f"{r.randint(1, 28)}/{r.randint(1, 12)}",
    "gold": lambda r: f"{r.randint(118, 160)},{r.randint(1, 9)}",
}

# ------------------------------------------------------------------------------------ templates
# Each topic: texts with {slots}, and the hashtags its posts use.

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "food": ([
        "Tiệm {food} nhỏ xíu trong ngõ ở {district} mà lúc nào cũng kín bàn, bí quyết chắc ở nồi nước dùng ninh từ đêm.",
        "Đi ăn {food} với đồng nghiệp, gọi thêm đĩa {side} ăn kèm, tổng hóa đơn chưa tới {price}0 nghìn cho bốn người.",
        "Ai bảo {food} chỉ ngon ở quê nhà? Hôm nay tìm được chỗ trên đường {street} nấu chuẩn vị ngày xưa bà nấu.",
        "Thử thách ăn hết suất {food} cỡ lớn giá {price}k, được miễn phí nếu ăn xong trong 20 phút. Mình thua 😂",
        "Bữa tối đơn giản: nồi {food} tự nấu, cả nhà quây quần, thế là đủ vui.",
        "Hàng {food} của cô bán rong đầu ngõ đã hơn chục năm, sáng nào đi qua cũng phải mua một phần mang đi.",
        "Đánh giá nhanh {food} mới mở trên đường {street}: không gian sạch sẽ, giá {price}k, chờ món hơi lâu.",
        "Mẹ gửi lên thành phố một thùng đồ quê, tối nay làm {food} đãi cả phòng trọ.",
        "Quán {food} ở {street} mở từ 6 giờ sáng, {price}k một phần mà đầy đặn, nước dùng ngọt thanh. Ai ở gần ghé thử nhé!",
        "Sáng nay trời se lạnh, làm bát {food} nóng hổi là hết ý 😋",
        "Review thật lòng: {food} ở {street} giá {price}k, vị {taste}, {service}. Chấm {score}/10.",
        "Cuối tuần rủ cả nhà đi ăn {food}, xếp hàng {minutes} phút mới có chỗ mà vẫn thấy đáng.",
        "Công thức {food} tại nhà: {step}, ăn kèm {side}. Lưu lại làm dần nha mọi người.",
        "Có ai biết chỗ nào bán {food} ngon ở {district} không ạ? Em mới chuyển đến đây.",
        "Trời mưa thế này chỉ muốn ăn {food} thôi, quán quen ở {street} hôm nay lại đóng cửa 😭",
        "Top 3 quán {food} đáng thử ở {district}: quán đầu {taste}, quán thứ hai {service}, quán cuối giá chỉ {price}k.",
        "Lần đầu ăn {food} kiểu này, vị {taste}, nhất định sẽ quay lại.",
    ], ["amthuc", "reviewdoan", "monngon", "angi", "foodtiktok"]),
    "traffic": ([
        "Đoạn đường {street} mới trải nhựa lại, đi êm hẳn, chỉ mong giữ được lâu.",
        "Xe buýt tuyến mới qua {district} chạy từ tuần sau, 15 phút một chuyến, đỡ hẳn cảnh chen chúc.",
        "Bãi đỗ xe ngầm gần {street} khai thác thử, giá gửi xe máy theo giờ khá dễ chịu.",
        "Nút giao {street} lắp thêm đèn đếm ngược, giờ qua đường yên tâm hơn nhiều.",
        "Sáng nay ba xe máy va quệt nhẹ ở vòng xuyến {district}, ai cũng vội nên dễ va chạm.",
        "Đường {street} đang ùn tắc kéo dài gần {km} km do {cause}, mọi người đi {alt} nhé.",
        "{hour} giờ chiều mà cầu {bridge} đã kẹt cứng, đi làm về mệt thật sự.",
        "Từ ngày {date_dm} phân luồng giao thông quanh {street} để thi công {project}, xe máy đi {alt}.",
        "Camera phạt nguội ghi nhận {n} trường hợp vượt đèn đỏ tại nút giao {street} trong tuần qua.",
        "Va chạm giữa xe máy và ô tô trên đường {street}, may không ai bị thương nặng. Mọi người đi chậm lại nha.",
        "Sáng nay đường {street} thông thoáng hẳn, chắc nhiều người nghỉ phép. Đi làm sướng ghê.",
        "Khuyến cáo: tránh đường {street} từ {hour} giờ tối nay do {cause}.",
    ], ["giaothong", "kette", "tintuc", "hanoi", "saigon"]),
    "weather": ([
        "Trời {region} hôm nay đẹp hiếm có, nắng nhẹ gió mát, tranh thủ đưa con đi dạo.",
        "Đợt nồm ẩm làm nhà cửa ướt nhẹp, sàn nhà lúc nào cũng đọng nước, ai có mẹo gì chỉ với.",
        "Cơn dông chiều qua ở {region} làm đổ mấy cây lớn, may không ai bị thương.",
        "Mùa mưa bão đến rồi, nhà ai có mái tôn thì kiểm tra chằng chống lại cho chắc.",
        "Dự báo {region} ngày mai {weather}, nhiệt độ cao nhất {temp} độ. Ra đường nhớ mang {item}.",
        "Mưa to quá, nước ngập đến bánh xe ở đường {street} rồi mọi người ơi 🌧️",
        "Không khí lạnh tràn về, {region} đêm nay xuống còn {low} độ, các mẹ nhớ giữ ấm cho bé.",
        "Nắng nóng gay gắt {temp} độ, trưa nay ra đường như cái lò. Uống đủ nước nha cả nhà.",
        "Áp thấp nhiệt đới trên Biển Đông có thể mạnh lên thành bão, bà con vùng biển chú ý theo dõi.",
        "Sáng sớm {region} sương mù dày đặc, lái xe bật đèn và đi chậm nhé.",
        "Chiều nay {region} {weather}, ai đi chơi cuối tuần nhớ xem dự báo.",
    ], ["thoitiet", "dubao", "mua", "nangnong"]),
    "football": ([
        "Lứa cầu thủ trẻ của {team} chơi ngày càng tự tin, tương lai sáng sủa đấy.",
        "Cả xóm kéo ghế ra sân xem chung trận Việt Nam gặp {nt}, hò reo rung cả ngõ.",
        "Vòng {round} V-League có quá nhiều thẻ đỏ, ban tổ chức cần xem lại chuyên môn trọng tài.",
        "Đá bóng phong trào tối thứ Tư ở sân cỏ nhân tạo {district}, đội mình còn thiếu hai người, ai tham gia không?",
        "Tỷ lệ khán giả đến sân {stadium} mùa này tăng rõ rệt, mừng cho bóng đá nội.",
        "{team} thắng {team2} {s1}-{s2} ở vòng {round} V-League, {player} ghi bàn đẹp mắt phút {minute}.",
        "Tối nay Việt Nam đá với {nt} lúc {hour}h, anh em xem ở đâu cho vui? ⚽",
        "Kết quả Ngoại hạng Anh đêm qua: {epl} {s1}-{s2} {epl2}. Fan {epl} vào điểm danh!",
        "Đội tuyển Việt Nam triệu tập {n} cầu thủ chuẩn bị cho vòng loại Asian Cup, nhiều gương mặt trẻ.",
        "Sân {stadium} kín khán giả, không khí cuồng nhiệt quá trời. Tự hào bóng đá Việt Nam 🇻🇳",
        "Bàn thắng phút bù giờ, {team} ngược dòng ngoạn mục trước {team2}. Trận đáng xem nhất vòng này.",
        "Nhận định {team} gặp {team2}: chủ nhà nhỉnh hơn, nhưng {player} bên khách đang rất có phong độ.",
        "Highlight trận {team} - {team2}, xem lại bàn thắng của {player} mà vẫn nổi da gà.",
    ], ["bongda", "vleague", "bongdavietnam", "football", "thethao"]),
    "shopping": ([
        "Đợt này {product} về thêm mẫu mới, giá giữ nguyên {price}k, khách quen nhắn em để được ưu tiên.",
        "Tự thưởng cho mình cái {product} sau tháng làm việc vất vả, dùng thử một tuần thấy rất đáng tiền.",
        "Khách hỏi nhiều quá nên em làm video so sánh {product} loại thường và loại cao cấp, xem rồi chọn nhé.",
        "Đơn {product} đi {district} sáng nay, cảm ơn chị khách đã tin tưởng ủng hộ shop lần thứ ba.",
        "Chợ phiên cuối tuần có gian hàng {product} thủ công, giá mềm mà chất lượng ổn.",
        "Thanh lý {product} còn mới 90%, dùng chưa tới {days} lần, ai cần inbox mình để lại giá tốt.",
        "Sale {sale} đây ạ: {product} giảm còn {price}k, freeship toàn quốc, inbox em giữ hàng nha.",
        "Chốt đơn liền tay: {product} chính hãng, bảo hành {months} tháng, ship COD kiểm tra hàng trước khi nhận.",
        "Livestream {hour}h tối nay, xả kho {product} chỉ từ {price}k, ai hóng thì bấm theo dõi nhé.",
        "Mua {product} trên sàn được {days} ngày đã hỏng, shop không chịu đổi trả. Mọi người có kinh nghiệm gì không?",
        "Đã nhận {product}, đóng gói cẩn thận, giao nhanh hơn dự kiến, sẽ ủng hộ shop dài dài.",
        "So sánh 3 mẫu {product} dưới 500k: mẫu nào đáng tiền nhất? Xem hết video nhé.",
        "Hàng mới về: {product} đủ màu, giá {price}k, số lượng có hạn.",
    ], ["sale", "freeship", "review", "muasam", "deal"]),
    "life": ([
        "Xóm trọ mình tối nay tổ chức sinh nhật chung cho mấy đứa tháng này, mỗi người góp một món.",
        "Cả khu tập thể góp tiền sơn lại cầu thang, giờ nhìn sáng sủa hẳn lên.",
        "Bác bảo vệ tòa nhà vừa nhặt được chiếc điện thoại, ai đánh rơi ở sảnh thì xuống nhận nhé.",
        "Thư viện phường mở cửa thêm buổi tối, bọn trẻ có chỗ đọc sách thay vì dán mắt vào điện thoại.",
        "Sáng Chủ nhật cả tổ dân phố đi dọn vệ sinh con kênh, ai rảnh ra phụ một tay nha.",
        "Hàng xóm mới chuyển đến mang sang đĩa bánh làm quen, dễ thương ghê.",
        "Con đi học bán trú về kể hôm nay được ăn {food}, khen cô nấu ngon hơn mẹ 😅",
        "Phòng khám phường khám sức khỏe miễn phí cho người cao tuổi vào thứ Bảy, nhớ mang sổ khám bệnh.",
        "Cuối tuần dắt con đi {place}, trẻ con thích mê, người lớn cũng được thư giãn.",
        "Hôm nay con bé nhà mình được giấy khen học sinh giỏi, mẹ vui cả ngày 🥰",
        "Giá xăng giảm từ {hour} giờ chiều nay, anh em đổ đầy bình chưa?",
        "Giá vàng hôm nay lại tăng, nhẫn trơn {gold} triệu một lượng, ai định mua thì cân nhắc.",
        "Lịch cắt điện khu vực {district} ngày {date_dm} từ {h1}h đến {h2}h, mọi người chủ động sắp xếp.",
        "Chợ {market} sáng nay rau xanh rẻ hơn hẳn, rau muống {price}00 đồng một mớ.",
        "Tìm đồ thất lạc: em đánh rơi ví màu nâu ở khu vực đường {street}, ai nhặt được cho em xin lại giấy tờ ạ.",
        "Tuyển nhân viên phục vụ quán cà phê ở {district}, ca sáng hoặc ca tối, lương thỏa thuận.",
        "Trường {school} thông báo họp phụ huynh cuối kỳ vào sáng Chủ nhật, bố mẹ nhớ sắp xếp nhé.",
        "Mới chuyển về {district}, hàng xóm thân thiện, gần chợ gần trường, ưng lắm.",
        "Ai có kinh nghiệm xin học cho con lớp 1 ở {district} chia sẻ với ạ, em cảm ơn.",
        "Tối qua khu phố mất nước {km} tiếng, giờ đã có lại rồi mọi người nhé.",
    ], ["cuocsong", "doisong", "xuhuong", "fyp", "tintuc"]),
    # --- hard negatives: vocabulary of a narrative, about none of them
    "neg_bank": ([
        "{bank} hoàn tất sáp nhập với {bank2}, khách hàng giữ nguyên số tài khoản và thẻ đang dùng.",
        "Sau khi hợp nhất {bank} và {bank2}, ứng dụng mới cập nhật từ tháng sau, khách hàng không cần làm thủ tục gì.",
        "Cổ phiếu ngân hàng tăng mạnh sau tin {bank} sáp nhập {bank2}, nhà đầu tư kỳ vọng lợi nhuận quý tới.",
        "Hai công ty {industry} sáp nhập thành một tập đoàn, dự kiến niêm yết cổ phiếu vào năm sau.",
        "{bank} nâng cấp hệ thống từ 23h đến 2h sáng ngày {date_dm}, giao dịch có thể gián đoạn.",
    ], ["nganhang", "kinhte", "taichinh"]),
    "neg_sport": ([
        "Khai mạc Đại hội Thể dục thể thao tỉnh {prov} lần thứ {roman}, hơn {n}00 vận động viên tranh tài.",
        "Đoàn {prov} giành {n} huy chương vàng tại Đại hội Thể thao toàn quốc, xếp thứ {rank} toàn đoàn.",
        "Đại hội đồng cổ đông thường niên của {company} thông qua kế hoạch chia cổ tức {pct}%.",
        "Hội khỏe Phù Đổng và Đại hội TDTT cấp huyện năm nay thu hút đông đảo học sinh tham gia.",
        "Bế mạc Đại hội Thể thao học sinh, đội bóng đá nữ trường {school} giành huy chương vàng.",
    ], ["thethao", "daihoitdtt", "tintuc"]),
    "neg_trip": ([
        "Đoàn công tác tỉnh {prov} thăm và làm việc tại {country}, ký kết {km} biên bản ghi nhớ hợp tác về {field}.",
        "Lãnh đạo tỉnh {prov} tiếp đoàn doanh nghiệp {country} đến tìm hiểu cơ hội đầu tư vào khu công nghiệp.",
        "Đại diện {agency} dự hội nghị quốc tế về {field} tại {country}, trao đổi kinh nghiệm với các nước ASEAN.",
        "Tỉnh {prov} và một địa phương của {country} ký thỏa thuận hợp tác đào tạo nghề cho lao động trẻ.",
    ], ["doingoai", "hoptac", "tintuc"]),
    "neg_congress": ([
        "Đại hội đại biểu Đảng bộ {unit} lần thứ {roman}, nhiệm kỳ 2025-2030 bầu Ban Chấp hành gồm {n} đồng chí.",
        "Khai mạc Đại hội Đảng bộ {unit} {prov}, thảo luận các mục tiêu phát triển kinh tế - xã hội nhiệm kỳ mới.",
        "Đại hội Đoàn trường THPT {school} nhiệm kỳ mới diễn ra sôi nổi, nhiều ý tưởng hay của các bạn trẻ.",
        "Đại hội Hội Nông dân {unit} {prov} biểu dương {n} hộ sản xuất, kinh doanh giỏi.",
    ], ["tintuc", "thoisu"]),
    "neg_misc": ([
        "Công an phường {ward} tổ chức diễn tập phòng cháy chữa cháy tại khu dân cư, bà con tham gia rất đông.",
        "Hướng dẫn đăng ký tài khoản định danh điện tử mức 2 tại công an phường, mang theo căn cước là được.",
        "Ngân hàng nhắc khách hàng cập nhật sinh trắc học trên ứng dụng chính thức trước khi giao dịch trên 10 triệu.",
        "Lịch tiếp công dân của UBND phường {ward} tuần này vào sáng thứ Ba và thứ Năm.",
    ], ["thongbao", "tintuc"]),
    # --- the four narratives at their background rate
    "pm": ([
        "HĐND tỉnh {prov} thông qua nghị quyết sắp xếp đơn vị hành chính cấp xã, từ {n1} xã, phường còn {n2} đơn vị.",
        "Sau sáp nhập xã, trụ sở UBND xã mới đặt tại trụ sở xã cũ. Bà con làm giấy tờ cứ đến bộ phận một cửa như bình thường.",
        "Hỏi nhanh: sáp nhập tỉnh xong có phải đổi căn cước không ạ? Theo hướng dẫn thì giấy tờ đã cấp vẫn còn giá trị nhé.",
        "Nghe nói tỉnh mình sắp gộp với {prov2}, anh em nghĩ tên tỉnh mới nên giữ tên nào?",
        "Cò đất lại rao bán đất quanh {town} vì tin đồn đặt trung tâm hành chính tỉnh mới, mọi người tỉnh táo kẻo mua hớ.",
        "Chính quyền địa phương hai cấp vận hành được mấy tháng, làm thủ tục ở xã giờ nhanh hơn trước nhiều.",
        "Xã mình sau khi nhập với xã bên cạnh rộng gấp đôi, đi họp thôn xa hơn nhưng đường sá được đầu tư.",
        "Sở Nội vụ {prov} trả lời: việc đặt tên xã mới sau sắp xếp sẽ lấy ý kiến cử tri, chưa có phương án nào được chốt.",
        "Bỏ cấp huyện rồi thì hồ sơ đất đai nộp ở đâu? Cán bộ xã hướng dẫn rất kỹ, bà con yên tâm.",
        "Tranh cãi nảy lửa trong nhóm cư dân: sau sáp nhập, tên tỉnh mới có nên giữ tên {prov} không?",
    ], ["sapnhap", "sapnhaptinh", "tintuc", "chinhquyen2cap"]),
    "travel": ([
        "Đoàn {n} cán bộ {agency} đi {country} {d} ngày 'học tập kinh nghiệm', kinh phí gần {x} tỷ đồng từ ngân sách. Về áp dụng được gì?",
        "Lại một chuyến công tác nước ngoài tốn kém: {d} ngày ở {country}, vé hạng thương gia, khách sạn 5 sao. Tiền thuế của dân đấy!",
        "UBND tỉnh công khai chi phí đoàn công tác đi {country}: {y} triệu đồng, nằm trong định mức. Minh bạch thế này mới đúng.",
        "Tin đồn lãnh đạo huyện đi {country} du lịch bằng tiền công quỹ là bịa đặt, cơ quan kiểm tra đã xác minh.",
        "Có cần thiết phải cử cả đoàn {n} người đi {country} chỉ để dự hội thảo 2 ngày không? Chi phí ai chịu?",
        "Đi công tác nước ngoài mà toàn đi tham quan mua sắm, tiền ngân sách chứ đâu phải tiền túi, bức xúc thật sự.",
        "Kiến nghị công khai chi phí các chuyến đi nước ngoài của cán bộ, người dân có quyền được biết tiền thuế tiêu vào đâu.",
    ], ["congtac", "ngansach", "tintuc"]),
    "smear": ([
        "Lại có trang mạng tung 'danh sách nhân sự' Đại hội Đảng bộ tỉnh {prov}, gán ghép chuyện chạy chức chạy quyền. Toàn bịa đặt, đừng chia sẻ.",
        "Cảnh giác thủ đoạn cắt ghép clip, xuyên tạc công tác nhân sự trước thềm Đại hội để bôi nhọ cán bộ.",
        "Nghe đồn trước Đại hội đã 'chạy' xong ghế, ông này bà kia chi bao nhiêu tỷ... Tin được không vậy?",
        "Lợi dụng mạng xã hội tung tin thất thiệt về nhân sự Đại hội, cơ quan chức năng đang xác minh xử lý.",
        "Nghe nói danh sách nhân sự Đại hội chốt từ lâu rồi, toàn người nhà cả, ai biết gì không?",
        "Một tài khoản TikTok đăng video bôi nhọ lãnh đạo tỉnh trước Đại hội đã bị xử phạt {x} triệu đồng.",
        "Bài viết bịa chuyện cán bộ tỉnh {prov} 'mua ghế' trước Đại hội đang lan truyền, xin đừng tiếp tay.",
    ], ["daihoi", "tingia", "canhgiac"]),
    "scam": ([
        "Người quen mình bị hack Facebook, kẻ gian nhắn tin vay tiền bạn bè, nhớ gọi điện xác minh trước khi chuyển.",
        "Cuộc gọi tự xưng nhân viên {utility} báo nợ cước, bảo cài ứng dụng lạ để 'cập nhật' — đừng cài nhé.",
        "Thủ đoạn mới: gửi bưu phẩm giả rồi đòi tiền ship, nhận hàng mở ra toàn đồ vô giá trị.",
        "Có tài khoản Zalo mạo danh giáo viên chủ nhiệm nhắn phụ huynh chuyển tiền học thêm, các bố mẹ cảnh giác.",
        "Bị dụ đầu tư vàng online qua nhóm kín, ban đầu rút được lãi, sau đó nạp {x} triệu thì mất liên lạc.",
        "Cảnh giác: đối tượng giả danh công an {ward} gọi video, nói bạn liên quan đường dây rửa tiền và đòi chuyển tiền để 'xác minh'.",
        "Chị em cẩn thận chiêu ghép mặt vào clip nhạy cảm rồi nhắn tin tống tiền. Ai nhận được thì đừng chuyển tiền, báo ngay công an.",
        "Mất trắng {x} triệu vì bấm vào link 'nhận quà tri ân khách hàng', tài khoản bị rút sạch chỉ sau vài phút.",
        "Tuyển cộng tác viên làm nhiệm vụ like, share, hoa hồng {pct}%... nghe thì dễ nhưng toàn lừa đảo, nạp tiền vào là mất.",
        "Mua bán, cho thuê tài khoản ngân hàng là vi phạm pháp luật, có thể bị xử lý hình sự. Đừng vì vài trăm nghìn mà tiếp tay cho lừa đảo.",
        "Sàn đầu tư tiền ảo hứa lãi {pct}%/ngày, em nạp vào {x} triệu giờ không rút được, ai bị giống em không?",
        "Có ai vừa bị gọi điện tự xưng bên {utility} dọa cắt dịch vụ rồi bắt quét mã QR không, lừa đảo đó nha mọi người.",
        "Công an tỉnh {prov} cảnh báo thủ đoạn giả mạo nhân viên ngân hàng, gửi tin nhắn chứa đường link giả để lấy mã OTP.",
        "Vừa nhận tin nhắn báo trúng thưởng xe máy, phải nộp phí {x}00 nghìn để nhận giải. Lừa đảo quá lộ liễu!",
    ], ["canhgiac", "luadao", "canhbao", "antoanmang"]),
}

# Follow-up sentences a post may go on with, so two posts from one template still read differently.
EXTRAS: dict[str, list[str]] = {
    "food": ["Nhớ gọi thêm {side} nhé.", "Quán đông nên đi sớm.", "Giá này ở {district} là hợp lý rồi.",
             "Hôm nào rảnh quay lại ăn tiếp.", "Ảnh chụp vội nên hơi xấu, đồ ăn thì ngon thật.",
             "Bạn mình giới thiệu mãi giờ mới đi.", "Trẻ con ăn cũng hợp.", "Lần sau thử thêm {food} xem sao.",
             "Chủ quán bảo mở được hơn {n} năm rồi."],
    "traffic": ["Ai đang trên đường thì cân nhắc lộ trình.", "Cảnh sát giao thông đang điều tiết.",
                "Sáng nào cũng thế này thì chịu.", "Mong sớm làm xong {project}.", "Đi sớm 15 phút cho chắc.",
                "Xe buýt cũng nhích từng chút.", "Trời lại sắp mưa nữa."],
    "weather": ["Phơi đồ nhớ canh trời.", "Người già và trẻ nhỏ hạn chế ra ngoài buổi trưa.",
                "Cuối tuần có khi còn {weather}.", "Năm nay thời tiết thất thường quá.",
                "Ai trồng rau thì che chắn cẩn thận.", "Đi đường chú ý cây đổ."],
    "football": ["Hàng thủ chơi quá tệ.", "Trọng tài hôm nay có vấn đề.", "Huấn luyện viên thay người quá chuẩn.",
                 "Vé trận sau chắc cháy sớm.", "Tỷ lệ kiểm soát bóng nghiêng hẳn về đội khách.",
                 "Anh em dự đoán tỷ số trận tới đi.", "{player} xứng đáng cầu thủ hay nhất trận."],
    "shopping": ["Số lượng có hạn.", "Đổi trả trong 7 ngày nếu lỗi.", "Ảnh thật shop tự chụp.",
                 "Mua 2 được giảm thêm 10%.", "Hàng có sẵn ở {district}, lấy ngay trong ngày.",
                 "Chất lượng so với giá thì ổn.", "Màu ngoài đời đẹp hơn ảnh."],
    "life": ["Chúc cả nhà cuối tuần vui vẻ.", "Cuộc sống đơn giản thế thôi.", "Ai ở {district} chắc biết chỗ này.",
             "Cảm ơn mọi người đã đọc.", "Mai lại đi làm rồi.", "Thấy hay thì chia sẻ giúp mình nhé."],
    "neg_bank": ["Chi tiết xem trên trang thông tin chính thức.", "Thị trường phản ứng tích cực.",
                 "Khách hàng có thắc mắc gọi tổng đài để được hỗ trợ."],
    "neg_sport": ["Lễ khai mạc có màn đồng diễn rất đẹp.", "Các môn thi đấu kéo dài đến cuối tháng.",
                  "Chúc các vận động viên thi đấu thành công."],
    "neg_trip": ["Hai bên thống nhất sớm triển khai các nội dung đã ký.", "Chuyến thăm nằm trong chương trình hợp tác thường niên."],
    "neg_congress": ["Đại hội đề ra nhiều chỉ tiêu cụ thể cho nhiệm kỳ mới.", "Không khí đại hội trang trọng."],
    "neg_misc": ["Bà con mang theo giấy tờ tùy thân.", "Mọi thắc mắc liên hệ bộ phận một cửa."],
    "pm": ["Mọi người chỉ nên tin thông tin chính thức.", "Ai có văn bản hướng dẫn thì chia sẻ giúp.",
           "Ở quê mình bà con bàn tán suốt.", "Việc đổi tên cũng cần thời gian làm quen.", "Mong mọi việc thuận lợi."],
    "travel": ["Cần công khai minh bạch hơn.", "Ai chịu trách nhiệm đây?", "Người dân cần được biết.",
               "Dư luận đang rất quan tâm."],
    "smear": ["Đừng để bị dắt mũi.", "Chia sẻ tin chưa kiểm chứng cũng có thể bị xử phạt.",
              "Tỉnh táo trước thông tin trên mạng."],
    "scam": ["Chia sẻ để người thân cùng biết.", "Cơ quan chức năng không bao giờ yêu cầu chuyển tiền qua điện thoại.",
             "Tuyệt đối không cung cấp mã OTP cho bất kỳ ai.", "Có nghi ngờ thì gọi ngay 113.",
             "Bố mẹ lớn tuổi hay bị nhắm tới nhất."],
    "hoax": ["Chưa biết thật giả thế nào.", "Nghe nói ngày mai công bố.", "Ai có nguồn chính thức không?",
             "Cả xóm đang bàn tán.", "Share cho người thân biết với.", "Đọc xong mà hoang mang quá."],
}

# Openers a post may start with (before its template), again for variety between posts of a template.
OPENERS: dict[str, list[str]] = {
    "food": ["Hôm nay được nghỉ nên đi ăn sáng muộn.", "Đi làm về đói meo.", "Bạn thân rủ đi ăn mãi mới đi.",
             "Chia sẻ cho ai đang tìm chỗ ăn ngon.", "Tuần này ăn uống hơi nhiều.", "Vừa lượn một vòng {district}.",
             "Mê món này từ hồi sinh viên.", "Cuối tháng rồi mà vẫn thèm ăn ngon."],
    "traffic": ["Cập nhật giao thông lúc {hour} giờ.", "Bà con đi đường chú ý.", "Vừa đi qua xong.",
                "Tình hình giao thông khu vực {district}:", "Nhắn nhanh cho ai sắp ra đường."],
    "weather": ["Thời tiết mấy ngày tới:", "Tin thời tiết cho bà con.", "Vừa xem bản tin dự báo.",
                "Nhắn các bạn sinh viên ở xa nhà.", "Sáng ra mở cửa mà giật mình."],
    "football": ["Điểm tin bóng đá sáng nay.", "Thức trắng đêm qua vì trận này.", "Góc bình luận sau trận.",
                 "Fan bóng đá đâu rồi?", "Cả quán cà phê hò hét."],
    "shopping": ["Shop lên đồ mới đây ạ.", "Chị em ơi deal hời.", "Góc review không quảng cáo.",
                 "Tiện tay mua thử.", "Đơn hàng thứ {n} của tháng."],
    "life": ["Chuyện nhỏ hôm nay.", "Ghi lại cho nhớ.", "Một ngày bình thường ở {district}.",
             "Hỏi chút kinh nghiệm.", "Tin khu phố."],
    "pm": ["Thông tin cho bà con.", "Chuyện sáp nhập ở quê.", "Hỏi đáp về sắp xếp địa giới.", "Góc hỏi đáp."],
    "travel": ["Bàn chuyện chi tiêu công.", "Đọc tin mà thấy buồn.", "Góc nhìn của một người đóng thuế."],
    "smear": ["Cảnh giác với tin đồn.", "Góc tỉnh táo.", "Đọc kỹ trước khi chia sẻ."],
    "scam": ["Cảnh báo lừa đảo.", "Chuyện thật của người quen.", "Lại thêm một chiêu mới.",
             "Mọi người cảnh giác nhé.", "Tin từ nhóm cư dân."],
    "hoax": ["Tin nóng đây.", "Mới thấy trong nhóm Zalo của xóm.", "Không biết thật không.",
             "Nhận được tin nhắn này từ người quen.", "Đang lan khắp nơi."],
}

# The province-merger hoax that bursts in the last 24 h: spread, asked about, then debunked.
HOAX_SPREAD = [
    "NÓNG: Rò rỉ danh sách sáp nhập đợt 2, cả nước chỉ còn {n_prov} tỉnh! {prov} nhập với {prov2}, tên mới là {newname}, trung tâm hành chính đặt tại {town}. Share gấp!",
    "Khẩn: Trung ương đã chốt phương án gộp tỉnh mới, {prov} và {prov2} về chung một nhà từ ngày {date_dm}. Danh sách đầy đủ ở bình luận 👇",
    "Anh em ơi tỉnh mình sáp nhập với {prov2} thật rồi, tên mới {newname}, trụ sở ở {town}, đất ở đó chắc lên gấp mấy lần.",
    "Danh sách {n_prov} tỉnh sau sáp nhập đợt mới đang lan truyền, {prov} mất tên, trụ sở chuyển sang {town}. Buồn thật sự 😢",
    "Nghe bảo tháng sau {prov} với {prov2} nhập làm một, cán bộ đang chuẩn bị chuyển trụ sở về {town}, ai ở đó xác nhận giúp với.",
    "Bản đồ hành chính mới chỉ còn {n_prov} tỉnh thành đang được chia sẻ khắp nơi, nhìn mà choáng. Thật hay giả đây mọi người?",
    "Sốt đất ở {town} vì tin sắp thành trung tâm hành chính tỉnh {newname}, cò đất gọi liên tục, giá đã lên gấp đôi.",
    "Chính thức rồi: sáp nhập tỉnh đợt 2, {prov} + {prov2} = tỉnh {newname}. Tiếc cho cái tên {prov} quá!",
    "Ai có danh sách sáp nhập tỉnh đợt 2 bản đầy đủ không, gửi mình với, nghe nói có cả {prov} và {prov2}.",
]
HOAX_DEBUNK = [
    "Sở Nội vụ {prov} khẳng định thông tin {prov} sáp nhập với {prov2} đang lan truyền là hoàn toàn sai sự thật, đề nghị người dân không chia sẻ.",
    "CẢNH BÁO TIN GIẢ: không có 'danh sách sáp nhập đợt 2' nào được phê duyệt. Người dân chỉ tin thông tin từ cơ quan chức năng.",
    "Đừng share nữa mọi người ơi, danh sách {n_prov} tỉnh kia là giả, báo chính thống đã đính chính rồi.",
    "Cơ quan chức năng đang xác minh, xử lý các tài khoản tung tin giả về việc sáp nhập {prov} với {prov2}.",
]
HOAX_TAGS = ["sapnhaptinh", "sapnhap", "tinnong", "xuhuong", "tingia", "fyp"]

# The copy-paste campaign: one scam text, small edits and extra hashtags, several accounts in minutes.
CAMPAIGN_TEXT = (
    "THÔNG BÁO HỖ TRỢ SAU SÁP NHẬP TỈNH: Nhà nước hỗ trợ mỗi hộ dân {amount} đồng. Đăng ký nhận tiền qua "
    "đường link ở bình luận, điền số tài khoản và mã OTP để nhận trong ngày"
)
CAMPAIGN_ENDINGS = ["!", "!!", ". Hạn cuối hôm nay!", " 👇👇", "!!! Chia sẻ cho người thân cùng biết", ". Nhanh tay kẻo hết"]
CAMPAIGN_TAGS = ["hotro", "sapnhap", "nhantien", "hotrosapnhap", "tinvui", "chiase"]

# Claims of config/claims.yaml repeated in other words (the registry's wording is never copied).
CLAIM_PARAPHRASES: dict[str, list[str]] = {
    "fake-63-to-31-list": [
        "Chính thức: Trung ương đã duyệt danh sách gộp tỉnh, từ 63 tỉnh thành chỉ còn 31, có cả tên tỉnh mới và nơi đặt trụ sở hành chính.",
        "Danh sách 63 tỉnh còn 31 tỉnh đã được phê duyệt rồi nhé, kèm tên gọi mới và trung tâm hành chính của từng tỉnh.",
    ],
    "merger-mandatory-document-change": [
        "Bà con lưu ý: sau khi sáp nhập tỉnh ai không đi đổi căn cước, sổ đỏ theo địa chỉ mới sẽ bị phạt và mất quyền sở hữu đất!!",
        "Sáp nhập xong thì mọi giấy tờ cũ hết giá trị, căn cước với sổ đỏ phải đổi hết ngay, không đổi là bị phạt nặng, đúng không mọi người?",
    ],
    "police-video-call-transfer": [
        "Công an sẽ gọi video cho người liên quan vụ án, yêu cầu chuyển tiền vào tài khoản tạm giữ để chứng minh mình trong sạch, điều tra xong sẽ hoàn lại.",
        "Mẹ mình vừa được 'cán bộ điều tra' gọi video, bảo phải chuyển hết tiền tiết kiệm sang tài khoản của công an để phục vụ điều tra, chứng minh không liên quan vụ án.",
    ],
    "fake-congress-personnel-list": [
        "Danh sách Bộ Chính trị, Ban Chấp hành Trung ương khóa mới đã chốt xong từ trước Đại hội rồi, đang lan khắp mạng, ai cần thì inbox.",
    ],
    "merger-land-price-tripled": [
        "Đất quanh khu dự kiến làm trung tâm hành chính tỉnh mới đã tăng gấp 3 rồi, ai chưa mua thì nhanh tay trước khi công bố sáp nhập!",
    ],
}

# ------------------------------------------------------------------------------------ tone

PREFIXES = {
    "news": ["", "", "", "Tin mới: ", "Cập nhật: ", "Đáng chú ý: ", "[Bản tin trưa] "],
    "casual": ["", "", "", "Mọi người ơi, ", "Anh em ơi, ", "Hóng: ", "Thật không vậy trời, "],
}
SUFFIXES = ["", "", "", "", " Mọi người thấy sao?", " Ai biết thêm thì bình luận nhé.", " 👇", " 😢", " 🔥",
            " Theo dõi kênh để cập nhật thêm nha."]
SHORTHAND = [  # (pattern on words, replacements): how people type in a hurry
    (r"\bkhông\b(?! (?:khí|gian|ảnh|phận|quân|dây|thể|bao giờ))", ["ko", "k", "hok"]),
    (r"\bđược\b", ["dc", "đc"]),
    (r"\bvới\b", ["vs"]),
    (r"\b[Aa]nh em\b", ["ae"]),
    (r"\b[Mm]ọi người\b", ["mn", "mng"]),
    (r"\bgì\b", ["j"]),
    (r"\bvậy\b", ["z", "v"]),
    (r"\brồi\b", ["r"]),
    (r"\bbiết\b", ["bít"]),
]
Role = str  # everyday | negative | narrative:<id> | burst | campaign | claim:<claim id>
TOPIC_ROLE = {"pm": "narrative:province_merger", "travel": "narrative:leadership_travel_spending",
              "smear": "narrative:party_congress_smear", "scam": "narrative:scam_extortion"}  # fmt: skip


def _picker(rng: random.Random, options: Sequence[str]) -> Callable[[re.Match[str]], str]:
    return lambda _m: rng.choice(options)


def strip_diacritics(text: str) -> str:
    """What a post typed without tone marks looks like (case kept, đ → d)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


@dataclass
class _Writer:
    """Fills templates and gives them a voice; one seeded `random.Random` makes it all repeatable."""

    rng: random.Random

    def fill(self, template: str) -> str:
        chosen: dict[str, str] = {}

        def slot(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in chosen:
                if name in NUMBERS:
                    chosen[name] = NUMBERS[name](self.rng)
                else:
                    base = name.rstrip("2") if name not in VOCAB else name
                    options = [v for v in VOCAB[base] if v not in chosen.values()] or list(VOCAB[base])
                    chosen[name] = self.rng.choice(options)
            return chosen[name]

        return re.sub(r"\{(\w+)\}", slot, template)

    def compose(self, templates: Sequence[str], extras: Sequence[str], openers: Sequence[str] = ()) -> str:
        """Maybe an opener, one template filled, and mostly one or two follow-up sentences."""
        parts = [self.fill(self.rng.choice(templates))]
        if openers and self.rng.random() < 0.55:
            parts.insert(0, self.fill(self.rng.choice(openers)))
        n = self.rng.choices([0, 1, 2], weights=[1, 5, 4])[0]
        for extra in self.rng.sample(list(extras), min(n, len(extras))):
            parts.append(self.fill(extra))
        return " ".join(parts)

    def voice(self, text: str, casual: float, style: str) -> str:
        """A prefix and suffix now and then; casual accounts use shorthand and often drop diacritics."""
        rng = self.rng
        pool = PREFIXES["casual" if casual >= 0.3 else "news"]
        if rng.random() < 0.35:
            prefix = rng.choice(pool)
            words = text.split(" ", 2)
            # "Mọi người ơi, giá xăng..." but "Mọi người ơi, Hà Nội..." and "..., HĐND tỉnh" keep their capitals
            if prefix.endswith(", ") and len(words) > 1 and words[1][:1].islower() and not words[0].isupper():
                text = text[0].lower() + text[1:]
            text = prefix + text
        if rng.random() < 0.3:
            text += rng.choice(SUFFIXES)
        if rng.random() < casual:
            for pattern, subs in SHORTHAND:
                if rng.random() < 0.6:
                    text = re.sub(pattern, _picker(rng, subs), text)
            if rng.random() < 0.6:
                text = strip_diacritics(text)
                if rng.random() < 0.5:
                    text = text.lower()
        return text

    def hashtags(self, pool: Sequence[str], platform: str, extra: Sequence[str] = ()) -> tuple[str, ...]:
        n = self.rng.choice([0, 1, 2, 2, 3]) if platform == "tiktok" else self.rng.choice([0, 0, 0, 1, 2])
        tags = list(dict.fromkeys([*extra, *self.rng.sample(list(pool), min(n, len(pool)))]))
        if platform == "tiktok" and self.rng.random() < 0.3:
            tags.append(self.rng.choice(["fyp", "xuhuong", "viral"]))
        return tuple(dict.fromkeys(tags))


# ------------------------------------------------------------------------------------ time & numbers

# Share of posts per local hour: quiet at night, peaks at breakfast, lunch and evening.
HOURLY = [1, 0.6, 0.4, 0.3, 0.4, 1, 2.5, 4, 4, 3, 3, 4, 5, 4, 3, 3, 3.5, 4, 4.5, 6, 7, 6.5, 4.5, 2.5]


def _background_time(rng: random.Random, anchor: datetime) -> datetime:
    """A time in the 14 days before `anchor`, following the local daily rhythm."""
    while True:
        day = rng.randrange(DAYS + 1)
        hour = rng.choices(range(24), weights=HOURLY)[0]
        local_anchor = anchor + LOCAL_OFFSET
        local_day = (local_anchor - timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
        t = local_day + timedelta(hours=hour, seconds=rng.randrange(3600)) - LOCAL_OFFSET
        if anchor - timedelta(days=DAYS) <= t < anchor:
            return t


def _metrics(rng: random.Random, platform: str, boost: float = 1.0) -> Metrics:
    """Long-tailed engagement; TikTok shows views, Facebook pages do not."""
    likes = int(rng.lognormvariate(math.log(60 * boost), 1.1))
    comments = int(likes * rng.uniform(0.03, 0.2))
    shares = int(likes * rng.uniform(0.01, 0.15) * (2 if boost > 1.5 else 1))
    views = int(likes * rng.uniform(15, 60)) if platform == "tiktok" else None
    return Metrics(views=views, likes=likes, comments=comments, shares=shares)


# ------------------------------------------------------------------------------------ the world


@dataclass
class DemoWorld:
    """Every simulated source and its posts; `roles` says what each post was written to be."""

    anchor: datetime
    seed: int
    sources: tuple[DemoSource, ...]
    posts: dict[str, list[Post]] = field(default_factory=dict)  # by source key, newest first
    roles: dict[str, Role] = field(default_factory=dict)  # post key -> role

    @property
    def all_posts(self) -> list[Post]:
        return [p for posts in self.posts.values() for p in posts]

    def source(self, key: str) -> DemoSource:
        return next(s for s in self.sources if s.key == key)

    @property
    def blocked(self) -> list[DemoSource]:
        return [s for s in self.sources if s.blocked]

    def role_counts(self) -> Counter[str]:
        return Counter(self.roles.values())


class _Ids:
    """Post ids as the platforms shape them: TikTok's start with the creation time, Facebook's are long numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, platform: str, created: datetime) -> str:
        while True:
            if platform == "tiktok":
                pid = str((int(created.timestamp()) << 32) | self.rng.getrandbits(32))
            else:
                pid = str(self.rng.randrange(10**15, 10**16))
            if pid not in self.used:
                self.used.add(pid)
                return pid


def generate(anchor: datetime, seed: int = SEED) -> DemoWorld:
    """The demo's posts for the 14 days before `anchor`: same `anchor` and `seed`, same posts."""
    anchor = anchor.astimezone(UTC).replace(second=0, microsecond=0)
    rng = random.Random(seed)
    writer = _Writer(rng)
    ids = _Ids(rng)
    world = DemoWorld(anchor=anchor, seed=seed, sources=SOURCES, posts={s.key: [] for s in SOURCES})

    def add(source: DemoSource, text: str, created: datetime, role: Role, tags: Sequence[str] = (),
            boost: float = 1.0) -> None:
        text = unicodedata.normalize("NFC", text)
        if tags:
            text = text + " " + " ".join("#" + t for t in tags)
        post = Post(
            platform=source.platform,
            post_id=ids.make(source.platform, created),
            source=source.key,
            url="",  # the site sets it: it knows the server's address
            author=source.handle,
            author_name=source.name,
            text=text,
            created_at=created.replace(microsecond=0),
            collected_at=anchor,
            metrics=_metrics(rng, source.platform, boost),
            hashtags=tuple(tags),
        )
        world.posts[source.key].append(post)
        world.roles[post.key] = role

    # background: every source's own mix, spread over the 14 days
    for source in SOURCES:
        topics, weights = zip(*source.topics.items(), strict=True)
        for _ in range(source.volume):
            topic = rng.choices(topics, weights=weights)[0]
            templates, tag_pool = TOPICS[topic]
            text = writer.compose(templates, EXTRAS[topic], OPENERS.get(topic, ()))
            text = writer.voice(text, source.casual, topic)
            role = TOPIC_ROLE.get(topic, "negative" if topic.startswith("neg_") else "everyday")
            add(source, text, _background_time(rng, anchor), role, writer.hashtags(tag_pool, source.platform))

    # the hoax burst: ramping up over the last 20 hours, debunks catching up in the last 8
    burst_sources = {"ae-dong-que-tt": 30, "tin-nhanh-tt": 12, "cong-dong-fb": 20, "chuyen-pho-tt": 10,
                     "goc-nhin-fb": 4, "canh-bao-fb": 8, "tin-nong-tt": 10, "review-do-tt": 3, "bong-da-tt": 3}
    keys, weights = zip(*burst_sources.items(), strict=True)
    for _ in range(170):
        source = world.source(rng.choices(keys, weights=weights)[0])
        hours_ago = 20 * (1 - math.sqrt(rng.random()))
        debunk = source.key == "canh-bao-fb" or (hours_ago < 8 and rng.random() < 0.25)
        templates = HOAX_DEBUNK if debunk else HOAX_SPREAD
        text = writer.compose(templates, EXTRAS["pm" if debunk else "hoax"], () if debunk else OPENERS["hoax"])
        text = writer.voice(text, source.casual, "pm")
        tags = writer.hashtags(HOAX_TAGS, source.platform, extra=["sapnhaptinh"] if rng.random() < 0.5 else ())
        add(source, text, anchor - timedelta(hours=hours_ago), "burst", tags, boost=3.0)

    # the copy-paste campaign: 3-5 hours ago, within 12 minutes, several accounts
    start = anchor - timedelta(hours=rng.uniform(3, 5))
    amount = rng.choice(VOCAB["amount"])
    base = CAMPAIGN_TEXT.replace("{amount}", amount)
    campaign_accounts = ["ae-dong-que-tt", "chuyen-pho-tt", "cong-dong-fb", "review-do-tt", "cho-que-fb",
                         "bong-da-tt", "ae-dong-que-tt", "tin-nong-tt", "goc-nhin-fb", "cong-dong-fb"]
    for i, key in enumerate(campaign_accounts):
        text = base + rng.choice(CAMPAIGN_ENDINGS)
        if rng.random() < 0.4:
            text = text.replace("THÔNG BÁO", rng.choice(["📢 THÔNG BÁO", "TIN VUI:", "🔴 THÔNG BÁO"]), 1)
        tags = tuple(rng.sample(CAMPAIGN_TAGS, rng.randint(1, 4)))
        add(world.source(key), text, start + timedelta(minutes=i * 1.5 + rng.uniform(0, 1)), "campaign", tags)

    # claims repeated in other words: most in the last day, a few earlier
    claim_sources = ["ae-dong-que-tt", "cong-dong-fb", "tin-nhanh-tt", "goc-nhin-fb", "chuyen-pho-tt"]
    for claim_id, texts in CLAIM_PARAPHRASES.items():
        for j, text in enumerate(texts):
            source = world.source(rng.choice(claim_sources))
            hours_ago = rng.uniform(1, 20) if j == 0 else rng.uniform(30, 24 * DAYS - 1)
            add(source, writer.voice(text, source.casual * 0.5, "claim"), anchor - timedelta(hours=hours_ago),
                f"claim:{claim_id}", writer.hashtags(["tinnong", "chiase"], source.platform))

    for posts in world.posts.values():
        posts.sort(key=lambda p: p.created_at, reverse=True)
    return world
