"""`textmine link` (records and spectra -> ranked structures) and `textmine material NAME`."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from textmine.cli._common import store_options
from textmine.structures.cli import companion_of

console = Console(stderr=True)
out = Console()


@click.command(name="link")
@click.option("--doc", "doc_ids", multiple=True, help="only the records of this document (repeatable)")
@click.option("--spectra/--no-spectra", default=True, show_default=True, help="also link stored patterns (phase identification)")
@click.option("--records/--no-records", default=True, show_default=True, help="link records")
@click.option("--elements", default=None, help="chemical system for the patterns, e.g. Ti,Zn,O [default: from each file name]")
@click.option("--top", type=int, default=5, show_default=True, help="candidate structures kept per record / pattern")
@click.option("--json", "as_json", is_flag=True)
@store_options
@click.pass_obj
def link(app: Any, doc_ids: tuple[str, ...], spectra: bool, records: bool, elements: str | None, top: int, as_json: bool) -> None:
    """Link records and patterns to ranked candidate structures (score and reason each)."""
    from textmine.link.records import link_records
    from textmine.link.spectra import link_spectra
    from textmine.spectra.simulate import SimulationUnavailable

    store, companion = companion_of(app)
    report: dict[str, Any] = {}
    try:
        if not companion.counts()["structures"]:
            raise click.ClickException("no structures in the store: `textmine structures add PATH...` or "
                                       "`textmine harvest optimade --query ...` first")
        if records:
            report["records"] = link_records(store, list(doc_ids) or None, top_n=top).as_dict()
        if spectra:
            try:
                done = link_spectra(store, elements=elements.split(",") if elements else None, top_n=top)
            except SimulationUnavailable as exc:
                raise click.ClickException(str(exc)) from exc
            report["spectra"] = {"linked": sum(1 for v in done.values() if not isinstance(v, str)),
                                 "not_linked": {k: v for k, v in done.items() if isinstance(v, str)}}
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(report))
        return
    if "records" in report:
        r = report["records"]
        console.print(f"records: {r['records']} read, [bold]{r['linked']}[/] linked ({r['links']} links), "
                      f"{r['no_candidate']} without a candidate structure, {r['unparsed']} without a composition, {r['seconds']} s")
    if "spectra" in report:
        s = report["spectra"]
        console.print(f"patterns: {s['linked']} linked, {len(s['not_linked'])} not linked")
        for spectrum_id, why in list(s["not_linked"].items())[:20]:
            console.print(f"  {spectrum_id}: {why}")


@click.command(name="material")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@store_options
@click.pass_obj
def material(app: Any, name: str, as_json: bool) -> None:
    """Everything about one material: records by property (consensus, spread), structures, spectra."""
    from textmine.link.material import material_view

    store = app.open_store(readonly=True)
    try:
        view = material_view(store, name)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(view, default=str))
        return
    if not view["records"] and not view["structures"]:
        console.print(f"nothing known about {name!r} ({view['reduced_formula']}): no records, no structures")
        return
    out.print(f"[bold]{name}[/] ({view['reduced_formula']}): {view['records']} records")
    table = Table("property", "n", "consensus", "range", "spread", "phases named", "suspect", title="records by property")
    predicted = []
    for prop, s in view["properties"].items():
        suspect = str(s.get("suspect") or "")
        predicted += [(prop, p) for p in s.get("predictions", [])]
        if s.get("consensus") is None:
            table.add_row(prop, str(s["n"]), "", "", "", "", suspect)
            continue
        unit = s["unit"] or ""
        quals = ", ".join(f"{q} ({n})" for q, n in s["qualifiers"].items())
        table.add_row(prop, str(s["n"]), f"{s['consensus']:g} {unit}", f"{s['min']:g}–{s['max']:g}", f"±{s['spread']:.3g}", quals,
                      suspect)
    out.print(table)
    for prop, p in predicted:
        low = "-inf" if p["lower"] is None else f"{p['lower']:.4g}"
        high = "inf" if p["upper"] is None else f"{p['upper']:.4g}"
        out.print(f"predicted {prop}: {p['value']:.4g} {p['unit']} [{low}, {high}] ({p['coverage']:.0%}, {p['model']})")
    if view["structures"]:
        st = Table("structure", "space group", "system", "source id", "records (best link)", "score", title="structures")
        for row in view["structures"]:
            st.add_row(row["structure_id"], f"{row.get('space_group') or '?'} ({row.get('space_group_number') or '?'})",
                       row.get("crystal_system") or "", row.get("source_id") or "", str(row["records_best"]),
                       "" if row["best_score"] is None else f"{row['best_score']:.2f}")
        out.print(st)
    for sp in view["spectra"]:
        out.print(f"pattern {sp['spectrum_id']} -> {sp['structure_id']} (rank {sp['rank']}, score {sp['score']:.2f})")


__all__ = ["link", "material"]
