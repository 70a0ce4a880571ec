"""Stores, chosen by URL: `sqlite:///path/to.db` (or a plain path; the default) or `es://host:port`."""

from __future__ import annotations

import os
from pathlib import Path

from textmine.store.base import Query, SearchResult, Store, StoreUnavailable

__all__ = ["open_store", "Query", "SearchResult", "Store", "StoreUnavailable", "DEFAULT_DB"]

DEFAULT_DB = "textmine.db"


def open_store(url: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> Store:
    """Open a store by URL. None falls back to $TEXTMINE_STORE, then ./textmine.db.

    - `sqlite:///relative/or/absolute.db`, or any plain path -> embedded SQLite store
    - `es://host:9200`, `es+https://host:9243` -> Elasticsearch (needs `pip install textmine[es]`)
    """
    raw = str(url) if url is not None else os.environ.get("TEXTMINE_STORE", DEFAULT_DB)
    if raw.startswith(("es://", "es+http://", "es+https://")):
        try:
            from textmine.store.elasticsearch import ElasticsearchStore
        except ImportError as exc:
            raise StoreUnavailable(f"the Elasticsearch store needs its client: pip install 'textmine[es]' ({exc})") from exc
        return ElasticsearchStore(raw)
    from textmine.store.sqlite import SQLiteStore

    path = raw.removeprefix("sqlite:///").removeprefix("sqlite://") if raw.startswith("sqlite:") else raw
    return SQLiteStore(Path(path), readonly=readonly)
