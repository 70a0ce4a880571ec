"""The job table in Elasticsearch: indices `{prefix}-jobs`, `{prefix}-job-shards` and
`{prefix}-job-quarantine` beside the store's, behind aliases like them (`es_migrate.ensure_index`).

Each ES document keeps its model whole in `body` (not indexed) and the fields looked up by as
keywords. A write is durable once acknowledged (the translog is synced per request); reads refresh
first, so the client sees its own writes. A read-only table (a store opened read-only) creates
nothing; where the job indices do not exist yet it lists no jobs.
"""

from __future__ import annotations

from typing import Any, Iterator

from textmine.store.es_migrate import alias_targets, ensure_index
from textmine.store.es_schema import IndexSpec, es_id
from textmine.store.es_transport import Retrying, Timeouts, chunks, connect, send_bulk
from textmine.store.jobs import Job, Quarantined, Shard, match_job

_KEYWORD = {"type": "keyword"}
_BODY = {"type": "object", "enabled": False}
_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}

JOBS = IndexSpec("jobs", 1, {"dynamic": "strict", "properties": {
    "id": _KEYWORD, "created_at": {"type": "date"}, "body": _BODY}}, dict(_SETTINGS))
SHARDS = IndexSpec("job-shards", 1, {"dynamic": "strict", "properties": {
    "job_id": _KEYWORD, "shard": {"type": "integer"}, "state": _KEYWORD, "body": _BODY}}, dict(_SETTINGS))
QUARANTINE = IndexSpec("job-quarantine", 1, {"dynamic": "strict", "properties": {
    "job_id": _KEYWORD, "shard": {"type": "integer"}, "doc": _KEYWORD, "body": _BODY}}, dict(_SETTINGS))
SPECS = (JOBS, SHARDS, QUARANTINE)
PAGE = 1000


class ElasticsearchJobTable:
    def __init__(self, client: Any, retry: Retrying, prefix: str, *, readonly: bool = False) -> None:
        self._client = client
        self._retry = retry
        self.prefix = prefix
        self._alias = {spec.name: spec.alias(prefix) for spec in SPECS}
        self._present = True
        for spec in SPECS:
            if readonly and not alias_targets(client, retry, spec.alias(prefix)):
                self._present = False  # no job ever ran on this store
                continue
            ensure_index(client, retry, prefix, spec, create=not readonly)

    @classmethod
    def for_store(cls, store: Any) -> "ElasticsearchJobTable":
        """On the store's own connection when it shows one, else a new one to its URL (credentials
        then come from TEXTMINE_ES_* as for the store)."""
        client, retry = getattr(store, "_client", None), getattr(store, "_retry", None)
        if client is None or retry is None:
            timeouts = Timeouts()
            client, connection = connect(store.url, timeouts=timeouts)
            retry = Retrying(connection, timeouts)
        return cls(client, retry, store.prefix, readonly=bool(getattr(store, "readonly", False)))

    def _call(self, fn: Any, /, **kwargs: Any) -> Any:
        return self._retry(lambda: fn(**kwargs))

    def _index(self, name: str, doc_id: str, source: dict[str, Any]) -> None:
        self._call(self._client.index, index=self._alias[name], id=es_id(doc_id), document=source)

    def _scan(self, name: str, query: dict[str, Any], sort: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
        if not self._present:
            return
        self._call(self._client.indices.refresh, index=self._alias[name])
        after = None
        while True:
            extra = {"search_after": after} if after is not None else {}
            hits = self._call(self._client.search, index=self._alias[name], query=query, sort=sort, size=PAGE,
                              **extra)["hits"]["hits"]
            for hit in hits:
                yield hit["_source"]["body"]
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]

    # -- jobs ------------------------------------------------------------------------------
    def create(self, job: Job, shards: list[Shard]) -> None:
        self.put_shards(shards)
        self.update_job(job)  # last: a job whose shards are not all written is not listed

    def update_job(self, job: Job) -> None:
        self._index("jobs", job.id, {"id": job.id, "created_at": job.created_at.isoformat(),
                                     "body": job.model_dump(mode="json")})

    def job(self, job_id: str) -> Job | None:
        ids = [body["id"] for body in self._scan("jobs", {"prefix": {"id": job_id}}, [{"id": "asc"}])]
        found = match_job(ids, job_id)
        if found is None:
            return None
        return Job.model_validate(self._call(self._client.get, index=self._alias["jobs"], id=es_id(found))["_source"]["body"])

    def jobs(self, limit: int = 50) -> list[Job]:
        if not self._present:
            return []
        self._call(self._client.indices.refresh, index=self._alias["jobs"])
        hits = self._call(self._client.search, index=self._alias["jobs"], query={"match_all": {}},
                          sort=[{"created_at": "desc"}, {"id": "desc"}], size=limit)["hits"]["hits"]
        return [Job.model_validate(hit["_source"]["body"]) for hit in hits]

    # -- shards ----------------------------------------------------------------------------
    def shards(self, job_id: str) -> list[Shard]:
        return [Shard.model_validate(body) for body in
                self._scan("job-shards", {"term": {"job_id": job_id}}, [{"shard": "asc"}])]

    def put_shards(self, shards: list[Shard]) -> None:
        alias = self._alias["job-shards"]
        actions = (({"index": {"_index": alias, "_id": es_id(f"{s.job_id}#{s.shard}")}},
                    {"job_id": s.job_id, "shard": s.shard, "state": s.state.value, "body": s.model_dump(mode="json")})
                   for s in shards)
        for lines in chunks(actions, 2000, 8 * 1024 * 1024):
            send_bulk(self._client, self._retry, lines, self._retry.timeouts.bulk_request)

    # -- quarantine ------------------------------------------------------------------------
    def quarantine(self, entry: Quarantined) -> None:
        self._index("job-quarantine", f"{entry.job_id}#{entry.shard}#{entry.doc}",
                    {"job_id": entry.job_id, "shard": entry.shard, "doc": entry.doc, "body": entry.model_dump(mode="json")})

    def quarantined(self, job_id: str) -> list[Quarantined]:
        return [Quarantined.model_validate(body) for body in
                self._scan("job-quarantine", {"term": {"job_id": job_id}}, [{"shard": "asc"}, {"doc": "asc"}])]

    def refresh_store(self) -> None:
        """Make everything workers wrote to the store's indices visible to search now."""
        self._call(self._client.indices.refresh, index=f"{self.prefix}-*")

    def close(self) -> None:
        pass  # the connection is the store's (or closes with the process)


__all__ = ["ElasticsearchJobTable", "SPECS"]
