"""The user query syntax shared by every backend, parsed once into a small tree.

Syntax: words are ANDed; `"exact phrase"`; `-word` or `-"phrase"` excludes; `a OR b` matches
either (OR binds tighter than the implicit AND, as in web search). Everything else (FTS5 or
Lucene operators such as `NEAR(`, `*`, `^`, `text:`) is treated as plain words, because the
parser keeps only word characters. Nothing the user types reaches a backend unquoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from misinfo.deobfuscate import match_fold
from misinfo.errors import QueryError

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
_TOKEN_RE = re.compile(r'(-?)"([^"]*)("?)|(\S+)')
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Term:
    """A folded word sequence: one word, or a phrase whose words must be adjacent."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """`groups` are ANDed; each group is an OR of terms. `excluded` terms must not match."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    raw: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded

    @property
    def highlight_words(self) -> list[tuple[str, ...]]:
        return [t.words for group in self.groups for t in group]


def _term(text: str) -> Term | None:
    words = tuple(_WORD_RE.findall(match_fold(text)))
    return Term(words) if words else None


def parse_query(text: str | None) -> ParsedQuery:
    """Parse leniently: stray quotes, lone `-` and dangling `OR` are ignored, never an error.

    Raises `QueryError` only for queries no backend should run (too long, too many terms).
    A query of exclusions only is allowed: it searches all posts minus those.
    """
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    last_positive = False  # OR joins two positive terms; after an exclusion it means nothing
    for m in _TOKEN_RE.finditer(text):
        neg, phrase, _closed, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        if bare is not None:
            if bare == "OR":
                pending_or = last_positive
                continue
            if bare.startswith("-") and len(bare) > 1:
                term = _term(bare[1:])
                if term:
                    excluded.append(term)
                    last_positive = False
                pending_or = False
                continue
            term = _term(bare)  # `a.b` folds to two words: a phrase, as search engines do
        else:
            term = _term(phrase)
            if neg and term:
                excluded.append(term)
                pending_or = last_positive = False
                continue
        if term is None:
            continue
        if pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
        last_positive = True
    n_terms = sum(len(g) for g in groups) + len(excluded)
    if n_terms > MAX_TERMS:
        raise QueryError(f"too many search terms ({n_terms}, at most {MAX_TERMS})")
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded), text)
