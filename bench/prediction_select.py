"""Choose the learner settings on the *train* split only (chemical systems hashed to `train` by
textmine.dataset.groups.split_of, 80 %): out-of-fold MAE and R² of each candidate on group-aware
folds inside that split. The validation and test systems are never looked at here, so
`prediction_cv.py --holdout` stays a fair check of whatever this picks.

    PYTHONPATH=. nice -n 10 python bench/prediction_select.py bandgap [--members 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prediction_data  # noqa: E402

from textmine.dataset.groups import split_of  # noqa: E402
from textmine.predict.features import feature_matrix  # noqa: E402
from textmine.predict.train import TrainSettings, fit_model  # noqa: E402

CANDIDATES = {
    "lightgbm-l2": dict(learner="lightgbm"),  # the default: extra trees, 1000 rounds
    "lightgbm-gbdt": dict(learner="lightgbm", learner_options={"rounds": 600, "params": {"extra_trees": False}}),  # before 2026-12-01
    "lightgbm-l1": dict(learner="lightgbm", learner_options={"params": {"objective": "regression_l1"}}),
    "lightgbm-huber": dict(learner="lightgbm", learner_options={"params": {"objective": "huber", "alpha": 1.0}}),
    "lightgbm-l2-log1p": dict(learner="lightgbm", transform="log1p"),
    "lightgbm-big": dict(learner="lightgbm", learner_options={"rounds": 1500, "params": {
        "learning_rate": 0.02, "num_leaves": 63, "min_data_in_leaf": 3, "feature_fraction": 0.3, "lambda_l2": 2.0}}),
    "lightgbm+mlp": dict(learner="lightgbm+mlp"),
    "knn": dict(learner="knn"),
    "lightgbm+knn": dict(learner="lightgbm+knn"),
    "hgb": dict(learner="hgb"),
    "mlp": dict(learner="mlp"),
}
TABLES = {"bandgap": prediction_data.bandgap, "supercon": prediction_data.supercon,
          "supercon_3dsc": prediction_data.supercon_3dsc, "obelix": prediction_data.obelix}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table", choices=sorted(TABLES))
    parser.add_argument("--candidates", default="lightgbm-l2,lightgbm-l1,lightgbm-huber,lightgbm-l2-log1p")
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--folds", type=int, default=5, help="group-aware folds of the out-of-fold figures")
    parser.add_argument("--transform", default=None, help="override every candidate's transform (log10 for obelix)")
    args = parser.parse_args()
    table = TABLES[args.table]()
    train = np.flatnonzero([split_of(g) == "train" for g in table.groups])
    table = table.subset(train)
    features = feature_matrix(table.formulas, table.structures)
    print(f"{args.table}: {len(table)} materials of the train split, {len(set(table.groups))} chemical systems", flush=True)
    results = {}
    for name in args.candidates.split(","):
        spec = dict(CANDIDATES[name])
        if args.transform:
            spec["transform"] = args.transform
        settings = TrainSettings(members=args.members, folds=args.folds, **spec)
        start = time.time()
        model = fit_model(table, settings, features=features)
        oof = model.metadata["training"]["out_of_fold"]
        results[name] = {**oof, "seconds": round(time.time() - start)}
        print(f"  {name:22s} out-of-fold MAE {oof['mae']:.4f}  R² {oof['r2']:.3f}  ({results[name]['seconds']} s)", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
