"""What the material page draws for its linked structures and XRD patterns, computed on the server.

`unit_cell_views(entry)` projects a stored structure's unit cell (cell edges, the atoms inside it and
their periodic images on the faces, edges and corners) along a, b, c and one oblique direction; the
template draws each as an SVG (atoms coloured by element with Jmol colours, sized by atomic radius,
far atoms first). `xrd_charts(companion, detail)` gives the data of the page's Vega-Lite plots:
each linked measured pattern (thinned, peaks kept) with the cached simulated patterns of the
structures it is linked to, or the cached simulated patterns alone when no measured one is linked.
Pure functions over store objects; no text is formatted into markup here (the template escapes).
"""

from __future__ import annotations

import colorsys
import hashlib
from typing import Any

import numpy as np

# Jmol colours of the elements met most in the materials literature; others get a stable hue.
JMOL = {
    "H": "#FFFFFF", "He": "#D9FFFF", "Li": "#CC80FF", "Be": "#C2FF00", "B": "#FFB5B5", "C": "#909090", "N": "#3050F8",
    "O": "#FF0D0D", "F": "#90E050", "Na": "#AB5CF2", "Mg": "#8AFF00", "Al": "#BFA6A6", "Si": "#F0C8A0", "P": "#FF8000",
    "S": "#FFFF30", "Cl": "#1FF01F", "K": "#8F40D4", "Ca": "#3DFF00", "Sc": "#E6E6E6", "Ti": "#BFC2C7", "V": "#A6A6AB",
    "Cr": "#8A99C7", "Mn": "#9C7AC7", "Fe": "#E06633", "Co": "#F090A0", "Ni": "#50D050", "Cu": "#C88033",
    "Zn": "#7D80B0", "Ga": "#C28F8F", "Ge": "#668F8F", "As": "#BD80E3", "Se": "#FFA100", "Br": "#A62929",
    "Rb": "#702EB0", "Sr": "#00FF00", "Y": "#94FFFF", "Zr": "#94E0E0", "Nb": "#73C2C9", "Mo": "#54B5B5",
    "Ru": "#248F8F", "Rh": "#0A7D8C", "Pd": "#006985", "Ag": "#C0C0C0", "Cd": "#FFD98F", "In": "#A67573",
    "Sn": "#668080", "Sb": "#9E63B5", "Te": "#D47A00", "I": "#940094", "Cs": "#57178F", "Ba": "#00C900",
    "La": "#70D4FF", "Ce": "#FFFFC7", "Nd": "#C7FFC7", "Gd": "#45FFC7", "Hf": "#4DC2FF", "Ta": "#4DA6FF",
    "W": "#2194D6", "Pt": "#D0D0E0", "Au": "#FFD123", "Hg": "#B8B8D0", "Tl": "#A6544D", "Pb": "#575961",
    "Bi": "#9E4FB5",
}
VIEWS = (("oblique", "3D view"), ("a", "along a"), ("b", "along b"), ("c", "along c"))
MAX_POINTS = 2000  # a measured pattern is thinned to at most this many points (the peak of each bin kept)
EDGE_TOL = 1e-3


def element_colour(symbol: str) -> str:
    if symbol in JMOL:
        return JMOL[symbol]
    hue = int(hashlib.sha1(symbol.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = colorsys.hls_to_rgb(hue, 0.55, 0.6)
    return "#{:02X}{:02X}{:02X}".format(int(r * 255), int(g * 255), int(b * 255))


def _radius(symbol: str) -> float:
    try:
        from pymatgen.core import Element

        radius = Element(symbol).atomic_radius
        return float(radius) if radius else 1.2
    except (ValueError, KeyError, AttributeError):
        return 1.2


def _cell_atoms(structure) -> list[tuple[str, np.ndarray, str]]:
    """(element, fractional coordinates, label) of every atom in the cell and its images on the
    cell's faces, edges and corners (so a cubic cell shows its 8 corner atoms)."""
    atoms = []
    for site in structure:
        species = site.species
        symbol = max(species.items(), key=lambda kv: kv[1])[0].symbol if len(species) else "X"
        label = " ".join(f"{sp.symbol}{'' if occ == 1 else f' {occ:.2f}'}" for sp, occ in species.items())
        frac = np.mod(np.asarray(site.frac_coords, dtype=float), 1.0)
        frac[np.isclose(frac, 1.0, atol=EDGE_TOL)] = 0.0
        shifts = [[0.0] + ([1.0] if abs(f) < EDGE_TOL else []) for f in frac]
        for dx in shifts[0]:
            for dy in shifts[1]:
                for dz in shifts[2]:
                    atoms.append((symbol, frac + np.array([dx, dy, dz]), label))
    return atoms


def _frame(matrix: np.ndarray, view: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Screen right, screen up and towards-the-viewer unit vectors (Cartesian) for a view."""
    a, b, c = matrix
    if view == "oblique":
        toward = 0.45 * a / np.linalg.norm(a) - 1.0 * b / np.linalg.norm(b) + 0.35 * c / np.linalg.norm(c)
        up = c
    else:
        toward, up = {"a": (a, c), "b": (b, c), "c": (c, b)}[view]
    w = toward / np.linalg.norm(toward)
    u = up - np.dot(up, w) * w
    if np.linalg.norm(u) < 1e-8:  # degenerate: pick any perpendicular
        u = np.cross(w, [1.0, 0.0, 0.0]) if abs(w[0]) < 0.9 else np.cross(w, [0.0, 1.0, 0.0])
    u /= np.linalg.norm(u)
    return np.cross(u, w), u, w


def unit_cell_views(entry) -> dict[str, Any]:
    """Everything the template needs to draw one structure: per view the cell edges, the atoms
    (depth-sorted) and the axis labels in projected Å, plus the legend."""
    structure = entry.to_pymatgen()
    matrix = np.asarray(structure.lattice.matrix, dtype=float)
    atoms = _cell_atoms(structure)
    radii = {symbol: _radius(symbol) for symbol in {a[0] for a in atoms}}
    corners = {(i, j, k): np.array([i, j, k], dtype=float) @ matrix for i in (0, 1) for j in (0, 1) for k in (0, 1)}
    edges = [(p, q) for p in corners for q in corners if p < q and sum(x != y for x, y in zip(p, q)) == 1]
    views = []
    for key, title in VIEWS:
        right, up, toward = _frame(matrix, key)

        def project(point: np.ndarray) -> tuple[float, float]:
            return float(np.dot(point, right)), float(-np.dot(point, up))  # SVG y grows downwards

        drawn = []
        for symbol, frac, label in atoms:
            cart = frac @ matrix
            x, y = project(cart)
            drawn.append({"x": round(x, 3), "y": round(y, 3), "r": round(0.3 * radii[symbol] + 0.12, 3),
                          "element": symbol, "colour": element_colour(symbol), "depth": float(np.dot(cart, toward)),
                          "label": f"{label} ({frac[0]:.3f}, {frac[1]:.3f}, {frac[2]:.3f})"})
        drawn.sort(key=lambda atom: atom["depth"])
        lines = [dict(zip(("x1", "y1"), project(corners[p]))) | dict(zip(("x2", "y2"), project(corners[q]))) for p, q in edges]
        points = [project(c) for c in corners.values()] + [(d["x"], d["y"]) for d in drawn]
        pad = max([d["r"] for d in drawn] + [0.5]) + 0.6
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)
        origin = corners[(0, 0, 0)]
        axes = []
        for name, vector in zip("abc", matrix):
            x, y = project(origin + 1.08 * vector)
            ox, oy = project(origin)
            if abs(x - ox) + abs(y - oy) > 0.05 * max(box[2], box[3]):  # skip the axis pointing at the viewer
                axes.append({"name": name, "x": round(x, 3), "y": round(y, 3)})
        views.append({"key": key, "title": title, "atoms": drawn, "lines": lines, "axes": axes,
                      "viewbox": " ".join(f"{v:.3f}" for v in box), "font": round(0.05 * max(box[2], box[3]), 3),
                      "stroke": round(0.006 * max(box[2], box[3]), 4)})
    counts: dict[str, int] = {}
    for site in structure:
        for species in site.species:
            counts[species.symbol] = counts.get(species.symbol, 0) + 1
    legend = [{"element": symbol, "colour": element_colour(symbol), "count": counts[symbol]} for symbol in sorted(counts)]
    return {"views": views, "legend": legend, "lattice": entry.lattice.model_dump(), "formula": entry.formula,
            "reduced_formula": entry.reduced_formula, "space_group": entry.space_group,
            "space_group_number": entry.space_group_number, "crystal_system": entry.crystal_system,
            "density": entry.density, "nsites": entry.nsites, "ordered": entry.ordered}


def thin(two_theta: list[float], intensity: list[float], limit: int = MAX_POINTS) -> list[list[float]]:
    """At most `limit` [2θ, intensity] points: the strongest point of each of `limit` equal bins."""
    x, y = np.asarray(two_theta, dtype=float), np.asarray(intensity, dtype=float)
    if len(x) <= limit:
        return [[round(float(a), 4), round(float(b), 3)] for a, b in zip(x, y)]
    out = []
    for idx in np.array_split(np.arange(len(x)), limit):
        best = idx[int(np.argmax(y[idx]))]
        out.append([round(float(x[best]), 4), round(float(y[best]), 3)])
    return out


def _simulated(companion, structure_id: str, wavelengths: list[float]) -> dict[str, Any] | None:
    for wavelength in wavelengths:
        pattern = companion.get_simulated(structure_id, wavelength)
        if pattern is not None:
            return pattern
    return None


def xrd_charts(companion, structures: list[dict], spectra: list[dict]) -> list[dict[str, Any]]:
    """The XRD plots of a material page: one per linked measured pattern (scaled so its strongest
    point is 100, with the cached simulated patterns of its linked structures as sticks), else one
    of the cached simulated patterns of the material's structures."""
    from textmine.spectra.simulate import DEFAULT_WAVELENGTH

    names = {s["structure_id"]: f"{s.get('reduced_formula') or ''} {s.get('space_group') or ''}".strip() or s["structure_id"]
             for s in structures}
    charts: list[dict[str, Any]] = []
    by_spectrum: dict[str, list[str]] = {}
    for link in sorted(spectra, key=lambda link: link.get("rank") or 0):
        by_spectrum.setdefault(link["spectrum_id"], []).append(link["structure_id"])
    for spectrum_id, structure_ids in by_spectrum.items():
        spectrum = companion.get_spectrum(spectrum_id)
        if spectrum is None or not spectrum.two_theta:
            continue
        top = max(spectrum.intensity) or 1.0
        measured = [[x, round(100.0 * y / top, 3)] for x, y in thin(spectrum.two_theta, spectrum.intensity)]
        lo, hi = min(spectrum.two_theta), max(spectrum.two_theta)
        wavelengths = [spectrum.wavelength or DEFAULT_WAVELENGTH]  # sticks only at the pattern's own wavelength
        sticks = []
        for structure_id in dict.fromkeys(structure_ids):
            pattern = _simulated(companion, structure_id, wavelengths)
            if pattern is not None:
                sticks += [[x, y, names.get(structure_id, structure_id)] for x, y in zip(pattern["two_theta"], pattern["intensity"])
                           if lo <= x <= hi]
        charts.append({"id": spectrum_id, "title": spectrum.name or spectrum_id, "wavelength": spectrum.wavelength,
                       "measured": measured, "simulated": sticks, "lo": lo, "hi": hi})
    if not charts:
        sticks = []
        for s in structures:
            pattern = _simulated(companion, s["structure_id"], [DEFAULT_WAVELENGTH])
            if pattern is not None:
                sticks += [[x, y, names[s["structure_id"]]] for x, y in zip(pattern["two_theta"], pattern["intensity"])]
        if sticks:
            charts.append({"id": "simulated", "title": "simulated patterns (Cu Kα1)", "wavelength": DEFAULT_WAVELENGTH,
                           "measured": [], "simulated": sticks, "lo": min(s[0] for s in sticks), "hi": max(s[0] for s in sticks)})
    return charts


__all__ = ["unit_cell_views", "xrd_charts", "thin", "element_colour"]
