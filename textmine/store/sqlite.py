"""Embedded store: one SQLite file (WAL), no server. The reference semantics for every `Query`.

Tables: documents, sentences (+ FTS5), mentions, records (+ FTS5 over the source sentence),
record_elements (one row per element, for include/exclude and facets), failures.
`put` replaces everything stored for a document inside one transaction, so a crash never leaves a
half-written document and a re-run never duplicates.
"""

from __future__ import annotations

import json
import re
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
    StoreUnavailable,
    value_bounds_si,
    stored_item,
)

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    doi TEXT,
    arxiv_id TEXT,
    patent_number TEXT,
    year INTEGER,
    content_hash TEXT NOT NULL,
    extractor TEXT,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_year ON documents(year);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    section TEXT,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5(text, content='sentences', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TABLE IF NOT EXISTS mentions (
    doc_id TEXT NOT NULL,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    confidence REAL NOT NULL,
    extractor TEXT NOT NULL,
    normalised TEXT
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE TABLE IF NOT EXISTS records (
    rowid INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    property TEXT NOT NULL,
    formula TEXT,
    material TEXT NOT NULL,
    value_si REAL,
    value_min_si REAL,
    value_max_si REAL,
    confidence REAL NOT NULL,
    extractor TEXT NOT NULL,
    year INTEGER,
    kind TEXT,
    sentence TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_doc ON records(doc_id);
CREATE INDEX IF NOT EXISTS records_property_value ON records(property, value_min_si, value_max_si);
CREATE INDEX IF NOT EXISTS records_formula ON records(formula);
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(sentence, content='records', content_rowid='rowid');
CREATE TRIGGER IF NOT EXISTS records_ai AFTER INSERT ON records BEGIN
    INSERT INTO records_fts(rowid, sentence) VALUES (new.rowid, new.sentence);
END;
CREATE TRIGGER IF NOT EXISTS records_ad AFTER DELETE ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, sentence) VALUES ('delete', old.rowid, old.sentence);
END;
CREATE TABLE IF NOT EXISTS record_elements (
    record_rowid INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,
    element TEXT NOT NULL,
    PRIMARY KEY (element, record_rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_elements_record ON record_elements(record_rowid);
CREATE TABLE IF NOT EXISTS failures (
    source TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    doc_id TEXT
);
"""

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """User text -> an FTS5 query that ANDs its words (no FTS syntax leaks through)."""
    words = _WORD.findall(text.lower())
    return " ".join(f'"{w}"' for w in words)


class SQLiteStore:
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        if readonly and not self.path.exists():
            raise StoreUnavailable(f"no database at {self.path}: run `textmine run PATH...` first, or pass --db")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA temp_store=MEMORY")
            self._db.executescript(SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot open {self.path} as a textmine database: {exc}") from exc
        version = int(self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
        if version != SCHEMA_VERSION:
            raise StoreUnavailable(f"{self.path} has schema v{version}, this textmine needs v{SCHEMA_VERSION}")

    # ------------------------------------------------------------------ writes
    def put(self, document: Document, records: Iterable[Record], mentions: Iterable[Mention] = ()) -> None:
        self.put_many([(document, list(records), list(mentions))])

    def put_many(self, items: Iterable[tuple[Document, list[Record], list[Mention]]], batch_size: int = 200) -> int:
        written = 0
        batch: list[tuple[Document, list[Record], list[Mention]]] = []
        for item in items:
            batch.append(stored_item(item))
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
                document.provenance or document.extractor,  # provenance key: `known` compares it
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
                " confidence, extractor, year, kind, sentence, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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

    def stale(self, provenance_key: str) -> int:
        """Documents a plain `run` with this pipeline would re-extract (processed by another version)."""
        return self._db.execute("SELECT count(*) FROM documents WHERE extractor IS NOT ?", (provenance_key,)).fetchone()[0]

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
        clauses: list[str] = []
        params: list[Any] = []
        if query.text and (fts := fts_query(query.text)):
            clauses.append("r.rowid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)")
            params.append(fts)
        if query.property:
            clauses.append("r.property = ?")
            params.append(query.property)
        if query.formula:
            clauses.append("r.formula = ?")
            params.append(query.formula)
        if query.material:
            clauses.append("lower(r.material) = lower(?)")
            params.append(query.material)
        for element in query.include_elements:
            clauses.append("EXISTS (SELECT 1 FROM record_elements e WHERE e.record_rowid = r.rowid AND e.element = ?)")
            params.append(element)
        if query.exclude_elements:
            marks = ",".join("?" * len(query.exclude_elements))
            clauses.append(
                f"NOT EXISTS (SELECT 1 FROM record_elements e WHERE e.record_rowid = r.rowid AND e.element IN ({marks}))"
            )
            params.extend(query.exclude_elements)
        if query.only_elements and query.include_elements:
            marks = ",".join("?" * len(query.include_elements))
            clauses.append(
                f"NOT EXISTS (SELECT 1 FROM record_elements e WHERE e.record_rowid = r.rowid AND e.element NOT IN ({marks}))"
            )
            params.extend(query.include_elements)
        low, high = value_bounds_si(query)
        # A record matches when its value, or any part of its reported range, lies in [low, high].
        if low is not None:
            clauses.append("r.value_max_si >= ?")
            params.append(low)
        if high is not None:
            clauses.append("r.value_min_si <= ?")
            params.append(high)
        if query.year_min is not None:
            clauses.append("r.year >= ?")
            params.append(query.year_min)
        if query.year_max is not None:
            clauses.append("r.year <= ?")
            params.append(query.year_max)
        if query.kind:
            clauses.append("r.kind = ?")
            params.append(query.kind)
        if query.doc_id:
            clauses.append("r.doc_id = ?")
            params.append(query.doc_id)
        if query.extractor:
            clauses.append("r.extractor = ?")
            params.append(query.extractor.split("@")[0])
        if query.min_confidence is not None:
            clauses.append("r.confidence >= ?")
            params.append(query.min_confidence)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

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
