"""A third-party textmine plugin, as a package would ship it: a pipeline component that finds
materials from a user's list of names (trade names, lab codes) and adds them to the `materials`
layer. It knows nothing of textmine's internals beyond the layer types; textmine finds it through
the `textmine.components` entry point in this package's metadata (entry_points.txt)."""

from __future__ import annotations

import re

from textmine.layers import MaterialSource, MaterialSpan


class Gazetteer:
    name, version = "materials.gazetteer", "0.1.0"
    reads = ("sentences", "materials")
    writes = "materials"

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self.names = dict(names or {})
        alternatives = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])") if self.names else None

    def __call__(self, extraction) -> None:
        if self.pattern is None:
            return
        text = extraction.document.text
        layer = list(extraction.layers.materials)
        for index, sentence in enumerate(extraction.layers.sentences):
            for m in self.pattern.finditer(text, sentence.start, sentence.end):
                if any(x.start < m.end() and m.start() < x.end for x in layer):
                    continue
                formula = self.names[m.group(0)] or None
                layer.append(MaterialSpan(start=m.start(), end=m.end(), text=m.group(0), sentence=index,
                                          formula=formula, elements=[], confidence=0.95, source=MaterialSource.RULES))
        extraction.layers.materials = sorted(layer, key=lambda s: (s.start, s.end))


def make_gazetteer(names: dict[str, str] | None = None) -> Gazetteer:
    """Materials from a list of names given in the pipeline config."""
    return Gazetteer(names)
