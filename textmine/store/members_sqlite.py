"""Paper identity in the records store's SQLite file: which reads are copies of which paper.

Two tables (created with the store's own): `members`, one row per read document (doc id and
source) with the id of the document kept for its paper and the `Evidence` it was judged on, and
`member_keys`, the lookup keys (`textmine.identity.lookup_keys`) a new read finds candidates by.
Aliases (members not kept) have no row in `documents`: their records would repeat the kept copy's.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from textmine.identity import Evidence, Member, lookup_keys

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    doc_id TEXT NOT NULL,
    source TEXT NOT NULL,
    canonical TEXT NOT NULL,
    kept INTEGER NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (doc_id, source)
);
CREATE INDEX IF NOT EXISTS members_canonical ON members(canonical);
CREATE INDEX IF NOT EXISTS members_source ON members(source);
CREATE TABLE IF NOT EXISTS member_keys (
    key TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS member_keys_key ON member_keys(key);
CREATE INDEX IF NOT EXISTS member_keys_member ON member_keys(doc_id, source);
"""

_COLUMNS = "doc_id, source, canonical, kept, reason, evidence"
_CHUNK = 500  # bound parameters per IN (...)


def ensure_schema(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def _has_tables(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='members'").fetchone() is not None


def _member(row: tuple) -> Member:
    _doc_id, _source, canonical, kept, reason, evidence = row
    return Member(evidence=Evidence.model_validate_json(evidence), canonical=canonical, kept=bool(kept), reason=reason)


def put_members(db: sqlite3.Connection, members: Iterable[Member]) -> None:
    """Insert or replace members (by doc id and source), with their lookup keys, in one transaction."""
    members = list(members)
    if not members:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for m in members:
            db.execute("DELETE FROM member_keys WHERE doc_id = ? AND source = ?", (m.doc_id, m.source))
            db.execute(
                f"INSERT OR REPLACE INTO members({_COLUMNS}) VALUES (?,?,?,?,?,?)",
                (m.doc_id, m.source, m.canonical, int(m.kept), m.reason, m.evidence.model_dump_json()),
            )
            db.executemany(
                "INSERT INTO member_keys(key, doc_id, source) VALUES (?,?,?)",
                ((key, m.doc_id, m.source) for key in lookup_keys(m.evidence)),
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def find_members(
    db: sqlite3.Connection, *, keys: Iterable[str] = (), canonicals: Iterable[str] = (), source: str | None = None
) -> list[Member]:
    """Members sharing any of `keys`, or kept under any of `canonicals`, or read from `source`;
    ordered by doc id and source."""
    if not _has_tables(db):  # a read-only file made before paper identity
        return []
    found: dict[tuple[str, str], tuple] = {}
    keys, canonicals = sorted(set(keys)), sorted(set(canonicals))
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        rows = db.execute(
            f"SELECT DISTINCT m.doc_id, m.source, m.canonical, m.kept, m.reason, m.evidence FROM member_keys k"
            f" JOIN members m ON m.doc_id = k.doc_id AND m.source = k.source WHERE k.key IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found.update(((r[0], r[1]), r) for r in rows)
    for i in range(0, len(canonicals), _CHUNK):
        chunk = canonicals[i : i + _CHUNK]
        rows = db.execute(f"SELECT {_COLUMNS} FROM members WHERE canonical IN ({','.join('?' * len(chunk))})", chunk)
        found.update(((r[0], r[1]), r) for r in rows)
    if source is not None:
        found.update(((r[0], r[1]), r) for r in db.execute(f"SELECT {_COLUMNS} FROM members WHERE source = ?", (source,)))
    return [_member(found[k]) for k in sorted(found)]


def delete_members(db: sqlite3.Connection, members: Iterable[tuple[str, str]]) -> None:
    """Forget these (doc id, source) reads."""
    members = list(members)
    if not members or not _has_tables(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany("DELETE FROM member_keys WHERE doc_id = ? AND source = ?", members)
        db.executemany("DELETE FROM members WHERE doc_id = ? AND source = ?", members)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def member_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM members").fetchone()[0] if _has_tables(db) else 0
