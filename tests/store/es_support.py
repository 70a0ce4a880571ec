"""Shared by the Elasticsearch tests: the node they run against, and a realistic corpus.

The node is the one `services/elasticsearch/es.sh start` runs (CI starts it through
`services/with-services`); TEXTMINE_ES_URL overrides where it is. Without a node the ES tests
skip locally with the reason, and fail under CI=true: CI must never pass by not testing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import threading
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from textmine.document import Document, DocumentBuilder
from textmine.records import Failure, Material, Mention, Record

ROOT = Path(__file__).resolve().parents[2]
ES_SH = ROOT / "services" / "elasticsearch" / "es.sh"
ES_URL = os.environ.get("TEXTMINE_ES_URL", "http://127.0.0.1:9200")
EV = 1.602176634e-19  # J


def node_health(url: str, timeout: float = 3.0) -> str | None:
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_cluster/health", timeout=timeout) as response:
            return json.load(response).get("status")
    except Exception:
        return None


def require_es() -> str:
    status = node_health(ES_URL)
    if status in ("green", "yellow"):
        return ES_URL
    reason = (
        f"no Elasticsearch node at {ES_URL} (health: {status}); start one with "
        "`services/elasticsearch/es.sh start` or set TEXTMINE_ES_URL"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason + " -- CI must run the ES tests, not skip them")
    pytest.skip(reason)


def unique_prefix(label: str) -> str:
    return f"tmtest-{label}-{uuid.uuid4().hex[:8]}"


def drop_prefix(url: str, prefix: str) -> None:
    """Delete every index of a test prefix (aliases go with their indices)."""
    request = urllib.request.Request(f"{url.rstrip('/')}/{prefix}-*?expand_wildcards=all", method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=30).read()
    except Exception:
        pass


# ------------------------------------------------------------------------------- corpus

# (formula, elements, band gap in eV or None, Curie temperature in K or None)
MATERIALS = [
    ("TiO2", ["O", "Ti"], 3.2, None),
    ("ZnO", ["O", "Zn"], 3.37, None),
    ("GaN", ["Ga", "N"], 3.4, None),
    ("GaAs", ["As", "Ga"], 1.42, None),
    ("CdTe", ["Cd", "Te"], 1.5, None),
    ("Si", ["Si"], 1.12, None),
    ("MoS2", ["Mo", "S"], 1.8, None),
    ("CoTiO3", ["Co", "O", "Ti"], 1.95, None),
    ("NiTiO3", ["Ni", "O", "Ti"], 2.18, None),
    ("BiVO4", ["Bi", "O", "V"], 2.4, None),
    ("Fe2O3", ["Fe", "O"], 2.1, 948.0),
    ("Cu2O", ["Cu", "O"], 2.17, None),
    ("CsPbI3", ["Cs", "I", "Pb"], 1.73, None),
    ("SrTiO3", ["O", "Sr", "Ti"], 3.25, None),
    ("In2O3", ["In", "O"], 2.9, None),
    ("La0.7Sr0.3MnO3", ["La", "Mn", "O", "Sr"], None, 370.0),
    ("Fe3O4", ["Fe", "O"], 0.14, 858.0),
    ("CrO2", ["Cr", "O"], None, 392.0),
    ("Ni", ["Ni"], None, 627.0),
    ("Gd", ["Gd"], None, 293.0),
    ("Nd2Fe14B", ["B", "Fe", "Nd"], None, 585.0),
    ("MnBi", ["Bi", "Mn"], None, 630.0),
    ("EuO", ["Eu", "O"], 1.12, 69.0),
    ("CoFe2O4", ["Co", "Fe", "O"], 1.17, 793.0),
    ("BaTiO3", ["Ba", "O", "Ti"], 3.2, None),
]
EXTRACTORS = ["rules@0.1.0", "ner@0.2.0"]


def build_corpus(n_docs: int = 40, seed: int = 7) -> Iterator[tuple[Document, list[Record], list[Mention]]]:
    """Deterministic papers and patents with band gaps (points and ranges, eV) and Curie
    temperatures (K, some open-ended 'above'), several records per sentence, tied confidences."""
    from textmine.nlp import segment

    rng = random.Random(seed)
    for n in range(n_docs):
        kind = "patent" if n % 5 == 4 else "paper"
        b = DocumentBuilder(source=f"corpus/doc{n}.xml", format="jats" if kind == "paper" else "uspto-grant", kind=kind)
        b.title = f"Optical and magnetic properties of oxide series {n}"
        b.date = dt.date(2014 + n % 10, 1 + n % 12, 1)
        if kind == "paper":
            b.doi = f"10.1000/tm.{n}"
        else:
            b.patent_number = f"US{9000000 + n}B2"
        b.add_paragraph(f"We report measurements on sample series {n} grown by pulsed laser deposition.", section="Abstract", kind="abstract")
        picks = rng.sample(MATERIALS, 4)
        statements: list[tuple[str, tuple]] = []
        for formula, elements, gap, curie in picks:
            if gap is not None and rng.random() < 0.8:
                if rng.random() < 0.3:
                    lo, hi = round(gap * 0.95, 2), round(gap * 1.05, 2)
                    text = f"The optical band gap of {formula} lies between {lo} and {hi} eV at room temperature."
                    statements.append((text, (formula, elements, "band_gap", None, lo, hi, "eV", EV, str(lo))))
                else:
                    value = round(gap * rng.uniform(0.97, 1.03), 2)
                    text = f"The band gap of {formula} was measured as {value} eV by UV-vis spectroscopy."
                    statements.append((text, (formula, elements, "band_gap", value, None, None, "eV", EV, str(value))))
            if curie is not None and rng.random() < 0.8:
                if rng.random() < 0.2:
                    text = f"{formula} remains ferromagnetic above {curie:.0f} K."
                    statements.append((text, (formula, elements, "curie_temperature", None, curie, None, "K", 1.0, f"{curie:.0f}")))
                else:
                    value = round(curie + rng.uniform(-5, 5), 1)
                    text = f"{formula} orders ferromagnetically with a Curie temperature of {value} K."
                    statements.append((text, (formula, elements, "curie_temperature", value, None, None, "K", 1.0, str(value))))
        for text, _ in statements:
            b.add_paragraph(text, section="Results")
        doc = segment(b.build())
        extractor = EXTRACTORS[n % 3 == 0]
        doc.extractor = extractor
        records: list[Record] = []
        mentions: list[Mention] = []
        for text, (formula, elements, prop, value, lo, hi, unit, si, shown) in statements:
            start = doc.text.index(text)
            at = start + text.index(formula)
            value_at = start + text.index(shown, text.index(formula) + len(formula))
            records.append(
                Record(
                    doc_id=doc.id,
                    material=Material(text=formula, formula=formula, elements=elements, char_start=at, char_end=at + len(formula)),
                    property=prop,
                    value=value,
                    value_min=lo,
                    value_max=hi,
                    unit=unit,
                    value_si=value * si if value is not None else None,
                    value_min_si=(value if value is not None else lo) * si,
                    value_max_si=(value if value is not None else hi) * si if (value is not None or hi is not None) else None,
                    unit_si="kg * m ** 2 / s ** 2" if unit == "eV" else "K",
                    sentence=text,
                    char_start=start,
                    char_end=start + len(text),
                    value_start=value_at,
                    section="Results",
                    confidence=rng.choice([0.6, 0.75, 0.9, 0.95]),  # few values: ties, broken by record_id
                    extractor=extractor,
                )
            )
            mentions.append(
                Mention(doc_id=doc.id, label="MAT", text=formula, char_start=at, char_end=at + len(formula), confidence=0.9, extractor=extractor)
            )
        yield doc, records, mentions


FAILURES = [
    Failure(source="corpus/broken.pdf", stage="read", reason="not a PDF"),
    Failure(source="corpus/grants.xml#3", stage="read", reason="truncated XML"),
    Failure(source="corpus/grants.xml#7", stage="extract", reason="timeout", doc_id="patent:US1B2"),
]


def synthetic_corpus(n_docs: int, seed: int = 11, records_per_doc: int = 4) -> Iterator[tuple[Document, list[Record], list[Mention]]]:
    """Many small documents fast (sentences set by hand, no spaCy), for bulk and fault tests."""
    from textmine.document import Paragraph, Section, Sentence

    rng = random.Random(seed)
    for n in range(n_docs):
        lines = []
        facts = []
        for formula, elements, gap, curie in rng.sample(MATERIALS, records_per_doc):
            if gap is not None:
                value = round(gap * rng.uniform(0.9, 1.1), 3)
                lines.append(f"The band gap of {formula} is {value} eV.")
                facts.append((formula, elements, "band_gap", value, "eV", EV))
            else:
                value = round(curie + rng.uniform(-20, 20), 1)
                lines.append(f"{formula} has a Curie temperature of {value} K.")
                facts.append((formula, elements, "curie_temperature", value, "K", 1.0))
        text = " ".join(lines)
        sentences, records, mentions, at = [], [], [], 0
        doc_id = f"synthetic:{seed}:{n}"
        for line, (formula, elements, prop, value, unit, si) in zip(lines, facts):
            sentences.append(Sentence(start=at, end=at + len(line)))
            m = at + line.index(formula)
            records.append(
                Record(
                    doc_id=doc_id,
                    material=Material(text=formula, formula=formula, elements=elements, char_start=m, char_end=m + len(formula)),
                    property=prop, value=value, unit=unit, value_si=value * si, value_min_si=value * si, value_max_si=value * si,
                    sentence=line, char_start=at, char_end=at + len(line), confidence=rng.choice([0.7, 0.8, 0.9]),
                    extractor="rules@0.1.0",
                )
            )
            mentions.append(Mention(doc_id=doc_id, label="MAT", text=formula, char_start=m, char_end=m + len(formula), confidence=0.9, extractor="rules@0.1.0"))
            at += len(line) + 1
        doc = Document(
            id=doc_id, source=f"synthetic/{n}", kind="paper", date=dt.date(2010 + n % 15, 1, 1), text=text,
            sections=[Section(title="Results", paragraphs=[Paragraph(start=0, end=len(text), sentences=sentences)])],
            content_hash=f"{seed}-{n}", extractor="rules@0.1.0",
        )
        yield doc, records, mentions


class Proxy:
    """A TCP forwarder in front of the node, that can be switched off: the node 'goes down'."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self) -> None:
        self.running = False
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.server.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
