"""The one format every relation corpus is converted to: a text unit with typed entities and relations.

One `Unit` is one JSON line in `DIR/<corpus>-<split>.jsonl`:

    {"id": "measeval:train:S0006322312001096-1136:0", "corpus": "measeval", "split": "train",
     "doc_id": "S0006322312001096-1136", "source": "gold/measeval/data/train/text/S0006322312001096-1136.txt",
     "text": "...", "entities": [{"id": "e0", "type": "value", "start": 73, "end": 77, "text": "1991", ...}],
     "relations": [{"type": "value_material", "head": "e0", "tail": "e1"}], "family": null, "silver": false}

Offsets are character offsets into `text`; `text[start:end] == entity.text` always (checked here).
A relation points from a value to its material or property cue, or from a condition to the value it
conditions. The models are frozen and forbid unknown fields, so a loader cannot drift from the format.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EntityType = Literal["material", "value", "property", "condition"]
RelationType = Literal["value_material", "value_property", "condition_value"]
Split = Literal["train", "dev", "test"]

ENTITY_TYPES: tuple[str, ...] = ("material", "value", "property", "condition")
RELATION_TYPES: tuple[str, ...] = ("value_material", "value_property", "condition_value")
SPLITS: tuple[str, ...] = ("train", "dev", "test")
# (head type, tail type) of each relation type.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "value_material": ("value", "material"),
    "value_property": ("value", "property"),
    "condition_value": ("condition", "value"),
}
MAX_UNIT_CHARS = 1500


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    type: EntityType
    start: int = Field(ge=0)
    end: int
    text: str
    generic: bool = Field(
        default=False,
        description="material only: the measured thing is not a named substance ('the samples', 'beach')",
    )
    family: str | None = Field(default=None, description="value only: the property family the corpus names, if any")

    @model_validator(mode="after")
    def _check(self) -> "Entity":
        if self.end <= self.start:
            raise ValueError(f"entity {self.id}: empty or reversed span {self.start}-{self.end}")
        if self.generic and self.type != "material":
            raise ValueError(f"entity {self.id}: only a material can be generic")
        return self


class Relation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: RelationType
    head: str = Field(description="the value (for condition_value: the condition) entity id")
    tail: str = Field(description="the material, the property cue, or (for condition_value) the value entity id")


class Unit(BaseModel):
    """A sentence or short paragraph with its entities and relations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="<corpus>:<split>:<doc>:<unit>")
    corpus: str
    split: Split
    doc_id: str
    source: str = Field(description="the file it came from, relative to the shared data folder")
    text: str
    entities: list[Entity]
    relations: list[Relation]
    family: str | None = Field(default=None, description="the property family of the whole unit, if one")
    silver: bool = Field(description="distant supervision (true) or human annotation (false)")

    @model_validator(mode="after")
    def _check(self) -> "Unit":
        prefix = f"{self.corpus}:{self.split}:{self.doc_id}:"
        if not self.id.startswith(prefix) or len(self.id) == len(prefix):
            raise ValueError(f"unit id {self.id!r} must be {prefix}<unit>")
        by_id: dict[str, Entity] = {}
        for entity in self.entities:
            if entity.id in by_id:
                raise ValueError(f"{self.id}: duplicate entity id {entity.id}")
            if entity.end > len(self.text) or self.text[entity.start : entity.end] != entity.text:
                raise ValueError(
                    f"{self.id}: entity {entity.id} {entity.text!r} does not match text[{entity.start}:{entity.end}]"
                    f" = {self.text[entity.start : entity.end]!r}"
                )
            by_id[entity.id] = entity
        seen = set()
        for relation in self.relations:
            key = (relation.type, relation.head, relation.tail)
            if key in seen:
                raise ValueError(f"{self.id}: duplicate relation {key}")
            seen.add(key)
            for role, entity_id, wanted in zip(("head", "tail"), (relation.head, relation.tail), ENDPOINTS[relation.type]):
                entity = by_id.get(entity_id)
                if entity is None:
                    raise ValueError(f"{self.id}: {relation.type} {role} {entity_id!r} is not an entity of the unit")
                if entity.type != wanted:
                    raise ValueError(f"{self.id}: {relation.type} {role} must be a {wanted}, not a {entity.type}")
        return self
