"""How the embedded store answers a compiled query: a small planner over SQLite.

Every predicate has two renderings: a *row check* on the narrow `records` row (always exact:
`instr(r.words, ' band gap ')`, `instr(r.elements, ' Fe ')`, `r.value_max_si >= ?` ...), and,
where an access path exists, a way to *find* the rows: the FTS index (words and element tokens,
intersected inside FTS5), or a B-tree index (doc_id, material_id, formula + year, property + value
range + confidence). The planner picks one driver, checks the remaining predicates on each row it
yields, and never moves a hit list through Python:

- total: one `count(*)` over the driver;
- the page (confidence desc, record_id asc): sorted from the hits when they are few, or, when they
  are many, by walking the `records_rank` index in that order until the page is full (about
  (offset + limit) * records / hits rows);
- facets: the hits (with the columns facets need) are materialised once into a temp table, and
  every facet is one GROUP BY over it (elements: joined to `record_elements`).

`tests/store/test_parity.py` holds the answers equal to Elasticsearch's; `bench/bench_store.py`
measures the latency.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterator

from textmine.store.base import FACET_SIZE, FacetCount
from textmine.store.query import (
    Between,
    CompiledQuery,
    ElementsAll,
    ElementsExactly,
    ElementsNone,
    Equals,
    MaterialIs,
    Overlap,
    Predicate,
    Words,
)
from textmine.store.sqlite_schema import elements_text

# An index count above this, when FTS could drive instead, is not worth finishing to compare.
ESTIMATE_CAP = 20_000
# Fewer hits than this: sort them; more: walk the confidence-ordered index (if that is cheaper).
SORT_MAX = 5_000
_FACET_COLUMNS = {"property": "property", "formula": "formula", "year": "year", "kind": "kind", "extractor": "extractor"}
_temp_names = itertools.count()


@dataclass
class Plan:
    source: str  # FROM ... (the driver, aliased `r` for records)
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    driver: str = "scan"
    checks_only: bool = False  # a plain FTS count answers `total` (no check left on the row)
    fts: str | None = None

    def sql(self, select: str, tail: str = "") -> str:
        where = f" WHERE {' AND '.join(self.where)}" if self.where else ""
        return f"SELECT {select} FROM {self.source}{where}{tail}"


# ------------------------------------------------------------------------- row checks

def row_check(p: Predicate) -> tuple[list[str], list[Any]]:
    """An exact SQL condition on the `records r` row for one predicate."""
    match p:
        case Words(phrases):
            return ["instr(r.words, ?) > 0"] * len(phrases), [" " + " ".join(tokens) + " " for tokens in phrases]
        case Equals(name, value):
            return [f"r.{name} = ?"], [value]
        case MaterialIs(lowered):
            return ["lower(r.material) = ?"], [lowered]
        case ElementsAll(elements):
            return ["instr(r.elements, ?) > 0"] * len(elements), [f" {e} " for e in elements]
        case ElementsNone(elements):
            return ["instr(r.elements, ?) = 0"] * len(elements), [f" {e} " for e in elements]
        case ElementsExactly(elements):
            return ["r.elements = ?"], [elements_text(elements)]
        case Overlap(low, high):
            return _bounds("r.value_max_si >= ?", low, "r.value_min_si <= ?", high)
        case Between(name, low, high):
            return _bounds(f"r.{name} >= ?", low, f"r.{name} <= ?", high)
    raise TypeError(f"no SQL for {p!r}")  # pragma: no cover - every predicate type is rendered above


def _bounds(low_sql: str, low: Any, high_sql: str, high: Any) -> tuple[list[str], list[Any]]:
    pairs = [(sql, v) for sql, v in ((low_sql, low), (high_sql, high)) if v is not None]
    return [sql for sql, _ in pairs], [v for _, v in pairs]


def all_checks(predicates: tuple[Predicate, ...] | list[Predicate]) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for p in predicates:
        sql, values = row_check(p)
        where += sql
        params += values
    return where, params


# ------------------------------------------------------------------------------ planning

def fts_expression(predicates: tuple[Predicate, ...]) -> tuple[str | None, list[Predicate]]:
    """The FTS5 query for the predicates FTS can answer exactly, and those it answers. None when
    nothing positive is there to search for (FTS5 cannot start from NOT)."""
    positive: list[str] = []
    negative: list[str] = []
    covered: list[Predicate] = []
    for p in predicates:
        match p:
            case Words(phrases):
                positive += [f'words:"{" ".join(tokens)}"' for tokens in phrases]
                covered.append(p)
            case ElementsAll(elements):
                positive += [f'elements:"{e.lower()}"' for e in elements]
                covered.append(p)
            case ElementsExactly(elements):
                positive += [f'elements:"{e.lower()}"' for e in elements]  # and n_elements, checked on the row
            case ElementsNone(elements):
                negative += [f'elements:"{e.lower()}"' for e in elements]
    if not positive:
        return None, []
    covered += [p for p in predicates if isinstance(p, ElementsNone)]
    expression = " AND ".join(positive) + "".join(f" NOT {n}" for n in negative)
    return expression, covered


# B-tree drivers, most selective first: (index, what makes it usable)
_INDEXES = (("records_doc", "doc_id"), ("records_material_id", "material_id"), ("records_formula", "formula"))


def plan(db: sqlite3.Connection, compiled: CompiledQuery) -> Plan:
    predicates = compiled.predicates
    equals = {p.field: p for p in predicates if isinstance(p, Equals)}
    for index, name in _INDEXES:
        if name in equals:
            return _indexed(index, predicates)
    fts, covered = fts_expression(predicates)
    if "property" in equals:
        indexed = _indexed("records_property_value", predicates)
        if fts is None:
            return indexed
        # Both could drive: count the index's candidates (bounded) against FTS's (bounded).
        index_checks, index_params = all_checks([p for p in predicates if isinstance(p, (Equals, Overlap))
                                                 or (isinstance(p, Between) and p.field == "confidence")])
        probe = Plan(source="records r INDEXED BY records_property_value", where=index_checks, params=index_params)
        by_index = _capped_count(db, probe)
        if by_index < ESTIMATE_CAP:
            return indexed
        by_fts = _capped_count(db, _fts_plan(fts, covered, predicates))
        if by_fts >= by_index:
            return indexed
    if fts is not None:
        return _fts_plan(fts, covered, predicates)
    where, params = all_checks(predicates)
    return Plan(source="records r", where=where, params=params, driver="scan")


def _indexed(index: str, predicates: tuple[Predicate, ...]) -> Plan:
    where, params = all_checks(predicates)
    return Plan(source=f"records r INDEXED BY {index}", where=where, params=params, driver=index)


def _fts_plan(fts: str, covered: list[Predicate], predicates: tuple[Predicate, ...]) -> Plan:
    rest = [p for p in predicates if p not in covered]
    where, params = all_checks(rest)
    return Plan(
        source="records_fts f CROSS JOIN records r ON r.rowid = f.rowid",
        where=["records_fts MATCH ?", *where],
        params=[fts, *params],
        driver="fts",
        checks_only=not rest,
        fts=fts,
    )


def _capped_count(db: sqlite3.Connection, p: Plan) -> int:
    sql = f"SELECT count(*) FROM ({p.sql('1', f' LIMIT {ESTIMATE_CAP}')})"
    return db.execute(sql, p.params).fetchone()[0]


# ------------------------------------------------------------------------------ answering

def total(db: sqlite3.Connection, p: Plan) -> int:
    if p.driver == "fts" and p.checks_only:
        return db.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH ?", (p.fts,)).fetchone()[0]
    return db.execute(p.sql("count(*)"), p.params).fetchone()[0]


def page(db: sqlite3.Connection, p: Plan, compiled: CompiledQuery, hits: int, n_records: int) -> list[int]:
    """Rowids of the requested page, in confidence desc, record_id asc order."""
    wanted = compiled.offset + compiled.limit
    if compiled.limit == 0 or compiled.offset >= hits:
        return []
    order = " ORDER BY r.confidence DESC, r.record_id ASC LIMIT ? OFFSET ?"
    # Walking the rank index visits about wanted * n_records / hits rows; sorting costs ~hits.
    if hits > SORT_MAX and wanted * n_records / hits < hits:
        where, params = all_checks(compiled.predicates)
        walk = Plan(source="records r INDEXED BY records_rank", where=where, params=params)
        sql, params = walk.sql("r.rowid", order), [*params, compiled.limit, compiled.offset]
    else:
        sql, params = p.sql("r.rowid", order), [*p.params, compiled.limit, compiled.offset]
    return [row[0] for row in db.execute(sql, params)]


@dataclass
class Hits:
    """The hits of one search, materialised once in a temp table for the facets and the page."""

    db: sqlite3.Connection
    name: str
    total: int

    @classmethod
    def collect(cls, db: sqlite3.Connection, p: Plan, facets: tuple[str, ...]) -> "Hits":
        name = f"hits_{next(_temp_names)}"
        columns = ["r.rowid AS rid", "r.confidence AS confidence", "r.record_id AS record_id"]
        columns += [f"r.{_FACET_COLUMNS[f]} AS {f}" for f in facets if f in _FACET_COLUMNS]
        db.execute(f"CREATE TEMP TABLE {name} AS {p.sql(', '.join(columns))}", p.params)
        total = db.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0]
        return cls(db, name, total)

    def page(self, limit: int, offset: int) -> list[int]:
        sql = f"SELECT rid FROM temp.{self.name} ORDER BY confidence DESC, record_id ASC LIMIT ? OFFSET ?"
        return [row[0] for row in self.db.execute(sql, (limit, offset))]

    def facet(self, name: str) -> list[FacetCount]:
        if name == "elements":
            sql = (f"SELECT e.element, count(*) AS n FROM temp.{self.name} h"
                   " JOIN record_elements e ON e.record_rowid = h.rid GROUP BY e.element")
        else:
            sql = f"SELECT {name}, count(*) AS n FROM temp.{self.name} WHERE {name} IS NOT NULL GROUP BY {name}"
        rows = self.db.execute(f"{sql} ORDER BY n DESC, 1 ASC LIMIT {FACET_SIZE}").fetchall()
        return [FacetCount(value=str(value), count=count) for value, count in rows]

    def drop(self) -> None:
        self.db.execute(f"DROP TABLE IF EXISTS temp.{self.name}")


def iter_rowids(db: sqlite3.Connection, p: Plan, batch_size: int) -> Iterator[list[int]]:
    """Rowids of every hit in record_id order, in batches (keyset paging: bounded memory)."""
    if p.driver == "scan":  # walk the record_id index itself
        last = ""
        where = [*p.where, "r.record_id > ?"]
        sql = Plan(source="records r INDEXED BY sqlite_autoindex_records_1", where=where).sql(
            "r.record_id, r.rowid", " ORDER BY r.record_id LIMIT ?")
        while rows := db.execute(sql, [*p.params, last, batch_size]).fetchall():
            yield [rid for _, rid in rows]
            last = rows[-1][0]
        return
    # Any other driver: its hits once, into a temp table ordered by record_id.
    name = f"iter_{next(_temp_names)}"
    db.execute(f"CREATE TEMP TABLE {name} (record_id TEXT PRIMARY KEY, rid INTEGER) WITHOUT ROWID")
    try:
        db.execute(f"INSERT INTO temp.{name} {p.sql('r.record_id, r.rowid')}", p.params)
        last = ""
        while rows := db.execute(f"SELECT record_id, rid FROM temp.{name} WHERE record_id > ? ORDER BY record_id LIMIT ?",
                                 (last, batch_size)).fetchall():
            yield [rid for _, rid in rows]
            last = rows[-1][0]
    finally:
        db.execute(f"DROP TABLE IF EXISTS temp.{name}")


def bodies(db: sqlite3.Connection, rowids: list[int]) -> list[str]:
    """The record bodies (JSON) of `rowids`, in that order."""
    if not rowids:
        return []
    found = dict(db.execute(f"SELECT rowid, body FROM record_bodies WHERE rowid IN ({','.join('?' * len(rowids))})", rowids))
    return [found[r] for r in rowids]
