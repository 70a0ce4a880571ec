"""Simulated powder patterns of stored structures (pymatgen `XRDCalculator`), computed when first
needed and cached in the store per (structure, wavelength): `structures add` never pays for them."""

from __future__ import annotations

from typing import Any

DEFAULT_WAVELENGTH = 1.540598  # Cu Kα1 (Å)
TWO_THETA_RANGE = (5.0, 120.0)


class SimulationUnavailable(ImportError):
    pass


def _calculator(wavelength: float):
    try:
        from pymatgen.analysis.diffraction.xrd import XRDCalculator
    except ImportError as exc:
        raise SimulationUnavailable("simulated XRD patterns need pymatgen's diffraction module: "
                                    "pip install 'textmine[structures]'") from exc
    return XRDCalculator(wavelength=float(wavelength))


def simulate_pattern(structure, wavelength: float = DEFAULT_WAVELENGTH,
                     two_theta_range: tuple[float, float] = TWO_THETA_RANGE) -> dict[str, Any]:
    """Stick pattern: 2θ (degrees), intensity (strongest = 100), d (Å) and Miller indices."""
    pattern = _calculator(wavelength).get_pattern(structure, scaled=True, two_theta_range=two_theta_range)
    return {
        "wavelength": float(wavelength),
        "two_theta": [round(float(x), 5) for x in pattern.x],
        "intensity": [round(float(y), 4) for y in pattern.y],
        "d": [round(float(d), 5) for d in pattern.d_hkls],
        "hkl": [[list(h["hkl"]) for h in hkls] for hkls in pattern.hkls],
    }


def simulated_for(companion, entry, wavelength: float = DEFAULT_WAVELENGTH) -> dict[str, Any]:
    """The cached pattern of a stored structure at `wavelength`, computed (and stored) if missing."""
    cached = companion.get_simulated(entry.structure_id, wavelength) if companion is not None else None
    if cached is not None:
        return cached
    pattern = simulate_pattern(entry.to_pymatgen(), wavelength)
    if companion is not None:
        companion.put_simulated(entry.structure_id, wavelength, pattern)
    return pattern


__all__ = ["simulate_pattern", "simulated_for", "DEFAULT_WAVELENGTH", "SimulationUnavailable"]
