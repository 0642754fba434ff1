"""The scale-out store: Elasticsearch (8 or 9) through the official client, same contract as SQLite.

Reads and writes go through an alias (`MISINFO_ES_INDEX`) onto a versioned index
`<alias>-<timestamp>` whose settings and mappings come from `config/elasticsearch/`, so
`rebuild` (behind `misinfo reindex`) fills a fresh index and swaps the alias in one atomic call.

Search parity with SQLite comes from doing the Vietnamese part in Python: the `folded` field holds
the text folded by `misinfo.deobfuscate.match_fold` and split into the same words the SQLite tokenizer sees
(letters and digits; `_` and punctuation separate), indexed with a whitespace tokenizer; the
parsed user query is folded and split the same way. Only quoted words reach `simple_query_string`.

Portable on purpose (it also runs on osmem-server, the OpenSearch-API server used in CI): no
Painless scripts (upsert keeps a review with a partial-document update instead of a scripted
upsert; `version()` counts writes with a document's `_version`), and point-in-time is used for
exports only where the server has it, plain `search_after` otherwise.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, HttpHeaders, TransportError, Urllib3HttpNode
from elastic_transport._node import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType
from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    Elasticsearch,
    NotFoundError,
    UnsupportedProductError,
    helpers,
)

from misinfo.deobfuscate import match_fold
from misinfo.domain import Review, TaggedPost, Transcript
from misinfo.errors import ConfigError, QueryError, StoreUnavailable
from misinfo.query import ParsedQuery, Term, parse_query
from misinfo.settings import CONFIG_DIR, Settings
from misinfo.store.base import (
    MAX_PAGE_SIZE,
    SORTS,
    AccountStats,
    CountBucket,
    FacetField,
    Interval,
    SearchHit,
    SearchPage,
    SearchQuery,
    StoreStats,
    merge_found,
)
from misinfo.store.highlight import hit_snippets
from misinfo.store.sqlite import from_us, to_us

ES_CONFIG_DIR = CONFIG_DIR / "elasticsearch"
MIN_ES_MAJOR = 8
MIN_OPENSEARCH_MAJOR = 2
CHUNK_SIZE = 500
MAX_RESULT_WINDOW = 10_000
_URL_VAR = "MISINFO_ES_URL"

# Words as SQLite's unicode61 tokenizer sees them: runs of letters/digits (`_` separates).
_TOKEN_RE = re.compile(r"[^\W_]+")
_INDEX_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_COMPAT_MIME_RE = re.compile(r"application/vnd\.elasticsearch\+([\w-]+);\s*compatible-with=\d+")

_FACET_FIELDS: dict[str, str] = {
    "narrative": "narratives",
    "platform": "platform",
    "source": "sources",
    "hashtag": "hashtags",
    "dup_group": "dup_group",
    "claim": "claim_ids",
    "author": "author",
    "review_status": "review_status",
}
_INTERVALS = {"hour": "1h", "day": "1d"}
# fields whose type a foreign or stale index must share with the template, or the store misbehaves
_CHECKED_FIELDS = ("key", "folded", "created_us", "created_at", "engagement", "narratives", "platform",
                   "source", "sources", "dup_group", "claim_ids", "hashtags", "review_status", "tagged", "aigc")
# fields added to the template after indices were created with it: `ensure_index` adds them in place
_ADDED_FIELDS = ("sources", "transcript", "aigc", "location_created")

F = TypeVar("F", bound=Callable[..., Any])


class PlainJsonNode(Urllib3HttpNode):
    """HTTP node sending plain `application/json` instead of the client's compatibility media type.

    The elasticsearch 9 client always asks for `application/vnd.elasticsearch+json;
    compatible-with=9`, which OpenSearch-API servers (osmem-server in CI) refuse with 406. The
    client rewrites the header on every call, so it is undone here, on the node class that the
    client's public `node_class=` option selects. Used only when `MISINFO_ES_COMPAT_JSON=1`.
    """

    def perform_request(self, method: str, target: str, body: bytes | None = None,
                        headers: HttpHeaders | None = None,
                        request_timeout: DefaultType | float | None = DEFAULT) -> NodeApiResponse:
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = _COMPAT_MIME_RE.sub(r"application/\1", headers[name])
        return super().perform_request(method, target, body=body, headers=headers, request_timeout=request_timeout)


def load_json(name: str) -> dict[str, Any]:
    """A JSON file from config/elasticsearch, without its `_comment`."""
    path = ES_CONFIG_DIR / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    data.pop("_comment", None)
    return data


def index_tokens(text: str) -> list[str]:
    """The words of `text` as both stores index them: folded, letters and digits only."""
    return _TOKEN_RE.findall(match_fold(text))


def _phrase(term: Term) -> str:
    return " ".join(tok for word in term.words for tok in _TOKEN_RE.findall(word))


def compile_query(parsed: ParsedQuery) -> dict[str, Any]:
    """The parsed user query as an Elasticsearch query on `folded`.

    Positive groups become one `simple_query_string` of quoted phrases (`("a b" | "c") ("d")`,
    AND between groups): the phrases hold only letters and digits, so no user operator can reach
    the engine. Exclusions are `must_not` phrases, so a query of exclusions only matches the rest.
    """
    must: list[dict[str, Any]] = []
    groups = []
    for group in parsed.groups:
        phrases = [p for p in (_phrase(t) for t in group) if p]
        if not phrases:  # a term with no letters or digits matches nothing, as in FTS5
            return {"match_none": {}}
        groups.append("(" + " | ".join(f'"{p}"' for p in phrases) + ")")
    if groups:
        must.append({"simple_query_string": {
            "query": " ".join(groups), "fields": ["folded"], "default_operator": "and",
            "flags": "OR|PHRASE|PRECEDENCE|WHITESPACE",
        }})
    must_not = [{"match_phrase": {"folded": p}} for p in (_phrase(t) for t in parsed.excluded) if p]
    if not must and not must_not:
        return {"match_all": {}}
    query: dict[str, Any] = {"bool": {}}
    if must:
        query["bool"]["must"] = must
    if must_not:
        query["bool"]["must_not"] = must_not
    return query


def _guard(method: F) -> F:
    """Turn transport and server failures into one clear `StoreUnavailable` naming MISINFO_ES_URL."""

    @functools.wraps(method)
    def wrapper(self: ElasticStore, *args: Any, **kwargs: Any) -> Any:
        if self.problem:
            raise StoreUnavailable(self.problem)
        try:
            return method(self, *args, **kwargs)
        except (StoreUnavailable, QueryError):
            raise
        except ApiError as exc:
            raise StoreUnavailable(f"Elasticsearch at {self.url} ({_URL_VAR}) refused "
                                   f"{method.__name__}: {_explain(exc)}") from exc
        except TransportError as exc:
            raise StoreUnavailable(f"cannot reach Elasticsearch at {self.url} ({_URL_VAR}): {exc.message}") from exc

    return wrapper  # type: ignore[return-value]


def _explain(exc: ApiError) -> str:
    """Status and reason, with the fix when the server refuses the client's media type.

    OpenSearch-API servers answer 406 to `compatible-with=9`; Elasticsearch 8 answers 400
    (media_type_header_exception). Plain JSON, which MISINFO_ES_COMPAT_JSON=1 sends, suits both.
    """
    reason = _reason(exc)
    media = exc.status_code == 406 or (exc.status_code == 400 and ("media" in reason or "compatible" in reason))
    hint = (" (the server refuses the client's media type: set MISINFO_ES_COMPAT_JSON=1 for OpenSearch-API "
            "servers and Elasticsearch 8)") if media else ""
    return f"{exc.status_code} {reason}{hint}"


def _reason(exc: ApiError) -> str:
    """The server's own explanation, from the error body if it has one."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        cause = (err.get("root_cause") or [err])[0]
        return f"{cause.get('type', '')}: {cause.get('reason', '')}".strip(": ")
    return str(exc.message)


def build_client(settings: Settings, **options: Any) -> Elasticsearch:
    """The client for these settings; `options` override transport defaults (tests shorten retries)."""
    kwargs: dict[str, Any] = {
        "request_timeout": 30.0,
        "max_retries": 3,
        "retry_on_status": (429, 502, 503, 504),
        "retry_on_timeout": True,
        "retry_backoff_base": 0.5,
        "retry_backoff_cap": 8.0,
    }
    if settings.es_api_key is not None:
        kwargs["api_key"] = settings.es_api_key.get_secret_value()
    elif settings.es_username:
        password = settings.es_password.get_secret_value() if settings.es_password else ""
        kwargs["basic_auth"] = (settings.es_username, password)
    if settings.es_ca_certs is not None:
        if not Path(settings.es_ca_certs).is_file():
            raise ConfigError(f"MISINFO_ES_CA_CERTS: no such file {settings.es_ca_certs}")
        kwargs["ca_certs"] = str(settings.es_ca_certs)
    if settings.es_compat_json:
        kwargs["node_class"] = PlainJsonNode
    kwargs.update(options)
    accepted = inspect.signature(Elasticsearch.__init__).parameters
    kwargs = {k: v for k, v in kwargs.items() if k in accepted}  # older clients lack retry_backoff_*
    try:
        return Elasticsearch(settings.es_url, **kwargs)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{_URL_VAR}: cannot use {settings.es_url!r}: {exc}") from exc


def check_cluster(client: Elasticsearch, url: str) -> str:
    """Start-up check: reachable, credentials accepted, a version this store supports. Returns it."""
    try:
        info = client.info()
    except AuthenticationException as exc:
        raise StoreUnavailable(
            f"Elasticsearch at {url} ({_URL_VAR}) rejected the credentials: check MISINFO_ES_API_KEY "
            "or MISINFO_ES_USERNAME/MISINFO_ES_PASSWORD") from exc
    except AuthorizationException as exc:
        raise StoreUnavailable(f"Elasticsearch at {url} ({_URL_VAR}): the user lacks privileges: {_reason(exc)}") \
            from exc
    except UnsupportedProductError as exc:
        raise StoreUnavailable(f"the server at {url} ({_URL_VAR}) does not say it is Elasticsearch") from exc
    except ApiError as exc:
        raise StoreUnavailable(f"Elasticsearch at {url} ({_URL_VAR}) answered {_explain(exc)}") from exc
    except (TransportConnectionError, ConnectionTimeout, TransportError) as exc:
        raise StoreUnavailable(f"cannot reach Elasticsearch at {url} ({_URL_VAR}): {exc.message}") from exc
    version = info.get("version") or {}
    number = str(version.get("number", "0"))
    distribution = version.get("distribution", "elasticsearch")
    try:
        major = int(number.split(".")[0])
    except ValueError:
        major = 0
    minimum = MIN_OPENSEARCH_MAJOR if distribution == "opensearch" else MIN_ES_MAJOR
    if major < minimum:
        raise StoreUnavailable(f"{distribution} {number} at {url} ({_URL_VAR}) is too old: "
                               f"version {minimum} or later is needed")
    return f"{distribution} {number}"


def check_alias(alias: str) -> None:
    """Index names are lowercase and limited; say which variable to fix before connecting."""
    if not _INDEX_NAME_RE.match(alias) or len(alias) > 200:
        raise ConfigError(f"MISINFO_ES_INDEX: {alias!r} is not a valid index name (lowercase letters, "
                          "digits, '-', '_', '.')")


class ElasticStore:
    """`PostStore` on an Elasticsearch alias. Build it with `from_settings` (checks the cluster)."""

    backend = "elasticsearch"

    def __init__(
        self,
        client: Elasticsearch,
        alias: str,
        *,
        index: str | None = None,
        url: str = "",
        track_version: bool = True,
        chunk_size: int = CHUNK_SIZE,
        bulk_retries: int = 4,
        initial_backoff: float = 1.0,
    ) -> None:
        check_alias(alias)
        self.client = client
        self.alias = alias
        self.index = index or alias  # where reads and writes go: the alias, or a new index in `rebuild`
        self.meta_index = f"{alias}.meta"
        self.url = url or "the configured URL"
        self.track_version = track_version
        self.chunk_size = chunk_size
        self.bulk_retries = bulk_retries
        self.initial_backoff = initial_backoff
        self.problem: str | None = None  # set when the index cannot be used as is (see check_mapping)
        self._pit_supported: bool | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> ElasticStore:
        """Connect, check version and health, create template/alias/meta index if missing.

        Every failure here is one `StoreUnavailable` naming MISINFO_ES_URL, raised at start-up.
        """
        check_alias(settings.es_index)
        client = build_client(settings, **{k: v for k, v in options.items() if k in _CLIENT_OPTIONS})
        store_options = {k: v for k, v in options.items() if k not in _CLIENT_OPTIONS}
        store = cls(client, settings.es_index, url=settings.es_url, **store_options)
        try:
            check_cluster(client, settings.es_url)
            store.ensure_index()
            store.check_health()
            store.problem = store.check_mapping()
        except BaseException:
            client.close()
            raise
        return store

    # --- set-up ---------------------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ApiError as exc:
            raise StoreUnavailable(f"Elasticsearch at {self.url} ({_URL_VAR}) could not {what}: "
                                   f"{_explain(exc)}") from exc
        except TransportError as exc:
            raise StoreUnavailable(f"cannot reach Elasticsearch at {self.url} ({_URL_VAR}): {exc.message}") from exc

    def ensure_index(self) -> None:
        """Install the index template; on first use create `<alias>-<ts>` behind the alias, and the meta index."""
        template = load_json("posts-template.json")
        self._call("install the index template", lambda: self.client.indices.put_index_template(
            name=self.alias, index_patterns=[f"{self.alias}-*"], **template))
        if not self._call("look up the alias", lambda: self.client.indices.exists(index=self.alias).body):
            first = self.new_index_name()
            self._call("create the first index", lambda: self.client.indices.create(
                index=first, aliases={self.alias: {"is_write_index": True}}))
        else:
            props = template["template"]["mappings"]["properties"]
            added = {name: props[name] for name in _ADDED_FIELDS}
            try:
                self._call("add new fields to the mapping",
                           lambda: self.client.indices.put_mapping(index=self.alias, properties=added))
            except StoreUnavailable as exc:
                if not isinstance(exc.__cause__, BadRequestError):
                    raise  # else an index not made from the template (no analyzers, other types): check_mapping says so
        if not self._call("look up the meta index", lambda: self.client.indices.exists(index=self.meta_index).body):
            meta = load_json("meta-index.json")
            try:
                self.client.indices.create(index=self.meta_index, **meta)
            except BadRequestError as exc:  # created meanwhile by another process
                if "already_exists" not in _reason(exc):
                    raise StoreUnavailable(f"Elasticsearch at {self.url} ({_URL_VAR}) could not create "
                                           f"{self.meta_index}: {_reason(exc)}") from exc

    def check_health(self) -> None:
        """A red index (a primary shard missing) cannot take writes: say so now, not mid-run."""
        health = self._call("report health", lambda: self.client.cluster.health(index=self.alias, timeout="10s"))
        if health.get("status") == "red":
            raise StoreUnavailable(f"Elasticsearch index {self.alias} at {self.url} ({_URL_VAR}) is red: "
                                   "a primary shard is unavailable (closed index or lost node); fix the cluster")

    def check_mapping(self) -> str | None:
        """Why the index behind the alias cannot be used (fields typed unlike the template), or None."""
        expected = load_json("posts-template.json")["template"]["mappings"]["properties"]
        mappings = self._call("read the mapping", lambda: self.client.indices.get_mapping(index=self.alias)).body
        wrong, missing = [], []
        for index, body in sorted(mappings.items()):
            props = (body.get("mappings") or {}).get("properties") or {}
            for name in _CHECKED_FIELDS:
                field = props.get(name)
                if field is None:
                    missing.append(f"{index}.{name} is not mapped")
                elif (have := field.get("type", "object")) != expected[name]["type"]:
                    wrong.append(f"{index}.{name} is {have} (expected {expected[name]['type']})")
        wrong += missing  # typed conflicts first: they are the likelier cause
        if not wrong:
            return None
        return (f"Elasticsearch index {self.alias} at {self.url} ({_URL_VAR}) has a conflicting mapping: "
                + "; ".join(wrong[:5]) + ". Rebuild it from the landing zone with "
                "`misinfo reindex --backend elasticsearch` (nothing is lost: the landing zone keeps every post)")

    def new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}"

    # --- writing --------------------------------------------------------------------------------------

    @staticmethod
    def _fields(tp: TaggedPost) -> dict[str, Any]:
        p = tp.post
        created_us = to_us(p.created_at)
        return {
            "key": p.key,
            "platform": p.platform,
            "source": p.source,
            "sources": list(p.sources),
            "author": p.author,
            "text": p.text,
            "transcript": p.transcript.text if p.transcript else None,
            "aigc": p.aigc,
            "location_created": p.location_created or None,
            "folded": " ".join(index_tokens(p.matching_text)),
            "hashtags": [match_fold(h) for h in p.hashtags],
            "narratives": list(dict.fromkeys(tp.narratives)),
            "claim_ids": list(dict.fromkeys(c.claim_id for c in tp.claims)),
            "dup_group": tp.dup_group,
            "tagged": bool(tp.tags),
            "model_version": tp.model_version,
            "created_at": created_us // 1000,
            "created_us": created_us,
            "engagement": p.metrics.engagement,
            "doc": tp.with_review(None).to_dict(),
        }

    def _action(self, tp: TaggedPost) -> dict[str, Any]:
        """A bulk partial update: fields it omits (the review) survive on an existing post."""
        fields = self._fields(tp)
        review = {"review": tp.review.to_dict(), "review_status": tp.review.verdict} if tp.review else {}
        return {
            "_op_type": "update",
            "_index": self.index,
            "_id": tp.key,
            "retry_on_conflict": 3,
            "doc": {**fields, **review},
            "upsert": {**fields, "review": None, "review_status": "unreviewed", **review},
        }

    @_guard
    def upsert(self, posts: Iterable[TaggedPost]) -> int:
        """Bulk upsert; per-post failures are gathered into one `StoreUnavailable` after the batch.

        The caller (`pipeline.process`) moves its checkpoint only when this returns, so a batch
        that fails here stays pending in the landing zone and the next run writes it again.
        """
        batch = list(posts)
        if not batch:
            return 0
        actions = [self._action(tp) for tp in merge_found(batch, self._found_by([tp.key for tp in batch]))]
        written, failed = 0, []
        for ok, item in helpers.streaming_bulk(
            self.client, actions, chunk_size=self.chunk_size, max_retries=self.bulk_retries,
            initial_backoff=self.initial_backoff, max_backoff=30.0,
            retry_on_status=(429, 502, 503, 504), raise_on_error=False,
        ):
            if ok:
                written += 1
            else:
                info = next(iter(item.values()))
                failed.append((info.get("_id"), info.get("status"), info.get("error")))
        if written:
            self._refresh_and_bump()
        if failed:
            raise StoreUnavailable(self._failure_message(failed, len(actions)))
        return written

    def _found_by(self, keys: list[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
        """`(source, sources)` of the posts among `keys` already stored (for `merge_found`).

        Read, then written by the bulk request: two processes upserting one post at the same moment
        could each miss the other's source (the landing zone keeps both; `reindex` restores it).
        """
        found: dict[str, tuple[str, tuple[str, ...]]] = {}
        for i in range(0, len(keys), self.chunk_size):
            resp = self.client.mget(index=self.index, ids=keys[i : i + self.chunk_size], source_includes=["source", "sources"])
            for doc in resp["docs"]:
                if doc.get("found"):
                    src = doc["_source"]
                    found[doc["_id"]] = (src["source"], tuple(src.get("sources") or [src["source"]]))
        return found

    def _failure_message(self, failed: list[tuple[Any, Any, Any]], total: int) -> str:
        shown = []
        for doc_id, status, error in failed[:5]:
            reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)
            caused = error.get("caused_by") if isinstance(error, dict) else None
            if isinstance(caused, dict) and caused.get("reason"):
                reason += f" ({caused['reason']})"
            reason = " ".join(reason.split())
            shown.append(f"{doc_id} [{status}] {reason[:300]}")
        more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
        return (f"Elasticsearch at {self.url} ({_URL_VAR}) rejected {len(failed)} of {total} posts: "
                + "; ".join(shown) + more + ". They stay in the landing zone; the next `process` retries them")

    def _refresh_and_bump(self) -> None:
        self.client.indices.refresh(index=self.index)
        self._bump()

    def _bump(self) -> None:
        """Count a write: the meta document's `_version` goes up by one per write."""
        if self.track_version:
            self.client.index(index=self.meta_index, id=self.alias,
                              document={"at": time.time_ns(), "index": self.index})

    @_guard
    def set_review(self, review: Review) -> bool:
        try:
            self.client.update(index=self.index, id=review.post_key, refresh=True,
                               doc={"review": review.to_dict(), "review_status": review.verdict})
        except NotFoundError:
            return False
        self._bump()
        return True

    @_guard
    def delete_older_than(self, cutoff: datetime) -> int:
        resp = self.client.delete_by_query(index=self.index, query={"range": {"created_us": {"lt": to_us(cutoff)}}},
                                           refresh=True, conflicts="proceed")
        self._bump()
        return int(resp.get("deleted", 0))

    def rebuild(self, fill: Callable[[ElasticStore], Any]) -> Any:
        """Build a new versioned index with `fill(store_writing_to_it)`, then swap the alias onto it.

        Readers use the old index until the single `update_aliases` call; the old index is deleted
        after. If `fill` fails, the new index is dropped and the alias is left as it was.
        """
        new = self.new_index_name()
        self._call("install the index template", lambda: self.client.indices.put_index_template(
            name=self.alias, index_patterns=[f"{self.alias}-*"], **load_json("posts-template.json")))
        self._call("create the new index", lambda: self.client.indices.create(index=new))
        target = ElasticStore(self.client, self.alias, index=new, url=self.url, track_version=False,
                              chunk_size=self.chunk_size, bulk_retries=self.bulk_retries,
                              initial_backoff=self.initial_backoff)
        try:
            result = fill(target)
            self._call("refresh the new index", lambda: self.client.indices.refresh(index=new))
        except BaseException:
            with contextlib.suppress(ApiError, TransportError):
                self.client.indices.delete(index=new)
            raise
        old, concrete = self._alias_targets()
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        if concrete:  # an index (not an alias) holds the name, e.g. made by hand: replace it atomically
            actions.append({"remove_index": {"index": self.alias}})
        actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
        self._call("swap the alias", lambda: self.client.indices.update_aliases(actions=actions))
        for index in old:
            self._delete_index(index)
        self.problem = None
        self._call("record the new version", self._bump)
        return result

    def _delete_index(self, index: str) -> None:
        self._call(f"delete the old index {index}", lambda: self.client.indices.delete(index=index))

    def _alias_targets(self) -> tuple[list[str], bool]:
        """Indices the alias points at now, and whether the name is a concrete index instead."""
        if self._call("look up the alias", lambda: self.client.indices.exists_alias(name=self.alias).body):
            return sorted(self._call("read the alias", lambda: self.client.indices.get_alias(name=self.alias)).body), False
        exists = self._call("look up the index", lambda: self.client.indices.exists(index=self.alias).body)
        return [], bool(exists)

    # --- reading --------------------------------------------------------------------------------------

    @_guard
    def get(self, key: str) -> TaggedPost | None:
        try:
            resp = self.client.get(index=self.index, id=key, source_includes=["doc", "review"])
        except NotFoundError:
            return None
        return self._post(resp["_source"])

    @_guard
    def transcripts(self, keys: Iterable[str]) -> dict[str, Transcript]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Transcript] = {}
        for i in range(0, len(wanted), self.chunk_size):
            resp = self.client.mget(index=self.index, ids=wanted[i : i + self.chunk_size],
                                    source_includes=["doc.post.transcript"])  # fmt: skip
            for doc in resp["docs"]:
                data = ((doc.get("_source") or {}).get("doc") or {}).get("post") or {}
                transcript = Transcript.from_dict(data.get("transcript")) if doc.get("found") else None
                if transcript is not None:
                    found[doc["_id"]] = transcript
        return found

    @staticmethod
    def _post(source: dict[str, Any]) -> TaggedPost:
        post = TaggedPost.from_dict(source["doc"])
        review = source.get("review")
        return post.with_review(Review.from_dict(review)) if review else post

    @staticmethod
    def _filters(q: SearchQuery) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        for field, values in (("platform", q.platforms), ("sources", q.sources), ("review_status", q.review_statuses),
                              ("dup_group", q.dup_groups), ("narratives", q.narratives), ("claim_ids", q.claim_ids),
                              ("author", q.authors)):
            if values:
                filters.append({"terms": {field: list(values)}})
        if q.hashtags:
            filters.append({"terms": {"hashtags": [match_fold(h.lstrip("#")) for h in q.hashtags]}})
        if q.tagged_only:
            filters.append({"term": {"tagged": True}})
        if q.aigc:
            filters.append({"term": {"aigc": True}})
        if q.since or q.until:
            window: dict[str, int] = {}
            if q.since:
                window["gte"] = to_us(q.since)
            if q.until:
                window["lt"] = to_us(q.until)
            filters.append({"range": {"created_us": window}})
        return filters

    def _query(self, q: SearchQuery, parsed: ParsedQuery) -> dict[str, Any]:
        text = compile_query(parsed)
        filters = self._filters(q)
        if not filters:
            return text
        return {"bool": {"must": [text], "filter": filters}}

    @staticmethod
    def _sort(q: SearchQuery, parsed: ParsedQuery) -> list[Any]:
        if q.sort not in SORTS:
            raise QueryError(f"unknown sort {q.sort!r}: use one of {', '.join(SORTS)}")
        newest: list[Any] = [{"created_us": "desc"}, {"key": "desc"}]
        if q.sort == "relevance" and parsed.groups:
            return ["_score", *newest]
        if q.sort == "engagement":
            return [{"engagement": "desc"}, *newest]
        return newest

    @_guard
    def search(self, query: SearchQuery) -> SearchPage:
        if query.page < 1 or not 1 <= query.size <= MAX_PAGE_SIZE:
            raise QueryError(f"page must be ≥ 1 and size between 1 and {MAX_PAGE_SIZE}")
        start = (query.page - 1) * query.size
        if start + query.size > MAX_RESULT_WINDOW:
            raise QueryError(f"only the first {MAX_RESULT_WINDOW:,} results can be paged through; "
                             "narrow the search or export it")
        parsed = parse_query(query.text)
        try:
            resp = self.client.search(
                index=self.index, query=self._query(query, parsed), sort=self._sort(query, parsed),
                from_=start, size=query.size, track_total_hits=True, track_scores=bool(parsed.groups),
                source_includes=["doc", "review"],
            )
        except BadRequestError as exc:
            raise QueryError(f"the search could not be run: {_reason(exc)}") from exc
        words = parsed.highlight_words
        hits = []
        for hit in resp["hits"]["hits"]:
            tp = self._post(hit["_source"])
            caption, spoken = hit_snippets(tp.post, words)
            hits.append(SearchHit(tp, caption, float(hit.get("_score") or 0.0), spoken))
        return SearchPage(total=int(resp["hits"]["total"]["value"]), hits=hits, page=query.page, size=query.size)

    def scan(self, query: SearchQuery, batch_size: int = 1000) -> Iterator[TaggedPost]:
        """Every match in sort order, by `search_after` (inside a point in time where supported)."""
        parsed = parse_query(query.text)
        body = {"query": self._query(query, parsed), "sort": self._sort(query, parsed)}
        pit = self._open_pit()
        after: list[Any] | None = None
        try:
            while True:
                page = self._scan_page(body, batch_size, after, pit)
                hits = page["hits"]["hits"]
                if pit is not None:
                    pit = page.get("pit_id", pit)
                for hit in hits:
                    yield self._post(hit["_source"])
                if len(hits) < batch_size:
                    return
                after = hits[-1]["sort"]
        finally:
            if pit is not None:
                with contextlib.suppress(ApiError, TransportError):
                    self.client.close_point_in_time(id=pit)

    @_guard
    def _scan_page(self, body: dict[str, Any], size: int, after: list[Any] | None, pit: str | None) -> Any:
        extra: dict[str, Any] = {"search_after": after} if after is not None else {}
        if pit is not None:
            extra["pit"] = {"id": pit, "keep_alive": "2m"}
        else:
            extra["index"] = self.index
        return self.client.search(**body, size=size, track_total_hits=False, source_includes=["doc", "review"],
                                  **extra)

    @_guard
    def _open_pit(self) -> str | None:
        """A point in time for a consistent export; None where the server lacks the ES API (OpenSearch)."""
        if self._pit_supported is False:
            return None
        try:
            pit = self.client.open_point_in_time(index=self.index, keep_alive="2m")["id"]
        except (BadRequestError, NotFoundError) as exc:
            if exc.status_code in (400, 404, 405) and "no handler" in _reason(exc) + str(exc.body):
                self._pit_supported = False
                return None
            raise
        self._pit_supported = True
        return str(pit)

    @_guard
    def counts(
        self, interval: Interval, since: datetime, until: datetime, narratives: Iterable[str] | None = None
    ) -> list[CountBucket]:
        if interval not in _INTERVALS:
            raise QueryError(f"interval must be hour or day, not {interval!r}")
        wanted = tuple(narratives) if narratives is not None else None
        histogram = {"date_histogram": {"field": "created_at", "fixed_interval": _INTERVALS[interval],
                                        "min_doc_count": 1},
                     "aggs": {"engagement": {"sum": {"field": "engagement"}}}}
        aggs: dict[str, Any] = {"all": histogram}
        if wanted is None or wanted:
            terms: dict[str, Any] = {"field": "narratives", "size": 1000}
            if wanted:
                terms["include"] = list(wanted)
            aggs["by_narrative"] = {"terms": terms, "aggs": {"time": histogram}}
        resp = self.client.search(index=self.index, size=0, track_total_hits=False, aggs=aggs,
                                  query={"range": {"created_us": {"gte": to_us(since), "lt": to_us(until)}}})
        out: list[CountBucket] = []

        def add(buckets: list[dict[str, Any]], narrative: str | None) -> None:
            for b in buckets:
                when = from_us(int(b["key"]) * 1000)
                out.append(CountBucket(when, narrative, int(b["doc_count"]), int(b["engagement"]["value"] or 0)))

        add(resp["aggregations"]["all"]["buckets"], None)
        for nb in resp["aggregations"].get("by_narrative", {}).get("buckets", []):
            add(nb["time"]["buckets"], nb["key"])
        return sorted(out, key=lambda x: (x.bucket, x.narrative or ""))

    @_guard
    def facets(self, query: SearchQuery, field: FacetField, size: int = 10) -> list[tuple[str, int]]:
        if field not in _FACET_FIELDS:
            raise QueryError(f"cannot count by {field!r}")
        if size < 1:
            return []
        parsed = parse_query(query.text)
        resp = self.client.search(
            index=self.index, size=0, track_total_hits=False, query=self._query(query, parsed),
            aggs={"f": {"terms": {"field": _FACET_FIELDS[field], "size": size,
                                  "order": [{"_count": "desc"}, {"_key": "asc"}]}}},
        )
        return [(str(b["key"]), int(b["doc_count"])) for b in resp["aggregations"]["f"]["buckets"]]

    @_guard
    def accounts(self, query: SearchQuery, size: int = 100) -> list[AccountStats]:
        if size < 1:
            return []
        parsed = parse_query(query.text)
        times = {"first": {"min": {"field": "created_us"}}, "last": {"max": {"field": "created_us"}}}
        resp = self.client.search(
            index=self.index, size=0, track_total_hits=False, query=self._query(query, parsed),
            aggs={"a": {"terms": {"field": "author", "size": size, "order": [{"_count": "desc"}, {"_key": "asc"}]},
                        "aggs": {"p": {"terms": {"field": "platform", "size": 10}, "aggs": times}}}},
        )
        out = [AccountStats(str(pb["key"]), str(ab["key"]), int(pb["doc_count"]), from_us(int(pb["first"]["value"])),
                            from_us(int(pb["last"]["value"])))
               for ab in resp["aggregations"]["a"]["buckets"] for pb in ab["p"]["buckets"]]  # fmt: skip
        return sorted(out, key=lambda a: (-a.posts, a.author, a.platform))[:size]

    @_guard
    def stats(self) -> StoreStats:
        resp = self.client.search(
            index=self.index, size=0, track_total_hits=True,
            aggs={
                "tagged": {"filter": {"term": {"tagged": True}}},
                "reviewed": {"filter": {"bool": {"must_not": [{"term": {"review_status": "unreviewed"}}]}}},
                "oldest": {"min": {"field": "created_us"}},
                "newest": {"max": {"field": "created_us"}},
                "narratives": {"terms": {"field": "narratives", "size": 1000}},
                "platforms": {"terms": {"field": "platform", "size": 1000}},
            },
        )
        aggs = resp["aggregations"]

        def when(agg: dict[str, Any]) -> datetime | None:
            return from_us(int(agg["value"])) if agg.get("value") is not None else None

        return StoreStats(
            backend=self.backend,
            posts=int(resp["hits"]["total"]["value"]),
            tagged=int(aggs["tagged"]["doc_count"]),
            per_narrative={b["key"]: int(b["doc_count"]) for b in aggs["narratives"]["buckets"]},
            per_platform={b["key"]: int(b["doc_count"]) for b in aggs["platforms"]["buckets"]},
            reviewed=int(aggs["reviewed"]["doc_count"]),
            oldest=when(aggs["oldest"]),
            newest=when(aggs["newest"]),
        )

    @_guard
    def version(self) -> str:
        try:
            resp = self.client.get(index=self.meta_index, id=self.alias)
        except NotFoundError:
            return "0"
        return f"{resp['_version']}-{resp['_source'].get('at', 0)}"

    def close(self) -> None:
        self.client.close()


_CLIENT_OPTIONS = frozenset({"request_timeout", "max_retries", "retry_on_status", "retry_on_timeout",
                             "retry_backoff_base", "retry_backoff_cap"})
