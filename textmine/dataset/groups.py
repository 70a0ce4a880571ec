"""Chemical systems and group-aware splits: what "a new material" means for datasets and models.

Two materials share a chemical system when they are made of the same set of elements (`Fe-O` for
FeO, Fe2O3 and Fe3O4). Every split here keeps a chemical system on one side, so a model is always
scored (and its intervals calibrated) on systems it has not seen, which is how it is used:

    chemical_system("La0.7Sr0.3MnO3")          # 'La-Mn-O-Sr'
    split_of("La-Mn-O-Sr")                     # 'train' | 'validation' | 'test', stable across rebuilds
    group_folds(groups, n_folds=5, seed=0)     # fold index per row, balanced, groups never split
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Sequence

import numpy as np

SPLITS = (("train", 0.8), ("validation", 0.1), ("test", 0.1))
# A plain formula ('YBa2Cu3O6.95', 'Ag0.1In0.9Te1'): read directly, ~50x faster than the full parser.
_PLAIN = re.compile(r"(?:[A-Z][a-z]?(?:\d+(?:\.\d+)?|\.\d+)?)+")
_PART = re.compile(r"([A-Z][a-z]?)(\d+(?:\.\d+)?|\.\d+)?")


@functools.lru_cache(maxsize=65536)
def composition(formula: str | None) -> tuple[tuple[str, float], ...] | None:
    """Element amounts of a formula as written in papers or tables (`Ba1-xSrxTiO3` needs x given;
    `CuSO4·5H2O`, `Li(Ni1/3Mn1/3Co1/3)O2` and `YBa2Cu3O6.95` read), or None when it does not parse
    to a definite composition. Sorted by element symbol."""
    if not formula or not formula.strip():
        return None
    formula = formula.strip()
    if _PLAIN.fullmatch(formula):
        plain: dict[str, float] = {}
        for symbol, amount in _PART.findall(formula):
            plain[symbol] = plain.get(symbol, 0.0) + (float(amount) if amount else 1.0)
        if all(_is_element(symbol) for symbol in plain):
            amounts_plain = {el: n for el, n in plain.items() if n > 0}
            return tuple(sorted(amounts_plain.items())) if amounts_plain else None
    amounts: dict[str, float] | None = None
    try:
        from textmine.chemistry.formula import parse_formula

        parsed = parse_formula(formula)
        amounts = dict(parsed.composition) if parsed.composition and not parsed.variables else None
    except Exception:  # noqa: BLE001 - the parser raises FormulaError and friends on non-formulas
        amounts = None
    if amounts is None:
        try:
            from pymatgen.core import Composition

            amounts = {str(el): float(n) for el, n in Composition(formula).items()}
        except Exception:  # noqa: BLE001 - pymatgen raises several types on non-formulas
            return None
    amounts = {el: float(n) for el, n in amounts.items() if n and n > 0}
    if not amounts or not all(_is_element(el) for el in amounts):
        return None
    return tuple(sorted(amounts.items()))


@functools.lru_cache(maxsize=256)
def _is_element(symbol: str) -> bool:
    from pymatgen.core import Element

    return Element.is_valid_symbol(symbol) and symbol not in ("D", "T")


def chemical_system(formula_or_elements: str | Sequence[str] | None) -> str | None:
    """'Fe2O3' -> 'Fe-O'; a list of element symbols -> the same; None when nothing parses."""
    if formula_or_elements is None:
        return None
    if isinstance(formula_or_elements, str):
        amounts = composition(formula_or_elements)
        if amounts is None:
            return None
        elements = [el for el, _ in amounts]
    else:
        elements = [e for e in formula_or_elements if e]
    return "-".join(sorted(set(elements))) or None


def split_of(group: str, splits: Sequence[tuple[str, float]] = SPLITS) -> str:
    """The split a chemical system belongs to, from a hash of its name: stable when the dataset is
    rebuilt with more records (a system never moves from test to train)."""
    bucket = int(hashlib.sha1(group.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in splits:
        edge += share
        if bucket < edge:
            return name
    return splits[-1][0]


def group_folds(groups: Sequence[str], n_folds: int = 5, seed: int = 0) -> np.ndarray:
    """Fold index (0..n_folds-1) per row; rows of one group share a fold. Groups are shuffled with
    `seed`, then the largest are placed first, each into the currently smallest fold, so folds hold
    about equal numbers of rows even when a few systems are large (cuprates in SuperCon)."""
    groups = list(groups)
    unique, inverse, counts = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True, return_counts=True)
    if len(unique) < n_folds:
        raise ValueError(f"{len(unique)} chemical systems cannot make {n_folds} group folds: use fewer folds or more data")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(unique))
    order = order[np.argsort(-counts[order], kind="stable")]
    sizes = np.zeros(n_folds, dtype=np.int64)
    fold_of_group = np.empty(len(unique), dtype=np.int64)
    for g in order:
        fold = int(np.argmin(sizes))
        fold_of_group[g] = fold
        sizes[fold] += counts[g]
    return fold_of_group[inverse]


__all__ = ["composition", "chemical_system", "split_of", "group_folds", "SPLITS"]
