"""Compiled queries (`textmine.store.query`) rendered as Elasticsearch bool queries over the
records index: the counterpart of `sqlite_search.row_check` and `fts_expression`."""

from __future__ import annotations

from typing import Any

from textmine.store.query import (
    Between,
    CompiledQuery,
    ElementsAll,
    ElementsExactly,
    ElementsNone,
    Equals,
    LinkedStructure,
    MaterialIs,
    Overlap,
    Words,
)


def render_query(compiled: CompiledQuery, linked_records=None) -> dict[str, Any]:
    """The compiled query's predicates as one ES bool query over the records index.
    `linked_records(predicate)` gives the record ids a `LinkedStructure` predicate selects (the
    links live in their own index: the store looks them up)."""
    filters: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for predicate in compiled.predicates:
        match predicate:
            case LinkedStructure(has, _, _):
                if linked_records is None:
                    raise TypeError("a structure filter needs the store's links: pass linked_records")
                ids = linked_records(predicate)
                chunks = [{"terms": {"record_id": ids[i : i + 65_536]}} for i in range(0, len(ids), 65_536)]
                clause = {"bool": {"should": chunks, "minimum_should_match": 1}} if ids else {"terms": {"record_id": []}}
                if has:
                    filters.append(clause)
                elif ids:
                    must_not.append(clause)
            case Words(phrases):
                filters.extend(phrase_clauses(phrases, "sentence_terms"))
            case Equals(field, value):
                filters.append({"term": {field: value}})
            case MaterialIs(lowered):
                filters.append({"term": {"material_lc": lowered}})
            case ElementsAll(elements):
                filters.extend({"term": {"elements": e}} for e in elements)
            case ElementsNone(elements):
                must_not.append({"terms": {"elements": list(elements)}})
            case ElementsExactly(elements):
                # Has every one of them and no other: as many distinct elements as there are here.
                filters.extend({"term": {"elements": e}} for e in elements)
                filters.append({"term": {"n_elements": len(elements)}})
            case Overlap(low, high):
                if low is not None:
                    filters.append({"range": {"value_max_si": {"gte": low}}})
                if high is not None:
                    filters.append({"range": {"value_min_si": {"lte": high}}})
            case Between(field, low, high):
                bounds = {k: v for k, v in (("gte", low), ("lte", high)) if v is not None}
                filters.append({"range": {field: bounds}})
            case _:  # pragma: no cover - every predicate type is rendered above
                raise TypeError(f"no Elasticsearch query for {predicate!r}")
    if not filters and not must_not:
        return {"match_all": {}}
    return {"bool": {"filter": filters, "must_not": must_not}}


def phrase_clauses(phrases: tuple[tuple[str, ...], ...], field: str) -> list[dict[str, Any]]:
    """Like SQLite's FTS5 MATCH: every phrase must occur (the `*_terms` fields hold the text as
    the tokens FTS5 makes of it)."""
    return [
        {"term": {field: tokens[0]}} if len(tokens) == 1 else {"match_phrase": {field: " ".join(tokens)}}
        for tokens in phrases
    ]
