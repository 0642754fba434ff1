from nlp.normalize import MAX_ANALYSED_CHARS, expand_shorthand, normalize


def test_nfc_and_one_tone_mark_placement():
    decomposed = "Hoa\u0300 bi\u0300nh"  # combining marks, old-style placement
    assert normalize(decomposed).text == "Hòa bình"
    assert normalize("hoà thuận, thuý, khoẻ").text == "hòa thuận , thúy , khỏe"


def test_shorthand_is_spelled_out():
    assert normalize("ko dc đâu, vs lại tp nào j").text == "không được đâu , với lại thành phố nào gì"
    assert normalize("ck 5tr vào stk này").text == "chuyển khoản 5 triệu đồng vào số tài khoản này"
    assert expand_shorthand(["SN", "2004"]) == ["sinh", "năm", "2004"]
    assert expand_shorthand(["chúc", "mừng", "sn"]) == ["chúc", "mừng", "sinh", "nhật"]


def test_links_handles_hashtags_and_emoji_kept_apart():
    n = normalize("Xem ngay https://vietcomm.top/login @ban_tin 😡😡 #sapnhap #tinnong tin nóng")
    assert n.text == "Xem ngay tin nóng"
    assert n.urls == ("https://vietcomm.top/login",)
    assert n.handles == ("@ban_tin",)
    assert n.hashtags == ("sapnhap", "tinnong")
    assert n.emoji == ("😡😡",)
    assert "sapnhap" in n.analysis_folded and "sapnhap" not in n.folded


def test_folded_form_matches_text_typed_without_diacritics():
    assert normalize("Sáp nhập TỈNH Đắk Lắk").folded == normalize("sap nhap tinh dak lak").folded


def test_odd_input_never_raises():
    assert normalize("").tokens == ()
    assert normalize(None).text == ""
    assert normalize("😂😂😂🔥").text == "" and normalize("😂😂😂🔥").emoji
    mixed = normalize("Привет 你好 hello xin chào \udc80 \x00")
    assert "xin chào" in mixed.text and "\udc80" not in mixed.text
    huge = normalize("sáp nhập tỉnh " * 10_000)
    assert huge.truncated and len(huge.text) <= MAX_ANALYSED_CHARS
