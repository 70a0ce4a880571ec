"""Property models with calibrated uncertainty, trained on datasets or CSVs, and the audit of
extracted records against them. Needs the `prediction` extra (LightGBM, scikit-learn, crepes).

    features.py  composition (element data from pymatgen) and structure features
    data.py      training tables (dataset folder or CSV) and prediction inputs (CSV or CIF folder)
    learners.py  LightGBM (default), scikit-learn gradient boosting, a small network
    train.py     ensemble + group-aware split-conformal calibration; nested group cross-validation
    model.py     the model folder: members, calibration, metadata
    audit.py     extracted records outside the model's interval -> `suspect`
    persist.py   predictions into the store (origin: predicted)

The CLI is `textmine predict train|run|evaluate` and `textmine audit` (`textmine/predict/cli.py`).
"""
