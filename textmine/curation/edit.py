"""Pure functions of curation: make a review from a request, apply it, say why a record is suspect."""

from __future__ import annotations

from typing import Iterable

from textmine.curation.models import RecordEdit, Review, ReviewAction, ReviewRequest
from textmine.records import Material, Record


class EditError(ValueError):
    """An edit that cannot be applied (unknown property, unit of another dimension, ...)."""


def make_review(record: Record, request: ReviewRequest) -> Review:
    """The review `request` makes of `record` (the record as stored now, i.e. as extracted)."""
    if request.action is ReviewAction.EDIT:
        if request.edit is None or request.edit.is_empty():
            raise EditError("an edit needs at least one field in `edit` (material, formula, property, value, unit)")
        corrected: Record | None = apply_edit(record, request.edit)
    else:
        if request.edit is not None and not request.edit.is_empty():
            raise EditError(f"`edit` is only for action 'edit', not {request.action.value!r}")
        corrected = record if request.action is ReviewAction.ACCEPT else None
    return Review(record_id=record.record_id, doc_id=record.doc_id, action=request.action, reviewer=request.reviewer,
                  comment=request.comment, edit=request.edit, original=record, corrected=corrected)


def apply_edit(record: Record, edit: RecordEdit) -> Record:
    """The record with the edit applied: the same `record_id`, SI values and elements recomputed."""
    from textmine.chemistry.formula import FormulaError, parse_formula
    from textmine.normalise.units import UnitError, convert
    from textmine.ontology import load_ontology

    data = record.model_dump()
    ontology = load_ontology()
    if edit.property is not None:
        data["property"] = _property_name(ontology, edit.property)
    if edit.material is not None or edit.formula is not None:
        text = edit.material or record.material.text
        formula, elements = edit.formula, []
        try:
            parsed = parse_formula(formula or text)
            formula, elements = formula or parsed.formula, parsed.elements
        except FormulaError:
            if edit.formula:
                raise EditError(f"formula {edit.formula!r} is not a chemical formula") from None
            formula = None  # a name such as 'anatase' or 'PMMA': kept as written, no elements
        span = (record.material.char_start, record.material.char_end) if text == record.material.text else (None, None)
        data["material"] = Material(text=text, formula=formula, elements=elements, char_start=span[0],
                                    char_end=span[1]).model_dump()
        data["material_id"] = ""  # recomputed from the new material
    prop = ontology.get(data["property"])
    if edit.value is not None and (edit.value_min is not None or edit.value_max is not None):
        raise EditError("give either `value` or `value_min`/`value_max`, not both")
    if edit.value is not None:
        data.update(value=edit.value, value_min=edit.value, value_max=edit.value)
    elif edit.value_min is not None or edit.value_max is not None:
        low = edit.value_min if edit.value_min is not None else record.value_min
        high = edit.value_max if edit.value_max is not None else record.value_max
        if low is None or high is None or low > high:
            raise EditError("a range needs value_min <= value_max")
        data.update(value=None, value_min=low, value_max=high)
    unit = edit.unit if edit.unit is not None else record.unit
    touched = edit.property is not None or edit.unit is not None or any(
        v is not None for v in (edit.value, edit.value_min, edit.value_max))
    if touched:
        si_unit = prop.si_unit_for(unit or "")
        if si_unit is None:
            raise EditError(f"unit {unit!r} does not fit {prop.name} (its unit is {prop.default_unit!r})")
        data["unit"] = unit or None
        data["unit_si"] = si_unit
        try:
            for name in ("value", "value_min", "value_max"):
                v = data[name]
                data[f"{name}_si"] = convert(v, unit or "dimensionless", si_unit or "dimensionless") if v is not None else None
        except UnitError as exc:
            raise EditError(f"cannot convert {unit!r} for {prop.name}: {exc}") from exc
    return Record.model_validate(data)


def _property_name(ontology, name: str) -> str:
    if name in ontology:
        return name
    matches = ontology.by_cue(name) or ontology.by_cue(name.replace("_", " "))
    if not matches:
        raise EditError(f"unknown property {name!r}; GET /v1/properties lists them")
    return matches[0].name


def suspect_reasons(record: Record) -> list[str]:
    """Why a record deserves a look before others: implausible value, no formula, no unit."""
    from textmine.ontology import load_ontology

    ontology = load_ontology()
    reasons = []
    if record.property in ontology:
        prop = ontology.get(record.property)
        values = [v for v in (record.value_min, record.value_max) if v is not None]
        if record.unit and any(not prop.in_range(v, record.unit) for v in values):
            reasons.append(f"value outside the plausible range of {prop.name} ({prop.range[0]:g}–{prop.range[1]:g} "
                           f"{prop.default_unit})")
    else:
        reasons.append(f"property {record.property!r} not in the ontology")
    if not record.material.formula:
        reasons.append("material has no formula")
    if not record.unit and record.property in ontology and not ontology.get(record.property).dimensionless:
        reasons.append("value has no unit")
    return reasons


def queue_order(records: Iterable[Record]) -> list[tuple[Record, list[str]]]:
    """Suspect records first, then by confidence, lowest first (ties by record_id)."""
    scored = [(record, suspect_reasons(record)) for record in records]
    scored.sort(key=lambda pair: (not pair[1], pair[0].confidence, pair[0].record_id))
    return scored





def plausible_si_bounds() -> dict[str, tuple[float, float]]:
    """Each property's plausible range in the SI unit records store (`value_*_si`), for stores to
    find suspect records with a query; `suspect_reasons` then says exactly why."""
    from textmine.normalise.units import UnitError, convert
    from textmine.ontology import load_ontology

    bounds = {}
    for prop in load_ontology().properties:
        try:
            low, high = (convert(v, prop.default_unit or "dimensionless", prop.si_unit or "dimensionless") for v in prop.range)
        except UnitError:
            continue
        bounds[prop.name] = (min(low, high), max(low, high))
    return bounds
__all__ = ["EditError", "apply_edit", "make_review", "plausible_si_bounds", "queue_order", "suspect_reasons"]
