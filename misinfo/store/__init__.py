"""Storage behind one interface (`PostStore`); `open_store` is the one place that builds adapters."""

from __future__ import annotations

from misinfo.settings import Settings
from misinfo.store.base import PostStore


def open_store(settings: Settings, backend: str | None = None) -> PostStore:
    """Build the configured store; connection problems raise `StoreUnavailable` here, at start-up."""
    backend = backend or settings.store
    if backend == "elasticsearch":
        from misinfo.store.elastic import ElasticStore

        return ElasticStore.from_settings(settings)
    from misinfo.store.sqlite import SqliteStore

    return SqliteStore(settings.sqlite_file)
