"""`textmine dataset build PROPERTY -o DIR`: extracted records -> one row per material.

Records of the property are read from the store (optionally above a confidence), converted to the
property's usual unit, grouped by `Record.material_id`, and summarised by a robust consensus
(`consensus.py`): median over independent documents, spread, counts, outliers flagged, disputes
marked. Conditions (temperature, pressure) and provenance (record ids, documents, DOIs, extractor
versions) are kept; structures are joined where known (`structures.py`); every chemical system is
assigned to train/validation/test by a hash of its name (`groups.py`), so splits are group-aware
and stable when the dataset is rebuilt with more records.

The folder written (`write_dataset`) is a Hugging Face dataset repository: Parquet files plus a
README.md dataset card whose YAML header declares the configs and splits, so
`datasets.load_dataset(DIR)` (or `load_dataset(DIR, "records")`) reads it, and
`huggingface-cli upload` publishes it as is.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np

from textmine.dataset.consensus import consensus, is_log_scale
from textmine.dataset.groups import chemical_system, split_of
from textmine.normalise.material_id import normalised_composition
from textmine.records import Record
from textmine.store.base import Query, Store

CONDITION_UNITS = {"temperature": "K", "pressure": "Pa"}


@dataclass
class BuildOptions:
    property: str
    min_confidence: float | None = None
    drop_suspect: bool = False  # leave out records `textmine audit` marked suspect
    include_sentences: bool = True  # source sentences are excerpts of the papers: see the card's licence notes
    structures_folder: str | None = None
    unit: str | None = None  # default: the ontology's usual unit for the property


@dataclass
class BuiltDataset:
    meta: dict[str, Any]
    materials: list[dict[str, Any]]
    records: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def _unit_for(options: BuildOptions) -> tuple[str, str | None]:
    from textmine.ontology import load_ontology

    ontology = load_ontology()
    if options.property not in ontology:
        raise ValueError(f"unknown property {options.property!r}: see `textmine properties` for the names")
    definition = ontology.get(options.property)
    return options.unit or definition.default_unit, definition.si_unit


def _value_in(record: Record, unit: str, si_unit: str | None) -> tuple[float | None, float | None, float | None]:
    """(value, low, high) in `unit`; a reported range gives its midpoint as the value."""
    from textmine.normalise.units import UnitError, convert

    def conv(si: float | None, raw: float | None) -> float | None:
        try:
            if si is not None and (record.unit_si or si_unit):
                return _significant(convert(si, record.unit_si or si_unit or "", unit))
            if raw is not None and record.unit:
                return _significant(convert(raw, record.unit, unit))
        except UnitError:
            return None
        return raw if raw is not None and not unit else None

    low = conv(record.value_min_si, record.value_min)
    high = conv(record.value_max_si, record.value_max)
    value = conv(record.value_si, record.value)
    if value is None and low is not None and high is not None:
        value = (low + high) / 2.0
    return value, low if low is not None else value, high if high is not None else value


def _significant(value: float) -> float:
    """12 significant digits: a round trip through SI gives 3.2, not 3.2000000000000006."""
    return float(f"{value:.12g}")


def _conditions(record: Record) -> list[dict[str, Any]]:
    from textmine.normalise.units import UnitError, convert

    out = []
    for c in record.conditions:
        value, unit = c.value, c.unit
        target = CONDITION_UNITS.get(c.property)
        if value is not None and unit and target:
            try:
                value, unit = _significant(convert(value, unit, target)), target
            except UnitError:
                pass
        out.append({"property": c.property, "value": value, "unit": unit, "text": c.text})
    return out


def collect(store: Store, options: BuildOptions, progress: Callable[[int], None] | None = None) -> BuiltDataset:
    unit, si_unit = _unit_for(options)
    log_scale = is_log_scale(options.property)
    suspects: set[str] = set()
    notes: list[str] = []
    try:
        from textmine.store.predictions import predictions_for

        prediction_store = predictions_for(store)
        suspects = prediction_store.suspect_record_ids(options.property)
        prediction_store.close()
    except Exception as exc:  # noqa: BLE001 - no audit yet (or another backend): nothing is marked
        notes.append(f"audit flags not read ({type(exc).__name__})")
    query = Query(property=options.property, min_confidence=options.min_confidence)
    rows: list[dict[str, Any]] = []
    skipped = Counter()
    extractors: Counter[str] = Counter()
    for n, record in enumerate(store.iter_records(query), start=1):
        if progress and n % 500 == 0:
            progress(n)
        value, low, high = _value_in(record, unit, si_unit)
        if value is None:
            skipped["no value convertible to " + unit] += 1
            continue
        if log_scale and (value <= 0 or (low is not None and low <= 0)):
            skipped["non-positive value of a log-scale property"] += 1
            continue
        suspect = record.record_id in suspects
        if suspect and options.drop_suspect:
            skipped["marked suspect by `textmine audit`"] += 1
            continue
        extractors[record.extractor] += 1
        system = chemical_system(record.material.elements) or chemical_system(record.material.formula)
        rows.append({
            "record_id": record.record_id, "doc_id": record.doc_id, "doi": None, "material_id": record.material_id,
            "formula": record.material.formula, "material_text": record.material.text,
            "chemical_system": system, "value": value, "value_min": low, "value_max": high,
            "is_range": record.value is None and record.value_min is not None, "unit": unit,
            "conditions": _conditions(record), "confidence": record.confidence, "extractor": record.extractor,
            "sentence": record.sentence if options.include_sentences else None, "outlier": False, "suspect": suspect,
        })
    documents = _documents(store, {r["doc_id"] for r in rows})
    for row in rows:
        row["doi"] = documents.get(row["doc_id"], {}).get("doi")
    materials = _materials(rows, log_scale)
    structure_notes = _join_structures(store, materials, options.structures_folder)
    for key, count in skipped.items():
        notes.append(f"{count} records skipped: {key}")
    meta = {
        "format": "textmine-dataset", "format_version": 1, "property": options.property, "unit": unit,
        "log_scale_consensus": log_scale, "min_confidence": options.min_confidence, "drop_suspect": options.drop_suspect,
        "store": store.url, "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "textmine_version": _textmine_version(), "counts": {
            "records": len(rows), "materials": len(materials),
            "documents": len({r["doc_id"] for r in rows}),
            "chemical_systems": len({m["chemical_system"] for m in materials}),
            "outlier_records": sum(r["outlier"] for r in rows), "disputed_materials": sum(m["disputed"] for m in materials),
            "suspect_records": sum(r["suspect"] for r in rows),
            "with_structure": sum(1 for m in materials if m["structure_id"]),
            "by_split": dict(Counter(m["split"] for m in materials)),
        },
        "extractors": dict(extractors.most_common()), "sources": _sources(documents),
        "structures": structure_notes, "notes": notes,
        "splits": "chemical system (set of elements) hashed: 80 % train, 10 % validation, 10 % test",
    }
    return BuiltDataset(meta=meta, materials=materials, records=rows, notes=notes + structure_notes)


def _documents(store: Store, doc_ids: set[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for doc_id in sorted(doc_ids):
        document = store.get_document(doc_id)
        if document is not None:
            out[doc_id] = {"doi": document.doi, "format": document.format, "kind": document.kind, "source": document.source}
    return out


def _sources(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    by_format = Counter(d["format"] for d in documents.values())
    by_prefix = Counter((d["doi"] or "").split("/", 1)[0] for d in documents.values() if d.get("doi"))
    return {"documents_by_format": dict(by_format.most_common()), "doi_prefixes": dict(by_prefix.most_common())}


def _materials(rows: list[dict[str, Any]], log_scale: bool) -> list[dict[str, Any]]:
    by_material: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_material.setdefault(row["material_id"], []).append(row)
    materials = []
    for mid, group in sorted(by_material.items()):
        result = consensus([r["value"] for r in group], [r["doc_id"] for r in group], log_scale=log_scale)
        for row, outlier in zip(group, result.outliers):
            row["outlier"] = outlier
        formula = Counter(r["formula"] for r in group if r["formula"]).most_common(1)
        formula_text = formula[0][0] if formula else None
        system = next((r["chemical_system"] for r in group if r["chemical_system"]), None)
        split_key = system or mid
        for row in group:
            row["split"] = split_of(split_key)
        conditions = sorted({_condition_text(c) for r in group for c in r["conditions"]})
        materials.append({
            "material_id": mid, "formula": formula_text,
            "composition": normalised_composition(formula_text) if formula_text else None,
            "material_texts": sorted({r["material_text"] for r in group})[:20],
            "chemical_system": system, "elements": system.split("-") if system else [],
            "value": result.value, "spread": result.spread, "spread_scale": "log10" if log_scale else "linear",
            "low": result.low, "high": result.high, "unit": group[0]["unit"],
            "n_records": result.n_records, "n_documents": result.n_documents, "n_outliers": int(sum(result.outliers)),
            "disputed": result.disputed, "n_suspect": int(sum(r["suspect"] for r in group)),
            "temperature_K": _median_condition(group, "temperature", "K"),
            "pressure_Pa": _median_condition(group, "pressure", "Pa"),
            "conditions": conditions,
            "record_ids": [r["record_id"] for r in group], "doc_ids": sorted({r["doc_id"] for r in group}),
            "dois": sorted({r["doi"] for r in group if r["doi"]}), "extractors": sorted({r["extractor"] for r in group}),
            "split": split_of(split_key), "structure_id": None, "structure_cif": None, "structure_source": None,
        })
    return materials


def _condition_text(c: dict[str, Any]) -> str:
    value = c["value"] if c["value"] is not None else c["text"]
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{c['property']}={value} {c['unit'] or ''}".strip()


def _median_condition(group: list[dict[str, Any]], name: str, unit: str) -> float | None:
    values = [c["value"] for r in group for c in r["conditions"] if c["property"] == name and c["unit"] == unit
              and c["value"] is not None]
    return float(np.median(values)) if values else None


def _join_structures(store: Store, materials: list[dict[str, Any]], folder: str | None) -> list[str]:
    from textmine.dataset.structures import from_folder, from_links

    linked, note = from_links(store, [m["material_id"] for m in materials])
    notes = [note]
    for m in materials:
        if m["material_id"] in linked:
            s = linked[m["material_id"]]
            m.update(structure_id=s.structure_id, structure_cif=s.cif, structure_source=s.source)
    if folder:
        wanted = {m["composition"] for m in materials if m["composition"] and not m["structure_id"]}
        by_composition, note = from_folder(folder, wanted)
        notes.append(note)
        for m in materials:
            s = by_composition.get(m["composition"]) if not m["structure_id"] else None
            if s is not None:
                m.update(structure_id=s.structure_id, structure_cif=s.cif, structure_source=s.source)
    return notes


def _textmine_version() -> str:
    from textmine import __version__

    return __version__


def dumps(meta: dict[str, Any]) -> str:
    return json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n"


__all__ = ["BuildOptions", "BuiltDataset", "collect", "dumps"]
