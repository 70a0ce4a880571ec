"""Predictions and audit flags in Elasticsearch: two indices behind aliases beside the store's
(`{prefix}-predictions`, `{prefix}-audit`), versioned and strict like the others, so a search over
`{prefix}-records` never sees a predicted value. Same answers as `SQLitePredictions`
(`tests/store/test_predictions.py` runs both)."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from textmine.store.base import Query
from textmine.store.es_migrate import ensure_index
from textmine.store.es_schema import IndexSpec, es_id
from textmine.store.es_transport import Retrying, Timeouts, chunks, connect, send_bulk
from textmine.store.predictions import (
    AuditFlag,
    Prediction,
    PredictionResult,
    prediction_bounds_si,
    unsupported_for_predictions,
)

_KEYWORD = {"type": "keyword"}
_BODY = {"type": "object", "enabled": False}
_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "max_result_window": 10_000}

PREDICTIONS = IndexSpec(
    name="predictions",
    version=1,
    mappings={"dynamic": "strict", "properties": {
        "prediction_id": _KEYWORD, "property": _KEYWORD, "material_id": _KEYWORD, "formula": _KEYWORD,
        "elements": _KEYWORD, "n_elements": {"type": "integer"}, "value_si": {"type": "double"},
        "model_id": _KEYWORD, "body": _BODY,
    }},
    settings=dict(_SETTINGS),
)
AUDIT = IndexSpec(
    name="audit",
    version=1,
    mappings={"dynamic": "strict", "properties": {
        "record_id": _KEYWORD, "property": _KEYWORD, "status": _KEYWORD, "model_id": _KEYWORD, "body": _BODY,
    }},
    settings=dict(_SETTINGS),
)
_SORT = [{"formula": "asc"}, {"prediction_id": "asc"}]  # SQLite: ORDER BY formula, prediction_id


class ElasticsearchPredictions:
    def __init__(self, client: Any, retry: Retrying, prefix: str) -> None:
        self._client = client
        self._retry = retry
        self.prefix = prefix
        self._alias = {spec.name: spec.alias(prefix) for spec in (PREDICTIONS, AUDIT)}
        for spec in (PREDICTIONS, AUDIT):
            ensure_index(client, retry, prefix, spec)
        self._dirty: set[str] = set()

    @classmethod
    def beside(cls, store: Any) -> "ElasticsearchPredictions":
        """Share the store's client (its credentials, timeouts and retries) and index prefix."""
        client, retry = getattr(store, "_client", None), getattr(store, "_retry", None)
        if client is None or retry is None:  # a store built differently: connect the same way it did
            timeouts = getattr(store, "timeouts", Timeouts())
            client, connection = connect(store.url, timeouts=timeouts)
            retry = Retrying(connection, timeouts)
        return cls(client, retry, store.prefix)

    @classmethod
    def open(cls, url: str) -> "ElasticsearchPredictions":
        timeouts = Timeouts()
        client, connection = connect(url, timeouts=timeouts)
        return cls(client, Retrying(connection, timeouts), connection.prefix)

    # ---------------------------------------------------------------- plumbing
    def _call(self, fn: Any, /, **kwargs: Any) -> Any:
        return self._retry(lambda: fn(**kwargs))

    def _fresh(self, name: str) -> None:
        if name in self._dirty:
            self._call(self._client.indices.refresh, index=self._alias[name])
            self._dirty.discard(name)

    def _bulk(self, actions: Iterable[tuple[dict[str, Any], dict[str, Any] | None]], name: str) -> int:
        self._dirty.add(name)
        written = 0
        for lines in chunks(actions, 2000, 8 * 1024 * 1024):
            written += send_bulk(self._client, self._retry, lines, 120.0)
        return written

    def _scan(self, name: str, query: dict[str, Any], sort: list[Any]) -> Iterator[dict[str, Any]]:
        self._fresh(name)
        after = None
        while True:
            response = self._call(self._client.search, index=self._alias[name], query=query, sort=sort, size=1000,
                                  source=["body"], track_total_hits=False, search_after=after)
            hits = response["hits"]["hits"]
            yield from hits
            if len(hits) < 1000:
                return
            after = hits[-1]["sort"]

    def _delete_by(self, name: str, query: dict[str, Any], key: str) -> int:
        # no delete_by_query module on the test node: find the ids, then bulk-delete them
        ids = [h["_id"] for h in self._scan(name, query, [{key: "asc"}])]
        if not ids:
            return 0
        return self._bulk((({"delete": {"_index": self._alias[name], "_id": i}}, None) for i in ids), name)

    # ------------------------------------------------------------------ predictions
    def put_predictions(self, predictions: Iterable[Prediction]) -> int:
        def actions() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
            for p in predictions:
                yield {"index": {"_index": self._alias["predictions"], "_id": es_id(p.prediction_id)}}, {
                    "prediction_id": p.prediction_id, "property": p.property, "material_id": p.material_id,
                    "formula": p.formula, "elements": sorted(set(p.elements)), "n_elements": len(set(p.elements)),
                    "value_si": p.value_si, "model_id": p.model_id, "body": p.model_dump(mode="json"),
                }

        return self._bulk(actions(), "predictions")

    def delete_predictions(self, *, property: str | None = None, model_id: str | None = None) -> int:
        filters = [{"term": {k: v}} for k, v in (("property", property), ("model_id", model_id)) if v]
        return self._delete_by("predictions", {"bool": {"filter": filters}} if filters else {"match_all": {}}, "prediction_id")

    def _query(self, query: Query) -> dict[str, Any]:
        filters: list[dict[str, Any]] = []
        must_not: list[dict[str, Any]] = []
        if query.property:
            filters.append({"term": {"property": query.property}})
        if query.formula:
            filters.append({"term": {"formula": query.formula}})
        if query.material_id:
            filters.append({"term": {"material_id": query.material_id}})
        for element in query.include_elements:
            filters.append({"term": {"elements": element}})
        if query.exclude_elements:
            must_not.append({"terms": {"elements": query.exclude_elements}})
        if query.only_elements and query.include_elements:
            filters.append({"term": {"n_elements": len(set(query.include_elements))}})
        low, high = prediction_bounds_si(query)
        bounds = {k: v for k, v in (("gte", low), ("lte", high)) if v is not None}
        if bounds:
            filters.append({"range": {"value_si": bounds}})
        return {"bool": {"filter": filters, "must_not": must_not}}

    def search_predictions(self, query: Query) -> PredictionResult:
        if unsupported_for_predictions(query):
            return PredictionResult(total=0, predictions=[])
        self._fresh("predictions")
        es_query = self._query(query)
        window = PREDICTIONS.settings["max_result_window"]
        if query.offset + query.limit <= window:
            response = self._call(self._client.search, index=self._alias["predictions"], query=es_query, sort=_SORT,
                                  size=query.limit, from_=query.offset, track_total_hits=True, source=["body"])
            total, hits = response["hits"]["total"]["value"], response["hits"]["hits"]
        else:  # past the result window: walk with search_after
            total = self._call(self._client.count, index=self._alias["predictions"], query=es_query)["count"]
            hits = []
            for i, hit in enumerate(self._scan("predictions", es_query, _SORT)):
                if i >= query.offset + query.limit:
                    break
                if i >= query.offset:
                    hits.append(hit)
        return PredictionResult(total=total, predictions=[Prediction.model_validate(h["_source"]["body"]) for h in hits])

    def predictions_for_materials(self, material_ids: Iterable[str], property: str | None = None) -> dict[str, list[Prediction]]:
        ids = list(dict.fromkeys(material_ids))
        out: dict[str, list[Prediction]] = {}
        for start in range(0, len(ids), 1000):
            filters: list[dict[str, Any]] = [{"terms": {"material_id": ids[start : start + 1000]}}]
            if property:
                filters.append({"term": {"property": property}})
            for hit in self._scan("predictions", {"bool": {"filter": filters}}, _SORT):
                p = Prediction.model_validate(hit["_source"]["body"])
                out.setdefault(p.material_id, []).append(p)
        return out

    # ------------------------------------------------------------------ audit
    def put_audit(self, flags: Iterable[AuditFlag], *, replace_property: str | None = None) -> int:
        if replace_property:
            self._delete_by("audit", {"term": {"property": replace_property}}, "record_id")

        def actions() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
            for f in flags:
                yield {"index": {"_index": self._alias["audit"], "_id": es_id(f.record_id)}}, {
                    "record_id": f.record_id, "property": f.property, "status": f.status, "model_id": f.model_id,
                    "body": f.model_dump(mode="json"),
                }

        return self._bulk(actions(), "audit")

    def audit_flags(self, record_ids: Iterable[str]) -> dict[str, AuditFlag]:
        ids = list(dict.fromkeys(record_ids))
        out: dict[str, AuditFlag] = {}
        for start in range(0, len(ids), 1000):
            # GET by id is real-time: no refresh needed
            found = self._call(self._client.mget, index=self._alias["audit"], ids=[es_id(i) for i in ids[start : start + 1000]],
                               source_includes=["body"])
            for doc in found["docs"]:
                if doc.get("found"):
                    flag = AuditFlag.model_validate(doc["_source"]["body"])
                    out[flag.record_id] = flag
        return out

    def suspect_record_ids(self, property: str | None = None) -> set[str]:
        filters: list[dict[str, Any]] = [{"term": {"status": "suspect"}}]
        if property:
            filters.append({"term": {"property": property}})
        return {AuditFlag.model_validate(h["_source"]["body"]).record_id
                for h in self._scan("audit", {"bool": {"filter": filters}}, [{"record_id": "asc"}])}

    def close(self) -> None:
        stale = [self._alias[n] for n in self._dirty]
        if stale:
            try:
                self._client.options(request_timeout=10).indices.refresh(index=",".join(stale))
            except Exception:  # noqa: BLE001 - the writes are safe; they become visible within 1 s anyway
                pass
        self._dirty.clear()

    def __enter__(self) -> "ElasticsearchPredictions":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ElasticsearchPredictions", "PREDICTIONS", "AUDIT"]
