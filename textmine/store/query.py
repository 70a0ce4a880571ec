"""One query compiler: a `Query` becomes neutral, typed predicates once; each store renders them.

    compiled = compile_query(Query(text="band gap", property="band_gap", value_min=1, value_max=2, unit="eV"))
    compiled.predicates
    # (Words(phrases=(('band',), ('gap',))), Equals(field='property', value='band_gap'),
    #  Overlap(low=1.602e-19, high=3.204e-19))

Everything that decides *what* a query means happens here, once: the query is checked
(`Query.check`), value bounds are converted to SI, element symbols are normalised, text is split
into the tokens SQLite FTS5's `unicode61` tokenizer makes (so a word query matches alike in both
stores), the extractor name loses its `@version`. `SQLiteStore` and `ElasticsearchStore` only decide
*how* to ask their engine (SQL, a bool query); `tests/store/test_parity.py` holds them to the
same answers.

Predicates are AND-ed. Records are always ordered by confidence (descending), then record_id.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, Union

from textmine.store.base import FacetName, Query, QueryError
from textmine.store.structures import record_structure_filter

# Fields a record can be matched on by equality (all are stored as they are on the record).
EqField = Literal["property", "formula", "material_id", "kind", "doc_id", "extractor"]
RangeField = Literal["year", "confidence"]


@dataclass(frozen=True)
class Words:
    """Every phrase occurs in the record's source sentence; a phrase is the FTS5 tokens of one
    word of the query ('UV-vis' is two words; 'a_b' one word of two tokens, matched as a phrase)."""

    phrases: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Equals:
    field: EqField
    value: str


@dataclass(frozen=True)
class MaterialIs:
    """The material as written, ignoring the case of ASCII letters (as SQLite's `lower()`)."""

    lowered: str


@dataclass(frozen=True)
class ElementsAll:
    """The material contains every one of these elements."""

    elements: tuple[str, ...]


@dataclass(frozen=True)
class ElementsNone:
    """The material contains none of these elements."""

    elements: tuple[str, ...]


@dataclass(frozen=True)
class ElementsExactly:
    """The material is made of exactly these elements (all of them, and no other)."""

    elements: tuple[str, ...]


@dataclass(frozen=True)
class Overlap:
    """The record's value, or any part of its reported range, lies in [low, high] (SI units).

    A record matches when `value_max_si >= low` and `value_min_si <= high` (an open side is None)."""

    low: float | None
    high: float | None


@dataclass(frozen=True)
class Between:
    """`low <= field <= high` (an open side is None)."""

    field: RangeField
    low: float | None
    high: float | None


@dataclass(frozen=True)
class LinkedStructure:
    """The record's best (rank-1) structure link (`textmine link`) exists (`has`) and has this
    space group number / crystal system; `has=False`: the record has no structure link."""

    has: bool
    space_group_number: int | None = None
    crystal_system: str | None = None


Predicate = Union[Words, Equals, MaterialIs, ElementsAll, ElementsNone, ElementsExactly, Overlap, Between,
                  LinkedStructure]


@dataclass(frozen=True)
class CompiledQuery:
    predicates: tuple[Predicate, ...]
    facets: tuple[FacetName, ...]
    limit: int
    offset: int

    def of(self, kind: type) -> list:
        return [p for p in self.predicates if isinstance(p, kind)]


def compile_query(query: Query) -> CompiledQuery:
    """Check `query` (raises `QueryError`, a ValueError, saying what to change) and compile it."""
    query.check()
    predicates: list[Predicate] = []
    if query.text:
        phrases = text_phrases(query.text)
        if phrases:  # text without a single word ('-- !') filters nothing, in both stores
            predicates.append(Words(phrases))
    for name in ("property", "formula", "material_id", "kind", "doc_id"):
        value = getattr(query, name)
        if value:
            predicates.append(Equals(name, value))  # type: ignore[arg-type]
    if query.extractor:
        predicates.append(Equals("extractor", query.extractor.split("@")[0]))
    if query.material:
        predicates.append(MaterialIs(ascii_lower(query.material)))
    include = tuple(sorted(set(query.include_elements)))
    if include and query.only_elements:
        predicates.append(ElementsExactly(include))
    elif include:
        predicates.append(ElementsAll(include))
    exclude = tuple(sorted(set(query.exclude_elements)))
    if exclude:
        predicates.append(ElementsNone(exclude))
    low, high = query.value_bounds_si()
    if low is not None or high is not None:
        predicates.append(Overlap(low, high))
    if query.year_min is not None or query.year_max is not None:
        predicates.append(Between("year", query.year_min, query.year_max))
    if query.min_confidence is not None:
        predicates.append(Between("confidence", query.min_confidence, None))
    try:
        wanted = record_structure_filter(query)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    if wanted is not None:
        predicates.append(LinkedStructure(wanted["has"], wanted.get("space_group_number"), wanted.get("crystal_system")))
    return CompiledQuery(tuple(predicates), tuple(query.facets), query.limit, query.offset)


# ------------------------------------------------------------------ text, as FTS5 sees it

_WORD = re.compile(r"\w+", re.UNICODE)


def text_phrases(text: str) -> tuple[tuple[str, ...], ...]:
    """User text -> the phrases every match must contain: each `\\w+` word as FTS5 tokens.
    No query syntax leaks through (quotes, AND, NEAR, * are just characters)."""
    phrases = (tuple(fts_tokens(word)) for word in _WORD.findall(text.lower()))
    return tuple(p for p in phrases if p)


def fts_tokens(text: str) -> list[str]:
    """Split like SQLite FTS5's default `unicode61` tokenizer: runs of letters, numbers and
    private-use characters, case-folded, diacritics removed. '1.2 eV' -> ['1', '2', 'ev']."""
    if text.isascii():  # the common case, one call: lowering ASCII moves no token boundary
        return _TOKEN.findall(text.lower())
    return [token.lower() if token.isascii() else "".join(_fold(c) for c in token) for token in _TOKEN.findall(text)]


# [^\W_] is exactly the letters (L*) and numbers (N*) of str.isalnum(); plus private use (Co).
_TOKEN = re.compile(r"(?:[^\W_]|[\ue000-\uf8ff])+")


@functools.lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    # FTS5 remove_diacritics=1: a Latin letter with one diacritic ('é'; not 'ǖ', 'ё' or 'ά')
    if len(decomposed) == 2 and decomposed[0].isascii() and unicodedata.combining(decomposed[1]):
        ch = decomposed[0]
    folded = ch.casefold()  # simple case folding, as FTS5 ('µ' -> 'μ'), never one char to two
    return folded if len(folded) == 1 else ch.lower()


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """SQLite's `lower()`: ASCII letters only (material matching is case-insensitive like SQLite)."""
    return text.translate(_ASCII_LOWER)


__all__ = [
    "Between", "CompiledQuery", "ElementsAll", "ElementsExactly", "ElementsNone", "Equals", "LinkedStructure", "MaterialIs",
    "Overlap",
    "Predicate", "Words", "ascii_lower", "compile_query", "fts_tokens", "text_phrases",
]
