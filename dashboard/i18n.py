"""Every UI string in one place (`locales/<lang>.yaml`): an English version is a translation file away.

Keys are dotted paths (`search.title`); values are `str.format` templates. A missing key raises
`KeyError` so a typo fails a test instead of showing a raw key to an analyst.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "vi"


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@lru_cache(maxsize=4)
def catalog(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The flattened strings of one language file."""
    with open(LOCALES_DIR / f"{language}.yaml", encoding="utf-8") as fh:
        return _flatten(yaml.safe_load(fh) or {})


_current = DEFAULT_LANGUAGE


def use(lang: str) -> None:
    """Choose the UI language (from `settings.ui_language`); one language per dashboard server."""
    global _current
    if not (LOCALES_DIR / f"{lang}.yaml").is_file():
        from misinfo.errors import ConfigError

        raise ConfigError(f"MISINFO_UI_LANGUAGE: no translation file {LOCALES_DIR / (lang + '.yaml')}")
    _current = lang


def language() -> str:
    return _current


def t(key: str, /, **values: Any) -> str:
    """The UI string for `key`, with `{name}` placeholders filled from `values`."""
    text = catalog(language())[key]
    return text.format(**values) if values else text


def label_of(group: str, value: str | None) -> str:
    """Display label of a code value (`verdict.false`, `platform.tiktok`); the value itself if unknown."""
    if value is None:
        return ""
    return catalog(language()).get(f"{group}.{value}", value)
