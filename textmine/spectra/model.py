"""A measured (or simulated) powder diffraction pattern, kept losslessly.

The arrays are the file's own numbers: 2θ in degrees and intensity (counts or arbitrary units) as
float64, never resampled or smoothed; the store keeps them as raw float64 bytes (SQLite) or JSON
numbers (Elasticsearch; Python writes the shortest repr, which reads back bit for bit).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

# Kα1 wavelengths (Å) by anode, for files that name the anode but not the wavelength.
ANODE_WAVELENGTH = {"Cu": 1.540598, "Co": 1.788965, "Mo": 0.709319, "Fe": 1.936042, "Cr": 2.289760, "Ag": 0.559421}


class Spectrum(BaseModel):
    """One powder XRD pattern."""

    model_config = ConfigDict(frozen=True)

    spectrum_id: str = Field(description="'sp-' + 16 hex digits over the arrays and the wavelength")
    kind: str = Field(default="xrd", description="'xrd' (measured) or 'xrd-simulated'")
    source: str
    format: str = Field(description="xrdml | xy | csv | simulated")
    name: str | None = Field(default=None, description="sample name, or the file stem")
    anode: str | None = None
    wavelength: float | None = Field(default=None, description="Kα1 (Å) the pattern was measured with")
    wavelength_ka2: float | None = None
    ka2_ratio: float | None = None
    step: float | None = Field(default=None, description="mean 2θ step (degrees)")
    two_theta: list[float] = Field(description="degrees")
    intensity: list[float]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def n_points(self) -> int:
        return len(self.two_theta)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.two_theta, dtype=np.float64), np.asarray(self.intensity, dtype=np.float64)

    def summary(self) -> dict[str, Any]:
        out = self.model_dump(exclude={"two_theta", "intensity"})
        out["n_points"] = self.n_points
        out["two_theta_min"] = min(self.two_theta) if self.two_theta else None
        out["two_theta_max"] = max(self.two_theta) if self.two_theta else None
        return out


def spectrum_id(two_theta: np.ndarray, intensity: np.ndarray, wavelength: float | None) -> str:
    digest = hashlib.sha1()
    digest.update(np.ascontiguousarray(two_theta, dtype="<f8").tobytes())
    digest.update(np.ascontiguousarray(intensity, dtype="<f8").tobytes())
    digest.update(repr(wavelength).encode())
    return "sp-" + digest.hexdigest()[:16]


def make_spectrum(two_theta, intensity, *, source: str, format: str, wavelength: float | None = None, **kw: Any) -> Spectrum:
    x = np.asarray(two_theta, dtype=np.float64)
    y = np.asarray(intensity, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"2θ and intensity differ in shape: {x.shape} vs {y.shape}")
    if len(x) < 2:
        raise ValueError("fewer than two points")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("non-finite numbers in the pattern")
    step = float(np.mean(np.diff(x)))
    return Spectrum(spectrum_id=spectrum_id(x, y, wavelength), source=source, format=format, wavelength=wavelength,
                    step=round(step, 8), two_theta=x.tolist(), intensity=y.tolist(), **kw)


__all__ = ["Spectrum", "make_spectrum", "spectrum_id", "ANODE_WAVELENGTH"]
