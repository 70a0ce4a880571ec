"""Reviews as training data (the curation loop of SuperCon2: people correct, models retrain).

One JSON object per reviewed record (its latest review), with spans relative to the sentence:

- `entities`: the material span as the reviewer left it (label MAT), for the NER model;
- `relations`: (material, property, value) statements with `label` true for what the reviewer
  accepted or wrote and false for what they rejected or corrected away, for the relation model;
- `original`, `corrected`: the records themselves, and who decided, when.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from textmine.curation.models import Review, ReviewAction
from textmine.records import Record


def _span(record: Record, start: int | None, end: int | None, text: str | None) -> list[int] | None:
    """A document span made relative to the record's sentence, else the first place `text` occurs."""
    sentence = record.sentence
    if start is not None and end is not None and record.char_end > record.char_start:
        s, e = start - record.char_start, end - record.char_start
        if 0 <= s < e <= len(sentence) and (text is None or sentence[s:e] == text):
            return [s, e]
    if text:
        at = sentence.find(text)
        if at >= 0:
            return [at, at + len(text)]
    return None


def _statement(record: Record, label: bool) -> dict[str, Any]:
    return {
        "material": record.material.text,
        "formula": record.material.formula,
        "material_span": _span(record, record.material.char_start, record.material.char_end, record.material.text),
        "property": record.property,
        "value": record.value,
        "value_min": record.value_min,
        "value_max": record.value_max,
        "unit": record.unit,
        "value_span": _span(record, record.value_start, record.value_end, None),
        "label": label,
    }


def training_example(review: Review) -> dict[str, Any]:
    original, corrected = review.original, review.corrected
    relations = []
    if review.action is ReviewAction.ACCEPT:
        relations.append(_statement(original, True))
    elif review.action is ReviewAction.REJECT:
        relations.append(_statement(original, False))
    else:
        assert corrected is not None
        relations.append(_statement(original, False))
        relations.append(_statement(corrected, True))
    entities = []
    kept = corrected if corrected is not None else None
    if kept is not None:
        span = _span(kept, kept.material.char_start, kept.material.char_end, kept.material.text)
        if span:
            entities.append([span[0], span[1], "MAT"])
    return {
        "record_id": review.record_id,
        "doc_id": review.doc_id,
        "sentence": original.sentence,
        "section": original.section,
        "action": review.action.value,
        "reviewer": review.reviewer,
        "reviewed_at": review.reviewed_at.isoformat(),
        "comment": review.comment,
        "entities": entities,
        "relations": relations,
        "original": original.model_dump(mode="json"),
        "corrected": corrected.model_dump(mode="json") if corrected is not None else None,
    }


def training_lines(reviews: Iterable[Review]) -> Iterator[str]:
    for review in reviews:
        yield json.dumps(training_example(review), ensure_ascii=False) + "\n"


__all__ = ["training_example", "training_lines"]
