"""Phase identification: rank candidate structures against a measured powder pattern.

A whole-pattern greedy search-match, in the spirit of Hanawalt/Rietveld-free search-match tools:

1. the measured pattern is put on a 0.02° grid, its background (a rolling minimum, smoothed) is
   removed and it is scaled to a maximum of 1;
2. each candidate's simulated stick pattern (Kα1, plus Kα2 at the file's ratio) is drawn as
   Gaussian peaks on the same grid, for lattice scale factors within ±`max_strain` (the sample's
   lattice and the reference's differ by a few 0.1 %, and a displaced sample shifts peaks);
3. greedily, the candidate (at its best scale) whose profile best matches what is still
   unexplained (cosine similarity with the residual) is taken, fitted by least squares and
   subtracted; the next pick sees only what the earlier ones left.

Intensities are compared as square roots, so a minor phase's peaks count next to a major phase's.
Each `PhaseMatch` says its score (cosine with the residual when picked), the share of the
measured intensity it explains, the lattice scale and the matched peaks (2θ, hkl, simulated and
measured intensity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from scipy.ndimage import gaussian_filter1d, minimum_filter1d, uniform_filter1d

GRID_STEP = 0.02  # degrees 2θ
PEAK_FWHM = 0.20  # degrees: simulated peaks, a little wider than the measured ones (~0.1°) to tolerate offsets
BACKGROUND_WINDOW = 3.0  # degrees: rolling-minimum window for the background
MAX_STRAIN = 0.01  # ±1 % lattice scale
STRAIN_STEPS = 21
MATCH_TOLERANCE = 0.15  # degrees: a simulated peak is "matched" when a measured peak lies this close
MIN_STICK = 2.0  # simulated peaks weaker than this (strongest = 100) are not listed as matched/missing


@dataclass
class Candidate:
    structure_id: str
    name: str
    reduced_formula: str
    pattern: dict[str, Any]  # simulate_pattern output at the spectrum's wavelength


@dataclass
class PhaseMatch:
    structure_id: str
    name: str
    reduced_formula: str
    rank: int
    score: float
    explained: float
    lattice_scale: float
    picked: bool
    matched_peaks: list[dict[str, Any]] = field(default_factory=list)
    missing_peaks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def prepare(two_theta: np.ndarray, intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uniform grid, background removed, scaled to max 1, square-rooted."""
    grid = np.arange(two_theta.min(), two_theta.max(), GRID_STEP)
    y = np.interp(grid, two_theta, intensity)
    window = max(3, int(BACKGROUND_WINDOW / GRID_STEP))
    background = uniform_filter1d(minimum_filter1d(y, size=window, mode="nearest"), size=window, mode="nearest")
    y = np.clip(y - background, 0, None)
    y = gaussian_filter1d(y, sigma=0.5 * 0.1 / GRID_STEP)  # mild smoothing: counting noise
    peak = y.max()
    if peak > 0:
        y = y / peak
    return grid, np.sqrt(y)


def profile(grid: np.ndarray, positions: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """Gaussian peaks (FWHM `PEAK_FWHM`) at `positions`, drawn by binning then blurring."""
    out = np.zeros_like(grid)
    inside = (positions >= grid[0]) & (positions <= grid[-1])
    if not np.any(inside):
        return out
    where = (positions[inside] - grid[0]) / GRID_STEP
    low = np.floor(where).astype(int)
    frac = where - low
    high = np.minimum(low + 1, len(grid) - 1)
    np.add.at(out, low, heights[inside] * (1 - frac))
    np.add.at(out, high, heights[inside] * frac)
    sigma = PEAK_FWHM / 2.3548 / GRID_STEP
    return gaussian_filter1d(out, sigma=sigma)


def _sticks(pattern: dict[str, Any], scale: float, wavelength: float, ka2: float | None, ratio: float | None) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(pattern["d"], dtype=float) * scale
    height = np.sqrt(np.asarray(pattern["intensity"], dtype=float) / 100.0)
    positions = []
    heights = []
    for lam, weight in ((wavelength, 1.0), (ka2, ratio)):
        if lam is None or not weight:
            continue
        s = lam / (2 * d)
        ok = s < 1
        positions.append(np.degrees(2 * np.arcsin(s[ok])))
        heights.append(height[ok] * np.sqrt(weight))
    return np.concatenate(positions), np.concatenate(heights)


def identify_phases(spectrum, candidates: Sequence[Candidate], *, top_k: int = 5, max_picks: int = 4) -> list[PhaseMatch]:
    """Rank `candidates` against `spectrum` (a `Spectrum`); returns every candidate, best first."""
    x, y = spectrum.arrays()
    grid, observed = prepare(x, y)
    wavelength = spectrum.wavelength or 1.540598
    ka2 = spectrum.wavelength_ka2
    ratio = spectrum.ka2_ratio if spectrum.ka2_ratio is not None else (0.5 if ka2 else None)
    scales = np.linspace(1 - MAX_STRAIN, 1 + MAX_STRAIN, STRAIN_STEPS)
    profiles: dict[int, np.ndarray] = {}  # candidate index -> (scales, grid) profiles
    for i, cand in enumerate(candidates):
        stack = []
        for scale in scales:
            pos, h = _sticks(cand.pattern, scale, wavelength, ka2, ratio)
            stack.append(profile(grid, pos, h))
        profiles[i] = np.vstack(stack)
    residual = observed.copy()
    total = float(np.sum(observed**2)) or 1.0
    remaining = set(range(len(candidates)))
    ranked: list[PhaseMatch] = []
    while remaining:
        best = None
        for i in remaining:
            p = profiles[i]
            norms = np.linalg.norm(p, axis=1)
            cos = (p @ residual) / (norms * (np.linalg.norm(residual) or 1.0) + 1e-12)
            j = int(np.argmax(cos))
            if best is None or cos[j] > best[1]:
                best = (i, float(cos[j]), j)
        i, cos, j = best
        remaining.discard(i)
        p = profiles[i][j]
        pick = len([m for m in ranked if m.picked]) < max_picks and cos > 0
        alpha = max(0.0, float(p @ residual) / float(p @ p)) if pick and float(p @ p) > 0 else 0.0
        explained = float(np.sum(np.minimum(alpha * p, residual) ** 2)) / total if pick else 0.0
        if pick:
            residual = np.clip(residual - alpha * p, 0, None)
        cand = candidates[i]
        matched, missing = _matched_peaks(cand.pattern, float(scales[j]), wavelength, grid, observed)
        ranked.append(PhaseMatch(structure_id=cand.structure_id, name=cand.name, reduced_formula=cand.reduced_formula,
                                 rank=len(ranked) + 1, score=round(max(cos, 0.0), 4), explained=round(explained, 4),
                                 lattice_scale=round(float(scales[j]), 4), picked=pick, matched_peaks=matched,
                                 missing_peaks=missing))
    return ranked


def _matched_peaks(pattern: dict[str, Any], scale: float, wavelength: float, grid: np.ndarray,
                   observed: np.ndarray) -> tuple[list[dict[str, Any]], int]:
    d = np.asarray(pattern["d"], dtype=float) * scale
    s = wavelength / (2 * d)
    noise = float(np.median(observed)) + 0.05
    matched = []
    missing = 0
    for k, (ok, sin_theta) in enumerate(zip(s < 1, s)):
        if not ok or pattern["intensity"][k] < MIN_STICK:
            continue
        position = float(np.degrees(2 * np.arcsin(sin_theta)))
        if position < grid[0] or position > grid[-1]:
            continue
        window = (grid >= position - MATCH_TOLERANCE) & (grid <= position + MATCH_TOLERANCE)
        local = float(observed[window].max()) if np.any(window) else 0.0
        if local > noise:
            matched.append({"two_theta": round(position, 3), "hkl": pattern["hkl"][k][0] if pattern["hkl"][k] else None,
                            "intensity_simulated": pattern["intensity"][k], "intensity_measured": round(local**2 * 100, 2)})
        else:
            missing += 1
    return matched, missing


__all__ = ["identify_phases", "Candidate", "PhaseMatch", "prepare"]
