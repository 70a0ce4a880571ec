"""Paper identity on the records store's Elasticsearch node: the `{prefix}-members` index.

One ES document per read (doc id and source) with the id of the document kept for its paper, its
lookup keys (a keyword array) and the whole `Member` as `body`; the same answers as the SQLite
`members` tables (`members_sqlite.py`, tests/store/test_members.py runs both).
"""

from __future__ import annotations

from typing import Any, Iterable

from textmine.identity import Member, lookup_keys
from textmine.store.es_migrate import ensure_index
from textmine.store.es_schema import IndexSpec, es_id
from textmine.store.es_transport import chunks, send_bulk

_KW = {"type": "keyword"}
MEMBERS = IndexSpec(
    name="members",
    version=1,
    mappings={"dynamic": "strict", "properties": {
        "doc_id": _KW, "source": _KW, "canonical": _KW, "kept": {"type": "boolean"}, "keys": _KW,
        "body": {"type": "object", "enabled": False},
    }},
    settings={"number_of_shards": 1, "number_of_replicas": 0, "max_result_window": 10_000},
)
_SORT = [{"doc_id": "asc"}, {"source": "asc"}]
_TERMS = 10_000  # values per terms clause


def _id(doc_id: str, source: str) -> str:
    return es_id(f"{doc_id}\n{source}")


class ESMembers:
    """The companion of an `ElasticsearchStore` (`ESMembers.of(store)`)."""

    def __init__(self, store) -> None:
        self.store = store
        self._client = store._client
        self._retry = store._retry
        self.alias = MEMBERS.alias(store.prefix)
        self._dirty = False
        if store.readonly:
            self._exists = bool(self._retry(lambda: self._client.indices.exists_alias(name=self.alias)))
        else:
            ensure_index(self._client, self._retry, store.prefix, MEMBERS, create=True)
            self._exists = True

    @classmethod
    def of(cls, store) -> "ESMembers":
        companion = getattr(store, "_members", None)
        if companion is None:
            companion = store._members = cls(store)
        return companion

    def _bulk(self, actions: Iterable[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
        self._dirty = True
        for lines in chunks(actions, self.store.chunk_actions, self.store.chunk_bytes):
            send_bulk(self._client, self._retry, lines, self.store.timeouts.bulk_request)

    def put(self, members: Iterable[Member]) -> None:
        def actions():
            for m in members:
                yield {"index": {"_index": self.alias, "_id": _id(m.doc_id, m.source)}}, {
                    "doc_id": m.doc_id, "source": m.source, "canonical": m.canonical, "kept": m.kept,
                    "keys": lookup_keys(m.evidence), "body": m.model_dump(mode="json"),
                }

        self._bulk(actions())

    def find(self, *, keys: Iterable[str] = (), canonicals: Iterable[str] = (), source: str | None = None) -> list[Member]:
        if not self._exists:
            return []
        keys, canonicals = sorted(set(keys)), sorted(set(canonicals))
        should: list[dict[str, Any]] = [{"terms": {"keys": keys[i : i + _TERMS]}} for i in range(0, len(keys), _TERMS)]
        should += [{"terms": {"canonical": canonicals[i : i + _TERMS]}} for i in range(0, len(canonicals), _TERMS)]
        if source is not None:
            should.append({"term": {"source": source}})
        if not should:
            return []
        if self._dirty:
            self._retry(lambda: self._client.indices.refresh(index=self.alias))
            self._dirty = False
        query = {"bool": {"should": should, "minimum_should_match": 1}}
        hits = self.store._scan(self.alias, query, sort=_SORT, source=["body"])
        return [Member.model_validate(h["_source"]["body"]) for h in hits]

    def delete(self, members: Iterable[tuple[str, str]]) -> None:
        if not self._exists:
            return
        self._bulk(({"delete": {"_index": self.alias, "_id": _id(d, s)}}, None) for d, s in members)

    def count(self) -> int:
        if not self._exists:
            return 0
        if self._dirty:
            self._retry(lambda: self._client.indices.refresh(index=self.alias))
            self._dirty = False
        return self._retry(lambda: self._client.count(index=self.alias))["count"]
