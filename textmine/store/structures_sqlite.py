"""Structures, spectra, simulated patterns and links in the records store's SQLite file.

Tables (created with the store's own, `ensure_schema`): `structures` (+ `structure_elements`),
`spectra` (arrays as little-endian float64 bytes: lossless), `simulated_patterns` (a cache keyed
by structure and wavelength), `links`. Structures are keyed by their content id, so adding the
same structure twice stores it once; links are replaced per subject.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import zlib
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import numpy as np

from textmine.link.model import Link, LinkQuery
from textmine.spectra.model import Spectrum
from textmine.store.structures import StructureQuery, StructureResult, record_structure_filter
from textmine.structures.model import StructureEntry

SCHEMA = """
CREATE TABLE IF NOT EXISTS structures (
    structure_id TEXT PRIMARY KEY,
    reduced_formula TEXT NOT NULL,
    chemsys TEXT NOT NULL,
    n_elements INTEGER NOT NULL,
    material_id TEXT NOT NULL,
    space_group TEXT,
    space_group_number INTEGER,
    crystal_system TEXT,
    nsites INTEGER NOT NULL,
    ordered INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_id TEXT,
    kind TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS structures_formula ON structures(reduced_formula, space_group_number, structure_id);
CREATE INDEX IF NOT EXISTS structures_chemsys ON structures(chemsys);
CREATE INDEX IF NOT EXISTS structures_sg ON structures(space_group_number);
CREATE INDEX IF NOT EXISTS structures_material ON structures(material_id);
CREATE INDEX IF NOT EXISTS structures_source_id ON structures(source_id);
CREATE TABLE IF NOT EXISTS structure_elements (
    structure_id TEXT NOT NULL REFERENCES structures(structure_id) ON DELETE CASCADE,
    element TEXT NOT NULL,
    PRIMARY KEY (element, structure_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS structure_elements_id ON structure_elements(structure_id);
CREATE TABLE IF NOT EXISTS spectra (
    spectrum_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    two_theta BLOB NOT NULL,
    intensity BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS simulated_patterns (
    structure_id TEXT NOT NULL,
    wavelength REAL NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (structure_id, wavelength)
);
CREATE TABLE IF NOT EXISTS links (
    link_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    doc_id TEXT,
    material_id TEXT,
    structure_id TEXT NOT NULL,
    rank INTEGER NOT NULL,
    score REAL NOT NULL,
    method TEXT NOT NULL,
    space_group_number INTEGER,
    crystal_system TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_subject ON links(subject_id, rank);
CREATE INDEX IF NOT EXISTS links_structure ON links(structure_id);
CREATE INDEX IF NOT EXISTS links_material ON links(material_id);
CREATE INDEX IF NOT EXISTS links_doc ON links(doc_id);
"""


def ensure_schema(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def structure_counts(db: sqlite3.Connection) -> dict[str, int]:
    """For `StoreStats`: top-level integer `structures` and `spectra`."""
    return {
        "structures": db.execute("SELECT count(*) FROM structures").fetchone()[0],
        "spectra": db.execute("SELECT count(*) FROM spectra").fetchone()[0],
    }


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (the store runs in autocommit mode): all of it or nothing."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _pack(model: Any) -> bytes:
    return zlib.compress(model.model_dump_json().encode("utf-8"), 6)


class SQLiteStructures:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        ensure_schema(db)

    # ------------------------------------------------------------------ structures
    def put_structures(self, entries: Iterable[StructureEntry], batch_size: int = 500) -> int:
        """Store entries in transactions of `batch_size` (streamed: entries may be a generator)."""
        written = 0
        entries = iter(entries)
        while batch := list(itertools.islice(entries, batch_size)):
            with _transaction(self._db) as db:
                for e in batch:
                    db.execute("DELETE FROM structure_elements WHERE structure_id = ?", (e.structure_id,))
                    db.execute(
                        "INSERT OR REPLACE INTO structures VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (e.structure_id, e.reduced_formula, e.chemsys, len(e.elements), e.material_id, e.space_group,
                         e.space_group_number, e.crystal_system, e.nsites, int(e.ordered), e.source, e.source_id, e.kind,
                         _pack(e)),
                    )
                    db.executemany("INSERT INTO structure_elements VALUES (?, ?)", ((e.structure_id, el) for el in e.elements))
            written += len(batch)
        return written

    def get_structure(self, structure_id: str) -> StructureEntry | None:
        row = self._db.execute("SELECT body FROM structures WHERE structure_id = ?", (structure_id,)).fetchone()
        return StructureEntry.model_validate_json(zlib.decompress(row[0])) if row else None

    def _where(self, q: StructureQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if (formula := q.reduced_formula()) is not None:
            clauses.append("s.reduced_formula = ?")
            params.append(formula)
        for element in q.include_elements:
            clauses.append("EXISTS (SELECT 1 FROM structure_elements e WHERE e.structure_id = s.structure_id AND e.element = ?)")
            params.append(element)
        if q.exclude_elements:
            marks = ",".join("?" * len(q.exclude_elements))
            clauses.append(f"NOT EXISTS (SELECT 1 FROM structure_elements e WHERE e.structure_id = s.structure_id AND e.element IN ({marks}))")
            params.extend(q.exclude_elements)
        if q.only_elements and q.include_elements:
            clauses.append("s.n_elements = ?")
            params.append(len(set(q.include_elements)))
        if (chemsys := q.chemsys_key()) is not None:
            clauses.append("s.chemsys = ?")
            params.append(chemsys)
        if (number := q.space_group_number()) is not None:
            clauses.append("s.space_group_number = ?")
            params.append(number)
        for column, value in (("crystal_system", q.crystal_system), ("source_id", q.source_id),
                              ("material_id", q.material_id), ("kind", q.kind)):
            if value is not None:
                clauses.append(f"s.{column} = ?")
                params.append(value)
        if q.ordered is not None:
            clauses.append("s.ordered = ?")
            params.append(int(q.ordered))
        if q.max_sites is not None:
            clauses.append("s.nsites <= ?")
            params.append(q.max_sites)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    _ORDER = " ORDER BY s.reduced_formula ASC, coalesce(s.space_group_number, 0) ASC, s.structure_id ASC"

    def search_structures(self, query: StructureQuery) -> StructureResult:
        where, params = self._where(query)
        total = self._db.execute(f"SELECT count(*) FROM structures s{where}", params).fetchone()[0]
        rows = self._db.execute(f"SELECT s.body FROM structures s{where}{self._ORDER} LIMIT ? OFFSET ?",
                                [*params, query.limit, query.offset]).fetchall()
        return StructureResult(total=total, structures=[StructureEntry.model_validate_json(zlib.decompress(r[0])) for r in rows])

    def iter_structures(self, query: StructureQuery | None = None, batch_size: int = 500) -> Iterator[StructureEntry]:
        where, params = self._where(query or StructureQuery())
        joiner = " AND " if where else " WHERE "
        last = ""
        while True:
            rows = self._db.execute(
                f"SELECT s.structure_id, s.body FROM structures s{where}{joiner}s.structure_id > ? ORDER BY s.structure_id LIMIT ?",
                [*params, last, batch_size]).fetchall()
            if not rows:
                return
            for _, body in rows:
                yield StructureEntry.model_validate_json(zlib.decompress(body))
            last = rows[-1][0]

    # --------------------------------------------------------------------- spectra
    def put_spectra(self, spectra: Iterable[Spectrum]) -> int:
        n = 0
        with _transaction(self._db) as db:
            for s in spectra:
                x, y = s.arrays()
                db.execute("INSERT OR REPLACE INTO spectra VALUES (?,?,?,?,?,?)",
                           (s.spectrum_id, s.source, s.kind, json.dumps(s.model_dump(exclude={"two_theta", "intensity"})),
                            x.astype("<f8").tobytes(), y.astype("<f8").tobytes()))
                n += 1
        return n

    @staticmethod
    def _spectrum(row: tuple) -> Spectrum:
        summary, x, y = row
        data = json.loads(summary)
        data["two_theta"] = np.frombuffer(x, dtype="<f8").tolist()
        data["intensity"] = np.frombuffer(y, dtype="<f8").tolist()
        return Spectrum.model_validate(data)

    def get_spectrum(self, spectrum_id: str) -> Spectrum | None:
        row = self._db.execute("SELECT summary, two_theta, intensity FROM spectra WHERE spectrum_id = ?", (spectrum_id,)).fetchone()
        return self._spectrum(row) if row else None

    def iter_spectra(self) -> Iterator[Spectrum]:
        last = ""
        while True:
            rows = self._db.execute("SELECT spectrum_id, summary, two_theta, intensity FROM spectra WHERE spectrum_id > ?"
                                    " ORDER BY spectrum_id LIMIT 100", (last,)).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._spectrum(row[1:])
            last = rows[-1][0]

    def put_simulated(self, structure_id: str, wavelength: float, pattern: dict[str, Any]) -> None:
        self._db.execute("INSERT OR REPLACE INTO simulated_patterns VALUES (?,?,?)",
                         (structure_id, round(float(wavelength), 6), json.dumps(pattern)))

    def get_simulated(self, structure_id: str, wavelength: float) -> dict[str, Any] | None:
        row = self._db.execute("SELECT body FROM simulated_patterns WHERE structure_id = ? AND wavelength = ?",
                               (structure_id, round(float(wavelength), 6))).fetchone()
        return json.loads(row[0]) if row else None

    # ----------------------------------------------------------------------- links
    def replace_links(self, kind: str, subject_ids: Iterable[str], links: Iterable[Link]) -> int:
        """Forget every link of these subjects, then store `links` (one transaction)."""
        n = 0
        with _transaction(self._db) as db:
            db.executemany("DELETE FROM links WHERE kind = ? AND subject_id = ?", ((kind, s) for s in subject_ids))
            for link in links:
                db.execute("INSERT OR REPLACE INTO links VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                           (link.link_id, link.kind, link.subject_id, link.doc_id, link.material_id, link.structure_id,
                            link.rank, link.score, link.method, link.space_group_number, link.crystal_system,
                            link.model_dump_json()))
                n += 1
        return n

    def search_links(self, query: LinkQuery) -> list[Link]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("kind", query.kind), ("subject_id", query.subject_id), ("doc_id", query.doc_id),
                              ("material_id", query.material_id), ("structure_id", query.structure_id),
                              ("method", query.method)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if query.subject_ids:
            clauses.append(f"subject_id IN ({','.join('?' * len(query.subject_ids))})")
            params.extend(query.subject_ids)
        if query.max_rank is not None:
            clauses.append("rank <= ?")
            params.append(query.max_rank)
        if query.min_score is not None:
            clauses.append("score >= ?")
            params.append(query.min_score)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._db.execute(f"SELECT body FROM links{where} ORDER BY subject_id ASC, rank ASC, structure_id ASC LIMIT ? OFFSET ?",
                                [*params, query.limit, query.offset]).fetchall()
        return [Link.model_validate_json(r[0]) for r in rows]

    def mentions(self, doc_id: str, labels: tuple[str, ...] = ("SPL",)) -> list[dict[str, Any]]:
        """A document's stored mentions of these labels (the NER model's SPL spans), in text order."""
        marks = ",".join("?" * len(labels))
        rows = self._db.execute(f"SELECT label, text, char_start, char_end FROM mentions WHERE doc_id = ? AND label IN ({marks})"
                                " ORDER BY char_start, char_end", (doc_id, *labels)).fetchall()
        return [{"label": l, "text": t, "char_start": a, "char_end": b} for l, t, a, b in rows]

    def counts(self) -> dict[str, int]:
        out = structure_counts(self._db)
        out["links"] = self._db.execute("SELECT count(*) FROM links").fetchone()[0]
        return out


__all__ = ["SQLiteStructures", "ensure_schema", "structure_counts", "SCHEMA"]
