"""The embedded store's file: opening it (read-only or for writing), its schema, and upgrades.

A textmine database is recognised by `PRAGMA application_id` (set since schema v2) or, for a v1
file, by its `meta` table. Opening:

- read-only (`search`, `export`, `stats`): a `mode=ro` URI; nothing is created, no pragma that
  writes is issued, the journal mode is left as it is. A file that is not textmine's, or one of an
  older schema, is refused with one line saying what to do.
- for writing (`run`): a new or empty file gets the schema; an older textmine file is upgraded in
  place (each step in one transaction: a crash leaves the old version, and the next open redoes
  it); a file that is not textmine's is refused, untouched.

The job table of distributed jobs (`textmine run --cluster`, `JOB_TABLES`) is part of the schema:
a new file gets it, and a writable open adds it to a file made before it existed (it is additive,
`IF NOT EXISTS`, and read by nothing else, so it needs no version of its own; `textmine migrate`
adds it too).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from textmine.store.base import StoreUnavailable

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
APPLICATION_ID = 0x74786D6E  # 'txmn'

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
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
CREATE INDEX documents_year ON documents(year);
CREATE INDEX documents_source ON documents(source);
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    section TEXT,
    text TEXT NOT NULL
);
CREATE INDEX sentences_doc ON sentences(doc_id);
CREATE VIRTUAL TABLE sentences_fts USING fts5(text, content='sentences', content_rowid='id');
CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TABLE mentions (
    doc_id TEXT NOT NULL,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    confidence REAL NOT NULL,
    extractor TEXT NOT NULL,
    normalised TEXT
);
CREATE INDEX mentions_doc ON mentions(doc_id);
-- One row per record with what queries filter, sort and count on; the full Record is in
-- record_bodies. `elements` and `words` are what the FTS index holds (as tokens) and what row checks
-- read with instr(): ' Fe O ' (distinct symbols, sorted, space-padded) and ' the band gap of ... '
-- (the source sentence as FTS5 unicode61 tokens, space-padded), so a word or element predicate
-- means the same whether FTS finds the rows or a row check tests them.
CREATE TABLE records (
    rowid INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    property TEXT NOT NULL,
    formula TEXT,
    material TEXT NOT NULL,
    material_id TEXT,
    value_si REAL,
    value_min_si REAL,
    value_max_si REAL,
    confidence REAL NOT NULL,
    extractor TEXT NOT NULL,
    year INTEGER,
    kind TEXT,
    n_elements INTEGER NOT NULL,
    elements TEXT NOT NULL,
    words TEXT NOT NULL
);
CREATE INDEX records_doc ON records(doc_id);
-- covering: counts and sorted pages of property + value range (+ confidence), formula (+ years)
CREATE INDEX records_property_value ON records(property, value_min_si, value_max_si, confidence, record_id);
CREATE INDEX records_formula ON records(formula, year, confidence, record_id);
CREATE INDEX records_material_id ON records(material_id);
CREATE INDEX records_rank ON records(confidence DESC, record_id);
-- narrow, in rowid order: the facet columns of FTS hits without reading the wide rows
CREATE INDEX records_hits ON records(rowid, year, kind, property, extractor, elements, formula);
CREATE TABLE record_bodies (rowid INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE VIRTUAL TABLE records_fts USING fts5(words, elements, content='records', content_rowid='rowid');
CREATE TRIGGER records_ai AFTER INSERT ON records BEGIN
    INSERT INTO records_fts(rowid, words, elements) VALUES (new.rowid, new.words, new.elements);
END;
CREATE TRIGGER records_ad AFTER DELETE ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, words, elements) VALUES ('delete', old.rowid, old.words, old.elements);
    DELETE FROM record_bodies WHERE rowid = old.rowid;
END;
CREATE TABLE failures (
    source TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    doc_id TEXT,
    fingerprint TEXT
);
"""

# The widest value range (value_max_si - value_min_si) stored per property, never lowered: a range
# query then scans only value_min_si >= low - width of records_property_value instead of every
# value below its high end (exact: a record starting lower ends below `low`). Kept by a trigger, so
# any writer of the file keeps it (the WHEN makes it one lookup per row; it writes only to widen).
# Additive like the job tables: a writable open adds and fills it for a file made before it.
VALUE_WIDTHS = """
CREATE TABLE IF NOT EXISTS value_widths (property TEXT PRIMARY KEY, width REAL NOT NULL);
CREATE TRIGGER IF NOT EXISTS records_width AFTER INSERT ON records
WHEN new.value_max_si - new.value_min_si > coalesce((SELECT width FROM value_widths WHERE property = new.property), -1e308)
BEGIN
    INSERT INTO value_widths VALUES (new.property, new.value_max_si - new.value_min_si)
    ON CONFLICT(property) DO UPDATE SET width = excluded.width;
END;
"""

# Distributed jobs (textmine/store/jobs_sqlite.py): each row keeps its pydantic model as JSON in
# `body`, with the columns it is looked up by kept apart.
JOB_TABLES = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS job_shards (
    job_id TEXT NOT NULL,
    shard INTEGER NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, shard)
);
CREATE TABLE IF NOT EXISTS job_quarantine (
    job_id TEXT NOT NULL,
    shard INTEGER NOT NULL,
    doc TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, shard, doc)
);
"""


def elements_text(elements: list[str] | tuple[str, ...]) -> str:
    """The `records.elements` column: ' Fe O '."""
    return " " + " ".join(sorted(set(elements))) + " " if elements else " "


def words_text(sentence: str) -> str:
    """The `records.words` column: ' the band gap of tio2 ... '."""
    from textmine.store.query import fts_tokens

    return " " + " ".join(fts_tokens(sentence)) + " "


def _material_id(formula: str | None, text: str) -> str:
    from textmine.normalise.material_id import material_id

    return material_id(formula, text)


def _elements_json(elements: str | None) -> str:
    return elements_text(json.loads(elements) if elements else [])


_V1_RECORDS = (
    "rowid, record_id, doc_id, property, formula, material,"
    " coalesce(json_extract(body, '$.material_id'), textmine_material_id(formula, material)),"
    " value_si, value_min_si, value_max_si, confidence, extractor, year, kind,"
    " textmine_n_elements(json_extract(body, '$.material.elements')),"
    " textmine_elements(json_extract(body, '$.material.elements')),"
    " textmine_words(sentence)"
)


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """v2: records split into a narrow searchable row and its body; words and elements as text
    that FTS indexes and row checks read (record_elements goes); material_id."""
    db.create_function("textmine_material_id", 2, _material_id, deterministic=True)
    db.create_function("textmine_elements", 1, _elements_json, deterministic=True)
    db.create_function("textmine_words", 1, words_text, deterministic=True)
    db.create_function("textmine_n_elements", 1, lambda e: len(set(json.loads(e))) if e else 0, deterministic=True)
    for statement in ("DROP TRIGGER records_ai", "DROP TRIGGER records_ad", "DROP TABLE records_fts",
                      "DROP TABLE record_elements", "ALTER TABLE records RENAME TO records_v1",
                      "DROP INDEX records_doc", "DROP INDEX records_property_value", "DROP INDEX records_formula"):
        db.execute(statement)
    schema = _statements(SCHEMA[SCHEMA.index("-- One row per record"):SCHEMA.index("CREATE TABLE failures (")])
    indexes = [s for s in schema if s.startswith("CREATE INDEX")]  # built once the rows are in: faster
    for statement in schema:
        if statement not in indexes:
            db.execute(statement)
    db.execute(f"INSERT INTO records SELECT {_V1_RECORDS} FROM records_v1 ORDER BY rowid")
    db.execute("INSERT INTO record_bodies SELECT rowid, body FROM records_v1 ORDER BY rowid")
    db.execute("DROP TABLE records_v1")
    for statement in indexes:
        db.execute(statement)


# version N -> N + 1, each run in one transaction
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """Open `path` as a textmine database of the current schema (see the module docstring)."""
    if readonly:
        if not path.is_file():
            raise StoreUnavailable(f"no database at {path}: run `textmine run PATH...` first, or pass --db")
        db = _sqlite_connect(f"file:{quote(str(path.resolve()))}?mode=ro", path, uri=True)
        version = _textmine_version(db, path)
        if version is None:
            db.close()
            raise StoreUnavailable(f"{path} is not a textmine database: pass --db with a file `textmine run` made")
        if version < SCHEMA_VERSION:
            db.close()
            raise StoreUnavailable(
                f"{path} has textmine schema v{version}, this textmine reads v{SCHEMA_VERSION}: "
                f"run `textmine --db {path} migrate` once to upgrade it in place"
            )
        _check_not_newer(db, path, version)
        _tune(db, readonly=True)
        return db
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _sqlite_connect(str(path), path, uri=False)
    version = _textmine_version(db, path)
    if version is None:
        if _has_tables(db, path):
            db.close()
            raise StoreUnavailable(
                f"{path} is not a textmine database (it has tables textmine did not make): "
                "pass --db with another file; textmine leaves this one untouched"
            )
        _create(db)
        version = SCHEMA_VERSION
    _check_not_newer(db, path, version)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=OFF")  # v2 has none; v1's cascade would make its upgrade quadratic
    if version < SCHEMA_VERSION:
        upgrade(db, path, version)
    ensure_job_tables(db)
    ensure_value_widths(db)
    _tune(db, readonly=False)
    return db


def _sqlite_connect(target: str, path: Path, *, uri: bool) -> sqlite3.Connection:
    try:
        return sqlite3.connect(target, uri=uri, timeout=30, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"cannot open {path} as a textmine database: {exc}") from exc


MMAP_BYTES = 1 << 30  # readers read through the OS page cache, no copy per page
CACHE_KIB = 64 * 1024


def _tune(db: sqlite3.Connection, *, readonly: bool) -> None:
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    if readonly:  # a writer's resident memory stays bounded by its cache (mmap'd pages count as RSS)
        db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


def _has_tables(db: sqlite3.Connection, path: Path) -> bool:
    try:
        return db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] > 0
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StoreUnavailable(f"cannot open {path} as a textmine database: {exc}") from exc


def _textmine_version(db: sqlite3.Connection, path: Path) -> int | None:
    """The textmine schema version of the open file, or None if it is not a textmine database."""
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        has_meta = db.execute("SELECT 1 FROM sqlite_schema WHERE type='table' AND name='meta'").fetchone()
        if not has_meta:
            return None
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StoreUnavailable(f"cannot open {path} as a textmine database: {exc}") from exc
    if row is None or not str(row[0]).isdigit():
        return None
    version = int(row[0])
    if app_id != APPLICATION_ID and not (version == 1 and app_id == 0):
        return None  # only v1 files predate the application id
    return version


def _check_not_newer(db: sqlite3.Connection, path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        db.close()
        raise StoreUnavailable(
            f"{path} has textmine schema v{version}, written by a newer textmine (this one knows v{SCHEMA_VERSION}): "
            "upgrade textmine"
        )


def _create(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        if _textmine_version(db, Path("?")) is None:  # another process may have created it meanwhile
            for statement in _statements(SCHEMA + JOB_TABLES + VALUE_WIDTHS):
                db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def has_job_tables(db: sqlite3.Connection) -> bool:
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type='table' AND name LIKE 'job%'")}
    return {"jobs", "job_shards", "job_quarantine"} <= names


def ensure_job_tables(db: sqlite3.Connection) -> None:
    """Add the job tables to a file made before they existed (a writable open; nothing when present)."""
    if not has_job_tables(db):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(JOB_TABLES):
                db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def has_value_widths(db: sqlite3.Connection) -> bool:
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE name IN ('value_widths', 'records_width')")}
    return names == {"value_widths", "records_width"}


def ensure_value_widths(db: sqlite3.Connection) -> None:
    """Add and fill `value_widths` in a file made before it (one pass over the property index)."""
    if has_value_widths(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if not has_value_widths(db):
            for statement in _statements(VALUE_WIDTHS):
                db.execute(statement)
            db.execute("INSERT OR REPLACE INTO value_widths SELECT property, max(value_max_si - value_min_si) FROM records"
                       " WHERE value_max_si IS NOT NULL AND value_min_si IS NOT NULL GROUP BY property")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def upgrade(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Upgrade an older textmine file in place, one version at a time."""
    while version < SCHEMA_VERSION:
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        try:
            current = int(db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
            if current == version:  # else another process upgraded it while we waited for the lock
                log.warning("upgrading %s from textmine schema v%d to v%d ...", path, version, version + 1)
                MIGRATIONS[version](db)
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version + 1),))
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        log.warning("upgraded %s to textmine schema v%d in %.1fs", path, version + 1, time.perf_counter() - started)
        version += 1


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (triggers hold `;` inside BEGIN ... END)."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        if line.startswith("--"):
            continue
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements
