"""Candidate pairs as the relation model reads them: a window of the sentence with both spans
marked, flair-style.

    mark("The band gap of ZnO is 3.37 eV.", (23, 30), "value", (16, 19), "material")
    # 'The band gap of [M] ZnO [/M] is [V] 3.37 eV [/V].'

The markers are single tokens of the encoder's vocabulary (BERT's `[unused*]` slots, registered
as special tokens), so the model sees where each span starts and ends, and which kind of pair it
is judging (value↔material, value↔property cue, condition↔value) from which markers it sees.
The model is property-agnostic: it never sees a property name, only the cue as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# kind -> (open, close); the opening markers are where the classifier reads each span
MARKERS = {
    "value": ("[unused1]", "[unused2]"),
    "material": ("[unused3]", "[unused4]"),
    "property": ("[unused5]", "[unused6]"),
    "condition": ("[unused7]", "[unused8]"),
}
SPECIAL_TOKENS = [m for pair in MARKERS.values() for m in pair]
PAIR_KINDS = {"value_material": ("value", "material"), "value_property": ("value", "property"),
              "condition_value": ("condition", "value")}
# characters of context kept on each side of the two spans
WINDOW = 100
_WORD_EDGE = re.compile(r"\s")


@dataclass(frozen=True)
class Pair:
    """One candidate relation: `head` and `tail` are (start, end) in `text`."""

    kind: str
    text: str
    head: tuple[int, int]
    tail: tuple[int, int]

    def marked(self, window: int = WINDOW) -> str:
        head_kind, tail_kind = PAIR_KINDS[self.kind]
        return mark(self.text, self.head, head_kind, self.tail, tail_kind, window)


def mark(text: str, head: tuple[int, int], head_kind: str, tail: tuple[int, int], tail_kind: str,
         window: int = WINDOW) -> str:
    """`text` cut to the two spans plus `window` characters around them (at word edges), with each
    span wrapped in its markers. Overlapping spans are marked as the head alone."""
    spans = sorted([(head, MARKERS[head_kind]), (tail, MARKERS[tail_kind])], key=lambda s: s[0])
    (a, ma), (b, mb) = spans
    if b[0] < a[1]:  # overlap: mark the outer one only
        spans = [(head, MARKERS[head_kind])]
    lo = max(0, min(s[0][0] for s in spans) - window)
    hi = min(len(text), max(s[0][1] for s in spans) + window)
    if lo > 0:
        edge = _WORD_EDGE.search(text, lo)
        lo = edge.end() if edge and edge.start() < min(s[0][0] for s in spans) else lo
    if hi < len(text):
        edge = text.rfind(" ", max(s[0][1] for s in spans), hi)
        hi = edge if edge != -1 else hi
    parts, cursor = [], lo
    for (start, end), (open_, close) in spans:
        parts.append(text[cursor:start])
        parts.append(f" {open_} {text[start:end]} {close} ")
        cursor = end
    parts.append(text[cursor:hi])
    return re.sub(r"\s+", " ", "".join(parts)).strip()


__all__ = ["MARKERS", "PAIR_KINDS", "Pair", "SPECIAL_TOKENS", "WINDOW", "mark"]
