"""`textmine spectra add|simulate|identify`: diffraction patterns in the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from textmine.cli._common import store_options
from textmine.structures.cli import build_structure_query, companion_of, structure_query_options

console = Console(stderr=True)
out = Console()


@click.group(name="spectra")
def spectra() -> None:
    """Powder XRD patterns: add (.xrdml, .xy, .csv), simulate stored structures, identify phases."""


@spectra.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@store_options
@click.pass_obj
def add(app: Any, paths: tuple[Path, ...], as_json: bool) -> None:
    """Read measured patterns (folders recursively) into the store, arrays kept losslessly."""
    from textmine.records import Failure
    from textmine.spectra.readers import iter_spectrum_files, read_spectra

    store, companion = companion_of(app)
    stored, failures, files = [], [], 0
    try:
        for path in iter_spectrum_files(list(paths)):
            files += 1
            store.clear_failure(str(path))
            items = list(read_spectra(path))
            good = [s for s in items if not isinstance(s, Failure)]
            for failure in (f for f in items if isinstance(f, Failure)):
                failures.append(failure)
                store.add_failure(failure)
            companion.put_spectra(good)
            stored += good
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps({"files": files, "spectra": [s.summary() for s in stored],
                                   "failures": [f.model_dump(mode="json") for f in failures]}, default=str))
    else:
        console.print(f"[bold]{len(stored)}[/] patterns from {files} files, {len(failures)} failures -> {store.url}")
        for failure in failures[:30]:
            console.print(f"  [red]{failure.source}[/]: {failure.reason}")
    if failures:
        sys.exit(1)


@spectra.command()
@structure_query_options
@click.option("--wavelength", type=float, default=1.540598, show_default=True, help="Å (Cu Kα1 by default)")
@click.option("--limit", type=int, default=10_000, show_default=True, help="at most this many structures")
@store_options
@click.pass_obj
def simulate(app: Any, wavelength: float, limit: int, **kw: Any) -> None:
    """Compute (and cache in the store) the simulated patterns of stored structures."""
    from textmine.spectra.simulate import SimulationUnavailable, simulated_for

    query = build_structure_query(limit=limit, **kw)
    store, companion = companion_of(app)
    done = failed = 0
    try:
        for entry in list(companion.search_structures(query).structures):
            try:
                simulated_for(companion, entry, wavelength)
                done += 1
            except SimulationUnavailable as exc:
                raise click.ClickException(str(exc)) from exc
            except Exception as exc:  # noqa: BLE001 - one odd structure must not stop the rest
                failed += 1
                console.print(f"[yellow]{entry.structure_id} ({entry.reduced_formula}): {exc}")
    finally:
        store.close()
    console.print(f"{done} patterns simulated at λ = {wavelength} Å, {failed} failed")


@spectra.command()
@click.argument("spectrum_id")
@click.option("--elements", default=None, help="chemical system to search, e.g. Ti,Zn,O [default: from the file name]")
@click.option("--top", type=int, default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@store_options
@click.pass_obj
def identify(app: Any, spectrum_id: str, elements: str | None, top: int, as_json: bool) -> None:
    """Rank stored structures of a chemical system against a stored pattern (and link the best)."""
    from textmine.link.spectra import SpectrumLinkError, link_spectrum
    from textmine.spectra.simulate import SimulationUnavailable

    store, companion = companion_of(app)
    try:
        spectrum = companion.get_spectrum(spectrum_id)
        if spectrum is None:
            raise click.ClickException(f"no pattern {spectrum_id!r}: `textmine spectra add FILE` first")
        try:
            links = link_spectrum(companion, spectrum, elements=elements.split(",") if elements else None, top_n=top)
        except (SpectrumLinkError, SimulationUnavailable) as exc:
            raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps([link.model_dump(mode="json") for link in links]))
        return
    table = Table("rank", "structure", "formula", "space group", "score", "why", title=f"{spectrum.name}: phases")
    for link in links:
        table.add_row(str(link.rank), link.structure_id, link.reduced_formula, link.space_group or "", f"{link.score:.2f}", link.reason)
    out.print(table)


__all__ = ["spectra"]
