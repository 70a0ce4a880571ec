"""Records -> ranked candidate structures, each with a score and the reason in words.

For a record's material:

1. its composition: the record's formula, with variables (`x`, `δ`) stated in the sentence or
   the paper substituted (`Ba1-xKxFe2As2` with "x = 0.4"); an unstated variable is set to 0,
   which names the parent (`Ba1-xKxFe2As2` -> `BaFe2As2`), and the reason says so;
2. candidates: stored structures of the exact reduced formula (or the same composition written as
   a doped cell), else parents by substitution distance (`textmine.link.candidates`);
3. polymorph and phase evidence (`textmine.link.lexicon`) from, in decreasing weight: the
   material mention itself (`anatase TiO2`), the NER model's SPL spans in the same sentence, the
   sentence, SPL spans elsewhere in the paper, and the paper's text. Evidence counts only where it
   tells this composition's candidates apart; a candidate it supports rises, one it contradicts
   falls.

`link_records(store, doc_ids=None)` links every record (or those of some documents) and replaces
their previous links in the store; it is what `textmine link` and `textmine run` call.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator

from textmine.link.candidates import MAX_PARENT_DISTANCE, Candidate, candidates
from textmine.link.lexicon import Evidence, evidence
from textmine.link.model import Link
from textmine.records import Record

TOP_N = 5
WEIGHTS = {"material": 1.0, "sentence-spl": 0.8, "sentence": 0.6, "paper-spl": 0.4, "paper": 0.25}
WHERE = {"material": "the material mention", "sentence-spl": "an SPL span of the sentence", "sentence": "the sentence",
         "paper-spl": "an SPL span of the paper", "paper": "the paper's text"}
EXACT_SCORE = 0.8
PARENT_SCORE = 0.7


@dataclass
class LinkSummary:
    records: int = 0
    linked: int = 0
    links: int = 0
    unparsed: int = 0  # no composition (a name without a formula, an open placeholder)
    no_candidate: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


@dataclass
class _Doc:
    text: str = ""
    spl: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, text)
    cache: dict[tuple[str, str], list[Evidence]] = field(default_factory=dict)


_PHASE_PREFIX = re.compile(r"^(?:\d[HTRC]['′’]?|[αβγδεθκλ]|[hcwmto])[-‐–](?=[A-Z(])")


def record_composition(record: Record, doc_text: str = "") -> tuple[dict[str, float] | None, str, dict[str, float]]:
    """(composition, reduced formula, variables used) of a record's material; (None, why, {})."""
    from pymatgen.core import Composition

    from textmine.normalise.formula import FormulaError, element_symbols, parse_formula, variables_in_text

    text = _PHASE_PREFIX.sub("", (record.material.formula or record.material.text).strip())
    variables = {**variables_in_text(doc_text), **variables_in_text(record.sentence)}
    composition = None
    try:
        parsed = parse_formula(text, variables)
        if parsed.composition is None and parsed.variables and all(v in element_symbols() for v in parsed.variables):
            parsed = replace(parsed, composition=None, variables=[])  # 'B', 'Y' read as site placeholders: pymatgen below
        elif parsed.composition is None and parsed.variables:
            unset = {v: 0.0 for v in parsed.variables if len(v) == 1}
            parsed = parse_formula(text, {**variables, **unset})
            variables = {**variables, **{f"{v} (not stated)": 0.0 for v in unset}}
        composition = parsed.composition
    except FormulaError as exc:
        reason = f"no formula: {exc}"
    if not composition:  # all-capital formulas ('BN', 'WC') the text normaliser leaves open
        try:
            pmg = Composition(text)
            composition = {str(el): float(v) for el, v in pmg.get_el_amt_dict().items()} if pmg.elements else None
        except Exception:  # noqa: BLE001 - not a formula at all ('graphene')
            composition = None
        if not composition:
            return None, locals().get("reason", "no composition (open placeholder or variable)"), {}
    try:
        reduced = Composition(composition).reduced_formula
    except Exception as exc:  # noqa: BLE001
        return None, f"no composition: {exc}", {}
    used = {v: variables[v] for v in variables if v.split(" ")[0] in text}
    return composition, reduced, used


def link_record(record: Record, companion, doc: _Doc | None = None, *, top_n: int = TOP_N,
                cache: dict[str, list[Candidate]] | None = None) -> list[Link] | str:
    """Ranked links of one record, or the reason there are none."""
    doc = doc or _Doc()
    composition, reduced, variables = record_composition(record, doc.text)
    if composition is None:
        return reduced
    key = f"{reduced}|{sorted(composition.items())}"
    if cache is not None and key in cache:
        cands = cache[key]
    else:
        cands = candidates(companion, composition, reduced)
        if cache is not None:
            cache[key] = cands
    if not cands:
        return f"no stored structure of {reduced} or a parent within substitution distance {MAX_PARENT_DISTANCE}"
    layers = _evidence_layers(record, doc, reduced)
    scored = []
    for cand in cands:
        score, notes, applied = _score(cand, layers, cands)
        scored.append((score, cand, notes, applied))
    scored.sort(key=lambda t: (-t[0], t[1].distance, t[1].entry.kind != "", t[1].entry.nsites, t[1].entry.structure_id))
    links = []
    tie = sum(1 for s in scored if abs(s[0] - scored[0][0]) < 1e-9)
    for rank, (score, cand, notes, applied) in enumerate(scored[:top_n], start=1):
        e = cand.entry
        reason = [_method_reason(cand, record, reduced, variables)] + notes
        if rank == 1 and tie > 1 and not applied:
            reason.append(f"no polymorph named: {tie} structures tie, the smallest cell first")
        links.append(Link(kind="record", subject_id=record.record_id, doc_id=record.doc_id, material_id=record.material_id,
                          structure_id=e.structure_id, rank=rank, score=round(min(score, 1.0), 4),
                          method="polymorph" if applied else cand.method, reason="; ".join(reason),
                          reduced_formula=e.reduced_formula, space_group=e.space_group,
                          space_group_number=e.space_group_number, crystal_system=e.crystal_system,
                          details={"distance": cand.distance, "variables": variables,
                                   "evidence": [{"word": ev.word, "where": where, "matches": ev.matches(e.space_group_number, e.crystal_system)}
                                                for where, ev in applied]}))
    return links


def _method_reason(cand: Candidate, record: Record, reduced: str, variables: dict[str, float]) -> str:
    e = cand.entry
    written = record.material.formula or record.material.text
    var_note = f" (with {', '.join(_assignment(k, v) for k, v in variables.items())})" if variables else ""
    if cand.method == "formula" and cand.distance == 0 and e.reduced_formula == reduced:
        text = f"exact reduced formula {reduced}" + (f" of {written}{var_note}" if variables else "")
    elif cand.method == "formula":
        text = f"same composition as {written}{var_note} (cell {e.reduced_formula})"
    else:
        text = f"parent {e.reduced_formula} of {written}{var_note}: substitution distance {cand.distance:.3f}"
    sg = f"{e.space_group} ({e.space_group_number})" if e.space_group else "space group unknown"
    src = f", {e.source_id}" if e.source_id else ""
    return f"{text}; structure {sg}{src}"


def _assignment(name: str, value: float) -> str:
    variable, _, note = name.partition(" ")
    return f"{variable} = {value:g}" + (f" {note}" if note else "")


def _evidence_layers(record: Record, doc: _Doc, reduced: str) -> list[tuple[str, Evidence]]:
    layers: list[tuple[str, Evidence]] = []
    for ev in evidence(record.material.text, reduced):
        layers.append(("material", ev))
    in_sentence = [t for s, e, t in doc.spl if s >= record.char_start and e <= record.char_end]
    elsewhere = [t for s, e, t in doc.spl if not (s >= record.char_start and e <= record.char_end)]
    for text in in_sentence:
        layers += [("sentence-spl", ev) for ev in evidence(text, reduced)]
    layers += [("sentence", ev) for ev in evidence(record.sentence, reduced)]
    for text in elsewhere:
        layers += [("paper-spl", ev) for ev in evidence(text, reduced)]
    if doc.text:
        key = ("paper", reduced)
        if key not in doc.cache:
            doc.cache[key] = evidence(doc.text, reduced)
        layers += [("paper", ev) for ev in doc.cache[key]]
    return layers


def _score(cand: Candidate, layers: list[tuple[str, Evidence]], cands: list[Candidate]) -> tuple[float, list[str], list]:
    e = cand.entry
    base = EXACT_SCORE if cand.method == "formula" else PARENT_SCORE * (1 - cand.distance / MAX_PARENT_DISTANCE)
    if e.kind == "synth_doped" and cand.method == "parent":
        base *= 0.95  # a real parent structure before an artificially doped cell of another composition
    # evidence that tells this composition's candidates apart: matches some, not all
    applicable = []
    for where, ev in layers:
        hits = sum(ev.matches(c.entry.space_group_number, c.entry.crystal_system) for c in cands)
        if 0 < hits:
            applicable.append((where, ev))
    if not applicable:
        return base, [], []
    # a space group (or a phase word naming one) says more than a crystal system
    def weight(where: str, ev: Evidence) -> float:
        return WEIGHTS[where] * (1.0 if ev.space_groups else 0.5)

    best_for = max((weight(w, ev) for w, ev in applicable if ev.matches(e.space_group_number, e.crystal_system)), default=0.0)
    strongest = max(weight(w, ev) for w, ev in applicable)
    notes = []
    for where, ev in applicable:
        if weight(where, ev) < strongest and weight(where, ev) < best_for:
            continue
        verdict = "matches" if ev.matches(e.space_group_number, e.crystal_system) else "does not match"
        notes.append(f"{ev.describe()} in {WHERE[where]}: {verdict} {e.space_group or '?'}")
    if best_for > 0:
        score = base + (1 - base) * 0.6 * best_for
        if best_for < strongest:  # a stronger piece of evidence points elsewhere
            score *= 1 - 0.5 * (strongest - best_for)
    else:
        score = base * (1 - 0.5 * strongest)
    return score, notes[:4], applicable


# ----------------------------------------------------------------------------------- bulk

def link_records(store, doc_ids: Iterable[str] | None = None, *, top_n: int = TOP_N, batch_size: int = 500,
                 progress: Callable[[int], None] | None = None) -> LinkSummary:
    """Link every record of the store (or of `doc_ids`) to ranked candidate structures, replacing
    their earlier links. Returns counts; records without a composition or a candidate get none."""
    from textmine.store.base import Query
    from textmine.store.structures import structure_store

    companion = structure_store(store)
    summary = LinkSummary()
    started = time.perf_counter()
    cache: dict[str, list[Candidate]] = {}
    docs: dict[str, _Doc] = {}
    pending_ids: list[str] = []
    pending_links: list[Link] = []

    def flush() -> None:
        if pending_ids:
            companion.replace_links("record", pending_ids, pending_links)
            pending_ids.clear()
            pending_links.clear()

    for record in _records(store, doc_ids, Query):
        summary.records += 1
        doc = docs.get(record.doc_id)
        if doc is None:
            if len(docs) > 256:
                docs.clear()
            doc = docs[record.doc_id] = _load_doc(store, companion, record.doc_id)
        result = link_record(record, companion, doc, top_n=top_n, cache=cache)
        pending_ids.append(record.record_id)
        if isinstance(result, str):
            if result.startswith("no stored"):
                summary.no_candidate += 1
            else:
                summary.unparsed += 1
        else:
            summary.linked += 1
            summary.links += len(result)
            pending_links.extend(result)
        if len(pending_ids) >= batch_size:
            flush()
        if progress:
            progress(summary.records)
    flush()
    summary.seconds = time.perf_counter() - started
    return summary


def _records(store, doc_ids: Iterable[str] | None, Query) -> Iterator[Record]:
    if doc_ids is None:
        yield from store.iter_records(Query())
        return
    for doc_id in doc_ids:
        yield from store.iter_records(Query(doc_id=doc_id))


def _load_doc(store, companion, doc_id: str) -> _Doc:
    document = store.get_document(doc_id)
    spl = companion.mentions(doc_id, ("SPL",))
    return _Doc(text=document.text if document is not None else "", spl=[(m["char_start"], m["char_end"], m["text"]) for m in spl])


__all__ = ["link_records", "link_record", "record_composition", "LinkSummary", "WEIGHTS"]
