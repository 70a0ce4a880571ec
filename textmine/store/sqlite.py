"""Embedded store: one SQLite file (WAL), no server. The reference semantics for every `Query`.

Tables: documents, sentences (+ FTS5), mentions, records (+ FTS5 over the source sentence),
record_elements (one row per element, for include/exclude and facets), failures.
`put` replaces everything stored for a document inside one transaction, so a crash never leaves a
half-written document and a re-run never duplicates.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from typing import Any, Iterable, Iterator

from textmine.document import Document
from textmine.records import Failure, Mention, Record
from textmine.store.base import (
    FACET_SIZE,
    FacetCount,
    Query,
    SearchResult,
    SentenceHit,
    StoreStats,
)
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
    compile_query,
    text_phrases,
)
from textmine.store.sqlite_schema import SCHEMA_VERSION, connect

__all__ = ["SQLiteStore", "SCHEMA_VERSION", "fts_match", "fts_query"]


def fts_match(phrases: tuple[tuple[str, ...], ...]) -> str:
    """Phrases (from `text_phrases`) -> an FTS5 query that ANDs them; tokens hold only letters
    and digits, so quoting each phrase is enough to keep FTS syntax out."""
    return " ".join('"' + " ".join(tokens) + '"' for tokens in phrases)


def fts_query(text: str) -> str:
    """User text -> an FTS5 query that ANDs its words (no FTS syntax leaks through)."""
    return fts_match(text_phrases(text))


class SQLiteStore:
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.readonly = readonly
        self._db = connect(self.path, readonly=readonly)

    # ------------------------------------------------------------------ writes
    def put(self, document: Document, records: Iterable[Record], mentions: Iterable[Mention] = ()) -> None:
        self.put_many([(document, list(records), list(mentions))])

    def put_many(self, items: Iterable[tuple[Document, list[Record], list[Mention]]], batch_size: int = 200) -> int:
        written = 0
        batch: list[tuple[Document, list[Record], list[Mention]]] = []
        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                written += self._write(batch)
                batch = []
        if batch:
            written += self._write(batch)
        return written

    def _write(self, batch: list[tuple[Document, list[Record], list[Mention]]]) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for document, records, mentions in batch:
                self._delete_document(document.id)
                self._insert_document(document, records, mentions)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return len(batch)

    def _delete_document(self, doc_id: str) -> None:
        db = self._db
        db.execute("DELETE FROM records WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def _insert_document(self, document: Document, records: list[Record], mentions: list[Mention]) -> None:
        db = self._db
        db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                document.id,
                document.source,
                document.format,
                document.kind,
                document.title,
                document.doi,
                document.arxiv_id,
                document.patent_number,
                document.year,
                document.content_hash,
                document.extractor,
                _pack_document(document),
            ),
        )
        db.executemany(
            "INSERT INTO sentences(doc_id, char_start, char_end, section, text) VALUES (?,?,?,?,?)",
            (
                (document.id, s.start, s.end, section.title or section.kind, document.text[s.start : s.end])
                for section, s in document.sentences()
            ),
        )
        db.executemany(
            "INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?)",
            ((m.doc_id, m.label, m.text, m.char_start, m.char_end, m.confidence, m.extractor, m.normalised) for m in mentions),
        )
        seen: set[str] = set()
        for record in records:
            if record.record_id in seen:
                continue
            seen.add(record.record_id)
            cursor = db.execute(
                "INSERT INTO records(record_id, doc_id, property, formula, material, value_si, value_min_si, value_max_si,"
                " confidence, extractor, year, kind, sentence, body, material_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.record_id,
                    record.doc_id,
                    record.property,
                    record.material.formula,
                    record.material.text,
                    record.value_si,
                    record.value_min_si,
                    record.value_max_si,
                    record.confidence,
                    record.extractor.split("@")[0],
                    document.year,
                    document.kind,
                    record.sentence,
                    record.model_dump_json(),
                    record.material_id,
                ),
            )
            rowid = cursor.lastrowid
            db.executemany(
                "INSERT OR IGNORE INTO record_elements VALUES (?, ?)", ((rowid, e) for e in record.material.elements)
            )

    def add_failure(self, failure: Failure) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO failures VALUES (?,?,?,?)", (failure.source, failure.stage, failure.reason, failure.doc_id)
        )

    def clear_failure(self, source: str) -> None:
        # A bulk file's documents fail as "path#N": forgetting the file forgets them too.
        self._db.execute("DELETE FROM failures WHERE source = ? OR substr(source, 1, ?) = ?", (source, len(source) + 1, source + "#"))

    # ------------------------------------------------------------------ reads
    def known(self, doc_id: str, content_hash: str, extractor: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM documents WHERE id = ? AND content_hash = ? AND extractor IS ?", (doc_id, content_hash, extractor)
        ).fetchone()
        return row is not None

    def get_document(self, doc_id: str) -> Document | None:
        row = self._db.execute("SELECT body FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _unpack_document(row[0]) if row else None

    def iter_documents(self) -> Iterator[Document]:
        last = ""
        while True:
            rows = self._db.execute("SELECT id, body FROM documents WHERE id > ? ORDER BY id LIMIT 200", (last,)).fetchall()
            if not rows:
                return
            for doc_id, body in rows:
                yield _unpack_document(body)
            last = rows[-1][0]

    def _where(self, query: Query) -> tuple[str, list[Any]]:
        return render_where(compile_query(query))

    def search(self, query: Query) -> SearchResult:
        where, params = self._where(query)
        if not query.facets:
            total = self._db.execute(f"SELECT count(*) FROM records r{where}", params).fetchone()[0]
            rows = self._db.execute(
                f"SELECT r.body FROM records r{where} ORDER BY r.confidence DESC, r.record_id ASC LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset],
            ).fetchall()
            return SearchResult(total=total, records=[Record.model_validate_json(r[0]) for r in rows])
        # With facets the filter would run once per facet: evaluate it once into a temp table.
        self._db.execute("DROP TABLE IF EXISTS temp.hits")
        self._db.execute(f"CREATE TEMP TABLE hits AS SELECT r.rowid AS rid FROM records r{where}", params)
        try:
            total = self._db.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
            rows = self._db.execute(
                "SELECT r.body FROM temp.hits h JOIN records r ON r.rowid = h.rid"
                " ORDER BY r.confidence DESC, r.record_id ASC LIMIT ? OFFSET ?",
                (query.limit, query.offset),
            ).fetchall()
            facets = {name: self._facet(name) for name in query.facets}
        finally:
            self._db.execute("DROP TABLE IF EXISTS temp.hits")
        return SearchResult(total=total, records=[Record.model_validate_json(r[0]) for r in rows], facets=facets)

    def _facet(self, name: str) -> list[FacetCount]:
        """Counts over the hits of the current search (temp.hits)."""
        if name == "elements":
            sql = "SELECT e.element, count(*) AS n FROM temp.hits h JOIN record_elements e ON e.record_rowid = h.rid GROUP BY e.element"
        else:
            column = {"property": "r.property", "formula": "r.formula", "year": "r.year", "kind": "r.kind", "extractor": "r.extractor"}[name]
            sql = (f"SELECT {column}, count(*) AS n FROM temp.hits h JOIN records r ON r.rowid = h.rid"
                   f" WHERE {column} IS NOT NULL GROUP BY {column}")
        rows = self._db.execute(f"{sql} ORDER BY n DESC, 1 ASC LIMIT {FACET_SIZE}").fetchall()
        return [FacetCount(value=str(value), count=count) for value, count in rows]

    def search_sentences(self, text: str, limit: int = 20) -> list[SentenceHit]:
        fts = fts_query(text)
        if not fts:
            return []
        rows = self._db.execute(
            "SELECT s.doc_id, s.char_start, s.char_end, s.text, s.section FROM sentences_fts f"
            " JOIN sentences s ON s.id = f.rowid WHERE sentences_fts MATCH ? ORDER BY f.rank, s.doc_id, s.char_start LIMIT ?",
            (fts, limit),
        ).fetchall()
        return [SentenceHit(doc_id=d, char_start=a, char_end=b, text=t, section=sec) for d, a, b, t, sec in rows]

    def iter_records(self, query: Query | None = None, batch_size: int = 1000) -> Iterator[Record]:
        where, params = self._where(query or Query())
        joiner = " AND " if where else " WHERE "
        last = ""
        while True:
            rows = self._db.execute(
                f"SELECT r.record_id, r.body FROM records r{where}{joiner}r.record_id > ? ORDER BY r.record_id LIMIT ?",
                [*params, last, batch_size],
            ).fetchall()
            if not rows:
                return
            for _, body in rows:
                yield Record.model_validate_json(body)
            last = rows[-1][0]

    def failures(self) -> list[Failure]:
        rows = self._db.execute("SELECT source, stage, reason, doc_id FROM failures ORDER BY source").fetchall()
        return [Failure(source=s, stage=st, reason=r, doc_id=d) for s, st, r, d in rows]

    def stats(self) -> StoreStats:
        def count(table: str) -> int:
            return self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

        by_property = dict(self._db.execute("SELECT property, count(*) FROM records GROUP BY property ORDER BY 2 DESC, 1").fetchall())
        by_kind = dict(self._db.execute("SELECT kind, count(*) FROM documents GROUP BY kind ORDER BY 1").fetchall())
        return StoreStats(
            documents=count("documents"),
            sentences=count("sentences"),
            mentions=count("mentions"),
            records=count("records"),
            failures=count("failures"),
            by_property=by_property,
            by_kind=by_kind,
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pack_document(document: Document) -> bytes:
    """Documents are kept whole (without tokens, which `segment` recomputes) and compressed."""
    data = document.model_dump(mode="json")
    for section in data["sections"]:
        for paragraph in section["paragraphs"]:
            for sentence in paragraph["sentences"]:
                sentence["tokens"] = []
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 6)


def _unpack_document(blob: bytes) -> Document:
    return Document.model_validate_json(zlib.decompress(blob))


# ------------------------------------------------------------------ predicates -> SQL

def render_where(compiled: CompiledQuery) -> tuple[str, list[Any]]:
    """The compiled query's predicates as one SQL WHERE clause over `records r`."""
    clauses: list[str] = []
    params: list[Any] = []
    for predicate in compiled.predicates:
        sql, values = _render(predicate)
        clauses.append(sql)
        params.extend(values)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _marks(values: tuple[Any, ...]) -> str:
    return ",".join("?" * len(values))


def _render(p: Predicate) -> tuple[str, list[Any]]:
    match p:
        case Words(phrases):
            return "r.rowid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)", [fts_match(phrases)]
        case Equals(field, value):
            return f"r.{field} = ?", [value]
        case MaterialIs(lowered):
            return "lower(r.material) = ?", [lowered]
        case ElementsAll(elements):
            return " AND ".join(
                ["EXISTS (SELECT 1 FROM record_elements e WHERE e.record_rowid = r.rowid AND e.element = ?)"] * len(elements)
            ), list(elements)
        case ElementsNone(elements):
            return (f"NOT EXISTS (SELECT 1 FROM record_elements e WHERE e.record_rowid = r.rowid"
                    f" AND e.element IN ({_marks(elements)}))"), list(elements)
        case ElementsExactly(elements):
            sql, params = _render(ElementsAll(elements))
            return (f"{sql} AND NOT EXISTS (SELECT 1 FROM record_elements e WHERE e.record_rowid = r.rowid"
                    f" AND e.element NOT IN ({_marks(elements)}))"), [*params, *elements]
        case Overlap(low, high):
            parts = [(sql, v) for sql, v in (("r.value_max_si >= ?", low), ("r.value_min_si <= ?", high)) if v is not None]
            return " AND ".join(sql for sql, _ in parts), [v for _, v in parts]
        case Between(field, low, high):
            parts = [(sql, v) for sql, v in ((f"r.{field} >= ?", low), (f"r.{field} <= ?", high)) if v is not None]
            return " AND ".join(sql for sql, _ in parts), [v for _, v in parts]
    raise TypeError(f"no SQL for {p!r}")  # pragma: no cover - every predicate type is rendered above
