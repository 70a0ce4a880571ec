"""Robust consensus of many reported values of one material: pure functions, no store.

Each document counts once: a paper that repeats a value five times is one vote, as a paper that
reports it once. The consensus is the median over documents (of each document's median), its
spread the scaled median absolute deviation (≈ the standard deviation for normal data, but
unmoved by a unit slip). A record is an outlier when it lies more than `OUTLIER_Z` robust
deviations from the consensus, the deviation floored at `RELATIVE_FLOOR` of the consensus (so
two papers agreeing to the last digit do not make a third that differs by 2 % an outlier); this
needs at least three independent documents: with two, nobody can tell which one is wrong, and the
material is marked as disputed instead (when they differ by more than `OUTLIER_Z` floors).

For properties spanning orders of magnitude (conductivities) everything is computed on log10.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

OUTLIER_Z = 3.5
RELATIVE_FLOOR = 0.1  # of |consensus| (or 0.1 decade on a log scale)
MAD_SCALE = 1.4826  # MAD -> standard deviation for normal data
# Property names of the ontology whose values span orders of magnitude.
LOG_SCALE_PROPERTIES = frozenset({"ionic_conductivity", "electrical_conductivity", "electrical_resistivity",
                                  "sheet_resistance", "carrier_concentration", "carrier_mobility"})


@dataclass(frozen=True)
class Consensus:
    value: float  # median over documents, outliers left out
    spread: float  # robust standard deviation over documents (0 with one document)
    n_records: int
    n_documents: int
    outliers: tuple[bool, ...]  # per input value
    disputed: bool  # two documents that disagree beyond the tolerance
    low: float
    high: float


def consensus(values: Sequence[float], documents: Sequence[str], *, log_scale: bool = False) -> Consensus:
    """Consensus of `values` (one per record; `documents[i]` is the document of `values[i]`)."""
    if len(values) != len(documents) or not len(values):
        raise ValueError("consensus needs one document per value, and at least one value")
    raw = np.asarray(values, dtype=np.float64)
    if log_scale:
        if np.any(raw <= 0):
            raise ValueError("a log-scale property needs positive values")
        x = np.log10(raw)
    else:
        x = raw
    doc_median = _per_document_median(x, documents)
    centre = float(np.median(list(doc_median.values())))
    deviations = np.abs(np.asarray(list(doc_median.values())) - centre)
    spread = MAD_SCALE * float(np.median(deviations)) if len(doc_median) > 1 else 0.0
    tolerance = max(spread, RELATIVE_FLOOR if log_scale else RELATIVE_FLOOR * abs(centre), 1e-12)
    outliers = tuple(bool(len(doc_median) >= 3 and abs(v - centre) > OUTLIER_Z * tolerance) for v in x)
    # two documents: their own spread says nothing, so compare their gap with the floor alone
    floor = RELATIVE_FLOOR if log_scale else RELATIVE_FLOOR * abs(centre)
    disputed = len(doc_median) == 2 and float(deviations.max()) * 2 > OUTLIER_Z * max(floor, 1e-12)
    if any(outliers):  # the consensus of what is left
        keep = [i for i, out in enumerate(outliers) if not out]
        kept = _per_document_median(x[keep], [documents[i] for i in keep])
        centre = float(np.median(list(kept.values())))
        deviations = np.abs(np.asarray(list(kept.values())) - centre)
        spread = MAD_SCALE * float(np.median(deviations)) if len(kept) > 1 else 0.0
    inlier = x[[not o for o in outliers]]
    back = (lambda v: float(10.0**v)) if log_scale else float
    return Consensus(
        value=back(centre),
        spread=spread,  # on a log scale: in decades
        n_records=len(x),
        n_documents=len(doc_median),
        outliers=outliers,
        disputed=disputed,
        low=back(float(inlier.min())),
        high=back(float(inlier.max())),
    )


def _per_document_median(x: np.ndarray, documents: Sequence[str]) -> dict[str, float]:
    by_doc: dict[str, list[float]] = {}
    for value, doc in zip(x, documents):
        by_doc.setdefault(doc, []).append(float(value))
    return {doc: float(np.median(v)) for doc, v in by_doc.items()}


def is_log_scale(property_name: str) -> bool:
    return property_name in LOG_SCALE_PROPERTIES


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


__all__ = ["Consensus", "consensus", "is_log_scale", "OUTLIER_Z", "RELATIVE_FLOOR", "LOG_SCALE_PROPERTIES"]
