"""A record's sentence cut into plain and highlighted pieces (material, value): the template escapes
each piece, so no document text is ever rendered as markup."""

from __future__ import annotations

from typing import NamedTuple

from textmine.records import Record


class Piece(NamedTuple):
    text: str
    kind: str  # "" (plain), "material" or "value"


def _relative(record: Record, start: int | None, end: int | None) -> tuple[int, int] | None:
    if start is None or end is None or record.char_end <= record.char_start:
        return None
    s, e = start - record.char_start, end - record.char_start
    return (s, e) if 0 <= s < e <= len(record.sentence) else None


def _find(sentence: str, text: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    if not text:
        return None
    at = sentence.find(text)
    while at >= 0:
        span = (at, at + len(text))
        if not any(span[0] < b and a < span[1] for a, b in taken):
            return span
        at = sentence.find(text, at + 1)
    return None


def highlight(record: Record) -> list[Piece]:
    """The sentence as pieces; spans come from the record's offsets, or by finding the material
    text and the value as written when the offsets do not point into the sentence (table rows)."""
    sentence = record.sentence
    spans: list[tuple[int, int, str]] = []
    value = _relative(record, record.value_start, record.value_end)
    if value:
        spans.append((*value, "value"))
    material = _relative(record, record.material.char_start, record.material.char_end)
    if material is None or sentence[material[0]:material[1]] != record.material.text:
        material = _find(sentence, record.material.text, [(a, b) for a, b, _ in spans])
    if material and not any(material[0] < b and a < material[1] for a, b, _ in spans):
        spans.append((*material, "material"))
    if not value and record.value is not None:
        written = f"{record.value:g}"
        found = _find(sentence, written, [(a, b) for a, b, _ in spans])
        if found:
            spans.append((*found, "value"))
    pieces, at = [], 0
    for start, end, kind in sorted(spans):
        if start > at:
            pieces.append(Piece(sentence[at:start], ""))
        pieces.append(Piece(sentence[start:end], kind))
        at = end
    if at < len(sentence):
        pieces.append(Piece(sentence[at:], ""))
    return pieces


def format_value(record: Record) -> str:
    if record.value is not None:
        text = f"{record.value:g}"
    elif record.value_min is not None and record.value_max is not None:
        text = f"{record.value_min:g}–{record.value_max:g}"
    else:
        text = ""
    if record.uncertainty:
        text += f" ± {record.uncertainty:g}"
    return f"{text} {record.unit or ''}".strip()


__all__ = ["Piece", "format_value", "highlight"]
