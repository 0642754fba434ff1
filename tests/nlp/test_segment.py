import subprocess
import sys

from nlp.normalize import normalize
from nlp.segment import segment, word_tokenize_text


def test_segments_vietnamese_words():
    words = segment(normalize("Sáp nhập tỉnh thành 34 đơn vị hành chính").tokens)
    assert "Sáp_nhập" in words and "đơn_vị" in words and "hành_chính" in words


def test_same_words_as_underthesea_word_tokenize():
    text = "Công an cảnh báo thủ đoạn lừa đảo chiếm đoạt tài sản qua mạng xã hội"
    assert segment(normalize(text).tokens) == word_tokenize_text(text)


def test_empty():
    assert segment(()) == []


def test_importing_the_nlp_modules_does_not_load_underthesea():
    code = "import sys, nlp.segment, nlp.normalize, nlp.tagger, nlp.stage; print('underthesea' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
