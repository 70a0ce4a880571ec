"""Build the relation training data: every corpus in the common format, as JSONL shards with counts.

    python -m textmine.relations.corpora.build --out DIR [--exclude FILE] [--corpora measeval,polyie,...]

writes `DIR/<corpus>-<split>.jsonl` (one `Unit` a line; test units only ever in `<corpus>-test.jsonl`)
and `DIR/stats.json` (units, entities and relations by type, relations lost and units dropped by
reason, per corpus). Load the shards with `textmine.relations.corpora.dataset.load_relation_data`.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

import click

from textmine.relations.corpora.exclude import ExclusionError, Exclusions
from textmine.relations.corpora.schema import ENTITY_TYPES, RELATION_TYPES, SPLITS, Unit
from textmine.relations.corpora.units import CorpusMissing, Tally

# name -> "module:function"; each function is `load(data_root, tally) -> Iterator[Unit]`
LOADERS: dict[str, str] = {
    "measeval": "textmine.relations.corpora.measeval:load",
    "polyie": "textmine.relations.corpora.polyie:load",
    "sofc_exp": "textmine.relations.corpora.sofc_exp:load",
    "bandgap_snowball": "textmine.relations.corpora.snowball:load_bandgap",
    "curie_neel_snowball": "textmine.relations.corpora.snowball:load_curie_neel",
}
# Corpora of the shared data that give no relations of ours, and why (docs/relation-data.md).
SKIPPED: dict[str, str] = {
    "mulms": "the shared copy holds only ne_dependencies_conll (entity spans, no relations); the XMI files "
             "with MatSci_Relations that SOURCE.txt lists are absent",
    "supermat": "no sentence text in the public part (material names and Tc links only)",
    "llm_nerre": "doping pairs are dopant -> host material, not value relations, and have no offsets",
}


def default_data_root() -> Path:
    """TEXTMINE_SHARED_DATA, else ../shared/data beside the checkout."""
    if os.environ.get("TEXTMINE_SHARED_DATA"):
        return Path(os.environ["TEXTMINE_SHARED_DATA"])
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def loader(name: str) -> Callable[[Path, Tally], Iterator[Unit]]:
    module, function = LOADERS[name].split(":")
    return getattr(importlib.import_module(module), function)


class _Counts:
    """Counts of one corpus as its units stream past."""

    def __init__(self) -> None:
        self.units: Counter = Counter()
        self.entities: Counter = Counter()
        self.relations: Counter = Counter()
        self.generic_materials = 0
        self.silver_units = 0
        self.excluded: Counter = Counter()

    def add(self, unit: Unit) -> None:
        self.units[unit.split] += 1
        self.entities.update(e.type for e in unit.entities)
        self.relations.update(r.type for r in unit.relations)
        self.generic_materials += sum(e.generic for e in unit.entities)
        self.silver_units += unit.silver

    def as_dict(self, tally: Tally, seconds: float) -> dict:
        return {
            "units": {s: self.units[s] for s in SPLITS if self.units[s]},
            "entities": {t: self.entities[t] for t in ENTITY_TYPES},
            "generic_materials": self.generic_materials,
            "relations": {t: self.relations[t] for t in RELATION_TYPES},
            "silver_units": self.silver_units,
            "excluded_units": dict(self.excluded),
            "lost_relations": dict(tally.lost_relations.most_common()),
            "dropped_units": dict(tally.dropped_units.most_common()),
            "notes": dict(tally.notes.most_common()),
            "seconds": round(seconds, 1),
        }


def build(out: Path, corpora: list[str], data_root: Path, exclusions: Exclusions | None = None,
          echo: Callable[[str], None] = print) -> dict:
    """Write the shards of `corpora` into `out` and return the stats (also written to out/stats.json)."""
    out.mkdir(parents=True, exist_ok=True)
    stats: dict = {"data_root": str(data_root), "exclusions": len(exclusions or []), "corpora": {}, "skipped": {}}
    for name in corpora:
        if name in SKIPPED:
            stats["skipped"][name] = SKIPPED[name]
            echo(f"{name}: skipped: {SKIPPED[name]}")
            continue
        started = time.perf_counter()
        tally, counts = Tally(), _Counts()
        for stale in out.glob(f"{name}-*.jsonl"):
            stale.unlink()
        handles = {}
        try:
            for unit in loader(name)(data_root, tally):
                if exclusions is not None and exclusions.excludes(unit):
                    counts.excluded[unit.split] += 1
                    continue
                if unit.split not in handles:
                    handles[unit.split] = (out / f"{name}-{unit.split}.jsonl.part").open("w", encoding="utf-8")
                handles[unit.split].write(unit.model_dump_json() + "\n")
                counts.add(unit)
                done = sum(counts.units.values())
                if done % 500 == 0:
                    echo(f"{name}: {done} units ...")
        except CorpusMissing as error:
            stats["skipped"][name] = f"data missing: {error}"
            echo(f"{name}: skipped: {error}")
            continue
        finally:
            for handle in handles.values():
                handle.close()
        for split in handles:
            (out / f"{name}-{split}.jsonl.part").replace(out / f"{name}-{split}.jsonl")
        stats["corpora"][name] = counts.as_dict(tally, time.perf_counter() - started)
        units = ", ".join(f"{s} {n}" for s, n in stats["corpora"][name]["units"].items())
        lost = sum(tally.lost_relations.values())
        echo(f"{name}: {sum(counts.units.values())} units ({units}), {sum(counts.relations.values())} relations, "
             f"{lost} lost, {sum(counts.excluded.values())} excluded, {time.perf_counter() - started:.1f} s")
    (out / "stats.json").write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return stats


def markdown_table(stats: dict) -> str:
    """The counts table of docs/relation-data.md."""
    lines = [
        "| corpus | units (train / dev / test) | material (generic) | value | property | condition "
        "| value_material | value_property | condition_value | lost relations |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, c in stats["corpora"].items():
        units = " / ".join(str(c["units"].get(s, 0)) for s in SPLITS)
        e, r = c["entities"], c["relations"]
        lines.append(
            f"| {name} | {units} | {e['material']} ({c['generic_materials']}) | {e['value']} | {e['property']} "
            f"| {e['condition']} | {r['value_material']} | {r['value_property']} | {r['condition_value']} "
            f"| {sum(c['lost_relations'].values())} |"
        )
    return "\n".join(lines)


@click.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="folder for <corpus>-<split>.jsonl and stats.json")
@click.option("--exclude", "exclude", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSON list or JSONL of sources/units/texts to keep out (e.g. corpora/dev/relations/sources.jsonl)")
@click.option("--corpora", "corpora", default=",".join([*LOADERS, *SKIPPED]), show_default=True,
              help="comma-separated corpus names")
@click.option("--data", "data_root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="the shared data folder (default: TEXTMINE_SHARED_DATA or ../shared/data)")
@click.option("--markdown", is_flag=True, help="print the counts table for docs/relation-data.md at the end")
def main(out: Path, exclude: Path | None, corpora: str, data_root: Path | None, markdown: bool) -> None:
    """Convert the annotated corpora to the common relation format."""
    names = [n.strip() for n in corpora.split(",") if n.strip()]
    unknown = [n for n in names if n not in LOADERS and n not in SKIPPED]
    if unknown:
        raise click.BadParameter(f"unknown corpus {', '.join(unknown)}; known: {', '.join([*LOADERS, *SKIPPED])}",
                                 param_hint="--corpora")
    try:
        exclusions = Exclusions.load(exclude) if exclude else None
    except ExclusionError as error:
        raise click.ClickException(str(error)) from None
    data_root = data_root or default_data_root()
    if not (data_root / "gold").is_dir():
        raise click.ClickException(f"no gold/ folder in {data_root}: pass --data or set TEXTMINE_SHARED_DATA")
    if exclusions is not None:
        click.echo(f"excluding {len(exclusions)} entries of {exclude}", err=True)
    stats = build(out, names, data_root, exclusions, echo=lambda line: click.echo(line, err=True))
    if not stats["corpora"]:
        raise click.ClickException("no corpus was built; see the messages above")
    click.echo(f"wrote {out}/stats.json", err=True)
    if markdown:
        click.echo(markdown_table(stats))


if __name__ == "__main__":
    main()
