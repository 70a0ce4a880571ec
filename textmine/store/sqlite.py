"""Embedded store: one SQLite file (WAL), no server. The reference semantics for every `Query`.

Tables (`sqlite_schema.py`): documents, sentences (+ FTS5), mentions, records (a narrow row per
record: what queries filter, sort and count on) with record_bodies (the whole Record), records_fts
(words and element tokens), failures. How a query is answered: `sqlite_search.py`.
`put` replaces everything stored for a document inside one transaction, so a crash never leaves a
half-written document and a re-run never duplicates.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from typing import Iterable, Iterator

from textmine.document import Document
from textmine.records import Failure, Mention, Record
from textmine.store.structures_sqlite import ensure_schema as ensure_structure_schema
from textmine.store.structures_sqlite import structure_counts
from textmine.store.predictions_sqlite import ensure_schema as ensure_prediction_schema
from textmine.store import members_sqlite
from textmine.identity import Member
from textmine.store.base import (
    CONTENT_FIELDS,
    Query,
    SearchResult,
    SentenceHit,
    StoreStats,
    id_batches,
    stored_item,
)
from textmine.store.query import compile_query, text_phrases
from textmine.store.sqlite_schema import SCHEMA_VERSION, connect, elements_text, words_text
from textmine.store import sqlite_mirror
from textmine.store.sqlite_search import (HITS_INDEX_COLUMNS, Hits, bodies, facet_counts, iter_rowids, page, plan,
                                          total, walk, walk_budget)

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
        self._mirror_path: str | None = str(self.path.resolve())  # facet columns in memory, shared per file (sqlite_mirror.py)
        sqlite_mirror.MIRRORS.attach(self._mirror_path)
        if not readonly:
            ensure_structure_schema(self._db)  # structures, spectra, links: textmine/store/structures_sqlite.py
            ensure_prediction_schema(self._db)  # predictions, audit verdicts: textmine/store/predictions_sqlite.py
            members_sqlite.ensure_schema(self._db)  # paper identity across formats: textmine/store/members_sqlite.py
            # `document_ids(source)`: what a run asks once per file (v2 files made before it lack it)
            self._db.execute("CREATE INDEX IF NOT EXISTS documents_source ON documents(source)")
            # facets of FTS hits (sqlite_search.facet_counts): files made before it get it once
            self._db.execute(f"CREATE INDEX IF NOT EXISTS records_hits ON records(rowid, {', '.join(HITS_INDEX_COLUMNS)})")
            if "fingerprint" not in self._failure_columns():  # a v2 file made before the column
                self._db.execute("ALTER TABLE failures ADD COLUMN fingerprint TEXT")

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
        latest = {document.id: (document, records, mentions) for document, records, mentions in batch}  # a repeat: the last
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for doc_id in self._stored(list(latest)):  # a new document has nothing to replace
                self._delete_document(doc_id)
            self._insert(list(latest.values()))
            sqlite_mirror.bump(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return len(batch)

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            deleted = 0
            for doc_id in doc_ids:
                deleted += db.execute("SELECT count(*) FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
                self._delete_document(doc_id)
            sqlite_mirror.bump(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return deleted

    def _stored(self, doc_ids: list[str]) -> list[str]:
        found: list[str] = []
        for batch in id_batches(doc_ids):
            found += [row[0] for row in self._db.execute(f"SELECT id FROM documents WHERE id IN ({','.join('?' * len(batch))})", batch)]
        return found

    def _delete_document(self, doc_id: str) -> None:
        db = self._db
        db.execute("DELETE FROM records WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def _insert(self, items: list[tuple[Document, list[Record], list[Mention]]]) -> None:
        """Every row of a batch of documents, one statement per table and chunk of rows."""
        db = self._db
        db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (_document_row(d) for d, _, _ in items))
        insert_rows(db, "sentences(doc_id, char_start, char_end, section, text)", [
            (d.id, s.start, s.end, section.title or section.kind, d.text[s.start : s.end])
            for d, _, _ in items for section, s in d.sentences()
        ])
        db.executemany(
            "INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?)",
            ((m.doc_id, m.label, m.text, m.char_start, m.char_end, m.confidence, m.extractor, m.normalised)
             for _, _, mentions in items for m in mentions),
        )
        unique: list[tuple[Document, Record]] = []
        for document, records, _ in items:
            seen: set[str] = set()  # of two records with one id in a document, the first is kept
            unique += [(document, r) for r in records if not (r.record_id in seen or seen.add(r.record_id))]
        # Rowids given here (the write lock is held): the bodies are inserted under the same ones.
        first = db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM records").fetchone()[0]
        insert_rows(db, _RECORD_COLUMNS, [(first + i, *_record_row(d, r)) for i, (d, r) in enumerate(unique)])
        db.executemany("INSERT INTO record_bodies VALUES (?, ?)", ((first + i, r.model_dump_json()) for i, (_, r) in enumerate(unique)))

    def add_failure(self, failure: Failure) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO failures(source, stage, reason, doc_id, fingerprint) VALUES (?,?,?,?,?)",
            (failure.source, failure.stage, failure.reason, failure.doc_id, failure.fingerprint),
        )

    def _failure_columns(self) -> list[str]:
        return [row[1] for row in self._db.execute("PRAGMA table_info(failures)")]

    def clear_failure(self, source: str) -> None:
        # A bulk file's documents fail as "path#N": forgetting the file forgets them too.
        self._db.execute("DELETE FROM failures WHERE source = ? OR substr(source, 1, ?) = ?", (source, len(source) + 1, source + "#"))

    # ------------------------------------------------------------------ reads
    def known(self, doc_id: str, content_hash: str, extractor: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM documents WHERE id = ? AND content_hash = ? AND extractor IS ?", (doc_id, content_hash, extractor)
        ).fetchone()
        return row is not None

    def document_ids(self, source: str) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT id FROM documents WHERE source = ? ORDER BY id", (source,))]

    # ---------------------------------------------------- paper identity (members_sqlite.py)
    def put_members(self, members: Iterable[Member]) -> None:
        members_sqlite.put_members(self._db, members)

    def find_members(self, *, keys: Iterable[str] = (), canonicals: Iterable[str] = (), source: str | None = None) -> list[Member]:
        return members_sqlite.find_members(self._db, keys=keys, canonicals=canonicals, source=source)

    def delete_members(self, members: Iterable[tuple[str, str]]) -> None:
        members_sqlite.delete_members(self._db, members)

    def stale(self, provenance_key: str) -> int:
        """Documents a plain `run` with this pipeline would re-extract (processed by another version)."""
        return self._db.execute("SELECT count(*) FROM documents WHERE extractor IS NOT ?", (provenance_key,)).fetchone()[0]

    def get_document(self, doc_id: str) -> Document | None:
        row = self._db.execute("SELECT body FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _unpack_document(row[0]) if row else None

    def get_documents(self, doc_ids: Iterable[str], *, content: bool = True) -> dict[str, Document]:
        found: dict[str, Document] = {}
        asked: list[str] = []
        for batch in id_batches(doc_ids):
            asked += batch
            rows = self._db.execute(f"SELECT id, body FROM documents WHERE id IN ({','.join('?' * len(batch))})", batch)
            found.update((doc_id, _unpack_document(body, content)) for doc_id, body in rows)
        return {doc_id: found[doc_id] for doc_id in asked if doc_id in found}

    def iter_documents(self) -> Iterator[Document]:
        last = ""
        while True:
            rows = self._db.execute("SELECT id, body FROM documents WHERE id > ? ORDER BY id LIMIT 200", (last,)).fetchall()
            if not rows:
                return
            for doc_id, body in rows:
                yield _unpack_document(body)
            last = rows[-1][0]

    def search(self, query: Query) -> SearchResult:
        compiled = compile_query(query)
        db = self._db
        p = plan(db, compiled)
        if compiled.facets:  # the total and the facets from one pass over the hits; the page apart
            key = sqlite_mirror.file_key(db) if sqlite_mirror.enabled() and self._mirror_path else None
            mirror = sqlite_mirror.MIRRORS.current(self._mirror_path, key, self._reader) if key else None
            n, facets, hit_rowids = facet_counts(db, p, compiled.facets, mirror)
            if mirror is not None and sqlite_mirror.file_key(db) != key:  # written meanwhile: counted again by SQL
                n, facets, hit_rowids = facet_counts(db, p, compiled.facets)
            rowids = page(db, p, compiled, n, self._n_records(), hit_rowids)
        elif not p.covered:
            # Rows the driver cannot check by itself are read once, into a temp table that gives
            # the total and the page; an index-only or FTS-only driver counts without reading.
            hits = Hits.collect(db, p)
            try:
                n = hits.total
                budget = walk_budget(compiled, n, self._n_records())
                walked = walk(db, compiled, budget) if budget is not None and compiled.offset < n else None
                rowids = walked if walked is not None else hits.page(compiled.limit, compiled.offset)
            finally:
                hits.drop()
            facets = {}
        else:
            n = total(db, p)
            rowids = page(db, p, compiled, n, self._n_records())
            facets = {}
        return SearchResult(total=n, records=[Record.model_validate_json(b) for b in bodies(db, rowids)], facets=facets)

    # ------------------------------------------------------------ facet mirror
    def warm_facets(self, wait: bool = False) -> bool:
        """Build the in-memory facet columns of this file (`sqlite_mirror.py`) now, in the
        background, or before returning with `wait`; True when they are ready. Without this they
        are built once two facet queries in a row find the file unchanged."""
        if not sqlite_mirror.enabled() or self._mirror_path is None:
            return False
        key = sqlite_mirror.file_key(self._db)
        return sqlite_mirror.MIRRORS.warm(self._mirror_path, key, self._reader, wait=wait) is not None

    def _reader(self) -> sqlite3.Connection:
        return connect(self.path, readonly=True)  # the mirror's build reads on its own connection

    def _n_records(self) -> int:
        # max(rowid) is O(log n) and close enough (deleted rows leave gaps) for choosing a plan
        return self._db.execute("SELECT coalesce(max(rowid), 0) FROM records").fetchone()[0]

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
        p = plan(self._db, compile_query(query or Query()))
        for rowids in iter_rowids(self._db, p, batch_size):
            for body in bodies(self._db, rowids):
                yield Record.model_validate_json(body)

    def failures(self) -> list[Failure]:
        # a read-only open of a file made before the fingerprint column reads it as NULL
        fingerprint = "fingerprint" if "fingerprint" in self._failure_columns() else "NULL"
        rows = self._db.execute(f"SELECT source, stage, reason, doc_id, {fingerprint} FROM failures ORDER BY source").fetchall()
        return [Failure(source=s, stage=st, reason=r, doc_id=d, fingerprint=f) for s, st, r, d, f in rows]

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
            **structure_counts(self._db),
            by_property=by_property,
            by_kind=by_kind,
        )

    def close(self) -> None:
        if self._mirror_path is not None:
            sqlite_mirror.MIRRORS.detach(self._mirror_path)
            self._mirror_path = None
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


def _unpack_document(blob: bytes, content: bool = True) -> Document:
    if content:
        return Document.model_validate_json(zlib.decompress(blob))
    data = json.loads(zlib.decompress(blob))
    for field in CONTENT_FIELDS:
        data.pop(field, None)
    return Document.model_validate(data)


_RECORD_COLUMNS = ("records(rowid, record_id, doc_id, property, formula, material, material_id, value_si, value_min_si,"
                   " value_max_si, confidence, extractor, year, kind, n_elements, elements, words)")

# Rows per INSERT into a table that FTS5 indexes through a trigger (records, sentences). FTS5 flushes
# the terms it holds at the end of every statement that writes it: one row per statement
# (`executemany`) makes a segment per row, merged again and again (about 6x the CPU of the whole
# insert); many rows in one statement make one. The triggers stay, so every writer keeps FTS exact.
ROWS_PER_INSERT = 500


def insert_rows(db: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    """`INSERT INTO table VALUES (...), (...), ...`: ROWS_PER_INSERT rows per statement."""
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start : start + ROWS_PER_INSERT]
        one = "(" + ",".join("?" * len(chunk[0])) + ")"
        db.execute(f"INSERT INTO {table} VALUES {','.join([one] * len(chunk))}", [v for row in chunk for v in row])


def _document_row(document: Document) -> tuple:
    return (
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
    )


def _record_row(document: Document, record: Record) -> tuple:
    elements = sorted(set(record.material.elements))
    return (
        record.record_id,
        record.doc_id,
        record.property,
        record.material.formula,
        record.material.text,
        record.material_id,
        record.value_si,
        record.value_min_si,
        record.value_max_si,
        record.confidence,
        record.extractor.split("@")[0],
        document.year,
        document.kind,
        len(elements),
        elements_text(elements),
        words_text(record.sentence),
    )
