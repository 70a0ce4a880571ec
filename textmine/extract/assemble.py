"""`assemble`: layers -> `Record`s. Each value->material relation whose value has a property
becomes one record, with the value in SI, the conditions of the value, the source sentence and
spans, and a raw confidence; table rows become records too (textmine.extract.tables).

With `confidence = "model"` (`linker.model`) the raw confidence is the model's P(cue) x P(material);
with `confidence = "hybrid"` (`linker.rescore`) it is the rules' score below (a range lowered by 0.2:
ranges are often measurement windows or changes) blended with that product (`model_weight`). Otherwise it starts from the linking pattern's score and is lowered for a value far from
its cue, a symbol cue, a comparator ('> 300 K') and a bare number. With `span_confidence` (the
`ner` pipeline) it is multiplied by the model's confidence in the material span and in the cue
(`untagged_cue` where no PRO span covers the cue). `calibrate` maps it to a probability.
"""

from __future__ import annotations

from textmine.extract.components import RULES_VERSION
from textmine.extract.linker import quantity_of
from textmine.extract.tables import table_records, value_fields
from textmine.extraction import Extraction
from textmine.layers import Relation, RelationKind
from textmine.normalise.units import UnitError
from textmine.ontology import Ontology, load_ontology
from textmine.records import Condition, Material, Record


class Assemble:
    """Records from the relations (and from tables), one per (value, material), deduplicated."""

    name, version = "assemble", RULES_VERSION
    reads = ("sentences", "quantities", "cues", "materials", "relations")
    writes = "records"

    def __init__(self, ontology: Ontology | None = None, span_confidence: bool = False, untagged_cue: float = 0.7,
                 min_confidence: float = 0.0, tables: bool = True, confidence: str = "rules",
                 model_weight: float = 0.5) -> None:
        if confidence not in ("rules", "model", "hybrid"):
            raise ValueError("confidence must be 'rules' (pattern heuristics), 'model' (relation scores) or 'hybrid'"
                             f" (both: linker.rescore), not {confidence!r}")
        self.confidence = confidence
        self.model_weight = model_weight
        self.ontology = ontology or load_ontology()
        self.span_confidence = span_confidence
        self.untagged_cue = untagged_cue
        self.min_confidence = min_confidence
        self.tables = tables

    def __call__(self, extraction: Extraction) -> None:
        layers = extraction.layers
        extractor = extraction.provenance.extractor
        properties = {r.head: r for r in layers.relations if r.kind == RelationKind.VALUE_PROPERTY}
        conditions: dict[int, list[Relation]] = {}
        for r in layers.relations:
            if r.kind == RelationKind.CONDITION_VALUE:
                conditions.setdefault(r.tail, []).append(r)
        records: list[Record] = []
        for link in layers.relations:
            if link.kind != RelationKind.VALUE_MATERIAL or link.head not in properties:
                continue
            record = self._record(extraction, link, properties[link.head], conditions.get(link.head, []), extractor)
            if record is not None:
                records.append(record)
        if self.tables:
            records.extend(table_records(extraction.document, self.ontology, extractor))
        extraction.records = deduplicate([r for r in records if r.confidence >= self.min_confidence])

    def _record(self, extraction: Extraction, link: Relation, prop: Relation, conditions: list[Relation],
                extractor: str) -> Record | None:
        layers = extraction.layers
        span = layers.quantities[link.head]
        cue = layers.cues[prop.tail]
        material = layers.materials[link.tail]
        sentence = layers.sentences[span.sentence]
        quantity = quantity_of(span)
        try:
            values = value_fields(quantity, prop.si_unit)
        except UnitError:
            return None
        if self.confidence == "model":  # the relation model's P(cue) x P(material)
            confidence = round(max(0.01, min(0.99, prop.score * link.score)), 3)
        else:
            confidence = link.score
            confidence -= min(prop.distance or 0, 120) / 600  # far from its cue: less sure
            if cue.is_symbol:
                confidence -= 0.05
            if quantity.comparator in (">", "<", ">=", "<="):
                confidence -= 0.1
            if not quantity.unit:
                confidence -= 0.1
            confidence = round(max(0.05, min(0.99, confidence)), 3)
            if self.confidence == "hybrid" and prop.model_score is not None:
                # the relation model's judgement of the rules' choice (linker.rescore): P(cue) x P(material);
                # a material from another sentence (the paragraph's main material) it cannot see
                p_material = link.model_score if link.model_score is not None else link.score
                model = prop.model_score * p_material
                if quantity.value_min is not None and quantity.value_max is not None and quantity.value_min != quantity.value_max:
                    confidence -= 0.2  # a range: often a window ('range of 2.0-4.0 V') or a change ('from 325 to 279 K')
                confidence = round(max(0.01, min(0.99, (1 - self.model_weight) * confidence + self.model_weight * model)), 3)
        if self.span_confidence:
            cue_confidence = self.untagged_cue if cue.confidence is None else cue.confidence
            material_confidence = min(1.0, max(0.0, material.confidence))
            confidence = round(max(0.01, min(0.99, confidence * material_confidence * cue_confidence)), 3)
        return Record(
            doc_id=extraction.doc_id,
            material=Material(text=material.text, formula=material.formula, elements=material.elements,
                              char_start=material.start, char_end=material.end),
            property=prop.property,
            **values,
            conditions=[_condition(layers.quantities[c.head], c.property) for c in conditions],
            sentence=extraction.document.text[sentence.start : sentence.end],
            char_start=sentence.start,
            char_end=sentence.end,
            value_start=span.start,
            value_end=span.end,
            section=sentence.section or None,
            confidence=confidence,
            extractor=extractor,
        )


def _condition(span, name: str | None) -> Condition:
    return Condition(property=name or "", value=span.value, unit=span.unit, text=span.text)


def deduplicate(records: list[Record]) -> list[Record]:
    """One record per (sentence, material, property, value span); the most confident wins."""
    best: dict[str, Record] = {}
    for record in records:
        key = record.record_id
        if key not in best or record.confidence > best[key].confidence:
            best[key] = record
    return list(best.values())


__all__ = ["Assemble", "deduplicate"]
