"""Word segmentation with underthesea's CRF model, loaded once, lazily, never at import.

`segment` takes the tokens `normalize` already produced (underthesea's own regex tokenizer and
token normaliser, i.e. `text_normalize`) and runs only the CRF that `word_tokenize` runs on them,
so a post is tokenized once. `word_tokenize` is the fallback should underthesea's internals move.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

_lock = threading.Lock()
_model: Any = None


def _crf() -> Any:
    """underthesea's own word-segmentation model instance (it loads it on first use)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from underthesea import word_tokenize
                from underthesea.pipeline import word_tokenize as wt_module

                word_tokenize("khởi động")  # makes underthesea load its model
                _model = getattr(wt_module, "word_tokenize_model", None) or False
    return _model


def segment(tokens: Sequence[str]) -> list[str]:
    """Words of a tokenized text; multi-syllable words joined with `_` (`sáp_nhập`)."""
    if not tokens:
        return []
    model = _crf()
    if model is False:  # underthesea changed its internals: same result, one more tokenization
        from underthesea import word_tokenize

        return word_tokenize(" ".join(tokens), format="text", use_token_normalize=False).split()
    tags = model.predict([[t] for t in tokens])
    words: list[str] = []
    append = words.append
    for tag, token in zip(tags, tokens, strict=False):
        if tag == "I-W" and words:
            words[-1] += "_" + token
        else:
            append(token)
    return words


def word_tokenize_text(text: str) -> list[str]:
    """Plain underthesea `word_tokenize` (what the benchmark measures against)."""
    from underthesea import word_tokenize

    return word_tokenize(text, format="text").split()
