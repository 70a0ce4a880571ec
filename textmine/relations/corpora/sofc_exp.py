"""SOFC-Exp: solid oxide fuel cell experiment sentences with entity spans, experiment frames and links.

`annotations/frames/<doc>.csv` holds SPAN records (id, type, sentence, begin, end; offsets relative
to the sentence), EXPERIMENT frames followed by their slot fillers (slot name, span id), and LINKs.
The sentence text is `texts/<doc>.txt[begin:end]` from `annotations/sentences/<doc>.csv` (line
breaks inside a sentence become spaces, so offsets hold). Mapped to the common format:

- MATERIAL -> `material`; VALUE -> `value`, with the slot it fills as its family
  (power_density, resistance, conductivity, current_density, open_circuit_voltage, voltage,
  degradation_rate); VALUE filling working_temperature or time_of_operation -> `condition`.
- value_material: a value filler of a frame -> every material filler of the same frame
  (anode, cathode, electrolyte, interlayer, support material; not fuel_used: a cell's power
  density is not a property of its fuel). A thickness LINK (material, value) -> value_material,
  family thickness.
- condition_value: a condition filler of a frame -> every value filler of the same frame.
DEVICE and EXPERIMENT spans are left out. Splits: the metadata column `set` (train, dev; the test
documents are not in the shared copy).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from textmine.relations.corpora.schema import Unit
from textmine.relations.corpora.units import Draft, Tally, require

NAME = "sofc_exp"
FOLDER = "gold/sofc_exp"
MATERIAL_SLOTS = frozenset(
    {"anode_material", "cathode_material", "electrolyte_material", "interlayer_material", "support_material"}
)
CONDITION_SLOTS = frozenset({"working_temperature", "time_of_operation"})


@dataclass
class _Span:
    type: str
    sentence: str
    begin: int
    end: int


@dataclass
class _Frame:
    sentence: str
    slots: list[tuple[str, str]] = field(default_factory=list)  # (slot name, span id)


def load(data_root: Path, tally: Tally) -> Iterator[Unit]:
    folder = require(data_root / FOLDER)
    splits = _splits(require(folder / "SOFC-Exp-Metadata.csv"))
    texts = require(folder / "texts")
    for frames_path in sorted(require(folder / "annotations" / "frames").glob("*.csv")):
        doc = frames_path.stem
        split = splits.get(doc)
        text_path = texts / f"{doc}.txt"
        if split is None or not text_path.exists():
            tally.drop("document without metadata or text")
            continue
        text = text_path.read_text(encoding="utf-8")
        sentence_rows = _rows(folder / "annotations" / "sentences" / f"{doc}.csv")
        sentences = {row[0]: (int(row[2]), int(row[3])) for row in sentence_rows}
        token_edges = _token_edges(folder / "annotations" / "tokens" / f"{doc}.csv")
        spans, frames, links = _read_frames(frames_path)
        for sentence_id, draft in _drafts(text, sentences, token_edges, spans, frames, links, tally):
            yield from draft.units(
                corpus=NAME, split=split, doc_id=doc, source=str(text_path.relative_to(data_root)),
                silver=False, tally=tally, unit_name=f"s{sentence_id}",
            )


def _rows(path: Path) -> list[list[str]]:
    with require(path).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def _splits(metadata: Path) -> dict[str, str]:
    # The metadata has mojibake in some author names: decode leniently, only `name` and `set` are used.
    with metadata.open(encoding="utf-8", errors="replace", newline="") as handle:
        return {row["name"]: row["set"] for row in csv.DictReader(handle, delimiter="\t")}


def _token_edges(path: Path) -> dict[str, tuple[set[int], set[int]]]:
    edges: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for sentence, _token, begin, end in (row[:4] for row in _rows(path)):
        edges[sentence][0].add(int(begin))
        edges[sentence][1].add(int(end))
    return edges


def _read_frames(path: Path) -> tuple[dict[str, _Span], list[_Frame], list[tuple[str, str, str]]]:
    spans: dict[str, _Span] = {}
    frames: list[_Frame] = []
    links: list[tuple[str, str, str]] = []
    for row in _rows(path):
        if row[0] == "SPAN":
            spans[row[1]] = _Span(row[2], row[3], int(row[4]), int(row[5]))
        elif row[0] == "EXPERIMENT":
            frames.append(_Frame(spans[row[2]].sentence))
        elif row[0] == "LINK":
            links.append((row[1], row[2], row[3]))
        elif row[0] == "" and frames and len(row) >= 3:
            frames[-1].slots.append((row[1], row[2]))
    return spans, frames, links


def _drafts(text, sentences, token_edges, spans, frames, links, tally: Tally) -> Iterator[tuple[str, Draft]]:
    """One draft per sentence that has material or value spans."""
    slot_of: dict[str, str] = {}
    for frame in frames:
        for slot, span_id in frame.slots:
            slot_of.setdefault(span_id, slot)
    drafts: dict[str, Draft] = {}
    ids: dict[str, str] = {}
    for span_id, span in spans.items():
        kind = span.type.split(":")[0]
        if kind not in ("MATERIAL", "VALUE"):
            continue
        begin, end = sentences[span.sentence]
        draft = drafts.get(span.sentence)
        if draft is None:
            sentence = text[begin:end]
            draft = drafts[span.sentence] = Draft(sentence.replace("\n", " ").replace("\r", " ").replace("\t", " "))
        starts, ends = token_edges.get(span.sentence, (set(), set()))
        if span.begin not in starts or span.end not in ends:
            tally.note("spans not on token boundaries (kept)")
        slot = slot_of.get(span_id)
        if kind == "MATERIAL":
            ids[span_id] = draft.entity("material", span.begin, span.end)
        elif slot in CONDITION_SLOTS:
            ids[span_id] = draft.entity("condition", span.begin, span.end)
        else:
            family = slot if slot and slot != "device" else None
            ids[span_id] = draft.entity("value", span.begin, span.end, family=family)
    for frame in frames:
        draft = drafts.get(frame.sentence)
        fillers = [(slot, span_id) for slot, span_id in frame.slots if span_id in ids]
        crossing = [span_id for _, span_id in fillers if spans[span_id].sentence != frame.sentence]
        if crossing:
            tally.lose("slot filler in another sentence than its frame", len(crossing))
        fillers = [(slot, span_id) for slot, span_id in fillers if span_id not in crossing]
        materials = [ids[s] for slot, s in fillers if slot in MATERIAL_SLOTS and spans[s].type == "MATERIAL"]
        conditions = [ids[s] for slot, s in fillers if slot in CONDITION_SLOTS and spans[s].type == "VALUE"]
        values = [ids[s] for slot, s in fillers if slot not in CONDITION_SLOTS and spans[s].type == "VALUE"]
        if values:
            count = len(set(materials))
            tally.note(f"frames with values and {'3+' if count >= 3 else count} materials")
        for value in values:
            for material in materials:
                draft.relate("value_material", value, material)
            for condition in conditions:
                draft.relate("condition_value", condition, value)
    for kind, first, second in links:
        if kind != "thickness":
            continue
        pair = {spans[s].type: s for s in (first, second) if s in spans}
        material, value = pair.get("MATERIAL"), pair.get("VALUE")
        if material is None or value is None or spans[material].sentence != spans[value].sentence:
            tally.lose("thickness link not between a material and a value of one sentence")
            continue
        if value not in ids or (entity := drafts[spans[value].sentence].entities[ids[value]]).type != "value":
            tally.lose("thickness link to a value that fills a condition slot")
            continue
        entity.family = entity.family or "thickness"
        drafts[spans[value].sentence].relate("value_material", ids[value], ids[material])
    for sentence_id in sorted(drafts, key=int):
        yield sentence_id, drafts[sentence_id]
