"""Phrase rules from the taxonomy: signals, weak signals, combinations and exclusions.

Phrases are matched diacritic-insensitively but not blindly: each word of a phrase matches the
same word with its diacritics, or the word typed without any (`phường` matches `phường` and
`phuong`, never `phương`). Folding everything would make `tỉnh` match `tính` and `xã` match `xa`.
Per narrative the leftmost, then longest phrase wins, so an exclusion (`sáp nhập ngân hàng`)
consumes the words a shorter signal (`sáp nhập`) would otherwise match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from misinfo.domain import Evidence
from misinfo.text import fold
from nlp.normalize import normalize
from nlp.taxonomy import Taxonomy

STRONG, WEAK, COMBO, EXCLUDE, REQUIRE = "signal", "weak", "combo", "exclusion", "requires"

# Rule score from the evidence found: what a strong phrase, a combination or weak phrases alone
# are worth. The hybrid tagger weighs this against the model's probability.
STRONG_SCORE = 0.9
COMBO_SCORE = 0.75
WEAK_FIRST, WEAK_EACH, WEAK_MAX = 0.3, 0.1, 0.5


@dataclass(frozen=True, slots=True)
class Hit:
    phrase: str
    kind: str
    start: int  # character offset in the text
    key: tuple[str, ...]  # folded phrase words, what combination groups are made of
    loose: bool = False  # one syllable matched without its diacritics: ambiguous on its own


@dataclass(slots=True)
class RuleResult:
    """The rule verdict for one narrative on one text."""

    score: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    excluded: bool = False
    anchored: bool = True  # every `requires` group of the narrative matched (True when it has none)


@dataclass(frozen=True, slots=True)
class _Phrase:
    narrative: int
    kind: str
    phrase: str
    key: tuple[str, ...]  # folded words
    exact: tuple[str, ...]  # lowercased words with their diacritics


def _words_match(text_low: Sequence[str], exact: tuple[str, ...], key: tuple[str, ...], in_combo: bool) -> bool:
    """Each text word is the phrase word itself, or that word typed without diacritics.

    A one-syllable phrase on its own must match with its marks: bare, it is too ambiguous (`lai`
    is `lãi` or `lại`, `san` is `sàn` or `sân`). Inside a combination the other group gives the
    context (`nhap vao` + `xa` is a commune merger), and longer phrases disambiguate themselves.
    """
    if len(exact) == 1 and not in_combo:
        return text_low[0] == exact[0]
    return all(t in (w, f) for t, w, f in zip(text_low, exact, key, strict=True))


class Rules:
    """The compiled rules of a taxonomy; `match(tokens)` gives each narrative's verdict.

    Matching walks the text's tokens once, looking each folded token up in an index of phrase
    first words: cost grows with the text, not with the number of phrases.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._narratives = list(taxonomy.narratives)
        self._index: dict[str, list[_Phrase]] = {}
        self._joined: dict[str, list[_Phrase]] = {}
        self._combos: list[list[tuple[str, int, list[set[tuple[str, ...]]]]]] = []
        self._requires: list[list[set[tuple[str, ...]]]] = []
        seen: set[tuple[int, str, tuple[str, ...]]] = set()
        for idx, n in enumerate(self._narratives):
            entries = [(STRONG, p) for p in n.signals] + [(WEAK, p) for p in n.weak_signals]
            entries += [(EXCLUDE, p) for p in n.exclusions]
            combos = []
            for combo in n.combos:
                groups = []
                for group in combo.groups:
                    groups.append({self._key(p)[0] for p in group})
                    entries += [(COMBO, p) for p in group]
                combos.append((combo.name, combo.window, groups))
            self._combos.append(combos)
            self._requires.append([{self._key(p)[0] for p in group} for group in n.requires])
            entries += [(REQUIRE, p) for group in n.requires for p in group]
            for kind, phrase in entries:
                key, exact = self._key(phrase)
                if not key or (idx, kind, key) in seen:
                    continue
                seen.add((idx, kind, key))
                ph = _Phrase(idx, kind, phrase, key, exact)
                self._index.setdefault(key[0], []).append(ph)
                if len(key) > 1:  # hashtags write phrases run together: #sapnhaptinh, #chinhquyenhaicap
                    self._joined.setdefault("".join(key), []).append(ph)

    @staticmethod
    def _key(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        tokens = normalize(phrase).tokens
        return tuple(fold(t) for t in tokens), tuple(t.lower() for t in tokens)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(n.id for n in self._narratives)

    def match(self, tokens: Sequence[str], folded: Sequence[str] | None = None) -> dict[str, RuleResult]:
        """Verdict per narrative for normalised tokens (`Normalized.tokens`, hashtags may follow).

        `folded` is the same tokens folded, when the caller has them already.
        """
        if folded is None:
            folded = [fold(t) for t in tokens]
        found: list[list[tuple[int, int, _Phrase, bool]]] = [[] for _ in self._narratives]
        index = self._index
        any_found = False
        # a text typed without any diacritics: only there may a one-syllable requirement match bare
        # (`gia` is `giả` in `gia mao`, but in a text with marks it is the `gia` of `gia đình`)
        bare = all(t.lower() == f for t, f in zip(tokens, folded, strict=False))
        for i, ft in enumerate(folded):
            cands = index.get(ft)
            if cands is None:
                for ph in self._joined.get(ft, ()):
                    found[ph.narrative].append((i, 1, ph, False))
                    any_found = True
                continue
            for ph in cands:
                size = len(ph.key)
                if tuple(folded[i : i + size]) != ph.key:
                    continue
                window = [t.lower() for t in tokens[i : i + size]]
                if _words_match(window, ph.exact, ph.key, ph.kind == COMBO or (bare and ph.kind == REQUIRE)):
                    found[ph.narrative].append((i, size, ph, size == 1 and window[0] != ph.exact[0]))
                    any_found = True
        if not any_found:
            return {n.id: RuleResult(anchored=not req) for n, req in zip(self._narratives, self._requires, strict=True)}
        offsets = []
        pos = 0
        for t in tokens:
            offsets.append(pos)
            pos += len(t) + 1
        return {
            n.id: self._verdict(found[idx], self._combos[idx], self._requires[idx], offsets)
            for idx, n in enumerate(self._narratives)
        }

    @staticmethod
    def _verdict(
        found: list[tuple[int, int, _Phrase, bool]],
        combos_def: list[tuple[str, int, list[set[tuple[str, ...]]]]],
        requires: list[set[tuple[str, ...]]],
        offsets: list[int],
    ) -> RuleResult:
        result = RuleResult(anchored=not requires)
        if not found:
            return result
        anchors = _anchors(found, requires)
        found = [f for f in found if f[2].kind != REQUIRE]
        # a phrase inside a longer one is consumed by it (`sáp nhập` inside `sáp nhập ngân hàng`);
        # phrases that only overlap both count (`đi học tập` and `học tập kinh nghiệm`)
        found.sort(key=lambda f: (f[0], -f[1]))
        hits: list[Hit] = []
        end = -1
        span: tuple[int, int] | None = None
        for start, size, ph, loose in found:
            if span == (start, size) or start + size > end:
                hits.append(Hit(ph.phrase, ph.kind, offsets[start], ph.key, loose))
                if span != (start, size):
                    span, end = (start, size), start + size
        strong = sorted({h.phrase for h in hits if h.kind == STRONG})
        weak = sorted({h.phrase for h in hits if h.kind == WEAK})
        excluded = sorted({h.phrase for h in hits if h.kind == EXCLUDE})
        combos = []
        for name, window, groups in combos_def:
            members = [[h for h in hits if h.key in g] for g in groups]
            positions = [[h.start for h in m] for m in members]
            # at least one member must be unambiguous: `vang` + `lai` (vâng/vàng, lại/lãi) is no scam
            if all(positions) and _within(positions, window) and any(not h.loose for m in members for h in m):
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
        result.anchored = anchors is not None
        result.evidence = (
            [Evidence("phrase", p, 1.0) for p in strong]
            + [Evidence("phrase", f"[{n}]", COMBO_SCORE) for n in combos]
            + [Evidence("phrase", p, 0.3) for p in weak]
            + [Evidence("phrase", f"≠ {p}", -1.0) for p in excluded]
            + [Evidence("phrase", f"✓ {p}", 0.0) for p in anchors or ()]
        )
        return result


def _anchors(found: list[tuple[int, int, _Phrase, bool]], requires: list[set[tuple[str, ...]]]) -> list[str] | None:
    """One phrase per `requires` group (the first in the text), or None when a group has no hit.

    An anchor inside an exclusion does not count (`sáp nhập` in `sáp nhập ngân hàng` puts no merger in
    view); inside a signal it does (`cán bộ` in `cán bộ đi nước ngoài`).
    """
    if not requires:
        return []
    excluded = [(s, s + n) for s, n, ph, _ in found if ph.kind == EXCLUDE]
    hits = sorted(
        (s, ph.phrase, ph.key) for s, n, ph, _ in found
        if ph.kind == REQUIRE and not any(a <= s and s + n <= b for a, b in excluded)
    )
    out = []
    for group in requires:
        phrase = next((p for _, p, key in hits if key in group), None)
        if phrase is None:
            return None
        if phrase not in out:
            out.append(phrase)
    return out


def _within(positions: list[list[int]], window: int) -> bool:
    """True when one hit from every group lies within `window` characters of the others."""
    first, *rest = positions
    return any(all(any(abs(p - anchor) <= window for p in group) for group in rest) for anchor in first)
