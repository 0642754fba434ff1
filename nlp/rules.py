"""Phrase rules from the taxonomy: signals, weak signals, combinations and exclusions.

Phrases are matched diacritic-insensitively but not blindly: each word of a phrase matches the
same word with its diacritics, or the word typed without any (`phường` matches `phường` and
`phuong`, never `phương`). Folding everything would make `tỉnh` match `tính` and `xã` match `xa`.
One regex per narrative, longest phrase first, so an exclusion (`sáp nhập ngân hàng`) consumes
the words a shorter signal (`sáp nhập`) would otherwise match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from misinfo.domain import Evidence
from misinfo.text import fold
from nlp.normalize import normalize
from nlp.taxonomy import Narrative, Taxonomy

STRONG, WEAK, COMBO, EXCLUDE = "signal", "weak", "combo", "exclusion"

# Rule score from the evidence found: what a strong phrase, a combination or weak phrases alone
# are worth. The hybrid tagger weighs this against the model's probability.
STRONG_SCORE = 0.9
COMBO_SCORE = 0.75
WEAK_FIRST, WEAK_EACH, WEAK_MAX = 0.3, 0.1, 0.5


@dataclass(frozen=True, slots=True)
class Hit:
    phrase: str
    kind: str
    start: int
    key: str  # folded phrase, what combination groups are made of


@dataclass(slots=True)
class RuleResult:
    """The rule verdict for one narrative on one text."""

    score: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    excluded: bool = False


def _word_pattern(word: str) -> str:
    low = word.lower()
    folded = fold(word)
    if low == folded:
        return re.escape(low)
    return f"(?:{re.escape(low)}|{re.escape(folded)})"


def phrase_pattern(phrase: str) -> str:
    """Regex for a phrase on normalised, lowercased text (tokens separated by single spaces)."""
    tokens = normalize(phrase).tokens
    return r"\s".join(_word_pattern(t) for t in tokens)


@dataclass
class _CompiledNarrative:
    narrative: Narrative
    regex: re.Pattern[str] | None
    lookup: dict[str, list[tuple[str, str]]]  # folded matched text → [(kind, phrase)]
    combo_groups: list[tuple[str, int, list[set[str]]]]  # (name, window, [folded phrases per group])


class Rules:
    """The compiled rules of a taxonomy; `match(text_lower)` gives each narrative's verdict."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._compiled = [self._compile(n) for n in taxonomy.narratives]

    @staticmethod
    def _compile(n: Narrative) -> _CompiledNarrative:
        entries: list[tuple[str, str]] = []
        entries += [(STRONG, p) for p in n.signals]
        entries += [(WEAK, p) for p in n.weak_signals]
        entries += [(EXCLUDE, p) for p in n.exclusions]
        combo_groups = []
        for combo in n.combos:
            groups = []
            for group in combo.groups:
                groups.append({fold(normalize(p).text) for p in group})
                entries += [(COMBO, p) for p in group]
            combo_groups.append((combo.name, combo.window, groups))
        lookup: dict[str, list[tuple[str, str]]] = {}
        patterns: dict[str, str] = {}
        for kind, phrase in entries:
            key = fold(normalize(phrase).text)
            if not key:
                continue
            lookup.setdefault(key, [])
            if (kind, phrase) not in lookup[key]:
                lookup[key].append((kind, phrase))
            patterns.setdefault(key, phrase_pattern(phrase))
        ordered = sorted(patterns, key=len, reverse=True)
        regex = None
        if ordered:
            regex = re.compile(r"(?<!\w)(?:" + "|".join(patterns[k] for k in ordered) + r")(?!\w)")
        return _CompiledNarrative(n, regex, lookup, combo_groups)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.narrative.id for c in self._compiled)

    def match(self, text: str) -> dict[str, RuleResult]:
        """Verdict per narrative for a normalised text (`Normalized.text` or its hashtag-extended form)."""
        low = text.lower()
        return {c.narrative.id: self._match_one(c, low) for c in self._compiled}

    @staticmethod
    def _match_one(c: _CompiledNarrative, low: str) -> RuleResult:
        result = RuleResult()
        if c.regex is None or not low:
            return result
        hits: list[Hit] = []
        for m in c.regex.finditer(low):
            key = fold(m.group(0))
            for kind, phrase in c.lookup.get(key, ()):
                hits.append(Hit(phrase, kind, m.start(), key))
        if not hits:
            return result
        strong = sorted({h.phrase for h in hits if h.kind == STRONG})
        weak = sorted({h.phrase for h in hits if h.kind == WEAK})
        excluded = sorted({h.phrase for h in hits if h.kind == EXCLUDE})
        combos = []
        for name, window, groups in c.combo_groups:
            positions = [[h.start for h in hits if h.key in g] for g in groups]
            if all(positions) and _within(positions, window):
                combos.append(name)
        score = 0.0
        if strong:
            score = min(1.0, STRONG_SCORE + 0.03 * (len(strong) - 1))
        if combos:
            score = max(score, min(STRONG_SCORE, COMBO_SCORE + 0.05 * (len(combos) - 1)))
        if weak and not excluded:
            score = max(score, min(WEAK_MAX, WEAK_FIRST + WEAK_EACH * (len(weak) - 1)))
        result.score = score
        result.excluded = bool(excluded)
        result.evidence = (
            [Evidence("phrase", p, 1.0) for p in strong]
            + [Evidence("phrase", f"[{n}]", COMBO_SCORE) for n in combos]
            + [Evidence("phrase", p, 0.3) for p in weak]
            + [Evidence("phrase", f"≠ {p}", -1.0) for p in excluded]
        )
        return result


def _within(positions: list[list[int]], window: int) -> bool:
    """True when one hit from every group lies within `window` characters of the others."""
    first, *rest = positions
    for anchor in first:
        if all(any(abs(p - anchor) <= window for p in group) for group in rest):
            return True
    return False
