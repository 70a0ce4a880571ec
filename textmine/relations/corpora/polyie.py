"""PolyIE: polymer paragraphs with BIO entities and n-ary (compound, property name, value, condition) tuples.

Each split file is one JSON object `{text, label, relation}` indexed [document][paragraph][token];
a tuple is a list of [start, end) token spans whose roles are the labels of their tokens. The
paragraphs are detokenised here (offsets exact by construction); entities are the BIO spans:
CN -> material, PN -> property, PV -> value, Condition -> condition (the undocumented ES label
is left out). Each tuple gives value_material (PV -> CN), value_property (PV -> PN) and
condition_value (Condition -> PV) for each value in it. Splits: train -> train, validation -> dev.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from textmine.relations.corpora.schema import Unit
from textmine.relations.corpora.units import Draft, Tally, detokenise, require

NAME = "polyie"
FOLDER = "gold/polyie"
SPLITS = {"train_split.txt": "train", "validation_split.txt": "dev"}
TYPES = {"CN": "material", "PN": "property", "PV": "value", "Condition": "condition"}


def load(data_root: Path, tally: Tally) -> Iterator[Unit]:
    folder = require(data_root / FOLDER)
    for file_name, split in SPLITS.items():
        path = require(folder / file_name)
        data = json.loads(path.read_text(encoding="utf-8"))
        for doc, (paragraphs, labels, relations) in enumerate(zip(data["text"], data["label"], data["relation"])):
            for number, (tokens, tags, tuples) in enumerate(zip(paragraphs, labels, relations)):
                draft = _draft(tokens, tags, tuples, tally)
                yield from draft.units(
                    corpus=NAME, split=split, doc_id=f"d{doc}", source=str(path.relative_to(data_root)),
                    silver=False, tally=tally, unit_name=f"p{number}",
                )


def _bio_spans(tags: list[str]) -> list[tuple[str, int, int]]:
    spans, start = [], None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not (tag.startswith("I-") and tag[2:] == tags[start][2:]):
            spans.append((tags[start][2:], start, i))
            start = None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start = i
    return spans


def _draft(tokens: list[str], tags: list[str], tuples: list, tally: Tally) -> Draft:
    # A colon inside one entity joins a blend ('PIDTTBT:PC71BM'); elsewhere it is punctuation.
    def tight(i: int) -> bool:
        return tags[i].startswith("I-") and (tokens[i] == ":" or tokens[i - 1] == ":")

    text, offsets = detokenise(tokens, tight)
    draft = Draft(text)

    def entity(label: str, start: int, end: int) -> str:
        return draft.entity(TYPES[label], offsets[start][0], offsets[end - 1][1])

    for label, start, end in _bio_spans(tags):
        if label in TYPES:
            entity(label, start, end)
        else:
            tally.note(f"{label} entities (left out)")
    for spans in tuples:
        roles: dict[str, list[str]] = {label: [] for label in TYPES}
        for start, end in spans:
            label = tags[start][2:]
            if label not in TYPES:
                tally.lose(f"tuple member labelled {label or 'O'}")
                continue
            roles[label].append(entity(label, start, end))
        if not roles["PV"]:
            tally.lose("tuples without a property value (no value relation to make)")
            continue
        for value in roles["PV"]:
            for material in roles["CN"]:
                draft.relate("value_material", value, material)
            for prop in roles["PN"]:
                draft.relate("value_property", value, prop)
            for condition in roles["Condition"]:
                draft.relate("condition_value", condition, value)
    return draft
