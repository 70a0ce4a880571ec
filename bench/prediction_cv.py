"""The prediction targets of issue 15, measured by nested group-aware cross-validation.

Every outer fold holds out whole chemical systems; the model predicting it is trained *and
calibrated* (inner group-aware folds) on the other folds only, exactly as `textmine predict train`
would train it. Reported: MAE, RMSE, R², and the share of held-out materials inside the 90 % and
99 % intervals (with the per-fold spread).

    bandgap        experimental band gaps from composition (target: MAE <= 0.40 eV, 90 % coverage in 0.87-0.93)
    supercon       SuperCon Tc from composition, every entry
    supercon_3dsc  SuperCon entries with a 3DSC structure: composition only vs composition + structure,
                   same rows, same folds
    obelix         OBELiX ionic conductivity, log10(S/cm): composition + structure (where a CIF exists)
                   vs composition only, same rows, same folds
    --holdout      instead: train on the `train`+`validation` systems, score the `test` systems
                   (never used to choose settings; see prediction_select.py)

    PYTHONPATH=. nice -n 10 python bench/prediction_cv.py bandgap supercon supercon_3dsc obelix
    PYTHONPATH=. nice -n 10 python bench/prediction_cv.py bandgap --learners lightgbm,hgb,mlp
    PYTHONPATH=. nice -n 15 python bench/prediction_cv.py supercon --materials 1500 --members 2 --folds 2
                   (a shared 2-core machine: fewer members and calibration folds, a subsample of whole systems)

The same figures for one table come from the CLI, e.g.
    textmine predict evaluate band_gap --data ../shared/data/materials/expt_band_gaps/expt-non-metals.csv \\
        --formula-column composition --target-column Eg
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prediction_data  # noqa: E402

from textmine.dataset.groups import split_of  # noqa: E402
from textmine.predict.features import feature_matrix  # noqa: E402
from textmine.predict.train import TrainSettings, cross_validate, fit_model  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def row(name: str, summary: dict, seconds: float, unit: str) -> str:
    return (f"| {name} | {summary['materials']} | {summary['chemical_systems']} | {summary['mae']:.3f} {unit} | "
            f"{summary['r2']:.3f} | {summary['coverage@0.9']:.3f} ({min(summary['coverage@0.9_by_fold']):.2f}-"
            f"{max(summary['coverage@0.9_by_fold']):.2f}) | {summary['coverage@0.99']:.3f} | "
            f"{summary['median_width@0.9']:.3g} | {seconds:.0f} s |")


def holdout(table, settings: TrainSettings) -> dict:
    test = np.array([split_of(g) == "test" for g in table.groups])
    model = fit_model(table.subset(np.flatnonzero(~test)), settings)
    sub = table.subset(np.flatnonzero(test))
    X, ok = feature_matrix(sub.formulas, sub.structures)
    mean, spread = model.raw_predict(X[ok])
    truth = sub.values[ok]
    out = {"materials": int(ok.sum()), "chemical_systems": len(set(np.asarray(sub.groups)[ok]))}
    space_truth = np.log10(truth) if settings.transform == "log10" else truth
    for c in (0.9, 0.99):
        p, lo, hi = model.intervals(mean, spread, c)
        if settings.transform == "log10":
            p, lo, hi = np.log10(p), np.log10(lo), np.log10(hi)
        out[f"coverage@{c:g}"] = float(((space_truth >= lo) & (space_truth <= hi)).mean())
        out[f"coverage@{c:g}_by_fold"] = [out[f"coverage@{c:g}"]]
        out[f"median_width@{c:g}"] = float(np.median(hi - lo))
        if c == 0.9:
            err = p - space_truth
            out["mae"] = float(np.mean(np.abs(err)))
            out["rmse"] = float(np.sqrt(np.mean(err**2)))
            out["r2"] = float(1 - np.sum(err**2) / np.sum((space_truth - space_truth.mean()) ** 2))
    return out


def evaluate(name: str, table, settings: TrainSettings, args, results: dict, lines: list[str]) -> None:
    start = time.time()
    print(f"{name}: {len(table)} materials, {len(set(table.groups))} chemical systems; {load()}", flush=True)
    if args.holdout:
        summary = holdout(table, settings)
    else:
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            if time.time() - last[0] > 60:
                print(f"  {stage} {done}/{total} ({time.time() - start:.0f} s)", flush=True)
                last[0] = time.time()

        result = cross_validate(table, settings, outer_folds=args.outer_folds, seed=args.seed, progress=progress)
        summary = result.summary("log10" if settings.transform == "log10" else None)
    seconds = time.time() - start
    unit = f"log10({table.unit})" if settings.transform == "log10" else table.unit
    results[name] = {**summary, "materials_cap": args.materials, "members": args.members, "seconds": round(seconds), "load_after": load(), "unit": unit,
                     "settings": settings.__dict__}
    lines.append(row(name, summary, seconds, unit))
    print(lines[-1], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", nargs="+", choices=["bandgap", "supercon", "supercon_3dsc", "obelix"])
    parser.add_argument("--learners", default="lightgbm")
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5, help="inner (calibration) folds")
    parser.add_argument("--outer-folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--materials", type=int, default=None,
                        help="subsample: about this many materials, whole chemical systems drawn at random (seeded)")
    parser.add_argument("--group-bag", type=float, default=TrainSettings.group_bag,
                        help="share of the chemical systems each member is trained on (0.8 before 2026-12-01)")
    parser.add_argument("--learner-options", type=json.loads, default={},
                        help='JSON overriding the learner defaults, e.g. \'{"rounds": 600, "params": {"extra_trees": false}}\' '
                             "(the LightGBM settings before 2026-12-01)")
    parser.add_argument("--holdout", action="store_true", help="train on train+validation systems, score the test systems")
    args = parser.parse_args()
    print(f"settings: members {args.members}, calibration folds {args.folds}, outer folds {args.outer_folds}, "
          f"materials {args.materials or 'all'}, seed {args.seed}, group bag {args.group_bag}, "
          f"learner options {json.dumps(args.learner_options)}", flush=True)
    results: dict = {}
    lines = ["| table | materials | systems | MAE | R² | 90 % coverage (folds) | 99 % coverage | median 90 % width | time |",
             "|---|---|---|---|---|---|---|---|---|"]
    for table_name in args.tables:
        for learner in args.learners.split(","):
            def settings(transform: str = "none") -> TrainSettings:
                return TrainSettings(learner=learner, members=args.members, folds=args.folds, transform=transform, seed=args.seed,
                                     group_bag=args.group_bag, learner_options=args.learner_options)

            tag = f"{table_name}/{learner}"

            def sample(table):
                if args.materials is None or args.materials >= len(table):
                    return table
                return prediction_data.by_groups(table, args.materials, np.random.default_rng(args.seed))

            if table_name == "bandgap":
                evaluate(tag, sample(prediction_data.bandgap()), settings(), args, results, lines)
            elif table_name == "supercon":
                evaluate(tag, sample(prediction_data.supercon()), settings(), args, results, lines)
            elif table_name == "supercon_3dsc":
                with_structure = sample(prediction_data.supercon_3dsc())
                evaluate(tag + " composition", prediction_data.without_structures(with_structure), settings(), args, results, lines)
                evaluate(tag + " composition+structure", with_structure, settings(), args, results, lines)
            elif table_name == "obelix":
                with_structure = sample(prediction_data.obelix())
                evaluate(tag + " composition", prediction_data.without_structures(with_structure), settings("log10"), args,
                         results, lines)
                evaluate(tag + " composition+structure", with_structure, settings("log10"), args, results, lines)
    print("\n".join(lines))
    OUT.mkdir(parents=True, exist_ok=True)
    name = "prediction_holdout.json" if args.holdout else "prediction_cv.json"
    previous = json.loads((OUT / name).read_text()) if (OUT / name).exists() else {}
    (OUT / name).write_text(json.dumps({**previous, **results}, indent=2))


if __name__ == "__main__":
    main()
