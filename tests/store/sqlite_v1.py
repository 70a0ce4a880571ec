"""A textmine v1 SQLite file, as textmine 0.1 wrote it, for the upgrade tests.

Made by writing a corpus with the current store and rewriting its records tables into the v1
layout (records with the sentence and the body inline, record_elements keyed by element, FTS over
the sentence; no material_id, no application id), with record bodies from before `material_id`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textmine.store.sqlite import SQLiteStore
from textmine.store.sqlite_schema import _statements

V1_RECORDS = """
CREATE TABLE records (
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
CREATE INDEX records_doc ON records(doc_id);
CREATE INDEX records_property_value ON records(property, value_min_si, value_max_si);
CREATE INDEX records_formula ON records(formula);
CREATE VIRTUAL TABLE records_fts USING fts5(sentence, content='records', content_rowid='rowid');
CREATE TRIGGER records_ai AFTER INSERT ON records BEGIN
    INSERT INTO records_fts(rowid, sentence) VALUES (new.rowid, new.sentence);
END;
CREATE TRIGGER records_ad AFTER DELETE ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, sentence) VALUES ('delete', old.rowid, old.sentence);
END;
CREATE TABLE record_elements (
    record_rowid INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,
    element TEXT NOT NULL,
    PRIMARY KEY (element, record_rowid)
) WITHOUT ROWID;
CREATE INDEX record_elements_record ON record_elements(record_rowid);
"""


def write_v1(path: Path, corpus, failures=()) -> Path:
    store = SQLiteStore(path)
    store.put_many(corpus)
    for failure in failures:
        store.add_failure(failure)
    store.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for table in ("records", "record_bodies"):
        db.execute(f"ALTER TABLE {table} RENAME TO new_{table}")
    db.execute("DROP TABLE records_fts")
    for name in ("records_doc", "records_property_value", "records_formula", "records_material_id", "records_rank"):
        db.execute(f"DROP INDEX {name}")
    db.execute("DROP TRIGGER records_ai")
    db.execute("DROP TRIGGER records_ad")
    for statement in _statements(V1_RECORDS):
        db.execute(statement)
    db.execute(
        "INSERT INTO records SELECT r.rowid, record_id, doc_id, property, formula, material, value_si, value_min_si,"
        " value_max_si, confidence, extractor, year, kind, json_extract(b.body, '$.sentence'),"
        " json_remove(b.body, '$.material_id', '$.schema_version') FROM new_records r JOIN new_record_bodies b USING (rowid)"
    )
    db.execute("INSERT OR IGNORE INTO record_elements SELECT r.rowid, j.value FROM records r,"
               " json_each(json_extract(r.body, '$.material.elements')) j")
    for table in ("records", "record_bodies"):
        db.execute(f"DROP TABLE new_{table}")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.execute("PRAGMA application_id = 0")
    db.execute("COMMIT")
    db.execute("VACUUM")
    db.close()
    return path
