"""Polymorph and phase evidence in text: which space groups or crystal systems a passage names.

`evidence(text, reduced_formula)` finds, in any text (a material mention, a sentence, an SPL span
of the NER model, a whole paper):

- phase and structure-type words of `polymorphs.yaml` (`anatase` -> 141, `wurtzite` -> 186);
- stacking and prefix labels (`2H-`, `1T'-`, `3C-`, `α-`, `h-`, through
  `textmine.normalise.material_id.qualifiers`), Greek letters resolved per compound (`α-Fe2O3` ->
  167, `α-Bi2O3` -> 14);
- crystal-system words (`cubic`, `tetragonal`, ..., `rhombohedral` = trigonal);
- space-group symbols as written (`I4_1/amd`, `I41/amd`, `Fm-3m`, `Fm3̄m`, `P6_3mc`, `Pnma`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from textmine.normalise.material_id import qualifiers

LEXICON = Path(__file__).with_name("polymorphs.yaml")
SYSTEM_WORDS = {"cubic": "cubic", "tetragonal": "tetragonal", "hexagonal": "hexagonal", "orthorhombic": "orthorhombic",
                "monoclinic": "monoclinic", "triclinic": "triclinic", "trigonal": "trigonal", "rhombohedral": "trigonal"}
_SG_TOKEN = re.compile(r"(?<![\w/])([PIFCABR](?:[0-9_/\-−‾̄̅]|[a-z]){1,14})(?![\w/])")
_NO_DIGIT_OK = {"Pnma", "Pbnm", "Pbca", "Cmcm", "Cmca", "Pnnm", "Pmmn", "Ibam", "Pccn", "Pbcn", "Pmna", "Pcca", "Cmce", "Imma",
                "Pmmm", "Cccm", "Fddd", "Immm", "Cmmm", "Fmmm", "Pban", "Pnna", "Pbam", "Pmcn", "Pnmm"}


@dataclass(frozen=True)
class Evidence:
    word: str  # as found
    space_groups: frozenset[int] = frozenset()
    crystal_system: str | None = None

    def matches(self, space_group_number: int | None, crystal_system: str | None) -> bool:
        if self.space_groups:
            return space_group_number in self.space_groups
        return crystal_system is not None and crystal_system == self.crystal_system

    def describe(self) -> str:
        if self.space_groups:
            return f"'{self.word}' -> space group {'/'.join(str(n) for n in sorted(self.space_groups))}"
        return f"'{self.word}' -> {self.crystal_system}"


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, frozenset[int]], dict[str, dict[str, frozenset[int]]], re.Pattern, re.Pattern]:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    words = {str(k): frozenset(v) for k, v in data["words"].items()}
    compounds = {f: {str(label): frozenset(v) for label, v in labels.items()} for f, labels in data["compounds"].items()}
    long_words = sorted((w for w in words if len(w) > 3), key=len, reverse=True)
    short = sorted((w for w in words if len(w) <= 3), key=len, reverse=True)
    long_re = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in long_words) + r")(?![\w])", re.I)
    short_re = re.compile(r"(?<![\w'])(" + "|".join(re.escape(w) for w in short) + r")(?=[-‐–\s]|$)")  # 2H-MoS2, 1T' phase
    return words, compounds, long_re, short_re


def evidence(text: str, reduced_formula: str | None = None) -> list[Evidence]:
    """Every piece of polymorph evidence in `text` (in order of appearance, duplicates removed)."""
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    words, compounds, long_re, short_re = _lexicon()
    found: list[Evidence] = []
    for pattern in (long_re, short_re):
        for m in pattern.finditer(text):
            word = m.group(1)
            key = next((w for w in words if w.lower() == word.lower()), word)
            found.append(Evidence(word=word, space_groups=words[key]))
    per_compound = compounds.get(reduced_formula or "", {})
    for label in qualifiers(text):
        if label in per_compound:
            found.append(Evidence(word=label, space_groups=per_compound[label]))
        elif label in SYSTEM_WORDS:
            found.append(Evidence(word=label, crystal_system=SYSTEM_WORDS[label]))
        elif label in words:
            found.append(Evidence(word=label, space_groups=words[label]))
    for m in re.finditer(r"\b(rhombohedral|trigonal)\b", text, re.I):
        found.append(Evidence(word=m.group(1), crystal_system="trigonal"))
    for token in _SG_TOKEN.findall(text):
        number = _space_group(token)
        if number is not None:
            found.append(Evidence(word=token, space_groups=frozenset({number})))
    unique: dict[tuple, Evidence] = {}
    for item in found:
        unique.setdefault((item.space_groups, item.crystal_system), item)
    return list(unique.values())


@functools.lru_cache(maxsize=4096)
def _space_group(token: str) -> int | None:
    if not any(ch.isdigit() for ch in token) and token not in _NO_DIGIT_OK:
        return None
    if re.fullmatch(r"[A-Z][a-z]?\d*", token):  # 'Pb', 'C60', 'In2': element-like, not a space group
        if token not in ("P1", "P2", "P3", "P4", "P6", "C2", "I4", "R3", "F23", "I23", "P23"):
            return None
    cleaned = token.replace("−", "-").replace("‾", "-")
    cleaned = re.sub(r"(\d)[\u0304\u0305]", r"-\1", cleaned)  # Fm3̄m -> Fm-3m
    from textmine.store.structures import space_group_number

    try:
        return space_group_number(cleaned)
    except ValueError:
        return None


__all__ = ["evidence", "Evidence", "LEXICON", "SYSTEM_WORDS"]
