"""Scoring the linker: top-1 / top-3 accuracy on labelled cases, through the real store path
(documents, records and SPL mentions written to a store, `link_records`, links read back).

Two test sets (see bench/eval_link.py, which reports both):

- polymorph sentences (`polymorph_cases`): a material as written, its sentence, the paper's other
  sentences with the NER model's SPL spans, and the space group the link should rank first;
- SuperCon names with their 3DSC structures (`supercon_cases`): every 3DSC CIF name is
  `<SuperCon formula>-MP-<mp id>[-synth_doped]`; a case is a SuperCon formula and the MP ids of
  its structures; a link is right when the structure's source id is one of them.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from textmine.document import Document, Paragraph, Section, Sentence
from textmine.link.model import LinkQuery
from textmine.records import Material, Mention, Record


EV = 1.602176634e-19  # J


@dataclass
class Case:
    material: str
    sentence: str
    context: list[str] = field(default_factory=list)  # the paper's other sentences
    spl: list[str] = field(default_factory=list)  # SPL spans (in `context`) the NER model found
    expected_space_group: int | None = None
    expected_source_ids: set[str] = field(default_factory=set)
    formula: str | None = None
    value: float = 1.0  # the record's band gap, eV


def load_polymorph_set(path: Path) -> tuple[list[dict[str, Any]], list[Case]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for row in data["cases"]:
        material, sentence, sg = row[0], row[1], row[2]
        context = row[3] if len(row) > 3 else []
        spl = row[4] if len(row) > 4 else []
        cases.append(Case(material=material, sentence=sentence, context=context, spl=spl, expected_space_group=sg))
    return data["structures"], cases


def _formula_of(case: Case) -> str | None:
    from textmine.normalise.formula import find_formulas

    if case.formula:
        return case.formula
    for text in (case.material, case.sentence):
        text = re.sub(r"(?<![\w])(?:\d[HTRC]['′’]?|[αβγδ])[-‐–](?=[A-Z])", "", text)  # '2H-MoS2': the formula is MoS2
        found = find_formulas(text)
        if found:
            return found[0].parsed.formula if hasattr(found[0], "parsed") else found[0].formula
    return None


def case_document(case: Case, n: int) -> tuple[Document, list[Record], list[Mention]]:
    """A one-paragraph paper: the context sentences, then the record's sentence."""
    sentences = [*case.context, case.sentence]
    text = " ".join(sentences)
    spans, at = [], 0
    for s in sentences:
        spans.append(Sentence(start=at, end=at + len(s)))
        at += len(s) + 1
    doc_id = f"eval:{n}"
    document = Document(id=doc_id, source=f"eval/{n}", kind="paper", date=dt.date(2020, 1, 1), text=text,
                        sections=[Section(title="Results", paragraphs=[Paragraph(start=0, end=len(text), sentences=spans)])],
                        content_hash=f"eval-{n}", extractor="eval@1")
    start = spans[-1].start
    m_at = text.find(case.material, start)
    m_at = m_at if m_at >= 0 else start
    formula = _formula_of(case)
    record = Record(doc_id=doc_id, material=Material(text=case.material, formula=formula, char_start=m_at, char_end=m_at + len(case.material)),
                    property="band_gap", value=case.value, unit="eV", value_si=case.value * EV, value_min_si=case.value * EV,
                    value_max_si=case.value * EV, unit_si="J", sentence=case.sentence, char_start=start, char_end=start + len(case.sentence),
                    confidence=0.9, extractor="eval@1")
    mentions = []
    for span in case.spl:
        s_at = text.find(span)
        if s_at >= 0:
            mentions.append(Mention(doc_id=doc_id, label="SPL", text=span, char_start=s_at, char_end=s_at + len(span),
                                    confidence=0.9, extractor="ner@eval"))
    return document, [record], mentions


def run_cases(store, cases: list[Case], k: int = 3) -> dict[str, Any]:
    """Write the cases to `store`, link them, and score the links read back."""
    from textmine.link.records import link_records
    from textmine.store.structures import structure_store

    items = [case_document(case, n) for n, case in enumerate(cases)]
    store.put_many(items)
    link_records(store, [doc.id for doc, _, _ in items])
    companion = structure_store(store)
    rows = []
    for case, (doc, records, _) in zip(cases, items):
        links = companion.search_links(LinkQuery(subject_id=records[0].record_id, limit=k))
        structures = [companion.get_structure(link.structure_id) for link in links]
        if case.expected_space_group is not None:
            hits = [s is not None and s.space_group_number == case.expected_space_group for s in structures]
        else:
            hits = [s is not None and s.source_id in case.expected_source_ids for s in structures]
        rank = next((i + 1 for i, hit in enumerate(hits) if hit), None)
        rows.append({"material": case.material, "sentence": case.sentence[:100], "rank": rank,
                     "top": [(s.reduced_formula, s.space_group_number, s.source_id) if s else None for s in structures],
                     "reason": links[0].reason if links else "no link"})
    n = len(rows)
    return {"cases": n, "top1": round(sum(r["rank"] == 1 for r in rows) / n, 3) if n else 0.0,
            f"top{k}": round(sum(r["rank"] is not None for r in rows) / n, 3) if n else 0.0,
            "linked": sum(bool(r["top"]) for r in rows), "rows": rows}


# ------------------------------------------------------------------------- SuperCon / 3DSC

_3DSC = re.compile(r"^(?P<name>.+?)-MP-(?P<mp>mp-\d+|mvc-\d+)(?:-(?P<kind>synth_doped))?\.cif$")


def supercon_entries(cif_folder: Path) -> dict[str, dict[str, Any]]:
    """SuperCon formula (as in the file name) -> its MP ids and whether any structure is doped."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(cif_folder.glob("*.cif")):
        m = _3DSC.match(path.name)
        if not m:
            continue
        row = out.setdefault(m.group("name"), {"mp_ids": set(), "doped": False})
        row["mp_ids"].add(m.group("mp"))
        row["doped"] |= bool(m.group("kind"))
    return out


def supercon_cases(cif_folder: Path, supercon_csv: Path | None, n: int, seed: int = 14,
                   only: Iterable[str] | None = None) -> list[Case]:
    """`n` SuperCon entries (seeded sample), each written as in the SuperCon table when its name
    there has the same composition, in a plain sentence about its Tc."""
    from textmine.normalise.material_id import normalised_composition

    entries = supercon_entries(cif_folder)
    names = sorted(only) if only is not None else sorted(entries)
    rng = random.Random(seed)
    chosen = rng.sample(names, min(n, len(names)))
    as_written: dict[str, str] = {}
    if supercon_csv is not None and supercon_csv.exists():
        import csv

        with open(supercon_csv, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = normalised_composition(row["name"])
                if key:
                    as_written.setdefault(key, row["name"])
    cases = []
    for name in chosen:
        written = as_written.get(normalised_composition(name) or "", name)
        cases.append(Case(material=written, formula=written, sentence=f"{written} becomes superconducting below Tc = 10 K.",
                          expected_source_ids=set(entries[name]["mp_ids"])))
    return cases


__all__ = ["Case", "load_polymorph_set", "run_cases", "supercon_cases", "supercon_entries", "case_document"]
