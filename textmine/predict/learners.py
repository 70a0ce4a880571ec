"""Learners an ensemble is made of, by name: `lightgbm` (the default: gradient-boosted trees, saved
in LightGBM's own text format, no pickle), `hgb` (scikit-learn's histogram gradient boosting) and
`mlp` (a small scikit-learn network on standardised, imputed features), `knn` (nearest neighbours
in element-fraction space), and blends of them written with `+` (`lightgbm+knn`: both, averaged). `bench/prediction_select.py` and `bench/prediction_cv.py --learners` measure them
against each other on the same group-aware folds.

A learner is a factory: `learner.fit(X, y, seed) -> member`, `member.predict(X)`, and
`learner.save(member, path)` / `learner.load(path)` for the model directory.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np


def threads() -> int:
    """Threads per fit: $TEXTMINE_THREADS, default 1 (the machines this runs on are shared)."""
    try:
        return max(1, int(os.environ.get("TEXTMINE_THREADS", "1")))
    except ValueError:
        return 1


class Learner(Protocol):
    name: str
    suffix: str

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> Any: ...

    def predict(self, member: Any, X: np.ndarray) -> np.ndarray: ...

    def save(self, member: Any, path: Path) -> None: ...

    def load(self, path: Path) -> Any: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass
class LightGBMLearner:
    name: str = "lightgbm"
    suffix: str = ".txt"
    params: dict[str, Any] = field(
        default_factory=lambda: {
            "objective": "regression",
            "learning_rate": 0.03,
            "num_leaves": 31,
            "min_data_in_leaf": 5,
            "feature_fraction": 0.5,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            # Extremely randomised split thresholds: on grouped (new chemical system) folds they
            # generalise better than the best thresholds; band gap MAE 0.404 against 0.411 eV for one
            # model (docs/prediction.md). They need more rounds than best-threshold trees.
            "extra_trees": True,
            "verbosity": -1,
        }
    )
    rounds: int = 1000

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> Any:
        import lightgbm

        params = {**self.params, "seed": seed, "num_threads": threads(), "deterministic": True, "force_row_wise": True}
        return lightgbm.train(params, lightgbm.Dataset(X, label=y, free_raw_data=True), num_boost_round=self.rounds)

    def predict(self, member: Any, X: np.ndarray) -> np.ndarray:
        return np.asarray(member.predict(X, num_threads=threads()), dtype=np.float64)

    def save(self, member: Any, path: Path) -> None:
        member.save_model(str(path))

    def load(self, path: Path) -> Any:
        import lightgbm

        return lightgbm.Booster(model_file=str(path))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "rounds": self.rounds, "params": self.params}


class _PickledSklearn:
    """Shared by the scikit-learn learners: saved with pickle (load only model folders you made)."""

    name = "sklearn"
    suffix = ".pkl"

    def predict(self, member: Any, X: np.ndarray) -> np.ndarray:
        return np.asarray(member.predict(X), dtype=np.float64)

    def save(self, member: Any, path: Path) -> None:
        with open(path, "wb") as out:
            pickle.dump(member, out)

    def load(self, path: Path) -> Any:
        with open(path, "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - a model folder this user trained


class HistGradientBoostingLearner(_PickledSklearn):
    name = "hgb"

    def __init__(self, max_iter: int = 600, learning_rate: float = 0.05) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> Any:
        from sklearn.ensemble import HistGradientBoostingRegressor

        model = HistGradientBoostingRegressor(
            max_iter=self.max_iter, learning_rate=self.learning_rate, min_samples_leaf=5, l2_regularization=1.0,
            early_stopping=False, random_state=seed,
        )
        return model.fit(X, y)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "max_iter": self.max_iter, "learning_rate": self.learning_rate}


class MLPLearner(_PickledSklearn):
    name = "mlp"

    def __init__(self, hidden: tuple[int, ...] = (256, 128), max_iter: int = 400) -> None:
        self.hidden = hidden
        self.max_iter = max_iter

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> Any:
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.impute import SimpleImputer
        from sklearn.neural_network import MLPRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        network = MLPRegressor(hidden_layer_sizes=self.hidden, alpha=1e-3, learning_rate_init=1e-3, max_iter=self.max_iter,
                               early_stopping=True, validation_fraction=0.1, n_iter_no_change=20, random_state=seed)
        pipeline = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(), network)
        model = TransformedTargetRegressor(regressor=pipeline, transformer=StandardScaler())
        return model.fit(X, y)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "hidden": list(self.hidden), "max_iter": self.max_iter}


class KNNLearner(_PickledSklearn):
    """Distance-weighted nearest neighbours in element-fraction space: interpolates across a solid
    solution (Hg0.7Cd0.3Te between HgTe and CdTe), which trees on the same features cannot."""

    name = "knn"

    def __init__(self, neighbours: int = 5) -> None:
        self.neighbours = neighbours

    def _columns(self, X: np.ndarray) -> np.ndarray:
        from textmine.predict.features import composition_feature_names

        names = composition_feature_names()
        start = names.index("frac_H")
        return np.nan_to_num(X[:, start : len(names)])

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> Any:
        from sklearn.neighbors import KNeighborsRegressor

        return KNeighborsRegressor(n_neighbors=min(self.neighbours, len(y)), weights="distance").fit(self._columns(X), y)

    def predict(self, member: Any, X: np.ndarray) -> np.ndarray:
        return np.asarray(member.predict(self._columns(X)), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "neighbours": self.neighbours, "space": "element fractions"}


class BlendLearner:
    """Several learners trained on the same rows, their predictions averaged. The first part's file
    is the member's; the others sit beside it (`member-0.txt`, `member-0.knn.pkl`)."""

    suffix = ".txt"

    def __init__(self, parts: tuple[str, ...] = ("lightgbm", "mlp"), **lightgbm_options: Any) -> None:
        self.parts = [LightGBMLearner(**lightgbm_options) if p == "lightgbm" else LEARNERS[p]() for p in parts]
        self.name = "+".join(parts)
        self.suffix = self.parts[0].suffix

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> Any:
        return tuple(part.fit(X, y, seed) for part in self.parts)

    def predict(self, member: Any, X: np.ndarray) -> np.ndarray:
        return np.mean([part.predict(m, X) for part, m in zip(self.parts, member)], axis=0)

    def _paths(self, path: Path) -> list[Path]:
        return [path] + [path.with_suffix(f".{part.name}{part.suffix}") for part in self.parts[1:]]

    def save(self, member: Any, path: Path) -> None:
        for part, m, p in zip(self.parts, member, self._paths(path)):
            part.save(m, p)

    def load(self, path: Path) -> Any:
        return tuple(part.load(p) for part, p in zip(self.parts, self._paths(path)))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "parts": [part.describe() for part in self.parts]}


LEARNERS: dict[str, Any] = {"lightgbm": LightGBMLearner, "hgb": HistGradientBoostingLearner, "mlp": MLPLearner,
                             "knn": KNNLearner}


def get_learner(name: str, options: dict[str, Any] | None = None) -> Learner:
    """A learner by name; `options` override its defaults (e.g. {"rounds": 100} for LightGBM)."""
    options = dict(options or {})
    if "params" in options:
        options["params"] = {**LightGBMLearner().params, **options["params"]}
    parts = tuple(name.split("+"))
    unknown = [p for p in parts if p not in LEARNERS]
    if unknown or not parts:
        raise ValueError(f"unknown learner {name!r}; choose one of {', '.join(LEARNERS)} or a blend such as lightgbm+knn")
    if len(parts) > 1:
        return BlendLearner(parts, **options)
    return LEARNERS[name](**options)


__all__ = ["Learner", "LEARNERS", "get_learner", "LightGBMLearner", "HistGradientBoostingLearner", "MLPLearner",
           "BlendLearner", "threads"]
