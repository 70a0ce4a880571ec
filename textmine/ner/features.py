"""Word-shape features: what an uncased encoder loses when it lowercases a normalised token.

Each word gets one small integer id, added (as a learned embedding) to every subword of the
word before the encoder, so `O2Si` (formula), `Si` (element symbol), `EPR` (acronym) and
`<nUm>` stay distinguishable from `o2si`, `si`, `epr` and a literal number.
"""

from __future__ import annotations

from textmine.chemistry.elements import ELEMENT_NAME_SET, ELEMENT_SET
from textmine.chemistry.tokens import is_simple_formula
from textmine.ner.normalise import NUM_TOKEN

SHAPES = (
    "pad",        # 0: special tokens and padding
    "lower",      # 1: all lowercase letters
    "title",      # 2: Capitalised word
    "upper",      # 3: ALLCAPS acronym
    "mixed",      # 4: other mixed-case letters
    "formula",    # 5: multi-element formula, e.g. O2Si
    "element",    # 6: element symbol, e.g. Fe
    "elname",     # 7: element name, e.g. iron
    "number",     # 8: <nUm>
    "alnum",      # 9: letters and digits, not a formula (e.g. cm2, 3D)
    "digits",     # 10: literal digits kept by normalisation (crystal directions)
    "punct",      # 11: punctuation only
    "other",      # 12: anything else (symbols, greek letters, hyphenated words)
    "hyphen_formula",  # 13: token containing a formula part, e.g. a-Fe2O3, Ti-6Al-4V
)
N_SHAPES = len(SHAPES)


def word_shape(token: str) -> int:
    if token == NUM_TOKEN:
        return 8
    if not token:
        return 12
    if token in ELEMENT_SET:
        return 6
    if token.lower() in ELEMENT_NAME_SET:
        return 7
    if is_simple_formula(token):
        return 5
    if token.isalpha():
        if token.islower():
            return 1
        if token.isupper():
            return 3
        if token[0].isupper() and token[1:].islower():
            return 2
        return 4
    if token.isdigit():
        return 10
    if token.isalnum():
        return 9
    if all(not c.isalnum() for c in token):
        return 11
    if any(is_simple_formula(part) for part in token.replace("/", "-").split("-") if part):
        return 13
    return 12


def word_shapes(tokens: list[str]) -> list[int]:
    return [word_shape(t) for t in tokens]
