"""Documents and records for the dataset and audit tests, written to real stores."""

from __future__ import annotations

from textmine.document import Document, Paragraph, Section, Sentence
from textmine.normalise.units import to_si
from textmine.records import Condition, Material, Record

SI = {"band_gap": "J", "ionic_conductivity": "S/m", "curie_temperature": "K"}


def fact(formula: str, elements: list[str], value: float | tuple[float, float], unit: str = "eV",
         prop: str = "band_gap", conditions: tuple[Condition, ...] = (), text: str | None = None):
    return {"formula": formula, "elements": elements, "value": value, "unit": unit, "property": prop,
            "conditions": list(conditions), "text": text or formula}


def document(doc_id: str, facts: list[dict], doi: str | None = None, extractor: str = "rules@0.3.0",
             fmt: str = "jats") -> tuple[Document, list[Record], list]:
    """One paper, one sentence per fact, one record per sentence."""
    sentences, records, at, lines = [], [], 0, []
    for f in facts:
        if isinstance(f["value"], tuple):
            shown = f"between {f['value'][0]} and {f['value'][1]}"
        else:
            shown = f"{f['value']}"
        line = f"The value for {f['text']} is {shown} {f['unit']}."
        lines.append(line)
        sentences.append(Sentence(start=at, end=at + len(line)))
        si = SI[f["property"]]
        if isinstance(f["value"], tuple):
            lo, hi = f["value"]
            value, vmin, vmax = None, lo, hi
            value_si = None
            vmin_si, vmax_si = to_si(lo, f["unit"], si)[0], to_si(hi, f["unit"], si)[0]
        else:
            value, vmin, vmax = f["value"], None, None
            value_si = vmin_si = vmax_si = to_si(value, f["unit"], si)[0]
        m_at = at + line.index(f["text"])
        records.append(Record(
            doc_id=doc_id, material=Material(text=f["text"], formula=f["formula"], elements=f["elements"], char_start=m_at,
                                             char_end=m_at + len(f["text"])),
            property=f["property"], value=value, value_min=vmin, value_max=vmax, unit=f["unit"], value_si=value_si,
            value_min_si=vmin_si, value_max_si=vmax_si, unit_si=si, conditions=f["conditions"], sentence=line,
            char_start=at, char_end=at + len(line), value_start=at + line.index(" is ") + 4, confidence=0.9, extractor=extractor,
        ))
        at += len(line) + 1
    text = " ".join(lines)
    doc = Document(id=doc_id, source=f"test/{doc_id}.xml", format=fmt, title=doc_id, doi=doi, text=text,
                   sections=[Section(title="Results", paragraphs=[Paragraph(start=0, end=len(text), sentences=sentences)])],
                   content_hash=doc_id, extractor=extractor)
    return doc, records, []
