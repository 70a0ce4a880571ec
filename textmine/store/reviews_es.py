"""Reviews on the store's Elasticsearch cluster: an append-only `{prefix}-reviews` index behind its
alias (versioned like the store's own indices, `es_schema.IndexSpec`), written with
`refresh=wait_for` so the next read sees a review at once (reviews are few; records are many).

Reads of the extracted records go to the store's `{prefix}-records` alias, whose documents have
`_id` = `es_id(record_id)` and the whole record as `body`.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from textmine.curation.edit import plausible_si_bounds
from textmine.curation.models import Review
from textmine.records import Record
from textmine.store import es_schema as schema
from textmine.store.es_migrate import ensure_index
from textmine.store.es_transport import Retrying, Timeouts, connect

_KEYWORD = {"type": "keyword"}

REVIEWS = schema.IndexSpec(
    name="reviews",
    version=1,
    mappings={
        "dynamic": "strict",
        "properties": {
            "review_id": _KEYWORD,
            "record_id": _KEYWORD,
            "doc_id": _KEYWORD,
            "action": _KEYWORD,
            "reviewer": _KEYWORD,
            "reviewed_at": {"type": "date"},
            "body": {"type": "object", "enabled": False},
        },
    },
)
_ORDER = [{"reviewed_at": "asc"}, {"review_id": "asc"}]
_PAGE = 1000


class ElasticsearchReviews:
    def __init__(self, url: str, *, prefix: str | None = None, readonly: bool = False,
                 timeouts: Timeouts | None = None) -> None:
        timeouts = timeouts or Timeouts()
        self._client, self._conn = connect(url, index_prefix=prefix, timeouts=timeouts)
        self._retry = Retrying(self._conn, timeouts)
        self.readonly = readonly
        self.alias = REVIEWS.alias(self._conn.prefix)
        self.records_alias = schema.RECORDS.alias(self._conn.prefix)
        if readonly:
            self._exists = bool(self._call(self._client.indices.exists_alias, name=self.alias))
        else:
            ensure_index(self._client, self._retry, self._conn.prefix, REVIEWS)
            self._exists = True

    def _call(self, fn: Any, /, **kwargs: Any) -> Any:
        return self._retry(lambda: fn(**kwargs))

    def add(self, review: Review) -> None:
        if self.readonly:
            raise PermissionError("the store is open read-only")
        self._call(self._client.index, index=self.alias, id=review.review_id, refresh="wait_for", document={
            "review_id": review.review_id, "record_id": review.record_id, "doc_id": review.doc_id,
            "action": review.action.value, "reviewer": review.reviewer, "reviewed_at": review.reviewed_at.isoformat(),
            "body": review.model_dump(mode="json"),
        })

    def _scan(self, query: dict[str, Any], sort: list[Any]) -> Iterator[Review]:
        if not self._exists:
            return
        after = None
        while True:
            response = self._call(self._client.search, index=self.alias, query=query, sort=sort, size=_PAGE,
                                  source=["body"], search_after=after, track_total_hits=False)
            hits = response["hits"]["hits"]
            for hit in hits:
                yield Review.model_validate(hit["_source"]["body"])
            if len(hits) < _PAGE:
                return
            after = hits[-1]["sort"]

    def history(self, record_id: str) -> list[Review]:
        return list(self._scan({"term": {"record_id": record_id}}, _ORDER))

    def latest(self, record_ids: Iterable[str]) -> dict[str, Review]:
        ids = list(dict.fromkeys(record_ids))
        found: dict[str, Review] = {}
        for at in range(0, len(ids), 1000):
            for review in self._scan({"terms": {"record_id": ids[at : at + 1000]}}, _ORDER):
                found[review.record_id] = review  # ascending: the last one seen is the latest
        return found

    def iter_latest(self) -> Iterator[Review]:
        current: Review | None = None
        for review in self._scan({"match_all": {}}, [{"record_id": "asc"}, *_ORDER]):
            if current is not None and review.record_id != current.record_id:
                yield current
            current = review
        if current is not None:
            yield current

    def count(self) -> int:
        if not self._exists:
            return 0
        response = self._call(self._client.search, index=self.alias, size=0,
                              aggs={"n": {"cardinality": {"field": "record_id", "precision_threshold": 40000}}})
        return int(response["aggregations"]["n"]["value"])

    def _reviewed_ids(self) -> list[str]:
        return sorted({r.record_id for r in self._scan({"match_all": {}}, _ORDER)})

    def get_record(self, record_id: str) -> Record | None:
        found = self._call(self._client.mget, index=self.records_alias, ids=[schema.es_id(record_id)],
                           source_includes=["body"])["docs"][0]
        return Record.model_validate(found["_source"]["body"]) if found.get("found") else None

    def candidates(self, limit: int) -> tuple[list[Record], list[Record]]:
        reviewed = self._reviewed_ids()
        must_not = [{"terms": {"record_id": reviewed}}] if reviewed else []
        suspect = [{"bool": {"must_not": [{"exists": {"field": "formula"}}]}}]
        for name, (low, high) in plausible_si_bounds().items():
            suspect.append({"bool": {"filter": [{"term": {"property": name}}], "should": [
                {"range": {"value_min_si": {"lt": low}}}, {"range": {"value_max_si": {"gt": high}}}],
                "minimum_should_match": 1}})

        def search(query: dict[str, Any]) -> list[Record]:
            response = self._call(self._client.search, index=self.records_alias, query=query, size=limit,
                                  sort=[{"confidence": "asc"}, {"record_id": "asc"}], source=["body"])
            return [Record.model_validate(h["_source"]["body"]) for h in response["hits"]["hits"]]

        return (search({"bool": {"should": suspect, "minimum_should_match": 1, "must_not": must_not}}),
                search({"bool": {"must_not": must_not}}))

    def close(self) -> None:
        self._client.close()


__all__ = ["ElasticsearchReviews", "REVIEWS"]
