"""`textmine evaluate`: score NER, records and confidences against gold data.

    textmine evaluate ner [--model fast|accurate|DIR] [--data CONLL]
    textmine evaluate make-gold snowball|polyie -o DIR
    textmine extract --input DIR/texts.jsonl --output records.jsonl
    textmine evaluate records DIR records.jsonl [--property P ...] [--json] [--errors N]
    textmine evaluate calibration DIR records.jsonl [--property P ...] [--json]
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from textmine.eval.gold import GoldError


def _resolve_properties(names: tuple[str, ...]) -> list[str]:
    """Canonical names for `--property` values given as names or cues ('band gap' -> band_gap)."""
    if not names:
        return []
    from textmine.ontology import load_ontology

    ontology = load_ontology()
    resolved = []
    for name in names:
        if name in ontology:
            resolved.append(name)
            continue
        found = ontology.by_cue(name)
        if len(found) != 1:
            hint = f"it could be {', '.join(p.name for p in found)}" if found else "see `textmine properties`"
            raise click.BadParameter(f"{name!r} names no single property; {hint}", param_hint="--property")
        resolved.append(found[0].name)
    return resolved


def _score(gold_path: str, records_path: str, properties: tuple[str, ...]):
    from textmine.eval.gold import read_gold, read_records
    from textmine.eval.records import score_records

    props = _resolve_properties(properties)
    try:
        gold = read_gold(gold_path, props)
        records = read_records(records_path)
    except GoldError as exc:
        raise click.ClickException(str(exc)) from None
    if not gold and not props:
        raise click.ClickException(f"{gold_path}: no gold rows")
    return score_records(gold, records, props)


@click.group("evaluate")
def evaluate() -> None:
    """Score NER, records and confidence against gold data (see textmine/eval/)."""


@evaluate.command("ner")
@click.option("--model", default="fast", show_default=True, help="shipped model name (fast, accurate) or a model folder")
@click.option("--data", "data", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CoNLL file ('token TAG' lines) [default: the Matscholar dev split in ../shared/data]")
@click.option("--batch-size", default=256, show_default=True)
@click.option("--threads", type=int, default=None, help="onnxruntime threads (default: all cores)")
@click.option("--json", "as_json", is_flag=True, help="print the scores as JSON")
def ner(model: str, data: str | None, batch_size: int, threads: int | None, as_json: bool) -> None:
    """Exact span-and-type P/R/F1 (conlleval) of an NER model, per type and micro."""
    from textmine.eval.data import MATSCHOLAR_DEV, shared_data_dir
    from textmine.eval.ner import evaluate_model, format_scores

    if data is None:
        try:
            data = str(shared_data_dir() / MATSCHOLAR_DEV)
        except FileNotFoundError as exc:
            raise click.ClickException(f"{exc} (--data)") from None
        if not Path(data).is_file():
            raise click.ClickException(f"no Matscholar dev split at {data}; give --data")
    try:
        scores = evaluate_model(model, data, batch_size=batch_size, threads=threads)
    except (FileNotFoundError, ImportError, ValueError) as exc:
        raise click.ClickException(f"{exc} (NER needs: pip install 'textmine[ner]')" if isinstance(exc, ImportError)
                                   else str(exc)) from None
    if as_json:
        click.echo(json.dumps({"model": model, "data": data, "scores": scores}, indent=2))
    else:
        click.echo(f"{model} on {data}")
        click.echo(format_scores(scores))


@evaluate.command("records")
@click.argument("gold", type=click.Path(exists=True))
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option("--property", "properties", multiple=True,
              help="property to score (repeatable; a name or a cue) [default: every gold property]")
@click.option("--json", "as_json", is_flag=True, help="print the scores as JSON")
@click.option("--errors", default=0, show_default=True, help="also list up to N missed gold rows and unmatched records")
def records(gold: str, records: str, properties: tuple[str, ...], as_json: bool, errors: int) -> None:
    """Precision, recall and F1 of RECORDS (JSONL) against GOLD (a gold CSV or a folder of gold-<property>.csv).

    A record matches a gold row of its source (doc_id) when the compound agrees by name (ignoring
    case, spaces and hyphens) or by reduced composition, and the value within 2 % after unit
    conversion; each gold row and each record is matched once."""
    from textmine.eval.records import format_errors, format_table

    result = _score(gold, records, properties)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(format_table(result))
    if errors:
        click.echo(format_errors(result, errors), err=as_json)


@evaluate.command("calibration")
@click.argument("gold", type=click.Path(exists=True))
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option("--property", "properties", multiple=True, help="property to pool (repeatable) [default: every gold property]")
@click.option("--bins", default=10, show_default=True, help="equal-width confidence bins")
@click.option("--fit", "fit_path", type=click.Path(dir_okay=False), default=None,
              help="fit an isotonic map raw confidence -> P(correct) on these records and write it here (JSON, for "
                   "the `calibrate` component); the table shows the map's out-of-fold (by document) confidences")
@click.option("--folds", default=5, show_default=True, help="--fit: document folds for the out-of-fold table")
@click.option("--min-block", default=20, show_default=True, help="--fit: fewest records per step of the map")
@click.option("--json", "as_json", is_flag=True, help="print the table as JSON")
def calibration(gold: str, records: str, properties: tuple[str, ...], bins: int, fit_path: str | None, folds: int,
                min_block: int, as_json: bool) -> None:
    """Reliability table and expected calibration error of record confidences (correct = matches a gold row).

    With --fit, RECORDS should hold raw (uncalibrated) confidences: the map is fitted on all of them,
    and the table is what it gives each record when fitted without that record's documents."""
    from textmine.eval.calibration import cross_fitted, fit_isotonic, format_table, reliability

    result = _score(gold, records, properties)
    if not result.records:
        raise click.ClickException("no records of the scored properties: nothing to calibrate")
    confidences = [r.confidence for r in result.records]
    if fit_path:
        xs, ys = fit_isotonic(confidences, result.correct, min_block=min_block)
        Path(fit_path).write_text(json.dumps({"x": xs, "y": ys, "fitted_on": str(records), "gold": str(gold),
                                              "records": len(confidences), "min_block": min_block}, indent=1) + "\n",
                                  encoding="utf-8")
        confidences = cross_fitted(confidences, result.correct, [r.doc_id for r in result.records], folds=folds,
                                   min_block=min_block)
        click.echo(f"map of {len(xs)} steps -> {fit_path}; out-of-fold ({folds} document folds):", err=True)
    cal = reliability(confidences, result.correct, n_bins=bins)
    click.echo(json.dumps(cal.to_dict(), indent=2) if as_json else format_table(cal))


@evaluate.command("make-gold")
@click.argument("source", type=click.Choice(["snowball", "polyie"]))
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), required=True, help="folder to write")
@click.option("--data", type=click.Path(exists=True, file_okay=False), default=None,
              help="the shared data folder [default: $TEXTMINE_SHARED_DATA or ../shared/data]")
@click.option("--split", default="validation", show_default=True, type=click.Choice(["validation", "train"]),
              help="polyie: which split")
def make_gold(source: str, output: str, data: str | None, split: str) -> None:
    """Write texts.jsonl and gold-<property>.csv for the Snowball silver sets or PolyIE."""
    from textmine.eval.data import shared_data_dir
    from textmine.eval.silver import make_polyie, make_snowball

    try:
        root = Path(data) if data else shared_data_dir()
        written = make_snowball(root, Path(output)) if source == "snowball" else make_polyie(root, Path(output), split)
    except FileNotFoundError as exc:
        raise click.ClickException(f"{exc}; is --data the shared data folder?") from None
    for name, files in written.items():
        folder = Path(output) / name if source == "snowball" else Path(output)
        click.echo(f"{folder}: " + ", ".join(f"{file} ({n})" for file, n in files.items()))
