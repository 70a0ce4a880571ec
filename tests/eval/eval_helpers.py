"""Records as the extractor writes them, for the record-scorer tests (imported by name: tests/eval is on sys.path)."""

from __future__ import annotations

from textmine.normalise.units import to_si
from textmine.ontology import load_ontology
from textmine.records import Material, Record


def make_record(doc_id: str, material: str, value: float | tuple[float, float], unit: str,
                prop: str = "band_gap", formula: str | None = None, confidence: float = 0.8) -> Record:
    """A record as the extractor writes it: SI values in the ontology's unit for the property."""
    low, high = value if isinstance(value, tuple) else (value, value)
    si_unit = load_ontology().get(prop).si_unit_for(unit)
    low_si, unit_si = to_si(low, unit, si_unit)
    high_si, _ = to_si(high, unit, si_unit)
    return Record(
        doc_id=doc_id, material=Material(text=material, formula=formula), property=prop,
        value=None if low != high else low, value_min=low, value_max=high, unit=unit,
        value_si=None if low != high else low_si, value_min_si=low_si, value_max_si=high_si, unit_si=unit_si,
        sentence=f"{material} ... {value} {unit}", char_start=0, char_end=10, value_start=len(material) + 1,
        confidence=confidence, extractor="test@1",
    )
