"""Predictions into the store: `Prediction` rows (origin "predicted") beside, never among, the
extracted records."""

from __future__ import annotations

from typing import Any

import numpy as np

from textmine.dataset.groups import composition
from textmine.normalise.material_id import material_id
from textmine.predict.data import PredictionInputs
from textmine.predict.model import PropertyModel, finite_or_none
from textmine.store.predictions import Prediction, predictions_for


def _si(model: PropertyModel) -> tuple[str | None, Any]:
    """(SI unit, converter) for the model's property, or (None, None) when it has no ontology unit."""
    try:
        from textmine.normalise.units import convert
        from textmine.ontology import load_ontology

        si_unit = load_ontology().get(model.property).si_unit
        convert(1.0, model.unit, si_unit)
    except Exception:  # noqa: BLE001 - a property outside the ontology, or a unit pint cannot convert
        return None, None
    return si_unit, lambda v: None if v is None else convert(v, model.unit, si_unit)


def build_predictions(model: PropertyModel, inputs: PredictionInputs, prediction: np.ndarray, lower: np.ndarray,
                      upper: np.ndarray, ok: np.ndarray, coverage: float) -> list[Prediction]:
    si_unit, to_si = _si(model)
    out = []
    for i, formula in enumerate(inputs.formulas):
        if not ok[i]:
            continue
        amounts = composition(formula) or ()
        lo, hi = finite_or_none(lower[i]), finite_or_none(upper[i])
        value = float(prediction[i])
        out.append(Prediction(
            property=model.property, material_id=material_id(formula, formula), formula=formula,
            elements=sorted(el for el, _ in amounts),
            structure_id=inputs.structure_ids[i] if inputs.structure_ids and model.uses_structure else None,
            value=value, lower=lo, upper=hi, coverage=coverage, unit=model.unit,
            value_si=to_si(value) if to_si else None, lower_si=to_si(lo) if to_si else None,
            upper_si=to_si(hi) if to_si else None, unit_si=si_unit, model_id=model.model_id, model=model.name,
        ))
    return out


def save_predictions(store: Any, model: PropertyModel, inputs: PredictionInputs, prediction: np.ndarray,
                     lower: np.ndarray, upper: np.ndarray, ok: np.ndarray, coverage: float) -> int:
    predictions = build_predictions(model, inputs, prediction, lower, upper, ok, coverage)
    prediction_store = predictions_for(store)
    try:
        return prediction_store.put_predictions(predictions)
    finally:
        prediction_store.close()


__all__ = ["build_predictions", "save_predictions"]
