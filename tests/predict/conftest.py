"""Prediction tests need the `prediction` extra (LightGBM, scikit-learn, crepes), which the `test`
extra carries: without it they fail, saying which pip install fixes it (they are not skipped: CI
can install it)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

MISSING = [m for m in ("lightgbm", "sklearn", "crepes") if importlib.util.find_spec(m) is None]
EXTRA_REASON = f"needs the prediction extra ({', '.join(MISSING)} missing): pip install -e '.[test]' (or '.[prediction]')"

# (formula, a made-up but smooth target): the sum of element "scores" per atom plus noise; enough
# chemical systems for group folds. Deterministic.
SCORES = {"Li": 0.5, "Na": 0.7, "K": 0.9, "Mg": 1.2, "Ca": 1.4, "Sr": 1.6, "Zn": 2.0, "Cd": 1.8, "Ga": 1.1, "In": 0.8,
          "O": 3.0, "S": 2.2, "Se": 1.5, "Te": 1.0, "N": 2.6, "P": 1.7, "F": 4.0, "Cl": 3.4, "Br": 2.8, "I": 2.0}
CATIONS = ["Li", "Na", "K", "Mg", "Ca", "Sr", "Zn", "Cd", "Ga", "In"]
ANIONS = ["O", "S", "Se", "Te", "N", "P", "F", "Cl", "Br", "I"]


def synthetic_rows(seed: int = 3) -> list[tuple[str, float]]:
    rng = random.Random(seed)
    rows = []
    for cation in CATIONS:
        for anion in ANIONS:
            for a, b in ((1, 1), (2, 1), (1, 2), (2, 3)):
                formula = f"{cation}{a if a > 1 else ''}{anion}{b if b > 1 else ''}"
                value = (a * SCORES[cation] + b * SCORES[anion]) / (a + b) + rng.gauss(0, 0.08)
                rows.append((formula, round(max(value, 0.01), 4)))
    return rows


def write_csv(path: Path, rows: list[tuple[str, float]], columns: tuple[str, str] = ("composition", "gap")) -> Path:
    path.write_text(",".join(columns) + "\n" + "".join(f"{f},{v}\n" for f, v in rows), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _needs_extra():
    if MISSING:
        pytest.fail(EXTRA_REASON, pytrace=False)


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    monkeypatch.setenv("TEXTMINE_THREADS", "1")
