"""The material page draws what structures and spectra add: a unit-cell view of each linked crystal
structure (atoms by element, space group, lattice) and each linked XRD pattern with Vega-Lite (the
measured pattern from ../shared/data and the patterns simulated from its linked structures), in a
real headless Chromium against a real `textmine serve` over a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.server import FIXTURES, ROOT, load_corpus, require, serve

require("fastapi", "pip install -e '.[serving]'")
require("selenium", "pip install -e '.[test]'")
require("pymatgen.analysis.diffraction.xrd", "pip install -e '.[structures]'")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

HOSTILE = '</script><script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
PATTERN = Path("materials") / "xrd_experimental" / "precursor_mixture" / "TiO2_0p4009-ZnO_0p6010--8min.xrdml"


@pytest.fixture(scope="module")
def crystal_store(shared_data, tmp_path_factory):
    """The demo corpus over TiO2 and ZnO reference structures (records link to them as they are
    stored), one measured TiO2/ZnO pattern linked by phase identification, and the simulated
    patterns of the TiO2 structures cached."""
    from textmine.link.spectra import link_spectrum
    from textmine.spectra.model import make_spectrum
    from textmine.spectra.readers import read_spectra
    from textmine.spectra.references import reference_entries
    from textmine.spectra.simulate import simulated_for
    from textmine.store import open_store
    from textmine.store.structures import structure_store

    db = tmp_path_factory.mktemp("crystal") / "crystal.db"
    entries = [e for e in reference_entries() if e.reduced_formula in ("TiO2", "ZnO")]
    store = open_store(str(db))
    try:
        companion = structure_store(store)
        companion.put_structures(entries)
    finally:
        store.close()
    load_corpus(str(db), [ROOT / "corpora" / "demo", FIXTURES / "xss_2020.txt"])
    store = open_store(str(db))
    try:
        companion = structure_store(store)
        (spectrum,) = read_spectra(shared_data / PATTERN)
        companion.put_spectra([spectrum])
        links = link_spectrum(companion, spectrum)
        assert {"TiO2", "ZnO"} <= {link.reduced_formula for link in links[:3]}
        # The same pattern at twice the intensity under a hostile sample name: its caption and its
        # chart data must stay text.
        hostile = make_spectrum(spectrum.two_theta, [2 * y for y in spectrum.intensity], source="hostile.xy", format="xy",
                                wavelength=spectrum.wavelength, name=HOSTILE)
        companion.put_spectra([hostile])
        link_spectrum(companion, hostile, elements=["O", "Ti", "Zn"])
        simulated = {}
        for entry in entries:
            pattern = simulated_for(companion, entry, spectrum.wavelength or 1.540598)
            simulated[entry.structure_id] = pattern
    finally:
        store.close()
    tio2 = [e for e in entries if e.reduced_formula == "TiO2"]
    return {"db": db, "spectrum": spectrum, "links": links, "tio2": tio2, "simulated": simulated}


@pytest.fixture(scope="module")
def crystal_site(crystal_store, tmp_path_factory):
    with serve(str(crystal_store["db"]), write=False, log=tmp_path_factory.mktemp("crystal-serve") / "serve.log") as base:
        yield base


def test_material_page_draws_cells_and_xrd(browser, crystal_site, crystal_store, shot):
    browser.get(crystal_site + "/materials/TiO2")
    WebDriverWait(browser, 90).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, ".xrd-chart[data-drawn='true']")) == len(b.find_elements(By.CSS_SELECTOR, ".xrd-chart")))
    # Structure views: one figure per TiO2 structure, atoms of Ti and O only, the space group beside it.
    figures = browser.find_elements(By.CSS_SELECTOR, "figure.cell")
    tio2_ids = {e.structure_id for e in crystal_store["tio2"]}
    assert tio2_ids <= {f.get_attribute("data-structure") for f in figures}
    for entry in crystal_store["tio2"]:
        figure = browser.find_element(By.ID, f"cell-{entry.structure_id}")
        svg = figure.find_element(By.CSS_SELECTOR, "svg.unit-cell:not([hidden])")
        assert svg.size["width"] > 150 and svg.size["height"] > 150
        elements = [a.get_attribute("data-element") for a in svg.find_elements(By.CSS_SELECTOR, "circle.atom")]
        assert set(elements) == {"Ti", "O"} and len(elements) >= entry.nsites
        assert len(svg.find_elements(By.CSS_SELECTOR, "g.edges line")) == 12
        assert entry.space_group in figure.find_element(By.CSS_SELECTOR, ".space-group").text
        assert f"{entry.lattice.a:.4f}" in figure.find_element(By.CSS_SELECTOR, "dl.lattice").text
        assert {li.get_attribute("data-element") for li in figure.find_elements(By.CSS_SELECTOR, "ul.legend li")} == {"O", "Ti"}
    rutile = next(e for e in crystal_store["tio2"] if e.space_group_number == 136)
    assert "P4_2/mnm" in browser.find_element(By.ID, f"cell-{rutile.structure_id}").text
    # Rotate with the keyboard: the arrow key on the focused view button shows the view along a.
    figure = browser.find_element(By.ID, f"cell-{rutile.structure_id}")
    figure.find_element(By.CSS_SELECTOR, ".view-button[data-view='oblique']").send_keys(Keys.ARROW_RIGHT)
    shown = figure.find_elements(By.CSS_SELECTOR, "svg.unit-cell:not([hidden])")
    assert [s.get_attribute("data-view") for s in shown] == ["a"]
    assert browser.switch_to.active_element.get_attribute("data-view") == "a"
    figure.find_element(By.CSS_SELECTOR, ".view-button[data-view='c']").click()
    assert [s.get_attribute("data-view") for s in figure.find_elements(By.CSS_SELECTOR, "svg.unit-cell:not([hidden])")] == ["c"]
    # XRD: the measured pattern as a line, the simulated TiO2 (and ZnO) peaks in its range as sticks.
    spectrum = crystal_store["spectrum"]
    charts = browser.find_elements(By.CSS_SELECTOR, "figure.xrd-plot")
    assert len(charts) == 2
    assert browser.execute_script("return window.__xss === undefined"), "a pattern's name ran as a script"
    assert any(HOSTILE in c.find_element(By.TAG_NAME, "figcaption").text for c in charts)
    (measured,) = [c for c in charts if spectrum.name in c.find_element(By.TAG_NAME, "figcaption").text]
    chart = measured.find_element(By.CSS_SELECTOR, ".xrd-chart svg")
    assert "2θ (degrees)" in chart.text and "intensity (strongest = 100)" in chart.text
    assert len(chart.find_elements(By.CSS_SELECTOR, "g.mark-line.role-mark path")) == 1
    lo, hi = min(spectrum.two_theta), max(spectrum.two_theta)
    linked = {link.structure_id for link in crystal_store["links"]
              if link.structure_id in {s.get_attribute("data-structure") for s in figures}}
    expected = sum(lo <= x <= hi for sid in linked for x in crystal_store["simulated"][sid]["two_theta"])
    assert expected > 10
    assert len(chart.find_elements(By.CSS_SELECTOR, "g.mark-rule.role-mark line")) == expected
    assert "2 XRD plots drawn" in browser.find_element(By.CSS_SELECTOR, ".xrd .plot-status").text
    browser.execute_script("document.querySelector('section.structures h2').scrollIntoView()")
    assert shot("material-structures").exists()
    browser.execute_script("document.querySelector('section.xrd').scrollIntoView()")
    assert shot("material-xrd").exists()


def test_material_without_structures_shows_neither(browser, crystal_site):
    browser.get(crystal_site + "/materials/CoTiO3")
    assert "CoTiO3" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "table.consensus")
    assert not browser.find_elements(By.CSS_SELECTOR, "figure.cell, svg.unit-cell, figure.xrd-plot, .xrd-chart")
    assert "error" not in browser.title.lower()
    assert browser.execute_script("return document.querySelectorAll('script[src$=\"crystal.js\"]').length") == 0
