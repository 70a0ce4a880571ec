"""What one running app holds: its settings, the store (one handle per worker thread), the review
store, a cache of document metadata and the extraction pipeline (loaded on first use)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Iterable

from textmine.api.settings import ApiSettings
from textmine.export.documents import DocumentMeta
from textmine.store import Store, open_store


class StorePool:
    """One store handle per thread: FastAPI answers requests on a thread pool, and a SQLite
    connection (with its temp tables) must not serve two searches at once; a store that says it is
    `threadsafe` (Elasticsearch) is opened once and shared. Handles are opened read-only and closed
    together on shutdown."""

    def __init__(self, url: str, opener: Callable[..., Store] = open_store) -> None:
        self.url = url
        self._opener = opener
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Any] = []
        self._shared: Store | None = None
        self._open_lock = threading.Lock()

    def _get(self, name: str, factory: Callable[[], Any]) -> Any:
        handle = getattr(self._local, name, None)
        if handle is None:
            handle = factory()
            setattr(self._local, name, handle)
            with self._lock:
                self._all.append(handle)
        return handle

    def store(self) -> Store:
        handle = self._shared or getattr(self._local, "store", None)
        if handle is None:
            with self._open_lock:  # threads starting at once wait to learn whether the first handle is shared
                handle = self._shared or self._get("store", lambda: self._opener(self.url, readonly=True))
                if getattr(handle, "threadsafe", False):  # Elasticsearch: one client for all threads
                    self._shared = handle
        return handle

    def reviews(self, readonly: bool) -> Any:
        from textmine.store.reviews import open_reviews

        return self._get(f"reviews_{readonly}", lambda: open_reviews(self.store(), readonly=readonly))

    def close(self) -> None:
        with self._lock:
            handles, self._all = self._all, []
        for handle in handles:
            try:
                handle.close()
            except Exception:  # noqa: BLE001 - closing one must not keep the others open
                pass


class MetaCache:
    """Document metadata by doc_id, shared by all requests: bounded, and entries expire so a
    re-ingested document's new title shows up within `ttl_s`. The ids a page misses are read in
    one `get_documents` call (metadata only: no text), not one read per document."""

    def __init__(self, size: int = 20_000, ttl_s: float = 300.0) -> None:
        self.size, self.ttl_s = size, ttl_s
        self._items: OrderedDict[str, tuple[float, DocumentMeta | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: Store, doc_id: str) -> DocumentMeta | None:
        return self.many(store, [doc_id]).get(doc_id)

    def many(self, store: Store, doc_ids: Iterable[str]) -> dict[str, DocumentMeta]:
        """doc_id -> metadata for those of `doc_ids` the store knows, in the order asked."""
        now = time.monotonic()
        known: dict[str, DocumentMeta | None] = {}
        with self._lock:
            for doc_id in dict.fromkeys(doc_ids):
                hit = self._items.get(doc_id)
                fresh = hit is not None and now - hit[0] < self.ttl_s
                if fresh:
                    self._items.move_to_end(doc_id)
                known[doc_id] = hit[1] if fresh else _MISSING  # type: ignore[index]
        missing = [doc_id for doc_id, meta in known.items() if meta is _MISSING]
        if missing:
            documents = store.get_documents(missing, content=False)
            with self._lock:
                for doc_id in missing:
                    document = documents.get(doc_id)
                    known[doc_id] = DocumentMeta.of(document) if document is not None else None
                    self._items[doc_id] = (now, known[doc_id])
                    self._items.move_to_end(doc_id)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return {doc_id: meta for doc_id, meta in known.items() if meta is not None}


_MISSING: Any = object()  # not cached yet (None is cached: a document the store does not have)


class AppState:
    def __init__(self, settings: ApiSettings, opener: Callable[..., Store] = open_store) -> None:
        self.settings = settings
        self.stores = StorePool(settings.store_url, opener)
        self.meta = MetaCache()
        self._pipelines: dict[str, Any] = {}
        self._pipeline_lock = threading.Lock()
        self.extract_slots = threading.BoundedSemaphore(1)  # extraction is CPU-bound: one at a time

    def pipeline(self, name: str) -> Any:
        with self._pipeline_lock:
            if name not in self._pipelines:
                from textmine.extract import document_from_text
                from textmine.extract.pipeline import load_pipeline

                pipeline = load_pipeline(name)
                # Components load their models on first use: do it now, so the time limit of a
                # request measures extraction, not start-up.
                pipeline(document_from_text("warm-up", "TiO2 has a band gap of 3.2 eV.", kind="body", source="warm-up"))
                self._pipelines[name] = pipeline
            return self._pipelines[name]

    def close(self) -> None:
        self.stores.close()


__all__ = ["AppState", "MetaCache", "StorePool"]
