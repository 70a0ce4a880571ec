"""A trained property model: an ensemble of learners, a split-conformal calibration and the metadata
that says what it was trained on. Saved as a folder; loading needs the `prediction` extra
(LightGBM, crepes), never torch.

    MODEL_DIR/model.json          property, unit, target transform, features (names, version, element
                                  data digest), learner, training data hash and counts, calibration,
                                  versions of every library involved, model_id
    MODEL_DIR/members/member-N.*  the ensemble (LightGBM text format)
    MODEL_DIR/calibration.npz     out-of-fold residuals and difficulty estimates of the training
                                  materials (each predicted by members that never saw its chemical system)

Intervals are normalised split-conformal (crepes `ConformalRegressor`): nonconformity
|y - ŷ| / σ with σ = ensemble spread + a floor (the median spread), so intervals widen where the
members disagree, i.e. far from the training data. Calibration residuals come from group-aware
folds, so the coverage promise holds for new chemical systems, not just new rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from textmine.predict.features import FEATURE_VERSION, element_table, feature_matrix, feature_names
from textmine.predict.learners import Learner, get_learner

FORMAT = "textmine-property-model"
FORMAT_VERSION = 1
TRANSFORMS = ("none", "log10", "log1p")


class ModelError(RuntimeError):
    """A model folder that cannot be used (missing, another format, features of another version)."""


def forward(values: np.ndarray, transform: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if transform == "log10":
        if np.any(values <= 0):
            raise ValueError("a log10 target needs positive values")
        return np.log10(values)
    if transform == "log1p":
        return np.log1p(values)
    return values


def inverse(values: np.ndarray, transform: str) -> np.ndarray:
    if transform == "log10":
        return np.power(10.0, values)
    if transform == "log1p":
        return np.expm1(values)
    return values


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("textmine", "numpy", "lightgbm", "scikit-learn", "crepes", "pymatgen-core"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


@dataclass
class Calibration:
    """Normalised split-conformal calibration in the transformed target space."""

    residuals: np.ndarray  # y - ŷ of calibration rows
    sigmas: np.ndarray  # their difficulty estimates (ensemble spread + floor)
    floor: float  # added to every spread

    def regressor(self) -> Any:
        from crepes import ConformalRegressor

        return ConformalRegressor().fit(self.residuals, sigmas=self.sigmas)

    def difficulty(self, spread: np.ndarray) -> np.ndarray:
        return np.asarray(spread, dtype=np.float64) + self.floor


@dataclass
class PropertyModel:
    metadata: dict[str, Any]
    learner: Learner
    members: list[Any]
    calibration: Calibration
    _regressor: Any = field(default=None, repr=False)

    # -- what it is ---------------------------------------------------------------------------
    @property
    def unit(self) -> str:
        return self.metadata.get("unit") or ""

    @property
    def transform(self) -> str:
        return self.metadata.get("transform", "none")

    @property
    def uses_structure(self) -> bool:
        return bool(self.metadata["features"]["structure"])

    @property
    def model_id(self) -> str:
        return self.metadata.get("model_id", "")

    @property
    def name(self) -> str:
        return f"{self.property}-{self.metadata['learner']['name']}@{self.model_id[:8]}"

    # -- predicting ---------------------------------------------------------------------------
    def raw_predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean, spread) of the members in the transformed target space."""
        predictions = np.stack([self.learner.predict(member, X) for member in self.members])
        return predictions.mean(axis=0), predictions.std(axis=0)

    def intervals(self, mean: np.ndarray, spread: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(prediction, lower, upper) in the target's own unit."""
        if not 0.0 < coverage < 1.0:
            raise ValueError(f"coverage must lie between 0 and 1 (got {coverage})")
        if self._regressor is None:
            self._regressor = self.calibration.regressor()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # crepes warns when coverage is too high for the calibration set; bounds are then infinite
            bounds = self._regressor.predict_int(mean, sigmas=self.calibration.difficulty(spread), confidence=coverage)
        prediction, lower, upper = (inverse(v, self.transform) for v in (mean, bounds[:, 0], bounds[:, 1]))
        floor = self.metadata.get("target_min")
        if floor is not None:  # a target that is never negative (band gap, Tc) gets no negative bound
            prediction = np.maximum(prediction, floor)
            lower = np.maximum(lower, floor)
            upper = np.maximum(upper, floor)
        return prediction, lower, upper

    def predict(
        self, formulas: Sequence[str | None], structures: Sequence[Any] | None = None, coverage: float = 0.9
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(prediction, lower, upper, ok): NaN where `ok` is False (the formula did not parse)."""
        if self.uses_structure and structures is None:
            structures = [None] * len(formulas)
        X, ok = feature_matrix(formulas, structures if self.uses_structure else None)
        prediction = np.full(len(formulas), np.nan)
        lower, upper = prediction.copy(), prediction.copy()
        if ok.any():
            mean, spread = self.raw_predict(X[ok])
            prediction[ok], lower[ok], upper[ok] = self.intervals(mean, spread, coverage)
        return prediction, lower, upper, ok

    # -- folder -------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        members_dir = directory / "members"
        members_dir.mkdir(parents=True, exist_ok=True)
        for old in members_dir.glob("member-*"):
            old.unlink()
        files = []
        for i, member in enumerate(self.members):
            path = members_dir / f"member-{i}{self.learner.suffix}"
            self.learner.save(member, path)
            files.append(path.relative_to(directory).as_posix())
        np.savez_compressed(directory / "calibration.npz", residuals=self.calibration.residuals, sigmas=self.calibration.sigmas)
        self.metadata["members"] = files
        self.metadata["calibration"]["floor"] = self.calibration.floor
        self.metadata.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.metadata["model_id"] = _model_id(directory, self.metadata)
        (directory / "model.json").write_text(json.dumps(self.metadata, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> "PropertyModel":
        directory = Path(directory)
        meta_path = directory / "model.json"
        if not meta_path.is_file():
            raise ModelError(f"no model at {directory} (model.json missing): train one with `textmine predict train`")
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ModelError(f"{meta_path} is not valid JSON: {exc}") from exc
        if metadata.get("format") != FORMAT:
            raise ModelError(f"{directory} is not a textmine property model (format {metadata.get('format')!r})")
        if metadata.get("format_version", 0) > FORMAT_VERSION:
            raise ModelError(f"{directory} was written by a newer textmine (format v{metadata['format_version']}): upgrade textmine")
        features = metadata["features"]
        if features["version"] != FEATURE_VERSION:
            raise ModelError(f"{directory} uses features {features['version']}, this textmine computes {FEATURE_VERSION}: retrain it")
        if features["names"] != feature_names(bool(features["structure"])):
            raise ModelError(f"{directory} lists other feature names than this textmine computes: retrain it")
        if features.get("element_data") and features["element_data"] != element_table().digest:
            import warnings

            warnings.warn(f"the element data of this pymatgen differs from the one {directory} was trained with; "
                          "predictions may shift slightly (retrain to be exact)", stacklevel=2)
        try:
            learner = get_learner(metadata["learner"]["name"])  # loading needs no options: members carry their own
            members = [learner.load(directory / name) for name in metadata["members"]]
            data = np.load(directory / "calibration.npz")
            calibration = Calibration(np.asarray(data["residuals"]), np.asarray(data["sigmas"]), float(metadata["calibration"]["floor"]))
        except ImportError as exc:
            raise ModelError(f"using a model needs the prediction extra: pip install 'textmine[prediction]' ({exc})") from exc
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{directory} is incomplete or damaged ({exc}): retrain it") from exc
        return cls(metadata=metadata, learner=learner, members=members, calibration=calibration)


    # Defined last: inside the class body, the name `property` would shadow the decorator.
    @property
    def property(self) -> str:
        return self.metadata["property"]


def _model_id(directory: Path, metadata: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    stable = {k: v for k, v in metadata.items() if k not in ("model_id", "created")}
    digest.update(json.dumps(stable, sort_keys=True).encode("utf-8"))
    for name in metadata["members"]:
        digest.update((directory / name).read_bytes())
    digest.update((directory / "calibration.npz").read_bytes())
    return digest.hexdigest()[:16]


def finite_or_none(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


__all__ = ["PropertyModel", "Calibration", "ModelError", "forward", "inverse", "TRANSFORMS", "package_versions", "finite_or_none"]
