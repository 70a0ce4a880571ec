"""Simulated patterns (cache per structure and wavelength) and phase identification: a synthetic
mixture, and a real A-Lab precursor-mixture pattern linked through the store."""

from __future__ import annotations

import numpy as np
import pytest

from textmine.spectra.readers import read_spectra
from textmine.store.sqlite import SQLiteStore
from textmine.store.structures import structure_store

# ----------------------------------------------------------------------------- simulation

xrd = pytest.importorskip("pymatgen.analysis.diffraction.xrd", reason="XRD simulation needs the structures extra (full pymatgen)")


def _by_name(name):
    from textmine.spectra.references import reference_entries

    return next(e for e in reference_entries() if e.name == name)


def test_simulated_patterns_are_cached_per_structure_and_wavelength(tmp_path):
    from textmine.spectra.simulate import simulated_for

    store = SQLiteStore(tmp_path / "s.db")
    companion = structure_store(store)
    rutile = _by_name("TiO2 rutile")
    companion.put_structures([rutile])
    pattern = simulated_for(companion, rutile, 1.540598)
    strongest = pattern["two_theta"][int(np.argmax(pattern["intensity"]))]
    assert abs(strongest - 27.45) < 0.1  # rutile (110), Cu Kα1
    assert companion.get_simulated(rutile.structure_id, 1.540598) == pattern
    assert companion.get_simulated(rutile.structure_id, 0.709319) is None  # other wavelength: not yet
    store.close()


def _synthetic(names_weights, noise=0.01, seed=3):
    """A measured-like pattern: Gaussian peaks (FWHM 0.1°) of the simulated sticks, Kα2, background, noise."""
    from textmine.spectra.model import make_spectrum
    from textmine.spectra.simulate import simulate_pattern

    x = np.arange(10, 80, 0.01)
    y = 200 + 0.5 * (80 - x)
    for name, weight in names_weights:
        p = simulate_pattern(_by_name(name).to_pymatgen(), 1.540598)
        for tt, inten, d in zip(p["two_theta"], p["intensity"], p["d"]):
            for lam, w in ((1.540598, 1.0), (1.544426, 0.5)):
                pos = np.degrees(2 * np.arcsin(lam / (2 * d))) if lam / (2 * d) < 1 else None
                if pos is not None:
                    y += weight * w * inten * 100 * np.exp(-0.5 * ((x - pos) / 0.0425) ** 2)
    rng = np.random.default_rng(seed)
    y += rng.normal(0, noise * y.max(), size=len(y))
    return make_spectrum(x, np.clip(y, 0, None), source="synthetic", format="xy", wavelength=1.540598,
                         wavelength_ka2=1.544426, ka2_ratio=0.5)


def test_phase_identification_finds_both_phases_of_a_synthetic_mixture():
    from textmine.spectra.phase_id import Candidate, identify_phases
    from textmine.spectra.references import reference_entries
    from textmine.spectra.simulate import simulate_pattern

    spectrum = _synthetic([("TiO2 rutile", 1.0), ("ZnO wurtzite", 0.6)])
    candidates = [Candidate(e.structure_id, e.name, e.reduced_formula, simulate_pattern(e.to_pymatgen(), 1.540598))
                  for e in reference_entries() if set(e.elements) <= {"Ti", "Zn", "O"}]
    ranked = identify_phases(spectrum, candidates)
    assert {m.name for m in ranked[:2]} == {"TiO2 rutile", "ZnO wurtzite"}
    assert ranked[0].picked and ranked[0].explained > 0.2 and len(ranked[0].matched_peaks) >= 5
    assert all(m.rank == i + 1 for i, m in enumerate(ranked))


def test_link_spectrum_on_a_real_precursor_mixture(shared_data, tmp_path):
    from textmine.link.model import LinkQuery
    from textmine.link.spectra import elements_from_name, link_spectrum
    from textmine.spectra.references import reference_entries

    path = shared_data / "materials" / "xrd_experimental" / "precursor_mixture" / "TiO2_0p4009-ZnO_0p6010--8min.xrdml"
    (spectrum,) = read_spectra(path)
    assert elements_from_name(spectrum.name) == ["O", "Ti", "Zn"]
    store = SQLiteStore(tmp_path / "s.db")
    companion = structure_store(store)
    companion.put_structures(reference_entries())
    companion.put_spectra([spectrum])
    links = link_spectrum(companion, spectrum)
    top3 = {link.reduced_formula for link in links[:3]}
    assert {"TiO2", "ZnO"} <= top3
    assert links[0].method == "pattern" and "peaks matched" in links[0].reason and links[0].details["matched_peaks"]
    stored = companion.search_links(LinkQuery(kind="spectrum", subject_id=spectrum.spectrum_id))
    assert [l.structure_id for l in stored] == [l.structure_id for l in links]
    store.close()
