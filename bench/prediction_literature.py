"""Learning from the literature, measured: a band-gap model trained on records textmine extracted
from text, against one trained on curated data, scored on the same held-out chemical systems;
and the curve of error against the number of training materials.

1. Text: the sentences of the Snowball band-gap clusters (../shared/data/gold/bandgap_snowball,
   one document per sentence), the demo corpus and the CC-BY Elsevier articles
   (../shared/data/docs/elsevier_xml_oa_stm_ccby, XML only). `textmine run` extracts them into a
   SQLite store; `textmine dataset build band_gap` makes the per-material dataset from it.
2. Test set: the curated experimental band gaps (expt_band_gaps) of the chemical systems that
   `textmine.dataset.groups.split_of` assigns to `test`. Nothing of those systems is trained on:
   text-mined materials of a test system are dropped too.
3. Curated model: the curated materials of the other systems. Text model: the text-mined materials
   of the other systems (consensus values). Both with `predict train` settings, fewer members.
4. The curve: both trained on random subsets (by chemical system) of n materials, n doubling,
   three draws each; MAE and 90 % coverage on the same test set.

    PYTHONPATH=. nice -n 10 python bench/prediction_literature.py [--members 3] [--draws 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import prediction_data  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from textmine.cli import main  # noqa: E402
from textmine.dataset.groups import split_of  # noqa: E402
from textmine.predict.data import TrainingTable, load_training_table  # noqa: E402
from textmine.predict.features import feature_matrix  # noqa: E402
from textmine.predict.train import TrainSettings, fit_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "bench" / "out" / "literature"


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"textmine {' '.join(args)} failed:\n{result.output}")
    return result.output


def snowball_sentences() -> list[str]:
    sentences = []
    for name in ("general_clusters.txt", "Special_clusters.txt"):
        for line in (SHARED / "gold" / "bandgap_snowball" / "Snowball_model" / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("\t"):
                sentences.append(line.strip())
    return list(dict.fromkeys(sentences))


def text_mined_dataset() -> Path:
    """Extract (once; cached in bench/out/literature) and build the dataset."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "text.db"
    dataset = OUT / "dataset"
    if not (dataset / "dataset.json").exists():
        with tempfile.TemporaryDirectory(prefix="textmine-snowball-") as tmp:
            for i, sentence in enumerate(snowball_sentences()):
                (Path(tmp) / f"snowball-{i:04d}.txt").write_text(sentence + "\n", encoding="utf-8")
            elsevier = sorted(str(p) for p in (SHARED / "docs" / "elsevier_xml_oa_stm_ccby").glob("*.norm-xml"))
            start = time.time()
            cli("--db", str(db), "run", tmp, str(ROOT / "corpora" / "demo"), *elsevier)
            print(f"extracted in {time.time() - start:.0f} s", flush=True)
        cli("--db", str(db), "dataset", "build", "band_gap", "-o", str(dataset), "--overwrite")
    return dataset


def score(model, test: TrainingTable, X_test: np.ndarray) -> dict:
    mean, spread = model.raw_predict(X_test)
    p, lo, hi = model.intervals(mean, spread, 0.9)
    err = p - test.values
    return {"mae": float(np.mean(np.abs(err))), "coverage@0.9": float(((test.values >= lo) & (test.values <= hi)).mean()),
            "r2": float(1 - np.sum(err**2) / np.sum((test.values - test.values.mean()) ** 2))}


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--sizes", default="25,50,100,200,400,800", help="training-set sizes of the curve")
    args = parser.parse_args()
    settings = TrainSettings(members=args.members, folds=args.folds)
    curated = prediction_data.bandgap()
    is_test = np.array([split_of(g) == "test" for g in curated.groups])
    test = curated.subset(np.flatnonzero(is_test))
    test_systems = set(test.groups)
    curated_train = curated.subset(np.flatnonzero(~is_test))
    mined_all = load_training_table(text_mined_dataset(), "band_gap", splits=("all",))
    keep = np.flatnonzero([g not in test_systems for g in mined_all.groups])
    mined = mined_all.subset(keep)
    print(f"test: {len(test)} curated materials in {len(test_systems)} systems; curated train: {len(curated_train)}; "
          f"text-mined: {len(mined_all)} materials, {len(mined)} outside the test systems", flush=True)
    X_test, ok = feature_matrix(test.formulas)
    assert ok.all()
    results: dict = {"test_materials": len(test), "curated_train": len(curated_train), "text_mined": len(mined),
                     "text_mined_in_test_systems_dropped": len(mined_all) - len(mined), "full": {}, "curve": {}}
    for name, table in (("curated", curated_train), ("text-mined", mined)):
        start = time.time()
        results["full"][name] = {**score(fit_model(table, settings), test, X_test), "materials": len(table),
                                 "seconds": round(time.time() - start)}
        print(f"{name:10s} all {len(table):5d} materials: {results['full'][name]}", flush=True)
    sizes = [n for n in map(int, args.sizes.split(",")) if n < len(curated_train)]
    for name, table in (("curated", curated_train), ("text-mined", mined)):
        for n in [s for s in sizes if s < len(table)]:
            scores = []
            for draw in range(args.draws):
                sub = prediction_data.by_groups(table, n, np.random.default_rng(1000 * draw + n))
                if len(set(sub.groups)) < settings.folds or len(sub) < 10:
                    continue
                scores.append({**score(fit_model(sub, settings), test, X_test), "materials": len(sub)})
            if scores:
                results["curve"].setdefault(name, {})[n] = {
                    "mae": float(np.mean([s["mae"] for s in scores])), "mae_sd": float(np.std([s["mae"] for s in scores])),
                    "coverage@0.9": float(np.mean([s["coverage@0.9"] for s in scores])), "draws": len(scores)}
                print(f"{name:10s} n={n:4d}: {results['curve'][name][n]}", flush=True)
    print("\n| training set | materials | MAE (eV) on the curated test systems | 90 % coverage |\n|---|---|---|---|")
    for name, r in results["full"].items():
        print(f"| {name}, all | {r['materials']} | {r['mae']:.3f} | {r['coverage@0.9']:.2f} |")
    for name, curve in results["curve"].items():
        for n, r in curve.items():
            print(f"| {name}, {n} | {n} | {r['mae']:.3f} ± {r['mae_sd']:.3f} | {r['coverage@0.9']:.2f} |")
    (OUT / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main_()
