"""How the embedded store answers a compiled query: a small planner over SQLite.

Every predicate has two renderings: a *row check* on the narrow `records` row (always exact:
`instr(r.words, ' band gap ')`, `instr(r.elements, ' Fe ')`, `r.value_max_si >= ?` ...), and,
where an access path exists, a way to *find* the rows: the FTS index (words and element tokens,
intersected inside FTS5), or a B-tree index (doc_id, material_id, formula + year, property + value
range + confidence). The planner picks one driver, checks the remaining predicates on each row it
yields, and never fetches hits into Python row by row:

- total: one `count(*)` over the driver;
- the page (confidence desc, record_id asc): sorted from the hits when they are few, or, when they
  are many, by walking the `records_rank` index in that order until the page is full (about
  (offset + limit) * records / hits rows);
- facets: one pass over the hits gives the total, every facet (`count` + `group_concat` of its
  column, counted in Python) and the hits' rowids (sorted for the page when walking is not worth
  it); an FTS-only query reads the facet columns from `records_hits`, a narrow index in rowid
  order, not from the wide rows; once the store holds the facet columns in memory
  (`sqlite_mirror.py`), the pass reads only the hits' rowids and the facets are counted over arrays;
- checks the driver cannot make, without facets: the hits go once into a temp table that gives the
  total and the page.

`tests/store/test_parity.py` holds the answers equal to Elasticsearch's; `bench/bench_store.py`
measures the latency.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from textmine.store.base import FACET_SIZE, FacetCount
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
    Predicate,
    Words,
)
from textmine.store.sqlite_mirror import FacetMirror, hit_rowids
from textmine.store.sqlite_schema import elements_text

# With a property (+ range) to drive by index, FTS drives instead only when it finds fewer rows.
FTS_PREFERRED = 5_000
# Fewer hits than this are sorted; with more, the confidence-ordered index is walked when that
# visits fewer rows (a walk is ~WALK_COST times dearer per row: it reads the row, not an index).
SORT_MAX = 1_000
WALK_COST = 3
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
    covered: bool = False  # the driver answers every check without reading the row (index-only)

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
        case LinkedStructure(has, number, system):
            inner = ["l.kind = 'record'", "l.subject_id = r.record_id", "l.rank = 1"]
            params: list[Any] = []
            if number is not None:
                inner.append("l.space_group_number = ?")
                params.append(number)
            if system is not None:
                inner.append("l.crystal_system = ?")
                params.append(system)
            exists = f"EXISTS (SELECT 1 FROM links l WHERE {' AND '.join(inner)})"
            return [exists if has else "NOT " + exists], params
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
        if fts is None:
            return _by_property(db, equals["property"].value, predicates)
        # Both could drive: FTS when its words are rare (a bounded count says so), else the index.
        fts_only = Plan(source="records_fts", where=["records_fts MATCH ?"], params=[fts])
        if _capped_count(db, fts_only, FTS_PREFERRED) >= FTS_PREFERRED:
            return _by_property(db, equals["property"].value, predicates)
    if fts is not None:
        return _fts_plan(fts, covered, predicates)
    where, params = all_checks(predicates)
    return Plan(source="records r", where=where, params=params, driver="scan")


# What each index holds beyond rowid: a query whose checks read only these never reads the row.
_INDEX_COLUMNS = {
    "records_doc": {"doc_id"},
    "records_material_id": {"material_id"},
    "records_formula": {"formula", "year", "confidence"},
    "records_property_value": {"property", "value_min_si", "value_max_si", "confidence"},
}


def _reads(p: Predicate) -> set[str]:
    match p:
        case Equals(name, _) | Between(name, _, _):
            return {name}
        case Overlap():
            return {"value_min_si", "value_max_si"}
    return {"row"}


def _indexed(index: str, predicates: tuple[Predicate, ...], bound: tuple[str, Any] | None = None) -> Plan:
    # Checks the index answers first: SQLite defers reading the row until a check needs it.
    in_index = [p for p in predicates if _reads(p) <= _INDEX_COLUMNS[index]]
    where, params = all_checks(in_index + [p for p in predicates if p not in in_index])
    if bound is not None:  # implied by the checks: narrows the index range, changes no answer
        where, params = [bound[0], *where], [bound[1], *params]
    covered = len(in_index) == len(predicates)
    return Plan(source=f"records r INDEXED BY {index}", where=where, params=params, driver=index, covered=covered)


def _by_property(db: sqlite3.Connection, prop: str, predicates: tuple[Predicate, ...]) -> Plan:
    """The property + value index. A value range `value_max >= low` alone bounds the index only from
    above (`value_min <= high`); with the widest range stored for the property (`value_widths`),
    `value_min >= low - width` bounds it from below too, and the scan covers the range, not every
    value under its top."""
    low = next((p.low for p in predicates if isinstance(p, Overlap) and p.low is not None), None)
    width = _width(db, prop) if low is not None else None
    if width is None:
        return _indexed("records_property_value", predicates)
    floor = low - width - 1e-9 * (abs(low) + abs(width))  # a margin far above float rounding of the width
    return _indexed("records_property_value", predicates, bound=("r.value_min_si >= ?", floor))


def _width(db: sqlite3.Connection, prop: str) -> float | None:
    try:
        row = db.execute("SELECT width FROM value_widths WHERE property = ?", (prop,)).fetchone()
    except sqlite3.OperationalError:  # a file opened read-only that predates the table: no bound
        return None
    return None if row is None or row[0] is None else float(row[0])


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
        covered=not rest,
    )


def _capped_count(db: sqlite3.Connection, p: Plan, cap: int) -> int:
    sql = f"SELECT count(*) FROM ({p.sql('1', f' LIMIT {cap}')})"
    return db.execute(sql, p.params).fetchone()[0]


# ------------------------------------------------------------------------------ answering

def total(db: sqlite3.Connection, p: Plan) -> int:
    if p.driver == "fts" and p.checks_only:
        return db.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH ?", (p.fts,)).fetchone()[0]
    return db.execute(p.sql("count(*)"), p.params).fetchone()[0]


def walk_budget(compiled: CompiledQuery, hits: int, n_records: int) -> int | None:
    """Rows of the rank index to walk for the page, or None to sort the hits instead. Walking
    visits about (offset + limit) * n_records / hits rows when hits are spread evenly over the
    confidence order; sorting costs about `hits` (cheap ones: from a temp table or an index)."""
    wanted = compiled.offset + compiled.limit
    if hits <= SORT_MAX or WALK_COST * wanted * n_records / hits >= hits:
        return None
    return max(2_000, 4 * wanted * n_records // hits)


def walk(db: sqlite3.Connection, compiled: CompiledQuery, budget: int) -> list[int] | None:
    """The page by walking at most `budget` rows in rank order; None when they hold too few hits
    (hits gathered at low confidence): the caller sorts instead. Exact whenever it answers: a hit
    past the budget ranks below every row walked."""
    where, params = all_checks(compiled.predicates)
    ok = " AND ".join(where) or "1"
    sql = (f"SELECT rid FROM (SELECT r.rowid AS rid, ({ok}) AS ok FROM records r INDEXED BY records_rank"
           " ORDER BY r.confidence DESC, r.record_id ASC LIMIT ?) WHERE ok LIMIT ? OFFSET ?")
    rowids = [row[0] for row in db.execute(sql, [*params, budget, compiled.limit, compiled.offset])]
    return rowids if len(rowids) == compiled.limit else None


def page(db: sqlite3.Connection, p: Plan, compiled: CompiledQuery, hits: int, n_records: int,
         rowids: str | None = None) -> list[int]:
    """Rowids of the requested page, in confidence desc, record_id asc order. `rowids` (the hits'
    rowids, comma-separated, when a pass over them gathered them) are sorted instead of asking the
    driver again."""
    if compiled.limit == 0 or compiled.offset >= hits:
        return []
    budget = walk_budget(compiled, hits, n_records)
    if budget is not None and (walked := walk(db, compiled, budget)) is not None:
        return walked
    tail = " ORDER BY r.confidence DESC, r.record_id ASC LIMIT ? OFFSET ?"
    if rowids is not None:
        sql = f"SELECT r.rowid FROM records r WHERE r.rowid IN (SELECT value FROM json_each(?)){tail}"
        return [row[0] for row in db.execute(sql, (f"[{rowids}]", compiled.limit, compiled.offset))]
    return [row[0] for row in db.execute(p.sql("r.rowid", tail), [*p.params, compiled.limit, compiled.offset])]


@dataclass
class Hits:
    """The hits of a search whose checks the driver cannot make by itself, read once into a temp
    table that gives the total and the page (sorted there when they are few)."""

    db: sqlite3.Connection
    name: str
    total: int

    @classmethod
    def collect(cls, db: sqlite3.Connection, p: Plan) -> "Hits":
        name = f"hits_{next(_temp_names)}"
        db.execute(f"CREATE TEMP TABLE {name} AS {p.sql('r.rowid AS rid, r.confidence AS confidence, r.record_id AS record_id')}",
                   p.params)
        total = db.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0]
        return cls(db, name, total)

    def page(self, limit: int, offset: int) -> list[int]:
        sql = f"SELECT rid FROM temp.{self.name} ORDER BY confidence DESC, record_id ASC LIMIT ? OFFSET ?"
        return [row[0] for row in self.db.execute(sql, (limit, offset))]

    def drop(self) -> None:
        self.db.execute(f"DROP TABLE IF EXISTS temp.{self.name}")


# What `records_hits` holds beyond rowid (every facet column): facets of an FTS-only query read it
# (narrow, in rowid order like the FTS hits) instead of the wide record rows.
HITS_INDEX_COLUMNS = ("year", "kind", "property", "extractor", "elements", "formula")
_SEP = "\x1f"  # between the values group_concat joins (a value holding it is counted exactly apart)


def facet_counts(db: sqlite3.Connection, p: Plan, facets: tuple[str, ...],
                 mirror: FacetMirror | None = None) -> tuple[int, dict[str, list[FacetCount]], str]:
    """The total, every facet and the hits' rowids (for `page`) in one pass over the hits: per
    facet, `count(column)` and `group_concat(column)`, counted in Python (C-speed `Counter` over
    the split string); nothing is materialised or sorted in SQL. Elements: every symbol of every hit
    counted at once (a record's symbols are distinct). With a current `mirror` (the facet columns in
    memory, `sqlite_mirror.py`) only the hits' rowids are read (from FTS alone when it answers
    every check) and the facets are counted over the arrays."""
    names = [f for f in facets if f in _FACET_COLUMNS or f == "elements"]
    if mirror is not None and set(names) <= mirror.facets:
        if p.driver == "fts" and p.checks_only:
            joined = db.execute("SELECT group_concat(rowid) FROM records_fts WHERE records_fts MATCH ?", (p.fts,)).fetchone()[0]
        else:
            joined = db.execute(p.sql("group_concat(r.rowid)"), p.params).fetchone()[0]
        rowids = hit_rowids(joined or "")
        if not len(rowids) or rowids.max() < mirror.size:
            return len(rowids), mirror.counts(rowids, names), joined or ""
    source = p
    if p.driver == "fts" and p.covered and has_hits_index(db):
        source = replace(p, source="records_fts f CROSS JOIN records r INDEXED BY records_hits ON r.rowid = f.rowid")
    select = ["count(*)", "group_concat(r.rowid)"]
    for name in names:
        column = f"r.{_FACET_COLUMNS.get(name, name)}"
        select += [f"count({column})", f"group_concat({column}, char(31))"]
    row = db.execute(source.sql(", ".join(select)), source.params).fetchone()
    out: dict[str, list[FacetCount]] = {}
    for i, name in enumerate(names):
        n, joined = row[2 + 2 * i], row[3 + 2 * i]
        if name == "elements":  # ' Fe O ' per hit: every symbol of every hit, split in one call (\x1f is whitespace)
            out[name] = _ranked("element", Counter(joined.split()) if joined else Counter())
            continue
        values = joined.split(_SEP) if joined else []
        counts = Counter(values) if len(values) == n else None  # else a value held the separator
        if name == "year" and counts is not None and not all(_is_int(v) for v in counts):
            counts = None  # ranked as numbers (as SQL orders an INTEGER column): only for integers
        out[name] = _grouped(db, source, name) if counts is None else _ranked(name, counts)
    return row[0], out, row[1] or ""


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def _ranked(name: str, counts: Counter) -> list[FacetCount]:
    key = (lambda vn: (-vn[1], int(vn[0]))) if name == "year" else (lambda vn: (-vn[1], vn[0]))
    return [FacetCount(value=value, count=count) for value, count in sorted(counts.items(), key=key)[:FACET_SIZE]]


def _grouped(db: sqlite3.Connection, p: Plan, name: str) -> list[FacetCount]:
    """One facet by GROUP BY over the hits: exact for any value (the path of the odd ones)."""
    column = f"r.{_FACET_COLUMNS[name]}"
    q = replace(p, where=[*p.where, f"{column} IS NOT NULL"])
    sql = q.sql(f"{column}, count(*) AS n", f" GROUP BY {column} ORDER BY n DESC, 1 ASC LIMIT {FACET_SIZE}")
    return [FacetCount(value=str(value), count=count) for value, count in db.execute(sql, q.params)]


def has_hits_index(db: sqlite3.Connection) -> bool:
    """Files made before `records_hits` and opened read-only lack it (facets then read the rows)."""
    return db.execute("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'records_hits'").fetchone() is not None


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
