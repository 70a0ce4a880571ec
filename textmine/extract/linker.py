"""`linker.rules`: relations between the spans other components found, by hand-written rules.

Reads the quantities, cues and materials layers; writes the relations layer:

- value -> property: the cue a quantity is a value of, with the ontology property it resolves to
  (textmine.extract.association.assign_properties);
- value -> material: the material it is about, with the pattern that matched and its score; a
  value stated for a conjoined subject ('La2Ti2O7 and Nd2Ti2O7 possess a Tc of ...') links to
  each member. A sentence that names no material ('Its Curie temperature is 116 K') links to the
  main material of its paragraph (title and abstract share one memory), with a low score;
- condition -> value: 'at 300 K', 'under 5 GPa'.

Sentence-relative rules work on `Quantity`, `CueMatch` and `MaterialMention` objects made from
the layers; every relation points back at layer items by index.
"""

from __future__ import annotations

import re

from textmine.extract.association import (
    BACK_REFERENCE,
    PLURAL_SAMPLE_NOUNS,
    dimension_name,
    assign_properties,
    conditions_for,
    is_absent,
    is_compared,
    link_material,
    material_run,
    value_group,
)
from textmine.extract.components import (
    RULES_VERSION,
    by_sentence,
    document_context,
    kept_spans,
    material_mention,
)
from textmine.chemistry.elements import ELEMENT_NAME_SET
from textmine.extract.material_forms import is_short_form
from textmine.extract.materials import MaterialMention, StudiedMaterials, is_class_word
from textmine.extract.quantities import Quantity
from textmine.extract.views import View, sentence_view
from textmine.extraction import Extraction
from textmine.layers import CueSpan, QuantitySpan, Relation, RelationKind
from textmine.ontology import CueMatch, Ontology, load_ontology


def quantity_of(span: QuantitySpan, where: View | int | None = None) -> Quantity:
    """A layer quantity as the rules' `Quantity`: in the coordinates and text of a `View`, relative to
    a sentence start (an int: the raw text), or as stored (None)."""
    start, end, text = _located(span, where)
    return Quantity(text, start, end, span.value, span.value_min, span.value_max,
                    span.uncertainty, span.unit, span.comparator, span.list_size, span.list_index)


def cue_of(span: CueSpan, where: View | int) -> CueMatch:
    return CueMatch(*_located(span, where), tuple(span.properties), span.is_symbol)


def _located(span, where: View | int | None) -> tuple[int, int, str]:
    if where is None:
        return span.start, span.end, span.text
    if isinstance(where, int):
        return span.start - where, span.end - where, span.text
    start, end = where.to_view(span.start, span.end)
    return start, end, where.text[start:end]


class RulesLinker:
    """value->property, value->material and condition->value relations by the association rules."""

    name, version = "linker.rules", RULES_VERSION
    reads = ("markup", "sentences", "quantities", "cues", "materials")
    writes = "relations"

    def __init__(self, ontology: Ontology | None = None) -> None:
        self.ontology = ontology or load_ontology()

    def __call__(self, extraction: Extraction) -> None:
        layers = extraction.layers
        context = document_context(extraction.document)
        quantities_by = by_sentence(layers.quantities)
        cues_by = by_sentence(layers.cues)
        materials_by = by_sentence(layers.materials)
        layer_index: dict[int, int] = {}  # id(rule object) -> index in its layer
        relations: list[Relation] = []
        opening = StudiedMaterials()
        studied, paragraph = opening, None
        for s_index, sentence in enumerate(layers.sentences):
            if sentence.paragraph != paragraph:
                paragraph = sentence.paragraph
                studied = opening if sentence.opening else StudiedMaterials()
            view = sentence_view(extraction, s_index)
            text, offset = view.text, view.start
            cues = [_indexed(cue_of(span, view), i, layer_index) for i, span in cues_by.get(s_index, [])]
            materials = [_indexed(material_mention(span, view), i, layer_index) for i, span in materials_by.get(s_index, [])]
            cues, materials = kept_spans(cues, materials)
            quantities = [_indexed(quantity_of(span, view), i, layer_index) for i, span in quantities_by.get(s_index, [])]
            if cues and quantities:
                relations.extend(self._link_sentence(text, cues, materials, quantities, studied, context, layer_index))
            # (nor is a material said to be absent: 'No evidence of crystalline silicon oxide was observed')
            compared = frozenset(id(m) for m in materials if is_compared(text, m) or is_absent(text, m))
            subjects = [m for m in materials if not (m.is_dopant or m.is_weak or m.role or id(m) in compared)]
            studied.add(materials, offset, compared, material_run(subjects, text, from_end=False) if subjects else None)
        layers.relations = relations

    def _link_sentence(
        self,
        text: str,
        cues: list[CueMatch],
        materials: list[MaterialMention],
        quantities: list[Quantity],
        studied: StudiedMaterials,
        context: str,
        layer_index: dict[int, int],
    ) -> list[Relation]:
        relations: list[Relation] = []
        # a number inside a material mention is part of its name ('2-propanol'), not a value
        quantities = [q for q in quantities if not any(m.start <= q.start < m.end for m in materials)]
        assignments = assign_properties(text, cues, quantities, context, self.ontology)
        conditions = conditions_for(text, quantities, {id(a.quantity) for a in assignments})
        back_reference = BACK_REFERENCE.search(text)
        for assignment in assignments:
            head = layer_index[id(assignment.quantity)]
            relations.append(Relation(
                kind=RelationKind.VALUE_PROPERTY, head=head, tail=layer_index[id(assignment.cue)], score=1.0,
                component=self.name, property=assignment.prop.name, si_unit=assignment.si_unit,
                distance=assignment.cue_distance,
            ))
            material, subjects, score, pattern = self._subjects(assignment, text, materials, assignments, studied,
                                                                back_reference)
            for subject in subjects:
                relations.append(Relation(
                    kind=RelationKind.VALUE_MATERIAL, head=head, tail=layer_index[id(subject)],
                    score=score if subject is material else score - 0.05, component=self.name, pattern=pattern,
                    primary=subject is material,
                ))
            if subjects:
                own = dimension_name(assignment.prop)
                for condition, name in conditions:
                    if name != own:
                        relations.append(Relation(kind=RelationKind.CONDITION_VALUE, head=layer_index[id(condition)],
                                                  tail=head, score=1.0, component=self.name, property=name))
        return relations

    @staticmethod
    def _subjects(
        assignment, text, materials, assignments, studied, back_reference
    ) -> tuple[MaterialMention | None, list[MaterialMention], float, str]:
        """The material a (cue, value) is about, every subject it holds for (in text order), the
        pattern score and the pattern's name."""
        link = link_material(assignment, text, materials, assignments)
        material = link.material if link else None
        score = link.score if link else 0.0
        pattern = link.pattern if link else ""
        main = studied.main() if material is None else None
        ion = None
        if material is not None and material.is_weak and is_class_word(material):
            # 'The core-shell spinel exhibited 121 mAh/g', 'For lithium storage, the electrode stores
            # 970 mAh/g': a class noun or an element name stands for the paper's main material.
            studied_main = studied.main()
            if material.text.lower() in ELEMENT_NAME_SET and _WORKING_ION_AFTER.match(text, material.end):
                # 'For lithium storage, the electrode stores 970 mAh/g', 'the sodium intercalation voltage
                # for these compounds': lithium is the working ion, not the material; what the sentence
                # refers to (or the main material) is
                material, main, ion = None, studied_main, material
            elif studied_main is not None:
                material, score, pattern = studied_main[0], min(score, 0.4), "class-word-main-material"
        elif material is not None and material.is_descriptive:
            # ('the copper-containing catalysts' in a paper about CuO/MgAl2O4): a name in words stands for the
            # compound the paper names, when it names one
            studied_main = studied.main()
            if studied_main is not None and not studied_main[0].is_descriptive:
                material, score, pattern = studied_main[0], min(score, 0.4), "described-main-material"
        if material is None and back_reference:
            # 'Barium titanate (BaTiO3) is stable but its band gap ...': 'its' points to the
            # nearest material before it in the same sentence, if there is one.
            before = [m for m in materials if not m.is_dopant and not m.role and m.end <= back_reference.start()
                      and m is not ion]
            if before:
                material, main, score, pattern = before[-1], None, 0.5, "back-reference"
        if main is not None and back_reference:
            # 'The Sb2S3/C anode delivers 693 mAh/g. Its reversible capacity keeps 545 mAh/g': a back
            # reference at the start of a sentence points to the previous sentence's material
            # ('It has been found that ...' refers to nothing: the main material then)
            previous = (studied.previous_subject() if back_reference.start() <= _SENTENCE_START
                        and not _EXPLETIVE_IT.match(text, back_reference.start()) else None)
            composite = studied.latest_composite() if _COMPOSITE_REFERENCE.search(back_reference.group(0)) else None
            # ('The single-cell tests for these compositions (x = 0.10 and 0.15) gave ...': the compositions of the
            # latest formula with that variable, not the main material)
            given = _composition_given(text, studied)
            material, score, pattern = (composite or given or previous or main)[0], 0.4, "main-material-referenced"
            run = studied.previous_subjects()
            if (composite is None and run is not None and len(run[0]) > 1 and not _EXPLETIVE_IT.match(text, back_reference.start())
                    and (_PLURAL_REFERENCE.match(back_reference.group(0))
                         or _PLURAL_NOUN_REFERENCE.fullmatch(back_reference.group(0))
                         and back_reference.start() <= _SENTENCE_START
                         and back_reference.end() <= assignment.quantity.start)):
                # 'CuZn2InTe4 and CuCd2InTe4 crystallize ... These semiconductors have band gaps of
                # about 1 eV': a plural back reference holds for each material of the list
                quantity = assignment.quantity
                if quantity.list_size == len(run[0]) and len(value_group(assignment, assignments, text)) == quantity.list_size:
                    # ('Samples of A and B have been prepared. The bonded samples show a strength of 320 and 332 MPa':
                    # as many values as materials go to them in order)
                    own = run[0][quantity.list_index]
                    return own, [own], score, pattern
                return run[0][0], list(run[0]), score, pattern
        elif main is not None and not any(not m.is_dopant and not m.role and not is_compared(text, m) and m is not ion
                                          and not (m.is_weak and m.formula and len(m.elements) == 1)
                                          for m in materials):
            # (a material named only for comparison, 'close to that of Gd (294 K)', is no subject here)
            material, score, pattern = (_composition_given(text, studied) or main)[0], 0.3, "main-material"
        if material is None:
            return None, [], 0.0, ""
        subjects = [material]
        single_value = len(value_group(assignment, assignments, text)) == 1
        if link is not None and link.pattern in ("subject", "between", "parenthesis") and single_value:
            # 'isostructural La2Ti2O7 and Nd2Ti2O7 possess a very high Tc (≈ 1500 °C)': one value
            # stated for a conjoined subject holds for each of them ('When compared to OTV1, OTV2 ...': not for one
            # named only to compare with).
            eligible = [m for m in materials if not m.is_dopant and not m.role and m.end <= material.end
                        and not is_compared(text, m)]
            # ('Cu2SnSe3 (CTSe) and Cu2ZnSnSe4 (CZTSe) are ...': a short name in brackets stands with its material)
            named = {id(m): p for p, m in zip(eligible, eligible[1:]) if is_short_form(text, p, m)}
            run = material_run([m for m in eligible if id(m) not in named], text, from_end=True)
            if len(run) > 1 and run[-1] is named.get(id(material), material):
                # ('Cadmium oxide, CdO, is ...': a name and its formula in apposition are one material)
                subjects = [m for m in run[:-1] if not (m.formula and m.formula == material.formula)] + [material]
        elif (link is not None and link.pattern == "after" and single_value and assignment.quantity.end <= material.start
              and re.search(r"\bfor\b", text[assignment.quantity.end : material.start])):
            # 'A Néel temperature as high as 400 K has been found for Cr2CFCl, Cr2CClBr and Cr2CHF': one value
            # stated for a list holds for each of its members
            run = material_run([m for m in materials if not m.is_dopant and not m.role and m.start >= material.start],
                               text, from_end=False)
            if len(run) > 1 and run[0] is material:
                subjects = run
        return material, subjects, score, pattern


# an amount given for a composition variable: 'x = 0.2', '(x = 0.10 and 0.15)', 'y=0.05'
_VARIABLE_GIVEN = re.compile(r"(?<![\w.])([xyz])\s?=\s?\d")


def _composition_given(text: str, studied) -> tuple | None:
    """The latest formula with the variable a sentence gives an amount for ('for x = 0.2'), if any."""
    given = _VARIABLE_GIVEN.search(text)
    return studied.latest_with_variable(given.group(1)) if given else None


_PLURAL_REFERENCE = re.compile(r"these|they|those|their|the (?:two|both)", re.I)
# ('The bonded samples show ...': a plural noun at the start of the sentence)
_PLURAL_NOUN_REFERENCE = re.compile(rf"the (?:[\w-]+\s)*{PLURAL_SAMPLE_NOUNS}", re.I)
_EXPLETIVE_IT = re.compile(r"it\s(?:is|was|has been|had been|can be|could be|should be|may be|seems|appears)\b", re.I)
_COMPOSITE_REFERENCE = re.compile(r"composite|hybrid", re.I)
_SENTENCE_START = 40  # characters: 'Even at high rates of 1C, 2C and 5C, the composite ...' is still the start
# 'lithium storage', 'sodium-ion', 'lithium–sulfur': the element is the battery's working ion
_WORKING_ION_AFTER = re.compile(r"[\s‐–-]?(?:ions?|storage|insertion|intercalation|extraction|air|oxygen|sulfur)\b", re.I)


def _indexed(obj, index: int, layer_index: dict[int, int]):
    layer_index[id(obj)] = index
    return obj


__all__ = ["RulesLinker", "cue_of", "quantity_of"]
