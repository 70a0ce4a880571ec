"""Raw text -> word spans for NER: the project tokenizer plus the Matscholar corpus's own splits."""

from __future__ import annotations

import re

from textmine.chemistry.elements import ELEMENT_NAMES, ELEMENTS

Span = tuple[int, int]

# mat2vec splits an oxidation state off its element: "Fe(II)" -> "Fe", "(II)"
_VALENCE = re.compile(
    r"^(" + "|".join(sorted(ELEMENTS + ELEMENT_NAMES + tuple(n.capitalize() for n in ELEMENT_NAMES), key=len, reverse=True))
    + r")(\((?:[IV|iv]|[Vv]?[Ii]{0,3})\))$"
)
# Fallback tokenizer (used only when textmine.nlp is unavailable): numbers, words with inner
# formula punctuation, and single symbols.
_FALLBACK = re.compile(r"\d+(?:[.,]\d+)*(?![A-Za-z])|[^\W_]+(?:[.\-·/][^\W_]+)*(?:\([^\W_]+\)[^\W_]*)*|\S", re.UNICODE)


def _project_tokenize():
    try:
        from textmine.nlp import tokenize
    except ImportError:
        return None
    return tokenize


def word_spans(text: str) -> list[Span]:
    """(start, end) char offsets of the words of `text`, as the Matscholar corpus tokenised them."""
    tokenize = _project_tokenize()
    spans = tokenize(text) if tokenize is not None else [(m.start(), m.end()) for m in _FALLBACK.finditer(text)]
    return split_for_matscholar(text, spans)


_PHASE_PREFIX = frozenset("αβγδεθκλμσφχωΑΒΓΔ")
_HYPHENS = frozenset("-‐‑–")


def split_for_matscholar(text: str, spans: list[Span]) -> list[Span]:
    """Re-split project tokens the way the Matscholar corpus did: oxidation states come off their
    element (`Fe(II)` -> `Fe`, `(II)`) and a phase prefix stays on its material (`α`, `-`, `Fe2O3`
    written without spaces -> `α-Fe2O3`, which normalises to the corpus's `a-Fe2O3`)."""
    spans = _merge_phase_prefixes(text, spans)
    out: list[Span] = []
    for start, end in spans:
        token = text[start:end]
        if not token.strip():
            continue
        m = _VALENCE.match(token)
        if m:
            cut = start + len(m.group(1))
            out.extend([(start, cut), (cut, end)])
        else:
            out.append((start, end))
    return out


def _merge_phase_prefixes(text: str, spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    i = 0
    while i < len(spans):
        if (
            i + 2 < len(spans)
            and text[spans[i][0] : spans[i][1]] in _PHASE_PREFIX
            and text[spans[i + 1][0] : spans[i + 1][1]] in _HYPHENS
            and spans[i][1] == spans[i + 1][0]
            and spans[i + 1][1] == spans[i + 2][0]
            and text[spans[i + 2][0] : spans[i + 2][1]][:1].isalnum()
        ):
            out.append((spans[i][0], spans[i + 2][1]))
            i += 3
        else:
            out.append(spans[i])
            i += 1
    return out
