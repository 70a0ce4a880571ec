"""One material, everything known about it: records grouped by property (consensus value and
spread), the structures they link to, and the measured patterns linked to those structures.

`material_view(store, "TiO2")` is what `textmine material TiO2 --json` prints; the material is
matched on its reduced composition (`Ti2O4`, `anatase TiO2` and `TiO2` are one material), and the
records' phase qualifiers (`anatase`, `rutile`) are counted per property. Records `textmine audit`
marked carry `audit: suspect|consistent`; model predictions (origin: predicted) are listed per
property under `predictions`, apart from the extracted consensus.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from textmine.link.model import LinkQuery
from textmine.store.predictions import audit_marks


def _records_of(store, reduced: str, name: str):
    from textmine.normalise.material_id import normalised_composition
    from textmine.store.base import Query
    try:
        from pymatgen.core import Composition

        elements = sorted({el.symbol for el in Composition(reduced).elements})
    except Exception:  # noqa: BLE001
        elements = []
    seen = set()
    queries = [Query(include_elements=elements, only_elements=True)] if elements else []
    queries.append(Query(material=name))
    for query in queries:
        for record in store.iter_records(query):
            if record.record_id in seen:
                continue
            formula = record.material.formula
            same = formula is not None and normalised_composition(formula) == reduced
            if same or record.material.text.lower() == name.lower():
                seen.add(record.record_id)
                yield record


def _consensus(records) -> dict[str, Any]:
    values = []
    for r in records:
        if r.value_si is not None:
            values.append((r.value_si, r.value, r.unit))
        elif r.value_min_si is not None and r.value_max_si is not None:
            values.append(((r.value_min_si + r.value_max_si) / 2, ((r.value_min or 0) + (r.value_max or 0)) / 2, r.unit))
    if not values:
        return {"n": len(records), "consensus": None}
    unit = Counter(u for _, _, u in values if u).most_common(1)[0][0] if any(u for _, _, u in values) else None
    factors = [v / shown for v, shown, u in values if u == unit and shown]
    factor = statistics.median(factors) if factors else 1.0  # SI per displayed unit
    si = [v for v, _, _ in values]
    shown = [v / factor for v in si]
    return {
        "n": len(records), "n_values": len(values), "unit": unit,
        "consensus": round(statistics.median(shown), 6),
        "min": round(min(shown), 6), "max": round(max(shown), 6),
        "spread": round(statistics.pstdev(shown), 6) if len(shown) > 1 else 0.0,
        "consensus_si": statistics.median(si),
    }


def _predictions(store, records, reduced: str, name: str) -> dict[str, list[dict[str, Any]]]:
    """Model predictions (origin: predicted) for the material's ids, by property; never merged into
    the consensus of the extracted records."""
    from textmine.normalise.material_id import material_id
    from textmine.store.predictions import predictions_for

    try:
        prediction_store = predictions_for(store)
    except TypeError:
        return {}
    ids = {r.material_id for r in records if r.material_id} | {material_id(reduced, name)}
    try:
        found = prediction_store.predictions_for_materials(sorted(ids))
    finally:
        prediction_store.close()
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for predictions in found.values():
        for p in predictions:
            out[p.property].append(p.model_dump(include={"origin", "formula", "material_id", "structure_id", "value", "lower",
                                                         "upper", "coverage", "unit", "model", "model_id"}))
    return dict(out)


def material_view(store, name: str) -> dict[str, Any]:
    from textmine.normalise.material_id import normalised_composition, qualifiers
    from textmine.store.structures import StructureQuery, structure_store

    reduced = normalised_composition(name) or name
    records = list(_records_of(store, reduced, name))
    marks = audit_marks(store, [r.record_id for r in records])
    by_property: dict[str, list] = defaultdict(list)
    for record in records:
        by_property[record.property].append(record)
    properties = {}
    for prop, group in sorted(by_property.items()):
        summary = _consensus(group)
        summary["qualifiers"] = dict(Counter(q for r in group for q in qualifiers(r.material.text)))
        summary["records"] = [{"record_id": r.record_id, "doc_id": r.doc_id, "material": r.material.text, "value": r.value,
                               "value_min": r.value_min, "value_max": r.value_max, "unit": r.unit,
                               "confidence": r.confidence, "sentence": r.sentence,
                               "audit": marks[r.record_id].status if r.record_id in marks else None}
                              for r in sorted(group, key=lambda r: -r.confidence)]
        summary["suspect"] = sum(row["audit"] == "suspect" for row in summary["records"])
        properties[prop] = summary
    for prop, predictions in _predictions(store, records, reduced, name).items():
        properties.setdefault(prop, {"n": 0, "consensus": None, "qualifiers": {}, "records": [], "suspect": 0})
        properties[prop]["predictions"] = predictions
    view: dict[str, Any] = {"material": name, "reduced_formula": reduced, "records": len(records), "properties": properties,
                            "structures": [], "spectra": []}
    try:
        companion = structure_store(store)
    except TypeError:
        return view
    structures: dict[str, dict[str, Any]] = {}
    ids = [r.record_id for r in records]
    for start in range(0, len(ids), 500):
        for link in companion.search_links(LinkQuery(kind="record", subject_ids=ids[start:start + 500], max_rank=1, limit=10_000)):
            row = structures.setdefault(link.structure_id, {"structure_id": link.structure_id, "records_best": 0, "best_score": 0.0,
                                                            "reason": link.reason})
            row["records_best"] += 1
            row["best_score"] = max(row["best_score"], link.score)
    if normalised_composition(name):
        for entry in companion.search_structures(StructureQuery(formula=reduced, limit=200)).structures:
            structures.setdefault(entry.structure_id, {"structure_id": entry.structure_id, "records_best": 0, "best_score": None,
                                                       "reason": "same reduced formula (no record links to it)"})
    for row in structures.values():
        entry = companion.get_structure(row["structure_id"])
        if entry is not None:
            row.update({"reduced_formula": entry.reduced_formula, "space_group": entry.space_group,
                        "space_group_number": entry.space_group_number, "crystal_system": entry.crystal_system,
                        "source_id": entry.source_id, "source": entry.source})
        for link in companion.search_links(LinkQuery(kind="spectrum", structure_id=row["structure_id"], max_rank=3)):
            view["spectra"].append({"spectrum_id": link.subject_id, "structure_id": link.structure_id, "rank": link.rank,
                                    "score": link.score, "reason": link.reason})
    view["structures"] = sorted(structures.values(), key=lambda r: (-r["records_best"], r["structure_id"]))
    return view


__all__ = ["material_view"]
