"""The geometry behind the material page's unit-cell views and the thinning of measured patterns."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pymatgen.core", reason="structures need: pip install 'textmine[structures]'")


def _entry(structure):
    from textmine.structures.model import describe

    return describe(structure, source="test")


def test_cubic_cell_shows_its_corner_images_and_projects_square_along_c():
    from pymatgen.core import Lattice, Structure

    from textmine.web.crystal import unit_cell_views

    entry = _entry(Structure(Lattice.cubic(4.0), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]))
    cell = unit_cell_views(entry)
    assert [v["key"] for v in cell["views"]] == ["oblique", "a", "b", "c"]
    along_c = next(v for v in cell["views"] if v["key"] == "c")
    elements = sorted(a["element"] for a in along_c["atoms"])
    assert elements == ["Cl"] + ["Cs"] * 8  # one body centre, eight corners
    corners = {(round(a["x"], 6), round(a["y"], 6)) for a in along_c["atoms"] if a["element"] == "Cs"}
    assert corners == {(0.0, 0.0), (4.0, 0.0), (0.0, -4.0), (4.0, -4.0)}  # a square of side a, each corner twice deep
    assert len(along_c["lines"]) == 12 and {ax["name"] for ax in along_c["axes"]} == {"a", "b"}  # c points at the viewer
    depths = [a["depth"] for a in along_c["atoms"]]
    assert depths == sorted(depths)  # far atoms drawn first
    assert cell["legend"] == [{"element": "Cl", "colour": "#1FF01F", "count": 1}, {"element": "Cs", "colour": "#57178F", "count": 1}]
    assert cell["space_group"] == "Pm-3m" and cell["lattice"]["a"] == pytest.approx(4.0)


def test_thin_keeps_every_peak_and_at_most_the_limit():
    from textmine.web.crystal import thin

    x = np.linspace(10, 80, 7001)
    y = np.exp(-((x - 31.7) ** 2) / 0.01) * 1000 + np.exp(-((x - 56.6) ** 2) / 0.01) * 400 + 5
    points = thin(x.tolist(), y.tolist(), limit=500)
    assert len(points) == 500
    top = max(points, key=lambda p: p[1])
    assert top[0] == pytest.approx(31.7, abs=0.02) and top[1] == pytest.approx(y.max(), rel=1e-6)
    assert any(abs(p[0] - 56.6) < 0.02 and p[1] > 390 for p in points)
    assert thin([1.0, 2.0], [3.0, 4.0]) == [[1.0, 3.0], [2.0, 4.0]]
