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
    - `<scheme>://...` of a store plugin (entry-point group `textmine.stores`)
    """
    from textmine.registry import stores

    raw = str(url) if url is not None else os.environ.get("TEXTMINE_STORE", DEFAULT_DB)
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme in ("", "sqlite") or scheme not in stores:
        if scheme not in ("", "sqlite") and not Path(raw).exists():
            raise StoreUnavailable(f"unknown store scheme {scheme!r} in {raw!r}; known: {', '.join(stores.names())}")
        from textmine.store.sqlite import SQLiteStore

        path = raw.removeprefix("sqlite:///").removeprefix("sqlite://") if scheme == "sqlite" else raw
        return SQLiteStore(Path(path), readonly=readonly)
    try:
        factory = stores.get(scheme)
    except ImportError as exc:
        hint = "pip install 'textmine[es]'" if scheme.startswith("es") else f"install the plugin that provides {scheme!r}"
        raise StoreUnavailable(f"the {scheme} store needs its client: {hint} ({exc})") from exc
    return factory(raw, readonly=readonly)
