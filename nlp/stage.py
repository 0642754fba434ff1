"""The NLP stage `misinfo.pipeline.process` runs: normalize → segment → tag → dedup → claims.

A video's transcript is read with its caption: each is normalised and segmented on its own, then
joined (caption first) for the tagger and the claim matcher, and a tag's phrase evidence says which
part it matched in (`Evidence.part`). Copy-paste groups stay on the caption alone, so a transcript
fetched on a later crawl never moves a post to another group.

Built once per run from the settings (taxonomy, claims registry, newest model, dedup state) and
called per batch. Its `version` names the model and fingerprints the taxonomy, the registry and the
matching normalisation (`misinfo.deobfuscate.VERSION`), so a new model, an edited YAML file or a
normaliser that reads text differently makes `process` tag (and the store fold) everything again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from misinfo import deobfuscate
from misinfo.domain import Post, Tag, TaggedPost
from misinfo.settings import Settings
from nlp.claims import ClaimMatcher, load_registry
from nlp.dedup import DedupIndex
from nlp.model import TaggerModel, newest_model_path
from nlp.normalize import normalize
from nlp.rules import RuleResult
from nlp.tagger import Analysis, Tagger, analyse
from nlp.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


def dedup_path(home: Path) -> Path:
    return home / "state" / "dedup.sqlite3"


def background_texts() -> tuple[str, ...]:
    """The project's examples about no narrative: ordinary language, for the claim matcher's IDF.

    Examples about the narratives would make their own words (`sáp nhập`, `sổ đỏ`) look common and
    sink the very paraphrases a claim is matched on.
    """
    from nlp.evaluate import EXAMPLES_PATH, load_labelled

    return tuple(d.text for d in load_labelled(EXAMPLES_PATH) if not d.labels)


def _post_text(post: Post) -> str:
    if not post.hashtags:
        return post.text
    return post.text + " " + " ".join("#" + h.lstrip("#") for h in post.hashtags)


def _safe_analyse(text: str) -> Analysis:
    """A text that trips a library still gets tagged as empty, never dropped."""
    try:
        return analyse(text)
    except Exception:  # noqa: BLE001 - underthesea on odd input must not lose the post
        log.exception("could not analyse a text; tagging it as empty")
        return Analysis(normalize(""), ())


def joined(caption: Analysis, spoken: Analysis) -> Analysis:
    """Caption then transcript as one analysed text (each normalised and segmented on its own)."""
    a, b = caption.norm, spoken.norm
    norm = replace(
        a,
        text=" ".join(x for x in (a.text, b.text) if x),
        tokens=a.tokens + b.tokens,
        folded=" ".join(x for x in (a.folded, b.folded) if x),  # stays aligned with the tokens
        hashtags=a.hashtags + b.hashtags,
        urls=a.urls + b.urls,
        handles=a.handles + b.handles,
        emoji=a.emoji + b.emoji,
        truncated=a.truncated or b.truncated,
    )
    return Analysis(norm, caption.words + spoken.words)


def with_parts(tags: tuple[Tag, ...], caption_rules: dict[str, RuleResult]) -> tuple[Tag, ...]:
    """Each phrase of the evidence marked `caption` when the caption alone has it, else `transcript`
    (a combination that needs both parts counts as the transcript's)."""
    out = []
    for tag in tags:
        in_caption = {e.value for e in caption_rules[tag.narrative].evidence} if tag.narrative in caption_rules else set()
        evidence = tuple(
            replace(e, part="caption" if e.value in in_caption else "transcript") if e.kind == "phrase" else e
            for e in tag.evidence
        )
        out.append(replace(tag, evidence=evidence))
    return tuple(out)


class NlpStage:
    """Posts in, tagged posts out (same order)."""

    def __init__(self, settings: Settings, *, model: TaggerModel | None = None, persist: bool = True) -> None:
        taxonomy = load_taxonomy(settings.narratives)
        registry = load_registry(settings.claims)
        self.model = model or TaggerModel.load(newest_model_path(settings.home))
        self.tagger = Tagger(taxonomy, self.model)
        self.claims = ClaimMatcher(registry, background=background_texts())
        self.dedup = DedupIndex(dedup_path(settings.home) if persist else None)
        fingerprint = hashlib.sha1(
            (taxonomy.model_dump_json() + registry.model_dump_json() + deobfuscate.VERSION).encode()
        ).hexdigest()[:8]
        self.version = f"{self.model.version}+{fingerprint}"

    def analyse(self, posts: Sequence[Post]) -> list[Analysis]:
        """Each post's caption (text and hashtags), joined with its transcript when it has one."""
        return self._analyse(posts)[1]

    def _analyse(self, posts: Sequence[Post]) -> tuple[list[Analysis], list[Analysis]]:
        captions = [_safe_analyse(_post_text(p)) for p in posts]
        whole = [
            joined(c, _safe_analyse(p.transcript.text)) if p.transcript is not None else c
            for p, c in zip(posts, captions, strict=True)
        ]
        return captions, whole

    def __call__(self, posts: list[Post]) -> list[TaggedPost]:
        if not posts:
            return []
        captions, analyses = self._analyse(posts)
        tags = self.tagger.tag_batch(analyses)
        rules = self.tagger.rules
        tags = [
            with_parts(t, rules.match(c.rules_tokens, c.rules_folded)) if p.transcript is not None and t else t
            for p, c, t in zip(posts, captions, tags, strict=True)
        ]
        claims = self.claims.match_batch([a.norm.folded for a in analyses])
        groups = self.dedup.assign([(p.key, c.norm.folded) for p, c in zip(posts, captions, strict=True)])
        return [
            TaggedPost(post=p, tags=t, claims=c, dup_group=g, model_version=self.version)
            for p, t, c, g in zip(posts, tags, claims, groups, strict=True)
        ]

    def close(self) -> None:
        self.dedup.close()
