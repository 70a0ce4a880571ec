"""`textmine predict train|run|evaluate` and `textmine audit`: property models with calibrated
intervals, and the check of extracted records against them. Needs the `prediction` extra."""

from __future__ import annotations

import csv
import heapq
import json
import math
from pathlib import Path
from typing import Any

import click

from textmine.dataset.cli import console, progress_bar

EXTRA_HINT = "pip install 'textmine[prediction]'"


def _require_extra() -> None:
    missing = []
    for module in ("lightgbm", "crepes", "sklearn"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise click.ClickException(f"this command needs {', '.join(missing)}: {EXTRA_HINT}")


def _load_model(path: str) -> Any:
    from textmine.predict.model import ModelError, PropertyModel

    try:
        return PropertyModel.load(path)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc


def _training_options(func: Any) -> Any:
    options = [
        click.option("--data", "data", required=True, type=click.Path(exists=True),
                     help="a dataset folder (textmine dataset build) or a CSV"),
        click.option("--formula-column", default=None, help="CSV column of formulas [default: formula, composition]"),
        click.option("--target-column", default=None, help="CSV column of values [default: PROPERTY, value, target]"),
        click.option("--structure-column", default=None, help="CSV column naming CIF files (structure features)"),
        click.option("--cif-folder", type=click.Path(exists=True, file_okay=False), default=None,
                     help="where the CIF files named in --structure-column are [default: the CSV's folder]"),
        click.option("--unit", default=None, help="unit of the CSV values [default: the property's usual unit]"),
        click.option("--splits", default="train,validation", show_default=True,
                     help="dataset splits to train on ('all' for every split); ignored for a CSV"),
        click.option("--transform", type=click.Choice(["auto", "none", "log10", "log1p"]), default="auto", show_default=True,
                     help="target transform; auto: log10 for properties spanning decades (conductivities), else none"),
        click.option("--learner", default="lightgbm", show_default=True,
                     help="lightgbm (gradient-boosted trees), hgb, mlp (a small network), knn, or a blend such as lightgbm+knn"),
        click.option("--members", type=click.IntRange(1, 50), default=5, show_default=True, help="ensemble size"),
        click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True,
                     help="group-aware folds for the out-of-fold calibration"),
        click.option("--seed", type=int, default=0, show_default=True),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _table_and_settings(property_name: str, kw: dict[str, Any], quiet: bool) -> tuple[Any, Any]:
    from textmine.dataset.consensus import is_log_scale
    from textmine.predict.data import DataError, load_training_table
    from textmine.predict.train import TrainSettings

    from textmine.predict.learners import get_learner

    try:
        get_learner(kw["learner"])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    splits = tuple(s.strip() for s in kw["splits"].split(",") if s.strip())
    try:
        with progress_bar(quiet, "reading training data") as update:
            table = load_training_table(
                kw["data"], property_name, formula_column=kw["formula_column"], target_column=kw["target_column"],
                structure_column=kw["structure_column"], cif_folder=kw["cif_folder"], unit=kw["unit"], splits=splits,
                progress=lambda done, total: update(done, total),
            )
    except DataError as exc:
        raise click.ClickException(str(exc)) from exc
    transform = kw["transform"]
    if transform == "auto":
        transform = "log10" if is_log_scale(property_name) else "none"
    if transform == "log10" and (table.values <= 0).any():
        raise click.ClickException(f"{int((table.values <= 0).sum())} target values are ≤ 0: a log10 transform needs "
                                   "positive values (use --transform none or log1p)")
    for note in table.notes:
        console.print(f"  {note}", style="dim")
    settings = TrainSettings(learner=kw["learner"], members=kw["members"], folds=kw["folds"], transform=transform, seed=kw["seed"])
    return table, settings


@click.group("predict")
def predict() -> None:
    """Property models with calibrated intervals (needs the prediction extra)."""


@predict.command("train")
@click.argument("property_name", metavar="PROPERTY")
@_training_options
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False), help="model folder to write")
@click.pass_obj
def train(app: Any, property_name: str, output: str, **kw: Any) -> None:
    """Train an ensemble on PROPERTY and calibrate its intervals on new chemical systems."""
    _require_extra()
    from textmine.predict.train import fit_model

    table, settings = _table_and_settings(property_name, kw, app.quiet)
    try:
        with progress_bar(app.quiet, "training") as update:
            model = fit_model(table, settings, lambda stage, done, total: update(done, total, stage))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    folder = model.save(output)
    training = model.metadata["training"]
    oof = training["out_of_fold"]
    space = f" ({oof['space']} space)" if "space" in oof else f" {model.unit}"
    console.print(
        f"[bold]{model.name}[/]: {training['materials']} materials in {training['chemical_systems']} chemical systems"
        f"{', ' + str(training['with_structure']) + ' with structures' if model.uses_structure else ''}; "
        f"out-of-fold MAE {oof['mae']:.3g}{space}, R² {oof['r2']:.3f} (new chemical systems) -> {folder}"
    )


@predict.command("evaluate")
@click.argument("property_name", metavar="PROPERTY")
@_training_options
@click.option("--outer-folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the figures as JSON")
@click.option("--predictions", "predictions_path", type=click.Path(dir_okay=False), default=None,
              help="also write every material's out-of-fold prediction and intervals to this CSV")
@click.pass_obj
def evaluate(app: Any, property_name: str, outer_folds: int, as_json: bool, predictions_path: str | None, **kw: Any) -> None:
    """Group-aware cross-validation: MAE, R² and interval coverage on held-out chemical systems."""
    _require_extra()
    from textmine.predict.train import cross_validate

    table, settings = _table_and_settings(property_name, kw, app.quiet)
    try:
        with progress_bar(app.quiet, "cross-validating") as update:
            result = cross_validate(table, settings, outer_folds=outer_folds, seed=kw["seed"],
                                    progress=lambda stage, done, total: update(done, total, stage))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    space = "log10" if settings.transform == "log10" else None
    summary = {"property": property_name, "unit": f"log10({table.unit})" if space else table.unit,
               "transform": settings.transform, "learner": settings.learner, "members": settings.members,
               "outer_folds": outer_folds, **result.summary(space)}
    if predictions_path:
        _write_cv_predictions(result, predictions_path)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"{property_name}: {summary['materials']} materials, {summary['chemical_systems']} chemical systems, "
               f"{outer_folds} group-aware folds")
    click.echo(f"  MAE {summary['mae']:.4g} {summary['unit']}   RMSE {summary['rmse']:.4g}   R² {summary['r2']:.3f}")
    for key in sorted(k for k in summary if k.startswith("coverage@") and not k.endswith("_by_fold")):
        level = key.split("@")[1]
        folds = ", ".join(f"{c:.2f}" for c in summary[f"{key}_by_fold"])
        click.echo(f"  {float(level):.0%} intervals hold {summary[key]:.3f} of the truths (folds: {folds}); "
                   f"median width {summary['median_width@' + level]:.3g}")


def _write_cv_predictions(result: Any, path: str) -> None:
    levels = sorted(result.lower)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["material_id", "chemical_system", "fold", "truth", "prediction",
                         *[f"{name}@{c:g}" for c in levels for name in ("lower", "upper")]])
        for i in range(len(result.truth)):
            writer.writerow([result.material_ids[i], result.groups[i], int(result.fold[i]), result.truth[i],
                             result.prediction[i], *[v for c in levels for v in (result.lower[c][i], result.upper[c][i])]])


@predict.command("run")
@click.option("--model", "model_dir", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--input", "input_path", required=True, type=click.Path(exists=True), help="a CSV, or a folder of CIFs")
@click.option("--output", "output", required=True, type=click.Path(dir_okay=False), help="CSV to write")
@click.option("--coverage", type=click.FloatRange(0.5, 0.999), default=0.9, show_default=True,
              help="share of true values the intervals should hold")
@click.option("--formula-column", default=None, help="[default: the model's training column, then 'formula']")
@click.option("--structure-column", default=None, help="CSV column naming CIF files, for a model with structure features")
@click.option("--cif-folder", type=click.Path(exists=True, file_okay=False), default=None)
@click.option("--save", is_flag=True, help="also keep the predictions in the store (origin: predicted)")
@click.pass_obj
def run(app: Any, model_dir: str, input_path: str, output: str, coverage: float, formula_column: str | None,
        structure_column: str | None, cif_folder: str | None, save: bool) -> None:
    """Predict with intervals: one output row per input row, in input order."""
    _require_extra()
    from textmine.predict.data import DataError, load_inputs

    model = _load_model(model_dir)
    trained_with = model.metadata.get("columns", {})
    try:
        inputs = load_inputs(input_path, formula_column=formula_column, default_formula_column=trained_with.get("formula"),
                             structure_column=structure_column or _present(input_path, trained_with.get("structure")),
                             cif_folder=cif_folder)
    except DataError as exc:
        raise click.ClickException(str(exc)) from exc
    structures = inputs.structures if model.uses_structure else None
    prediction, lower, upper, ok = model.predict(inputs.formulas, structures, coverage=coverage)
    columns = ["formula", "prediction", "lower", "upper"] + (["structure_id"] if inputs.structure_ids is not None else [])
    with open(output, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for i, formula in enumerate(inputs.formulas):
            row = [formula, *(_number(v[i]) if ok[i] else "" for v in (prediction, lower, upper))]
            if inputs.structure_ids is not None:
                row.append(inputs.structure_ids[i] or "")
            writer.writerow(row)
    console.print(f"{int(ok.sum())} of {len(ok)} rows predicted ({model.name}, {coverage:.0%} intervals, {model.unit}) -> {output}")
    if inputs.structure_ids is not None and not model.uses_structure:
        console.print("  the model uses composition only: the structures were not used", style="dim")
    for problem in inputs.problems[:20]:
        console.print(f"  {problem}", style="yellow")
    if len(inputs.problems) > 20:
        console.print(f"  ... and {len(inputs.problems) - 20} more", style="yellow")
    if save:
        from textmine.predict.persist import save_predictions

        store = app.open_store()
        try:
            n = save_predictions(store, model, inputs, prediction, lower, upper, ok, coverage)
        finally:
            store.close()
        console.print(f"  {n} predictions kept in {store.url} (origin: predicted; search them with --include-predicted)")


def _present(input_path: str, column: str | None) -> str | None:
    """The model's structure column, if the input CSV has it."""
    if not column or Path(input_path).is_dir():
        return None
    from textmine.predict.data import read_csv_rows

    columns, _ = read_csv_rows(Path(input_path))
    return column if column in columns else None


def _number(value: float) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.6g}"


@click.command("audit")
@click.argument("property_name", metavar="PROPERTY")
@click.option("--model", "model_dir", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--coverage", type=click.FloatRange(0.5, 0.9999), default=0.99, show_default=True,
              help="records outside the interval of this coverage are suspect")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None)
@click.option("--show", type=int, default=20, show_default=True, help="suspect records to list")
@click.pass_obj
def audit(app: Any, property_name: str, model_dir: str, coverage: float, min_confidence: float | None, show: int) -> None:
    """Mark extracted records of PROPERTY whose value lies outside the model's interval as suspect."""
    _require_extra()
    from rich.table import Table

    from textmine.predict.audit import AuditSummary, audit_records
    from textmine.store import Query
    from textmine.store.predictions import predictions_for

    model = _load_model(model_dir)
    if model.property != property_name:
        raise click.ClickException(f"{model_dir} predicts {model.property!r}, not {property_name!r}")
    store = app.open_store()
    summary = AuditSummary()
    worst: list[tuple[float, int, Any]] = []  # the `show` most suspect, as a bounded heap (records are streamed)

    def keep_worst(flags: Any, update: Any) -> Any:
        for n, flag in enumerate(flags, start=1):
            if flag.status == "suspect" and show > 0:
                score = abs(math.log10(max(flag.value, 1e-300) / max(flag.prediction, 1e-300)))
                item = (score, n, flag)
                heapq.heappush(worst, item) if len(worst) < show else heapq.heappushpop(worst, item)
            if n % 500 == 0:
                update(n)
            yield flag

    try:
        records = store.iter_records(Query(property=property_name, min_confidence=min_confidence))
        prediction_store = predictions_for(store)
        with progress_bar(app.quiet, "auditing") as update:
            prediction_store.put_audit(keep_worst(audit_records(records, model, coverage, summary), update),
                                       replace_property=property_name)
        prediction_store.close()
    finally:
        store.close()
    console.print(f"[bold]{summary.suspect}[/] of {summary.audited} {property_name} records are suspect "
                  f"(outside {model.name}'s {coverage:.0%} interval); verdicts kept in {store.url}")
    for reason, n in sorted(summary.skipped.items()):
        console.print(f"  {n} records not audited: {reason}", style="dim")
    if worst:
        table = Table("record", "formula", "value", "interval", "prediction", title=f"Most suspect {property_name} records")
        for _, _, f in sorted(worst, key=lambda item: (-item[0], item[1])):
            interval = f"[{_number(f.lower) if f.lower is not None else '-inf'}, {_number(f.upper) if f.upper is not None else 'inf'}]"
            table.add_row(f.record_id, f.formula or "", f"{f.value:.4g} {f.unit}", interval, f"{f.prediction:.4g}")
        console.print(table)
