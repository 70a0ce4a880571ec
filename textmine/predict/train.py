"""Training a property model, and measuring one honestly.

`fit_model` (what `textmine predict train` runs):
1. features for every material (composition, plus structure where given);
2. out-of-fold predictions on `folds` group-aware folds: for each fold an ensemble of `members`
   learners trained on the *other* folds' chemical systems (each with its own seed, so its own row
   and feature subsamples and random split thresholds; `group_bag` < 1 gives each member only a
   random share of the systems) predicts the held-out systems (mean, and the members' spread);
3. the conformal calibration from those out-of-fold residuals and spreads (so the interval width
   is learnt on materials from systems the members never saw);
4. the final ensemble: `members` learners on all chemical systems (or their `group_bag` share).

`cross_validate` (what `textmine predict evaluate` and `bench/prediction_cv.py` run) wraps that in
an outer group-aware loop: every outer fold is predicted by a model trained (and calibrated) on
the other folds only, so MAE, R² and interval coverage are figures for new chemical systems.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from textmine.dataset.groups import group_folds
from textmine.predict.data import TrainingTable
from textmine.predict.features import FEATURE_VERSION, element_table, feature_matrix, feature_names
from textmine.predict.learners import Learner, get_learner
from textmine.predict.model import FORMAT, FORMAT_VERSION, Calibration, PropertyModel, forward, inverse, package_versions

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class TrainSettings:
    learner: str = "lightgbm"
    members: int = 5
    folds: int = 5
    transform: str = "none"
    seed: int = 0
    learner_options: dict[str, Any] = field(default_factory=dict)  # e.g. {"rounds": 100}
    # Share of the chemical systems each member is trained on. 1.0 (the default since the band-gap
    # cross-validation of 2026-12-01): every member sees every system and the members differ by
    # seed only; 0.8 (the earlier default) costs ~0.01 eV of band-gap MAE (docs/prediction.md).
    group_bag: float = 1.0


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


def _group_bag(groups: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    unique = np.unique(groups)
    chosen = rng.choice(unique, size=max(1, int(round(share * len(unique)))), replace=False)
    return np.isin(groups, chosen)


def _ensemble(learner: Learner, X: np.ndarray, y: np.ndarray, groups: np.ndarray, members: int, seed: int,
              step: Callable[[], None], group_bag: float = 1.0) -> list[Any]:
    rng = np.random.default_rng(seed)
    fitted = []
    for m in range(members):
        rows = _group_bag(groups, rng, group_bag) if members > 1 and group_bag < 1.0 else np.ones(len(y), dtype=bool)
        fitted.append(learner.fit(X[rows], y[rows], seed=seed * 1000 + m))
        step()
    return fitted


def _spread(learner: Learner, members: list[Any], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    predictions = np.stack([learner.predict(member, X) for member in members])
    return predictions.mean(axis=0), predictions.std(axis=0)


def fit_model(table: TrainingTable, settings: TrainSettings | None = None, progress: Progress | None = None,
              *, features: tuple[np.ndarray, np.ndarray] | None = None) -> PropertyModel:
    """Train and calibrate a model on `table` (see the module doc). `features` may pass a
    precomputed (X, ok) for `table` (cross-validation computes them once)."""
    settings = settings or TrainSettings()
    progress = progress or _quiet
    learner = get_learner(settings.learner, settings.learner_options)
    with_structure = table.structures is not None
    X, ok = features if features is not None else feature_matrix(table.formulas, table.structures)
    if not ok.all():
        table = table.subset(np.flatnonzero(ok))
        X = X[ok]
    y = forward(table.values, settings.transform)
    groups = np.asarray(table.groups, dtype=object).astype(str)
    n_groups = len(np.unique(groups))
    folds = min(settings.folds, n_groups)
    if not 0.0 < settings.group_bag <= 1.0:
        raise ValueError(f"group_bag must lie in (0, 1] (got {settings.group_bag})")
    if folds < 2 or len(y) < 10:
        raise ValueError(f"{len(y)} materials in {n_groups} chemical systems are too few to train and calibrate a model "
                         "(need at least 10 materials in 2 systems)")
    total = settings.members * (folds + 1)
    done = [0]

    def step() -> None:
        done[0] += 1
        progress("fitting ensemble members", done[0], total)

    fold_of = group_folds(groups, folds, seed=settings.seed)
    oof_mean = np.empty(len(y))
    oof_spread = np.empty(len(y))
    for k in range(folds):
        held = fold_of == k
        members = _ensemble(learner, X[~held], y[~held], groups[~held], settings.members, settings.seed + 17 * (k + 1), step,
                            settings.group_bag)
        oof_mean[held], oof_spread[held] = _spread(learner, members, X[held])
    floor = float(np.median(oof_spread)) if np.median(oof_spread) > 0 else float(np.std(y) * 1e-3 + 1e-9)
    calibration = Calibration(residuals=y - oof_mean, sigmas=oof_spread + floor, floor=floor)
    final = _ensemble(learner, X, y, groups, settings.members, settings.seed, step, settings.group_bag)
    # out-of-fold figures in the target's unit; on log10 for a log10 target (S/cm spanning decades)
    if settings.transform == "log10":
        out_of_fold = _metrics(y, oof_mean, space="log10")
    else:
        out_of_fold = _metrics(table.values, inverse(oof_mean, settings.transform))
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "property": table.property,
        "unit": table.unit,
        "transform": settings.transform,
        "columns": table.columns,
        "target_min": 0.0 if settings.transform == "none" and float(np.min(table.values)) >= 0 else None,
        "features": {"version": FEATURE_VERSION, "structure": with_structure, "names": feature_names(with_structure),
                     "element_data": element_table().digest},
        "learner": learner.describe(),
        "ensemble": {"members": settings.members, "group_bag": settings.group_bag, "seed": settings.seed},
        "training": {
            "source": table.source,
            "data_hash": table.data_hash(),
            "materials": len(y),
            "chemical_systems": n_groups,
            "with_structure": int(sum(s is not None for s in table.structures)) if with_structure else 0,
            "notes": table.notes,
            "out_of_fold": out_of_fold,
        },
        "calibration": {
            "method": "normalised split-conformal; residuals and spreads out-of-fold on group-aware folds",
            "library": "crepes",
            "folds": folds,
            "rows": len(y),
            "group": "chemical system (set of elements)",
        },
        "versions": package_versions(),
    }
    return PropertyModel(metadata=metadata, learner=learner, members=final, calibration=calibration)


def _metrics(truth: np.ndarray, predicted: np.ndarray, space: str = "none") -> dict[str, float]:
    truth = np.asarray(truth, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    error = predicted - truth
    variance = float(np.sum((truth - truth.mean()) ** 2))
    out = {"mae": float(np.mean(np.abs(error))), "rmse": float(math.sqrt(np.mean(error**2))),
           "r2": float(1.0 - np.sum(error**2) / variance) if variance > 0 else float("nan")}
    if space != "none":
        out["space"] = space
    return out


# ------------------------------------------------------------------------------ evaluation

@dataclass
class CVResult:
    """Outer group-aware cross-validation: per-row predictions and the summary figures."""

    property: str
    unit: str
    transform: str
    truth: np.ndarray
    prediction: np.ndarray
    lower: dict[float, np.ndarray]
    upper: dict[float, np.ndarray]
    fold: np.ndarray
    groups: list[str]
    material_ids: list[str]
    notes: list[str] = field(default_factory=list)

    def summary(self, space: str | None = None) -> dict[str, Any]:
        """MAE, RMSE, R² (in the target unit, or in log10 space when `space='log10'`), and per
        coverage level the share of materials whose truth lies in the interval and the median width."""
        truth, prediction = self.truth, self.prediction
        lower, upper = self.lower, self.upper
        if space == "log10":
            truth, prediction = np.log10(truth), np.log10(prediction)
            lower = {c: np.log10(np.maximum(v, 1e-300)) for c, v in lower.items()}
            upper = {c: np.log10(np.maximum(v, 1e-300)) for c, v in upper.items()}
        out: dict[str, Any] = {"materials": int(len(truth)), "chemical_systems": len(set(self.groups)),
                               **_metrics(truth, prediction)}
        for c in sorted(lower):
            inside = (truth >= lower[c]) & (truth <= upper[c])
            out[f"coverage@{c:g}"] = float(inside.mean())
            out[f"median_width@{c:g}"] = float(np.median(upper[c] - lower[c]))
            out[f"coverage@{c:g}_by_fold"] = [float(inside[self.fold == k].mean()) for k in np.unique(self.fold)]
        return out


def cross_validate(table: TrainingTable, settings: TrainSettings | None = None, *, outer_folds: int = 5,
                   coverages: tuple[float, ...] = (0.9, 0.99), seed: int = 0, progress: Progress | None = None,
                   features: tuple[np.ndarray, np.ndarray] | None = None) -> CVResult:
    settings = settings or TrainSettings()
    progress = progress or _quiet
    X, ok = features if features is not None else feature_matrix(table.formulas, table.structures)
    notes = list(table.notes)
    if not ok.all():
        notes.append(f"{int((~ok).sum())} materials without features left out")
        table = table.subset(np.flatnonzero(ok))
        X = X[ok]
    groups = np.asarray(table.groups, dtype=object).astype(str)
    fold_of = group_folds(groups, outer_folds, seed=seed + 1000)  # another shuffle than the inner folds
    prediction = np.empty(len(table))
    lower = {c: np.empty(len(table)) for c in coverages}
    upper = {c: np.empty(len(table)) for c in coverages}
    for k in range(outer_folds):
        test = np.flatnonzero(fold_of == k)
        train = np.flatnonzero(fold_of != k)

        def inner(stage: str, done: int, total: int, k: int = k) -> None:
            progress(f"outer fold {k + 1}/{outer_folds}: {stage}", done, total)

        model = fit_model(table.subset(train), settings, inner, features=(X[train], np.ones(len(train), dtype=bool)))
        mean, spread = model.raw_predict(X[test])
        for c in coverages:
            p, lo, hi = model.intervals(mean, spread, c)
            prediction[test], lower[c][test], upper[c][test] = p, lo, hi
    return CVResult(property=table.property, unit=table.unit, transform=settings.transform, truth=table.values,
                    prediction=prediction, lower=lower, upper=upper, fold=fold_of, groups=list(groups),
                    material_ids=list(table.material_ids), notes=notes)


__all__ = ["TrainSettings", "fit_model", "cross_validate", "CVResult"]
