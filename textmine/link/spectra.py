"""Spectra -> structures: phase identification against the stored structures of a chemical system."""

from __future__ import annotations

import itertools
import re
from typing import Iterable

from textmine.link.model import Link
from textmine.spectra.model import Spectrum
from textmine.store.structures import StructureQuery

MAX_SYSTEM = 8  # elements; 2^8 subsystems are still cheap indexed lookups


class SpectrumLinkError(ValueError):
    pass


def elements_from_name(name: str) -> list[str]:
    """Elements of the compounds a file name lists ('In2O3_0p30-La(OH)3_0p50--2min' -> In, La, O, H)."""
    from pymatgen.core import Composition

    found: set[str] = set()
    for token in re.split(r"[-_\s,+]+", name or ""):
        token = re.sub(r"^\d+", "", token)
        if not token or not token[0].isupper():
            continue
        try:
            found |= {el.symbol for el in Composition(token).elements}
        except Exception:  # noqa: BLE001 - not a formula ('Dara', 'min')
            continue
    return sorted(found)


def structures_in_system(companion, elements: Iterable[str]):
    """Stored structures made only of `elements` (every subsystem, by the indexed chemsys)."""
    elements = sorted(set(elements))
    if len(elements) > MAX_SYSTEM:
        raise SpectrumLinkError(f"{len(elements)} elements: give at most {MAX_SYSTEM} with --elements")
    out = []
    for k in range(1, len(elements) + 1):
        for subset in itertools.combinations(elements, k):
            out += companion.search_structures(StructureQuery(chemsys="-".join(subset), limit=10_000)).structures
    return out


def link_spectrum(companion, spectrum: Spectrum, *, elements: list[str] | None = None, top_n: int = 5) -> list[Link]:
    """Rank the structures of the chemical system against `spectrum`, store and return the links."""
    from textmine.spectra.phase_id import Candidate, identify_phases
    from textmine.spectra.simulate import simulated_for

    system = [e.strip().capitalize() for e in elements] if elements else elements_from_name(spectrum.name or spectrum.source)
    if not system:
        raise SpectrumLinkError(f"no chemical system for {spectrum.name!r}: give --elements (e.g. Ti,Zn,O)")
    entries = structures_in_system(companion, system)
    if not entries:
        raise SpectrumLinkError(f"no stored structure in the {'-'.join(system)} system: `textmine structures add` some first")
    wavelength = spectrum.wavelength or 1.540598
    candidates = [Candidate(e.structure_id, e.name or e.reduced_formula, e.reduced_formula, simulated_for(companion, e, wavelength))
                  for e in entries]
    by_id = {e.structure_id: e for e in entries}
    links = []
    for match in identify_phases(spectrum, candidates)[:top_n]:
        e = by_id[match.structure_id]
        strong = [p for p in match.matched_peaks if p["intensity_simulated"] >= 10]
        reason = (f"whole-pattern match in the {'-'.join(system)} system: score {match.score:.2f}, explains "
                  f"{100 * match.explained:.0f} % of the measured intensity; {len(match.matched_peaks)} peaks matched, "
                  f"{match.missing_peaks} missing; lattice scale {match.lattice_scale:.3f}"
                  + ("" if match.picked else "; not needed to explain the pattern"))
        links.append(Link(kind="spectrum", subject_id=spectrum.spectrum_id, structure_id=e.structure_id, rank=match.rank,
                          score=round(match.score, 4), method="pattern", reason=reason, reduced_formula=e.reduced_formula,
                          space_group=e.space_group, space_group_number=e.space_group_number, crystal_system=e.crystal_system,
                          details={"explained": match.explained, "lattice_scale": match.lattice_scale, "picked": match.picked,
                                   "wavelength": wavelength, "matched_peaks": strong[:20]}))
    companion.replace_links("spectrum", [spectrum.spectrum_id], links)
    return links


def link_spectra(store, spectrum_ids: Iterable[str] | None = None, *, elements: list[str] | None = None,
                 top_n: int = 5) -> dict[str, list[Link] | str]:
    """Link every stored pattern (or those given); a pattern that cannot be linked gets the reason."""
    from textmine.store.structures import structure_store

    companion = structure_store(store)
    spectra = ([companion.get_spectrum(i) for i in spectrum_ids] if spectrum_ids is not None else list(companion.iter_spectra()))
    out: dict[str, list[Link] | str] = {}
    for spectrum in spectra:
        if spectrum is None:
            continue
        try:
            out[spectrum.spectrum_id] = link_spectrum(companion, spectrum, elements=elements, top_n=top_n)
        except SpectrumLinkError as exc:
            out[spectrum.spectrum_id] = str(exc)
    return out


__all__ = ["link_spectrum", "link_spectra", "elements_from_name", "structures_in_system", "SpectrumLinkError"]
