"""`calibrate`: raw record scores -> probabilities, so that a confidence of 0.8 is right about
80 % of the time.

A calibration is a monotone map fitted on a dev split (isotonic regression, stored as the
breakpoints of a piecewise-linear function in a JSON file next to the model that made the
scores). Without one the scores pass through unchanged and the component says so in its
version ('identity'), so provenance tells calibrated records from uncalibrated ones.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from pathlib import Path

from textmine.extraction import Extraction


class Calibrate:
    """Raw record scores -> calibrated confidence (a monotone map fitted on dev data)."""

    name = "calibrate"
    reads = ("records",)
    writes = "records"

    def __init__(self, map: str | Path | dict | None = None) -> None:
        if isinstance(map, str) and map.startswith("relations:"):  # the map shipped with a relation model
            from textmine.relations.model import model_dir

            _, model, *variant = map.split(":")  # relations:fast or relations:fast:ner -> calibration-ner.json
            map = model_dir(model) / (f"calibration-{variant[0]}.json" if variant else "calibration.json")
        if map == "":  # a pipeline file's way to say "no map": the raw scores
            map = None
        if isinstance(map, str) and map.startswith("pipeline:"):  # the map shipped for a rules pipeline
            map = Path(__file__).parent / "calibration" / f"{map.split(':', 1)[1]}.json"
        if isinstance(map, (str, Path)):
            data = json.loads(Path(map).read_text(encoding="utf-8"))
        else:
            data = map
        self.xs: list[float] = list(data["x"]) if data else []
        self.ys: list[float] = list(data["y"]) if data else []
        if len(self.xs) != len(self.ys):
            raise ValueError("a calibration map needs as many y as x breakpoints")
        digest = hashlib.sha1(json.dumps([self.xs, self.ys]).encode()).hexdigest()[:10] if self.xs else "identity"
        self.version = f"1.0+{digest}"

    def __call__(self, extraction: Extraction) -> None:
        if not self.xs:
            return
        extraction.records = [r.model_copy(update={"confidence": self.apply(r.confidence)}) for r in extraction.records]

    def apply(self, score: float) -> float:
        xs, ys = self.xs, self.ys
        if score <= xs[0]:
            return round(ys[0], 3)
        if score >= xs[-1]:
            return round(ys[-1], 3)
        i = bisect.bisect_right(xs, score)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        value = y0 if x1 == x0 else y0 + (y1 - y0) * (score - x0) / (x1 - x0)
        return round(min(1.0, max(0.0, value)), 3)


__all__ = ["Calibrate"]
