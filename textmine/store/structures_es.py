"""Structures, spectra, simulated patterns and links on the records store's Elasticsearch node.

Four more versioned indices behind aliases, next to the store's own and made the same way
(`es_schema.IndexSpec`, `es_migrate.ensure_index`): `{prefix}-structures`, `-spectra`,
`-simulated`, `-links`. Every ES document keeps the whole model as `body` (not indexed) beside
the flat fields queries use; sorting and filtering mirror `SQLiteStructures` clause for clause
(tests/store/test_structures_parity.py). Only core features: no delete-by-query, no scripts.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from textmine.link.model import Link, LinkQuery
from textmine.spectra.model import Spectrum
from textmine.store.es_migrate import ensure_index
from textmine.store.es_schema import IndexSpec, es_id
from textmine.store.es_transport import chunks, send_bulk
from textmine.store.structures import StructureQuery, StructureResult, record_structure_filter
from textmine.structures.model import StructureEntry

_KW = {"type": "keyword"}
_INT = {"type": "integer"}
_BODY = {"type": "object", "enabled": False}
_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "max_result_window": 10_000}
TERMS_CHUNK = 50_000  # below index.max_terms_count (65,536)


def _spec(name: str, properties: dict[str, Any]) -> IndexSpec:
    return IndexSpec(name=name, version=1, mappings={"dynamic": "strict", "properties": properties}, settings=dict(_SETTINGS))


STRUCTURES = _spec("structures", {
    "structure_id": _KW, "reduced_formula": _KW, "chemsys": _KW, "elements": _KW, "n_elements": _INT, "material_id": _KW,
    "space_group": _KW, "space_group_number": _INT, "crystal_system": _KW, "nsites": _INT, "ordered": {"type": "boolean"},
    "source": _KW, "source_id": _KW, "kind": _KW, "body": _BODY,
})
SPECTRA = _spec("spectra", {"spectrum_id": _KW, "source": _KW, "kind": _KW, "name": _KW, "body": _BODY})
SIMULATED = _spec("simulated", {"structure_id": _KW, "wavelength": {"type": "double"}, "body": _BODY})
LINKS = _spec("links", {
    "link_id": _KW, "kind": _KW, "subject_id": _KW, "doc_id": _KW, "material_id": _KW, "structure_id": _KW, "rank": _INT,
    "score": {"type": "double"}, "method": _KW, "space_group_number": _INT, "crystal_system": _KW, "body": _BODY,
})
SPECS = (STRUCTURES, SPECTRA, SIMULATED, LINKS)
_STRUCTURE_SORT = [{"reduced_formula": "asc"}, {"space_group_number": {"order": "asc", "missing": "_first"}}, {"structure_id": "asc"}]
_LINK_SORT = [{"subject_id": "asc"}, {"rank": "asc"}, {"structure_id": "asc"}]


class ESStructures:
    """The companion of an `ElasticsearchStore` (one per store: `ESStructures.of(store)`)."""

    def __init__(self, store) -> None:
        self.store = store
        self._client = store._client
        self._retry = store._retry
        self._alias = {spec.name: spec.alias(store.prefix) for spec in SPECS}
        self._dirty: set[str] = set()
        for spec in SPECS:
            ensure_index(self._client, self._retry, store.prefix, spec, create=True)

    @classmethod
    def of(cls, store) -> "ESStructures":
        companion = getattr(store, "_structures_companion", None)
        if companion is None:
            companion = cls(store)
            store._structures_companion = companion
        return companion

    # ---------------------------------------------------------------- plumbing
    def _call(self, fn: Any, /, **kwargs: Any) -> Any:
        return self._retry(lambda: fn(**kwargs))

    def refresh(self, *names: str) -> None:
        stale = [self._alias[n] for n in (names or tuple(self._dirty)) if n in self._dirty]
        if stale:
            self._call(self._client.indices.refresh, index=",".join(stale))
            self._dirty.difference_update(names or set(self._dirty))

    def _bulk(self, actions: Iterable[tuple[dict[str, Any], dict[str, Any] | None]], name: str) -> int:
        self._dirty.add(name)
        written = 0
        for lines in chunks(actions, 1000, 8 * 1024 * 1024):
            written += send_bulk(self._client, self._retry, lines, self.store.timeouts.bulk_request)
        return written

    def _scan(self, name: str, query: dict[str, Any], sort: list[Any], source: Any = True, page: int = 1000) -> Iterator[dict[str, Any]]:
        after = None
        while True:
            response = self._call(self._client.search, index=self._alias[name], query=query, sort=sort, size=page,
                                  source=source, track_total_hits=False, search_after=after)
            hits = response["hits"]["hits"]
            yield from hits
            if len(hits) < page:
                return
            after = hits[-1]["sort"]

    # -------------------------------------------------------------- structures
    def put_structures(self, entries: Iterable[StructureEntry], batch_size: int = 500) -> int:
        alias = self._alias["structures"]

        def actions():
            for e in entries:
                yield {"index": {"_index": alias, "_id": es_id(e.structure_id)}}, {
                    "structure_id": e.structure_id, "reduced_formula": e.reduced_formula, "chemsys": e.chemsys,
                    "elements": e.elements, "n_elements": len(e.elements), "material_id": e.material_id,
                    "space_group": e.space_group, "space_group_number": e.space_group_number,
                    "crystal_system": e.crystal_system, "nsites": e.nsites, "ordered": e.ordered, "source": e.source,
                    "source_id": e.source_id, "kind": e.kind, "body": e.model_dump(mode="json")}

        return self._bulk(actions(), "structures")

    def get_structure(self, structure_id: str) -> StructureEntry | None:
        found = self._call(self._client.mget, index=self._alias["structures"], ids=[es_id(structure_id)], source_includes=["body"])["docs"][0]
        return StructureEntry.model_validate(found["_source"]["body"]) if found.get("found") else None

    def _structure_query(self, q: StructureQuery) -> dict[str, Any]:
        filters: list[dict[str, Any]] = []
        must_not: list[dict[str, Any]] = []
        if (formula := q.reduced_formula()) is not None:
            filters.append({"term": {"reduced_formula": formula}})
        for element in q.include_elements:
            filters.append({"term": {"elements": element}})
        if q.exclude_elements:
            must_not.append({"terms": {"elements": q.exclude_elements}})
        if q.only_elements and q.include_elements:
            filters.append({"term": {"n_elements": len(set(q.include_elements))}})
        if (chemsys := q.chemsys_key()) is not None:
            filters.append({"term": {"chemsys": chemsys}})
        if (number := q.space_group_number()) is not None:
            filters.append({"term": {"space_group_number": number}})
        for field, value in (("crystal_system", q.crystal_system), ("source_id", q.source_id),
                             ("material_id", q.material_id), ("kind", q.kind), ("ordered", q.ordered)):
            if value is not None:
                filters.append({"term": {field: value}})
        if q.max_sites is not None:
            filters.append({"range": {"nsites": {"lte": q.max_sites}}})
        return {"bool": {"filter": filters, "must_not": must_not}} if filters or must_not else {"match_all": {}}

    def search_structures(self, query: StructureQuery) -> StructureResult:
        self.refresh("structures")
        response = self._call(self._client.search, index=self._alias["structures"], query=self._structure_query(query),
                              sort=_STRUCTURE_SORT, size=query.limit, from_=query.offset, track_total_hits=True,
                              source=["body"])
        return StructureResult(total=response["hits"]["total"]["value"],
                               structures=[StructureEntry.model_validate(h["_source"]["body"]) for h in response["hits"]["hits"]])

    def iter_structures(self, query: StructureQuery | None = None, batch_size: int = 500) -> Iterator[StructureEntry]:
        self.refresh("structures")
        for hit in self._scan("structures", self._structure_query(query or StructureQuery()), [{"structure_id": "asc"}],
                              source=["body"], page=batch_size):
            yield StructureEntry.model_validate(hit["_source"]["body"])

    # ------------------------------------------------------------------ spectra
    def put_spectra(self, spectra: Iterable[Spectrum]) -> int:
        alias = self._alias["spectra"]

        def actions():
            for s in spectra:  # JSON numbers: Python writes the shortest repr, which reads back exactly
                yield {"index": {"_index": alias, "_id": es_id(s.spectrum_id)}}, {
                    "spectrum_id": s.spectrum_id, "source": s.source, "kind": s.kind, "name": s.name,
                    "body": s.model_dump(mode="json")}

        return self._bulk(actions(), "spectra")

    def get_spectrum(self, spectrum_id: str) -> Spectrum | None:
        found = self._call(self._client.mget, index=self._alias["spectra"], ids=[es_id(spectrum_id)], source_includes=["body"])["docs"][0]
        return Spectrum.model_validate(found["_source"]["body"]) if found.get("found") else None

    def iter_spectra(self) -> Iterator[Spectrum]:
        self.refresh("spectra")
        for hit in self._scan("spectra", {"match_all": {}}, [{"spectrum_id": "asc"}], source=["body"], page=100):
            yield Spectrum.model_validate(hit["_source"]["body"])

    def put_simulated(self, structure_id: str, wavelength: float, pattern: dict[str, Any]) -> None:
        key = f"{structure_id}@{round(float(wavelength), 6)}"
        self._call(self._client.index, index=self._alias["simulated"], id=es_id(key),
                   document={"structure_id": structure_id, "wavelength": round(float(wavelength), 6), "body": pattern})
        self._dirty.add("simulated")

    def get_simulated(self, structure_id: str, wavelength: float) -> dict[str, Any] | None:
        key = f"{structure_id}@{round(float(wavelength), 6)}"
        found = self._call(self._client.mget, index=self._alias["simulated"], ids=[es_id(key)], source_includes=["body"])["docs"][0]
        return found["_source"]["body"] if found.get("found") else None

    # -------------------------------------------------------------------- links
    def replace_links(self, kind: str, subject_ids: Iterable[str], links: Iterable[Link]) -> int:
        alias = self._alias["links"]
        subjects = list(subject_ids)
        self.refresh("links")
        stale: list[str] = []
        for start in range(0, len(subjects), 1000):
            query = {"bool": {"filter": [{"term": {"kind": kind}}, {"terms": {"subject_id": subjects[start:start + 1000]}}]}}
            stale += [h["_id"] for h in self._scan("links", query, [{"link_id": "asc"}], source=False)]
        links = list(links)
        keep = {es_id(link.link_id) for link in links}

        def actions():
            for doc_id in stale:
                if doc_id not in keep:
                    yield {"delete": {"_index": alias, "_id": doc_id}}, None
            for link in links:
                yield {"index": {"_index": alias, "_id": es_id(link.link_id)}}, {
                    "link_id": link.link_id, "kind": link.kind, "subject_id": link.subject_id, "doc_id": link.doc_id,
                    "material_id": link.material_id, "structure_id": link.structure_id, "rank": link.rank, "score": link.score,
                    "method": link.method, "space_group_number": link.space_group_number,
                    "crystal_system": link.crystal_system, "body": link.model_dump(mode="json")}

        self._bulk(actions(), "links")
        return len(links)

    def _link_query(self, q: LinkQuery) -> dict[str, Any]:
        filters: list[dict[str, Any]] = []
        for field, value in (("kind", q.kind), ("subject_id", q.subject_id), ("doc_id", q.doc_id),
                             ("material_id", q.material_id), ("structure_id", q.structure_id), ("method", q.method)):
            if value is not None:
                filters.append({"term": {field: value}})
        if q.subject_ids:
            filters.append({"terms": {"subject_id": q.subject_ids}})
        if q.max_rank is not None:
            filters.append({"range": {"rank": {"lte": q.max_rank}}})
        if q.min_score is not None:
            filters.append({"range": {"score": {"gte": q.min_score}}})
        return {"bool": {"filter": filters}} if filters else {"match_all": {}}

    def search_links(self, query: LinkQuery) -> list[Link]:
        self.refresh("links")
        response = self._call(self._client.search, index=self._alias["links"], query=self._link_query(query), sort=_LINK_SORT,
                              size=query.limit, from_=query.offset, source=["body"])
        return [Link.model_validate(h["_source"]["body"]) for h in response["hits"]["hits"]]

    def mentions(self, doc_id: str, labels: tuple[str, ...] = ("SPL",)) -> list[dict[str, Any]]:
        self.store._fresh("mentions")
        query = {"bool": {"filter": [{"term": {"doc_id": doc_id}}, {"terms": {"label": list(labels)}}]}}
        response = self._call(self._client.search, index=self.store._alias["mentions"], query=query, size=10_000,
                              sort=[{"char_start": "asc"}, {"char_end": "asc"}], source=["label", "text", "char_start", "char_end"])
        return [h["_source"] for h in response["hits"]["hits"]]

    def best_linked_records(self, wanted: dict[str, Any]) -> list[str]:
        """Record ids whose rank-1 link satisfies `wanted` (see record_structure_filter)."""
        self.refresh("links")
        filters: list[dict[str, Any]] = [{"term": {"kind": "record"}}, {"term": {"rank": 1}}]
        if "space_group_number" in wanted:
            filters.append({"term": {"space_group_number": wanted["space_group_number"]}})
        if "crystal_system" in wanted:
            filters.append({"term": {"crystal_system": wanted["crystal_system"]}})
        hits = self._scan("links", {"bool": {"filter": filters}}, [{"subject_id": "asc"}, {"link_id": "asc"}], source=["subject_id"], page=10_000)
        return [h["_source"]["subject_id"] for h in hits]

    def counts(self) -> dict[str, int]:
        self.refresh()
        return {name: self._call(self._client.count, index=self._alias[name])["count"] for name in ("structures", "spectra", "links")}


def es_structure_counts(store) -> dict[str, int]:
    """For `StoreStats`: 0 when this node has no structure indices yet (nothing is created by a read)."""
    companion = getattr(store, "_structures_companion", None)
    if companion is not None:
        counts = companion.counts()
        return {"structures": counts["structures"], "spectra": counts["spectra"]}
    out = {}
    for spec in (STRUCTURES, SPECTRA):
        alias = spec.alias(store.prefix)
        exists = store._call(store._client.indices.exists_alias, name=alias)
        out[spec.name] = store._call(store._client.count, index=alias)["count"] if exists else 0
    return out


__all__ = ["ESStructures", "es_structure_counts", "SPECS"]
