"""Learners an ensemble is made of, by name: `lightgbm` (the default: gradient-boosted trees, saved
in LightGBM's own text format, no pickle), `hgb` (scikit-learn's histogram gradient boosting) and
`mlp` (a small scikit-learn network on standardised, imputed features), and `lightgbm+mlp` (both,
averaged). `bench/prediction_select.py` and `bench/prediction_cv.py --learners` measure them
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
            "verbosity": -1,
        }
    )
    rounds: int = 600

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


class BlendLearner:
    """LightGBM and the small network trained on the same rows, their predictions averaged."""

    name = "lightgbm+mlp"
    suffix = ".txt"

    def __init__(self, **lightgbm_options: Any) -> None:
        self.trees = LightGBMLearner(**lightgbm_options)
        self.network = MLPLearner()

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> Any:
        return self.trees.fit(X, y, seed), self.network.fit(X, y, seed)

    def predict(self, member: Any, X: np.ndarray) -> np.ndarray:
        return 0.5 * (self.trees.predict(member[0], X) + self.network.predict(member[1], X))

    def save(self, member: Any, path: Path) -> None:
        self.trees.save(member[0], path)
        self.network.save(member[1], path.with_suffix(".mlp.pkl"))

    def load(self, path: Path) -> Any:
        return self.trees.load(path), self.network.load(path.with_suffix(".mlp.pkl"))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "trees": self.trees.describe(), "network": self.network.describe()}


LEARNERS = {"lightgbm": LightGBMLearner, "hgb": HistGradientBoostingLearner, "mlp": MLPLearner,
            "lightgbm+mlp": BlendLearner}


def get_learner(name: str, options: dict[str, Any] | None = None) -> Learner:
    """A learner by name; `options` override its defaults (e.g. {"rounds": 100} for LightGBM)."""
    try:
        factory = LEARNERS[name]
    except KeyError:
        raise ValueError(f"unknown learner {name!r}; choose one of {', '.join(LEARNERS)}") from None
    options = dict(options or {})
    if name == "lightgbm" and "params" in options:
        options["params"] = {**LightGBMLearner().params, **options["params"]}
    return factory(**options)


__all__ = ["Learner", "LEARNERS", "get_learner", "LightGBMLearner", "HistGradientBoostingLearner", "MLPLearner",
           "BlendLearner", "threads"]
