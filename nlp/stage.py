"""The NLP stage `misinfo.pipeline.process` runs: normalize → segment → tag → dedup → claims.

Built once per run from the settings (taxonomy, claims registry, newest model, dedup state) and
called per batch. Its `version` names the model and fingerprints the taxonomy, the registry and the
matching normalisation (`misinfo.deobfuscate.VERSION`), so a new model, an edited YAML file or a
normaliser that reads text differently makes `process` tag (and the store fold) everything again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from misinfo import deobfuscate
from misinfo.domain import Post, TaggedPost
from misinfo.settings import Settings
from nlp.claims import ClaimMatcher, load_registry
from nlp.dedup import DedupIndex
from nlp.model import TaggerModel, newest_model_path
from nlp.normalize import normalize
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
        return [_safe_analyse(_post_text(p)) for p in posts]

    def __call__(self, posts: list[Post]) -> list[TaggedPost]:
        if not posts:
            return []
        analyses = self.analyse(posts)
        tags = self.tagger.tag_batch(analyses)
        claims = self.claims.match_batch([a.norm.folded for a in analyses])
        groups = self.dedup.assign([(p.key, a.norm.folded) for p, a in zip(posts, analyses, strict=True)])
        return [
            TaggedPost(post=p, tags=t, claims=c, dup_group=g, model_version=self.version)
            for p, t, c, g in zip(posts, tags, claims, groups, strict=True)
        ]

    def close(self) -> None:
        self.dedup.close()
