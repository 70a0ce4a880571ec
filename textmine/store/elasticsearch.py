"""Elasticsearch store: the same `Store` protocol and query semantics as `SQLiteStore`, for corpora
that outgrow one file.

Layout (see `es_schema.py`): five indices behind aliases `{prefix}-documents|sentences|mentions|
records|failures`, one ES document per record with the flat fields queries use and the whole
`Record` as `body`. `tests/store/test_parity.py` runs one corpus and one set of queries against
both stores and requires identical answers.

Writes are idempotent: ids are deterministic (record_id, doc id, n-th sentence/mention of a doc),
and `put` deletes whatever a document had before that the new version does not. A document's
entry is written first as `complete: false`, and as the full document only once all its parts are
acknowledged, so a write cut short (node gone, process killed) is neither reported by `known` nor
left behind by the next `put`.

Reads see this store's own writes at once: after a write the next read refreshes the indices it
needs; `close` refreshes too, so the next process sees them (other processes reading while this
one writes see them within `refresh_interval`: 1 s, 30 s during a bulk load).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Iterator

from textmine.document import Document
from textmine.records import Failure, Mention, Record
from textmine.store import es_schema as schema
from textmine.store.base import (
    CONTENT_FIELDS,
    FACET_SIZE,
    FacetCount,
    Query,
    SearchResult,
    SentenceHit,
    StoreStats,
    StoreUnavailable,
    id_batches,
    stored_item,
)
from textmine.store.es_query import phrase_clauses, render_query
from textmine.store.query import compile_query, text_phrases
from textmine.store.es_migrate import ensure_indices
from textmine.store.es_transport import Retrying, Timeouts, chunks, connect, send_bulk
from textmine.store.structures_es import ESStructures, es_structure_counts
from textmine.store.members_es import ESMembers
from textmine.identity import Member

log = logging.getLogger(__name__)

BULK_REFRESH_INTERVAL = "30s"
_RECORD_SORT = [{"confidence": "desc"}, {"record_id": "asc"}]  # SQLite: confidence DESC, record_id ASC


class ElasticsearchStore:
    """`ElasticsearchStore("es://127.0.0.1:9200")`; the URL path, if any, is the index prefix
    (`es://host:9200/myproject` -> indices `myproject-records`, ...). Credentials and TLS come from
    the arguments or the environment (TEXTMINE_ES_API_KEY, TEXTMINE_ES_USER/PASSWORD,
    TEXTMINE_ES_CA_CERTS); see docs/elasticsearch.md."""

    threadsafe = True  # one client (a pool of connections) serves many threads: a server shares one handle

    def __init__(
        self,
        url: str = "es://127.0.0.1:9200",
        *,
        index_prefix: str | None = None,
        api_key: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        ca_certs: str | None = None,
        verify_certs: bool | None = None,
        timeouts: Timeouts | None = None,
        chunk_actions: int = 2000,
        chunk_bytes: int = 8 * 1024 * 1024,
        specs: tuple[schema.IndexSpec, ...] = schema.SPECS,
        readonly: bool = False,
    ) -> None:
        self.timeouts = timeouts or Timeouts.from_env()
        self.readonly = readonly
        self._client, self._conn = connect(
            url,
            index_prefix=index_prefix,
            api_key=api_key,
            basic_auth=basic_auth,
            ca_certs=ca_certs,
            verify_certs=verify_certs,
            timeouts=self.timeouts,
        )
        self.url = self._conn.url
        self.prefix = self._conn.prefix
        self._retry = Retrying(self._conn, self.timeouts)
        self.chunk_actions = chunk_actions
        self.chunk_bytes = chunk_bytes
        self.specs = {spec.name: spec for spec in specs}
        self._alias = {name: spec.alias(self.prefix) for name, spec in self.specs.items()}
        self._dirty: set[str] = set()
        ensure_indices(self._client, self._retry, self.prefix, specs, create=not readonly)

    # ---------------------------------------------------------------- plumbing
    def _call(self, fn: Any, /, **kwargs: Any) -> Any:
        return self._retry(lambda: fn(**kwargs))

    def _fresh(self, *names: str) -> None:
        """Make this store's earlier writes to these indices visible to search."""
        stale = [self._alias[n] for n in names if n in self._dirty]
        if stale:
            self._call(self._client.indices.refresh, index=",".join(stale))
            self._dirty.difference_update(names)

    def _bulk(self, actions: Iterable[tuple[dict[str, Any], dict[str, Any] | None]], touched: Iterable[str]) -> int:
        written = 0
        self._dirty.update(touched)
        for lines in chunks(actions, self.chunk_actions, self.chunk_bytes):
            written += send_bulk(self._client, self._retry, lines, self.timeouts.bulk_request)
        return written

    # ------------------------------------------------------------------ writes
    def put(self, document: Document, records: Iterable[Record], mentions: Iterable[Mention] = ()) -> None:
        self.put_many([(document, list(records), list(mentions))])

    def put_many(self, items: Iterable[tuple[Document, list[Record], list[Mention]]], batch_size: int = 200) -> int:
        written = 0
        batch: list[tuple[Document, list[Record], list[Mention]]] = []
        bulk_load = False
        try:
            for item in items:
                batch.append(stored_item(item))
                if len(batch) >= batch_size:
                    if written and not bulk_load:  # a second batch: this is a bulk load
                        bulk_load = self._set_refresh_interval(BULK_REFRESH_INTERVAL)
                    written += self._write(batch)
                    batch = []
            if batch:
                written += self._write(batch)
        finally:
            if bulk_load:
                self._set_refresh_interval(None)
        return written

    def _set_refresh_interval(self, interval: str | None) -> bool:
        """Refreshing every second while loading costs ~1/3 of the throughput; our own reads refresh
        explicitly anyway. A finite interval (not -1), so a load that dies midway still shows up."""
        names = ("documents", "sentences", "mentions", "records")
        try:
            for name in names:
                value = interval or self.specs[name].settings.get("refresh_interval")
                self._call(self._client.indices.put_settings, index=self._alias[name], settings={"index.refresh_interval": value})
        except StoreUnavailable:
            if interval is None:
                return False  # the node is gone: the error that matters is the write's
            raise
        return True

    def _write(self, batch: list[tuple[Document, list[Record], list[Mention]]]) -> int:
        """Three bulk phases, each sent only once the one before is fully acknowledged: Elasticsearch
        applies the items of one bulk request per shard in parallel, so "entry complete" in the
        same request as the records could land while the records do not (node going down)."""
        # A document id twice in one batch: the last one wins, as with consecutive `put`s.
        latest = {document.id: (document, records, mentions) for document, records, mentions in batch}
        previous = self._previous_entries(list(latest))
        docs, sents, ments, recs = (self._alias[n] for n in ("documents", "sentences", "mentions", "records"))
        plans = []
        for document, records, mentions in latest.values():
            by_id: dict[str, Record] = {}
            for record in records:
                by_id.setdefault(record.record_id, record)  # SQLite keeps the first of two with one id
            old = previous.get(document.id, {})
            plans.append(
                (
                    document,
                    schema.sentence_sources(document),
                    mentions,
                    list(by_id.values()),
                    old.get("n_sentences", 0),
                    old.get("n_mentions", 0),
                    sorted(set(old.get("record_ids", [])) - set(by_id)),
                )
            )

        def incomplete_entries() -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
            # 1. remembering old and new children, until 3. lands: a cut here is cleaned up next time
            for document, sentences, mentions, records, old_sentences, old_mentions, stale in plans:
                yield {"index": {"_index": docs, "_id": schema.es_id(document.id)}}, schema.document_source(
                    document,
                    complete=False,
                    n_sentences=max(old_sentences, len(sentences)),
                    n_mentions=max(old_mentions, len(mentions)),
                    record_ids=[r.record_id for r in records] + stale,
                )

        def children() -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
            # 2. the children, with deterministic ids; then what the previous version had and this one has not
            for document, sentences, mentions, records, old_sentences, old_mentions, stale in plans:
                for i, row in enumerate(sentences):
                    yield {"index": {"_index": sents, "_id": schema.child_id(document.id, "s", i)}}, row
                for i, mention in enumerate(mentions):
                    yield {"index": {"_index": ments, "_id": schema.child_id(document.id, "m", i)}}, schema.mention_source(mention)
                for record in records:
                    yield {"index": {"_index": recs, "_id": schema.es_id(record.record_id)}}, schema.record_source(
                        record, document.year, document.kind
                    )
                for i in range(len(sentences), old_sentences):
                    yield {"delete": {"_index": sents, "_id": schema.child_id(document.id, "s", i)}}, None
                for i in range(len(mentions), old_mentions):
                    yield {"delete": {"_index": ments, "_id": schema.child_id(document.id, "m", i)}}, None
                for record_id in stale:
                    yield {"delete": {"_index": recs, "_id": schema.es_id(record_id)}}, None

        def complete_entries() -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
            # 3. from now on `known` and `get_document` see the document
            for document, sentences, mentions, records, _, _, _ in plans:
                yield {"index": {"_index": docs, "_id": schema.es_id(document.id)}}, schema.document_source(
                    document,
                    complete=True,
                    n_sentences=len(sentences),
                    n_mentions=len(mentions),
                    record_ids=[r.record_id for r in records],
                )

        self._bulk(incomplete_entries(), touched=("documents",))
        # Searchable before any record is: a reader that sees a record also sees it is incomplete.
        self._fresh("documents")
        self._bulk(children(), touched=("sentences", "mentions", "records"))
        self._bulk(complete_entries(), touched=("documents",))
        return len(batch)

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        """Children first, the document entry last: a cut in between leaves an entry that the next
        run finds again (same source) and finishes deleting."""
        entries = self._previous_entries(list(doc_ids))
        if not entries:
            return 0
        sents, ments, recs = (self._alias[n] for n in ("sentences", "mentions", "records"))

        def children() -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
            for doc_id, old in entries.items():
                for i in range(old.get("n_sentences", 0)):
                    yield {"delete": {"_index": sents, "_id": schema.child_id(doc_id, "s", i)}}, None
                for i in range(old.get("n_mentions", 0)):
                    yield {"delete": {"_index": ments, "_id": schema.child_id(doc_id, "m", i)}}, None
                for record_id in old.get("record_ids", []):
                    yield {"delete": {"_index": recs, "_id": schema.es_id(record_id)}}, None

        self._bulk(children(), touched=("sentences", "mentions", "records"))
        self._bulk(
            (({"delete": {"_index": self._alias["documents"], "_id": schema.es_id(d)}}, None) for d in entries),
            touched=("documents",),
        )
        return len(entries)

    def _previous_entries(self, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
        """What is stored now for those of `doc_ids` already known (complete or not); GET is
        real-time, so this sees writes not yet refreshed."""
        found = self._call(
            self._client.mget,
            index=self._alias["documents"],
            ids=[schema.es_id(d) for d in doc_ids],
            source_includes=["n_sentences", "n_mentions", "record_ids"],
        )
        return {doc_ids[i]: d["_source"] for i, d in enumerate(found["docs"]) if d.get("found")}

    def add_failure(self, failure: Failure) -> None:
        self._call(
            self._client.index,
            index=self._alias["failures"],
            id=schema.es_id(failure.source),
            document=schema.failure_source(failure),
        )
        self._dirty.add("failures")

    def clear_failure(self, source: str) -> None:
        # A bulk file's documents fail as "path#N": forgetting the file forgets them too.
        self._fresh("failures")
        query = {"bool": {"should": [{"term": {"source": source}}, {"prefix": {"source": source + "#"}}]}}
        ids = [hit["_id"] for hit in self._scan("failures", query, sort=[{"source": "asc"}], source=False)]
        if ids:
            self._bulk(
                (({"delete": {"_index": self._alias["failures"], "_id": i}}, None) for i in ids), touched=("failures",)
            )

    # ------------------------------------------------------------------- reads
    def known(self, doc_id: str, content_hash: str, extractor: str | None) -> bool:
        found = self._call(
            self._client.mget,
            index=self._alias["documents"],
            ids=[schema.es_id(doc_id)],
            source_includes=["content_hash", "extractor", "complete"],
        )["docs"][0]
        if not found.get("found"):
            return False
        src = found["_source"]
        return bool(src.get("complete")) and src.get("content_hash") == content_hash and src.get("extractor") == extractor

    def document_ids(self, source: str) -> list[str]:
        self._fresh("documents")  # refreshes only after a write: at most once per written batch
        hits = self._scan("documents", {"term": {"source": source}}, sort=[{"id": "asc"}], source=["id"])
        return [hit["_source"]["id"] for hit in hits]

    # ---------------------------------------------------- paper identity (members_es.py)
    def put_members(self, members: Iterable[Member]) -> None:
        ESMembers.of(self).put(members)

    def find_members(self, *, keys: Iterable[str] = (), canonicals: Iterable[str] = (), source: str | None = None) -> list[Member]:
        return ESMembers.of(self).find(keys=keys, canonicals=canonicals, source=source)

    def delete_members(self, members: Iterable[tuple[str, str]]) -> None:
        ESMembers.of(self).delete(members)

    def stale(self, provenance_key: str) -> int:
        """Complete documents processed by another pipeline version than `provenance_key`."""
        self._fresh("documents")
        query = {"bool": {"filter": [{"term": {"complete": True}}], "must_not": [{"term": {"extractor": provenance_key}}]}}
        return self._call(self._client.count, index=self._alias["documents"], query=query)["count"]

    def get_document(self, doc_id: str) -> Document | None:
        return self.get_documents([doc_id]).get(doc_id)

    def get_documents(self, doc_ids: Iterable[str], *, content: bool = True) -> dict[str, Document]:
        """One mget per ID_BATCH ids (GET is real-time: no refresh needed); without content, the
        text and structure are filtered out on the node and never cross the wire."""
        found: dict[str, Document] = {}
        excludes = [f"body.{field}" for field in CONTENT_FIELDS] if not content else None
        for batch in id_batches(doc_ids):
            docs = self._call(self._client.mget, index=self._alias["documents"], ids=[schema.es_id(d) for d in batch],
                              source_includes=["body", "complete"], source_excludes=excludes)["docs"]
            found.update((doc_id, Document.model_validate(d["_source"]["body"])) for doc_id, d in zip(batch, docs)
                         if d.get("found") and d["_source"].get("complete"))
        return found

    def iter_documents(self) -> Iterator[Document]:
        self._fresh("documents")
        query = {"term": {"complete": True}}
        for hit in self._scan("documents", query, sort=[{"id": "asc"}], source=["body"]):
            yield Document.model_validate(hit["_source"]["body"])

    def search(self, query: Query) -> SearchResult:
        self._fresh("records")
        es_query = self._records_query(query)
        aggs = {
            name: {
                "terms": {
                    "field": name,  # each facet is the keyword/integer field of that name
                    "size": FACET_SIZE,
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
            for name in query.facets
        }
        window = self.specs["records"].settings.get("max_result_window", 10_000)
        deep = query.offset + query.limit > window
        response = self._call(
            self._client.search,
            index=self._alias["records"],
            query=es_query,
            sort=_RECORD_SORT,
            size=0 if deep else query.limit,
            from_=0 if deep else query.offset,
            track_total_hits=True,
            aggs=aggs or None,
            source=["body"],
        )
        if deep:  # past the result window: page with search_after, skipping `offset` hits
            hits = self._deep_page(es_query, query.offset, query.limit)
        else:
            hits = response["hits"]["hits"]
        facets = {
            name: [FacetCount(value=str(b["key"]), count=b["doc_count"]) for b in response["aggregations"][name]["buckets"]]
            for name in query.facets
        }
        return SearchResult(
            total=response["hits"]["total"]["value"],
            records=[Record.model_validate(h["_source"]["body"]) for h in hits],
            facets=facets,
        )

    def _deep_page(self, es_query: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        skipped = 0
        for hit in self._scan("records", es_query, sort=_RECORD_SORT, source=["body"]):
            if skipped < offset:
                skipped += 1
                continue
            out.append(hit)
            if len(out) >= limit:
                break
        return out

    def search_sentences(self, text: str, limit: int = 20) -> list[SentenceHit]:
        clauses = phrase_clauses(text_phrases(text), "text_terms")
        if not clauses or limit <= 0:
            return []
        self._fresh("sentences")
        response = self._call(
            self._client.search,
            index=self._alias["sentences"],
            query=self._complete_only({"bool": {"must": clauses, "must_not": []}}),
            sort=["_score", {"doc_id": "asc"}, {"char_start": "asc"}],
            size=limit,
            source=["doc_id", "char_start", "char_end", "text", "section"],
        )
        return [
            SentenceHit(
                doc_id=s["doc_id"], char_start=s["char_start"], char_end=s["char_end"], text=s["text"], section=s.get("section")
            )
            for s in (h["_source"] for h in response["hits"]["hits"])
        ]

    def iter_records(self, query: Query | None = None, batch_size: int = 1000) -> Iterator[Record]:
        self._fresh("records")
        es_query = self._records_query(query or Query())
        for hit in self._scan("records", es_query, sort=[{"record_id": "asc"}], source=["body"], page=batch_size):
            yield Record.model_validate(hit["_source"]["body"])

    def failures(self) -> list[Failure]:
        self._fresh("failures")
        return [
            Failure.model_validate(h["_source"])
            for h in self._scan("failures", {"match_all": {}}, sort=[{"source": "asc"}], source=True)
        ]

    def stats(self) -> StoreStats:
        self._fresh(*self._alias)
        pending = self._pending()
        complete = self._complete_only({"match_all": {}}, pending)  # children of complete documents

        def count(name: str) -> int:
            query = {"term": {"complete": True}} if name == "documents" else complete if name != "failures" else None
            return self._call(self._client.count, index=self._alias[name], query=query)["count"]

        def by(name: str, field: str) -> dict[str, int]:
            response = self._call(
                self._client.search,
                index=self._alias[name],
                size=0,
                aggs={"by": {"terms": {"field": field, "size": 10_000, "order": [{"_count": "desc"}, {"_key": "asc"}]}}},
                query={"term": {"complete": True}} if name == "documents" else complete,
            )
            return {str(b["key"]): b["doc_count"] for b in response["aggregations"]["by"]["buckets"]}

        return StoreStats(
            documents=count("documents"),
            sentences=count("sentences"),
            mentions=count("mentions"),
            records=count("records"),
            failures=count("failures"),
            **es_structure_counts(self),
            by_property=by("records", "property"),
            by_kind=by("documents", "kind"),
        )

    def close(self) -> None:
        """Make this store's writes visible to every reader now (the next process, a `textmine
        search` right after `textmine run`), not at the next refresh interval."""
        stale = [self._alias[n] for n in self._dirty]
        try:
            if stale:  # one try, no retries: closing must not hang on a node that is gone
                self._client.options(request_timeout=10).indices.refresh(index=",".join(stale))
        except Exception as exc:  # noqa: BLE001 - the writes are safe; only their visibility waits
            log.warning("could not refresh %s on close (%s); readers see the writes within 1 s", stale, exc)
        finally:
            self._dirty.clear()
            self._client.close()

    def __enter__(self) -> "ElasticsearchStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- queries
    def _pending(self) -> list[str]:
        """Ids of documents whose entry says `complete: false`."""
        self._fresh("documents")
        return [hit["_source"]["id"] for hit in self._scan(
            "documents", {"term": {"complete": False}}, sort=[{"id": "asc"}], source=["id"])]

    def _records_query(self, query: Query) -> dict[str, Any]:
        return self._complete_only(render_query(compile_query(query), self._linked_records))

    def _linked_records(self, linked) -> list[str]:
        """Ids of the records whose rank-1 structure link matches a `LinkedStructure` predicate."""
        wanted = {"has": linked.has, "space_group_number": linked.space_group_number, "crystal_system": linked.crystal_system}
        return ESStructures.of(self).best_linked_records({k: v for k, v in wanted.items() if v is not None})

    def _complete_only(self, es_query: dict[str, Any], pending: list[str] | None = None) -> dict[str, Any]:
        """Records of documents still being written (or whose write was cut short) are not
        answers: their document entry says `complete: false` until every record is in (it is
        written, and made searchable, before the records; `complete: true` after them)."""
        pending = self._pending() if pending is None else pending
        if not pending:
            return es_query
        hide = [{"terms": {"doc_id": pending[i : i + 65_536]}} for i in range(0, len(pending), 65_536)]
        if "bool" in es_query:
            return {"bool": {**es_query["bool"], "must_not": [*es_query["bool"]["must_not"], *hide]}}
        return {"bool": {"filter": [es_query], "must_not": hide}}

    def _scan(
        self,
        name: str,
        query: dict[str, Any],
        *,
        sort: list[Any],
        source: Any,
        page: int = 1000,
    ) -> Iterator[dict[str, Any]]:
        """Every hit, in `sort` order, paged with search_after (bounded memory, no scroll context
        left open if the caller stops early). `sort` must end in a unique key, or be `_doc`."""
        after: list[Any] | None = None
        # `name` is one of this store's indices, or the alias of a companion's (members, ...)
        window = self.specs[name].settings.get("max_result_window", 10_000) if name in self.specs else 10_000
        page = max(1, min(page, window))
        while True:
            response = self._call(
                self._client.search,
                index=self._alias.get(name, name),
                query=query,
                sort=sort,
                size=page,
                source=source,
                track_total_hits=False,
                search_after=after,
            )
            hits = response["hits"]["hits"]
            yield from hits
            if len(hits) < page:
                return
            after = hits[-1]["sort"]
