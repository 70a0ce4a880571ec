"""Harvest state in one SQLite file: the cursor of every harvest, and the identity index that
de-duplicates documents across sources and links a preprint to its published version.

Cursors are keyed by (source, query key) so `harvest arxiv --query X` and `--query Y` resume
independently. The identity index maps every identifier a document carries (``doi:…``,
``arxiv:…``, ``patent:…``) to the id of the document first emitted for that work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator

from textmine.document import Document, normalise_doi, normalise_patent_number

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    source TEXT NOT NULL,
    query_key TEXT NOT NULL,
    query TEXT NOT NULL,
    cursor TEXT,                -- JSON; NULL once the harvest is complete
    done INTEGER NOT NULL DEFAULT 0,
    emitted INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source, query_key)
);
CREATE TABLE IF NOT EXISTS identities (
    identifier TEXT PRIMARY KEY,  -- doi:… | arxiv:… | patent:…
    doc_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS emitted (
    doc_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    text_length INTEGER NOT NULL,
    source TEXT NOT NULL,
    harvested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS related_ids (
    doc_id TEXT NOT NULL,
    related_id TEXT NOT NULL,
    relation TEXT NOT NULL,       -- 'preprint': related_id is the preprint of doc_id | 'same-work'
    PRIMARY KEY (doc_id, related_id)
);
"""


def identifiers(doc: Document) -> list[str]:
    """Every identifier that names this work, strongest first."""
    ids: list[str] = []
    if doi := normalise_doi(doc.doi):
        ids.append(f"doi:{doi}")
    if patent := normalise_patent_number(doc.patent_number):
        ids.append(f"patent:{patent}")
    if doc.arxiv_id:
        ids.append(f"arxiv:{normalise_arxiv_id(doc.arxiv_id)}")
    if doc.id not in ids:
        ids.append(doc.id)
    return ids


def normalise_arxiv_id(arxiv_id: str) -> str:
    import re

    arxiv_id = arxiv_id.strip()
    arxiv_id = re.sub(r"^(https?://(export\.)?arxiv\.org/(abs|pdf)/|arxiv:)", "", arxiv_id, flags=re.I)
    return re.sub(r"v\d+$", "", arxiv_id).lower()


def query_key(source: str, query: dict[str, Any]) -> str:
    """Stable key of a harvest: the same source and query resume the same cursor."""
    canonical = json.dumps({"source": source, **query}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


class Verdict:
    NEW = "new"
    UPDATE = "update"          # same id, richer content (full text after an abstract)
    DUPLICATE = "duplicate"    # seen already, nothing new
    LINKED = "linked"          # another version of a work already emitted under another id


class HarvestState:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()

    # -- cursors -----------------------------------------------------------------------------
    def load_cursor(self, source: str, key: str) -> tuple[dict[str, Any] | None, bool]:
        """(cursor, done) of a harvest; (None, False) when it never ran."""
        row = self._db.execute(
            "SELECT cursor, done FROM cursors WHERE source=? AND query_key=?", (source, key)
        ).fetchone()
        if row is None:
            return None, False
        return (json.loads(row[0]) if row[0] else None), bool(row[1])

    def save_cursor(self, source: str, key: str, query: dict[str, Any], cursor: dict[str, Any] | None,
                    *, done: bool = False, emitted: int = 0) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO cursors(source, query_key, query, cursor, done, emitted, updated_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(source, query_key) DO UPDATE SET "
                "cursor=excluded.cursor, done=excluded.done, emitted=cursors.emitted+excluded.emitted, "
                "updated_at=excluded.updated_at",
                (source, key, json.dumps(query, sort_keys=True, default=str),
                 json.dumps(cursor) if cursor is not None else None, int(done), emitted, _now()),
            )

    def reset_cursor(self, source: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM cursors WHERE source=? AND query_key=?", (source, key))

    def cursors(self) -> Iterator[dict[str, Any]]:
        for row in self._db.execute(
            "SELECT source, query, cursor, done, emitted, updated_at FROM cursors ORDER BY updated_at"
        ):
            yield {"source": row[0], "query": json.loads(row[1]), "cursor": json.loads(row[2]) if row[2] else None,
                   "done": bool(row[3]), "emitted": row[4], "updated_at": row[5]}

    # -- identities ----------------------------------------------------------------------------
    def classify(self, doc: Document) -> tuple[str, str | None]:
        """What emitting `doc` would be: (Verdict, id of the work already emitted, if any)."""
        if not isinstance(doc, Document):  # a structure (OPTIMADE): the store de-duplicates by content id
            return Verdict.NEW, None
        ids = identifiers(doc)
        known: str | None = None
        for identifier in ids:
            row = self._db.execute("SELECT doc_id FROM identities WHERE identifier=?", (identifier,)).fetchone()
            if row:
                known = row[0]
                break
        if known is None:
            return Verdict.NEW, None
        if known != doc.id:
            return Verdict.LINKED, known
        row = self._db.execute("SELECT content_hash, text_length FROM emitted WHERE doc_id=?", (known,)).fetchone()
        if row and row[0] != doc.content_hash and len(doc.text) > row[1]:
            return Verdict.UPDATE, known
        return Verdict.DUPLICATE, known

    def record(self, doc: Document, verdict: str, known: str | None) -> None:
        """Commit what was decided for `doc` (called once the consumer has taken it)."""
        if not isinstance(doc, Document):
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if verdict in (Verdict.NEW, Verdict.UPDATE):
                    self._db.execute(
                        "INSERT INTO emitted(doc_id, content_hash, text_length, source, harvested_at) VALUES (?,?,?,?,?) "
                        "ON CONFLICT(doc_id) DO UPDATE SET content_hash=excluded.content_hash, "
                        "text_length=excluded.text_length, source=excluded.source, harvested_at=excluded.harvested_at",
                        (doc.id, doc.content_hash, len(doc.text), doc.source, _now()),
                    )
                target = doc.id if verdict in (Verdict.NEW, Verdict.UPDATE) else (known or doc.id)
                for identifier in identifiers(doc):
                    self._db.execute(
                        "INSERT OR IGNORE INTO identities(identifier, doc_id) VALUES (?, ?)", (identifier, target)
                    )
                if verdict == Verdict.LINKED and known:
                    self._db.execute(
                        "INSERT OR IGNORE INTO related_ids(doc_id, related_id, relation) VALUES (?,?,?)",
                        _link(doc.id, known),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def resolve(self, identifier: str) -> str | None:
        """The document id a DOI / arXiv id / patent number was harvested under."""
        row = self._db.execute("SELECT doc_id FROM identities WHERE identifier=?", (identifier,)).fetchone()
        return row[0] if row else None

    def related(self, doc_id: str) -> list[tuple[str, str]]:
        """(other id, relation) for every version linked to `doc_id`, in both directions."""
        rows = self._db.execute(
            "SELECT related_id, relation FROM related_ids WHERE doc_id=? "
            "UNION SELECT doc_id, relation FROM related_ids WHERE related_id=?",
            (doc_id, doc_id),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def emitted_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM emitted").fetchone()[0]

    def close(self) -> None:
        self._db.close()


def _link(a: str, b: str) -> tuple[str, str, str]:
    """(published id, preprint id, 'preprint') when one side is an arXiv id; else 'same-work'."""
    if a.startswith("arxiv:") and not b.startswith("arxiv:"):
        return b, a, "preprint"
    if b.startswith("arxiv:") and not a.startswith("arxiv:"):
        return a, b, "preprint"
    return b, a, "same-work"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
