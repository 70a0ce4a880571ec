"""What every corpus loader shares: a draft of one annotated text, cutting it into units, the tally of losses.

A loader fills a `Draft` (entities by span, relations between them) for a paragraph or sentence,
then `draft.units(...)` cuts paragraphs longer than `MAX_UNIT_CHARS` at sentence boundaries and
returns validated `Unit`s. Every relation that cannot be kept is counted in the `Tally` with a
reason, so the numbers in docs/relation-data.md add up.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from textmine.relations.corpora.schema import MAX_UNIT_CHARS, Entity, Relation, Unit

# A paragraph is cut into pieces of at most MAX_UNIT_CHARS; sentences joined by a relation may make
# a piece longer, up to this, before the relation is given up.
HARD_MAX_CHARS = 2000


class CorpusMissing(FileNotFoundError):
    """The corpus folder (or a file in it) is not in the shared data folder."""


def require(path: Path) -> Path:
    if not path.exists():
        raise CorpusMissing(
            f"{path} not found: point --data (or TEXTMINE_SHARED_DATA) at the shared data folder that holds gold/"
        )
    return path


@dataclass
class Tally:
    """Counts a loader reports besides its units: relations lost and units dropped, by reason."""

    lost_relations: Counter = field(default_factory=Counter)
    dropped_units: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def lose(self, reason: str, n: int = 1) -> None:
        if n:
            self.lost_relations[reason] += n

    def drop(self, reason: str, n: int = 1) -> None:
        if n:
            self.dropped_units[reason] += n

    def note(self, what: str, n: int = 1) -> None:
        if n:
            self.notes[what] += n


@dataclass
class _DraftEntity:
    type: str
    start: int
    end: int
    generic: bool = False
    family: str | None = None


class Draft:
    """One annotated text before it is cut into units. Entities are deduplicated by (type, span)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entities: dict[str, _DraftEntity] = {}
        self._by_span: dict[tuple[str, int, int], str] = {}
        self.relations: list[tuple[str, str, str]] = []

    def entity(self, type: str, start: int, end: int, *, generic: bool = False, family: str | None = None) -> str:
        """The id of the entity of `type` at text[start:end], added if new."""
        # Trim spaces a span may carry from tokenised or PDF text, so the entity starts and ends on text.
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}-{end} is empty or outside the text (length {len(self.text)})")
        key = (type, start, end)
        entity_id = self._by_span.get(key)
        if entity_id is None:
            entity_id = f"e{len(self.entities)}"
            self._by_span[key] = entity_id
            self.entities[entity_id] = _DraftEntity(type, start, end, generic, family)
        else:
            found = self.entities[entity_id]
            found.family = found.family or family
            found.generic = found.generic and generic
        return entity_id

    def relate(self, type: str, head: str, tail: str) -> None:
        if (type, head, tail) not in self.relations:
            self.relations.append((type, head, tail))

    def units(
        self,
        *,
        corpus: str,
        split: str,
        doc_id: str,
        source: str,
        silver: bool,
        tally: Tally,
        unit_name: str | int = 0,
        family: str | None = None,
        sentences: Callable[[str], Sequence[tuple[int, int]]] | None = None,
    ) -> list[Unit]:
        """Validated units of this text: one, or several cut at sentence boundaries if it is long.

        `unit_name` names the unit in its id; pieces of a cut text get `<unit_name>.<k>`.
        `sentences` gives sentence spans of a text (default: textmine's sentence splitter).
        """
        if len(self.text) <= MAX_UNIT_CHARS:
            pieces = [(0, len(self.text))]
        else:
            pieces = _cut(self, (sentences or _split_sentences)(self.text))
        units = []
        for k, (start, end) in enumerate(pieces):
            while start < end and self.text[start].isspace():
                start += 1
            while end > start and self.text[end - 1].isspace():
                end -= 1
            inside = {i: e for i, e in self.entities.items() if start <= e.start and e.end <= end}
            if not inside:
                tally.drop("no entities")
                continue
            entities = [
                Entity(id=i, type=e.type, start=e.start - start, end=e.end - start, text=self.text[e.start : e.end],
                       generic=e.generic, family=e.family)
                for i, e in sorted(inside.items(), key=lambda item: (item[1].start, item[1].end, item[1].type))
            ]
            relations = [Relation(type=t, head=h, tail=x) for t, h, x in self.relations if h in inside and x in inside]
            families = {e.family for e in entities if e.type == "value" and e.family}
            name = unit_name if len(pieces) == 1 else f"{unit_name}.{k}"
            units.append(Unit(
                id=f"{corpus}:{split}:{doc_id}:{name}", corpus=corpus, split=split, doc_id=doc_id, source=source,
                text=self.text[start:end], entities=entities, relations=relations,
                family=family or (families.pop() if len(families) == 1 else None), silver=silver,
            ))
        if len(pieces) > 1:
            tally.note("texts cut into several units")
            piece = {i: _piece_of(e, pieces) for i, e in self.entities.items()}
            lost = [r for r in self.relations if piece[r[1]] != piece[r[2]]]
            tally.lose("entities fell into different units when a long paragraph was cut at sentences", len(lost))
        return units


def _piece_of(entity: _DraftEntity, pieces: list[tuple[int, int]]) -> int:
    return next(k for k, (start, end) in enumerate(pieces) if start <= entity.start < end)


def _split_sentences(text: str) -> list[tuple[int, int]]:
    from textmine.nlp import split_sentences

    return [(s.start, s.end) for s in split_sentences(text)]


def _cut(draft: Draft, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pieces that cover the text, cut only between sentences.

    Sentences are grouped so that no entity crosses a cut and, where the group stays under
    HARD_MAX_CHARS, the head and tail of every relation stay together; groups are then packed
    greedily into pieces of at most MAX_UNIT_CHARS (a group longer than that stands alone).
    """
    text = draft.text
    starts = sorted({0, *(s for s, _ in sentences if 0 < s < len(text))})
    blocks = [(a, b) for a, b in zip(starts, [*starts[1:], len(text)])]
    if len(blocks) == 1:
        return blocks

    def block_of(pos: int) -> int:
        return next(k for k in range(len(blocks) - 1, -1, -1) if blocks[k][0] <= pos)

    # cut_ok[k]: the text may be cut between block k and block k + 1
    cut_ok = [True] * (len(blocks) - 1)

    def extent(first: int, last: int) -> tuple[int, int]:
        while first > 0 and not cut_ok[first - 1]:
            first -= 1
        while last < len(cut_ok) and not cut_ok[last]:
            last += 1
        return first, last

    for e in draft.entities.values():
        for k in range(block_of(e.start), block_of(e.end - 1)):
            cut_ok[k] = False
    for _, head, tail in draft.relations:
        a, b = draft.entities[head], draft.entities[tail]
        first, last = extent(block_of(min(a.start, b.start)), block_of(max(a.end, b.end) - 1))
        if blocks[last][1] - blocks[first][0] <= HARD_MAX_CHARS:
            for k in range(first, last):
                cut_ok[k] = False
    groups: list[tuple[int, int]] = [blocks[0]]
    for k in range(1, len(blocks)):
        if cut_ok[k - 1]:
            groups.append(blocks[k])
        else:
            groups[-1] = (groups[-1][0], blocks[k][1])
    pieces: list[tuple[int, int]] = []
    for a, b in groups:
        if pieces and b - pieces[-1][0] <= MAX_UNIT_CHARS:
            pieces[-1] = (pieces[-1][0], b)
        else:
            pieces.append((a, b))
    return pieces


# --- tokenised text -------------------------------------------------------------------------

_NO_SPACE_BEFORE = frozenset(", . ; : ) ] } % ? ! 's ’s 't n't 're 've 'll 'd".split())
_CLOSING = frozenset(",.;:)]}%?!")
_NO_SPACE_AFTER = frozenset("( [ {".split())
_JOINERS = frozenset("- / – ‐ ^ _".split())


def detokenise(tokens: Sequence[str], tight: Callable[[int], bool] | None = None) -> tuple[str, list[tuple[int, int]]]:
    """Text from tokens, and each token's (start, end) in it: offsets are exact by construction.

    Spaces go between tokens except before closing punctuation, after opening brackets, around
    hyphens and slashes ('low - cost' -> 'low-cost'), around a decimal point between digits
    ('0 . 1' -> '0.1'), and where `tight(i)` says token i sticks to token i - 1.
    """
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    for i, token in enumerate(tokens):
        if i and not _glued(tokens, i, tight):
            parts.append(" ")
            length += 1
        spans.append((length, length + len(token)))
        parts.append(token)
        length += len(token)
    return "".join(parts), spans


def _glued(tokens: Sequence[str], i: int, tight: Callable[[int], bool] | None) -> bool:
    token, previous = tokens[i], tokens[i - 1]
    if tight is not None and tight(i):
        return True
    if token in _NO_SPACE_BEFORE or set(token) <= _CLOSING or previous in _NO_SPACE_AFTER:
        return True
    if token in _JOINERS or previous in _JOINERS:
        return True
    if previous in ("∼", "~") and token[:1].isdigit():
        return True  # '∼ 2.0' -> '∼2.0'
    if previous == "." and i >= 2 and tokens[i - 2][-1:].isdigit() and token[:1].isdigit():
        return True  # '0 . 1'
    return False


def dev_by_hash(text: str, percent: int = 20) -> bool:
    """Whether a sentence goes to the dev split: a deterministic `percent` % by hash of its letters."""
    key = re.sub(r"\s+", "", text).lower().encode("utf-8")
    return int(hashlib.sha1(key).hexdigest()[:8], 16) % 100 < percent
