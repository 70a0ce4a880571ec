"""The baseline extractor: property cues + quantities + material mentions, joined by rules.

Sentence by sentence:

1. find property cues (ontology phrases and symbols), quantities (`quantities.py`) and material
   mentions (`materials.py`: formulas, names, abbreviations defined in the document);
2. give each quantity a cue: a fitting cue right after it ('a 60 meV exciton binding energy'),
   else the nearest cue before it whose dimension fits the unit and whose plausible range holds
   the value ('300 K' never becomes a band gap). Values of other symbols ('TO–T ∼ 85 °C'),
   differences ('shifted by 0.2 eV', '0.3 eV lower than'), synthesis temperatures ('annealed at
   500 °C') and measurement conditions ('at 300 K') are not property values;
3. give each (cue, value) a material, trying the patterns papers use, most specific first:
   'the band gaps of A, B and C are 1, 2 and 3 eV, respectively' (respectively),
   'brookite (3.32 eV)' (bracketed), 'the band gap of ZnO is 3.37 eV' (between),
   'ZnO (Eg = 3.37 eV)' (parenthesis), '3.2 eV for TiO2' (after), 'TiO2 has a band gap of
   3.2 eV' (subject); strong mentions before weak ones (acronyms, lone elements). A sentence that
   names no material ('Its Curie temperature is 116 K') gets the main material of its paragraph
   (title and abstract share one memory), with low confidence;
4. quantities introduced by 'at'/'under' become conditions (temperature, pressure) of the
   records in the sentence.

Confidence reflects the pattern that matched, the distance between cue and value, symbol cues,
comparators and bare numbers. Records from tables come from header cells naming a property (and
unit) and a column of materials. Pure: a Document in, records and mentions out; no IO.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from textmine.document import Document, Section, Sentence, Table
from textmine.extract.base import extractors
from textmine.extract.quantities import Quantity, parse_quantities
from textmine.extract.materials import (
    MaterialMention,
    StudiedMaterials,
    find_abbreviations,
    find_material_mentions,
    formula_and_elements,
)
from textmine.normalise.formula import formula_for_name
from textmine.normalise.units import UnitError, compatible, parse_unit
from textmine.ontology import CueMatch, Ontology, PropertyDefinition, load_ontology
from textmine.records import Condition, Material, Mention, Record

RULES_VERSION = "0.3.0"


# --- cue -> property -----------------------------------------------------------------------------


def _resolve_property(cue: CueMatch, sentence: str, document_context: str, ontology: Ontology) -> list[PropertyDefinition]:
    """Candidate properties for a cue, the best supported by context words first."""
    props = [ontology.get(name) for name in cue.properties]
    if len(props) == 1:
        return props

    scored = [
        (_context_support(tuple(p.context), sentence), _context_support(tuple(p.context), document_context), -i, p)
        for i, p in enumerate(props)
    ]
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    return [s[3] for s in scored]


# A value further than this (in characters) from its cue is not linked to it.
_MAX_CUE_DISTANCE = 250


@functools.lru_cache(maxsize=4096)
def _context_support(words: tuple[str, ...], text: str) -> int:
    """How often the context words of a property occur in `text` (cached: asked per cue and value)."""
    lowered = text.lower()
    return sum(lowered.count(word.lower()) for word in words)


_AT_LEAD = re.compile(r"(?:\bat|\bunder|\bat about|\bat around|\bat ∼|\bat ~)\s*[~∼≈]?\s*$", re.I)
_SYNTHESIS_LEAD = re.compile(
    r"\b(?:annealed|sintered|calcined|heated|treated|grown|deposited|synthesized|synthesised|prepared|fired|"
    r"quenched|cooled|dried|heating|annealing|sintering|calcination)\s(?:\w+\s){0,2}(?:at|to|up to|from)\s*[~∼≈]?\s*$",
    re.I,
)
# 'a change of 1 eV', 'shifted by 0.2 eV', 'decreased by 20 K': differences, not property values.
_SYMBOL_ASSIGNMENT = re.compile(r"(?<![\w])([A-Za-zα-ωΑ-Ω][\w–,\-′']{0,7})\s?[=∼~≈<>≤≥]\s?[~∼≈]?\s?$")
# '200 meV more negative than TiO2', '0.3 eV lower than': a difference stated as a comparison.
_COMPARATIVE_AFTER = re.compile(
    r"^\s?(?:more|less|higher|lower|larger|smaller|greater|wider|narrower|above|below)\s(?:than|negative|positive)\b", re.I
)
_DIFFERENCE_LEAD = re.compile(
    r"\b(?:change|shift|shifts|decrease|increase|reduction|narrowing|widening|difference|enhancement|drop|rise|"
    r"offset|lowering|broadening|red-shift|blue-shift|redshift|blueshift)\s(?:of\s)?"
    r"(?:about\s|over\s|approximately\s|up to\s|nearly\s|~\s?|∼\s?)?$"
    r"|\b(?:by|of only)\s(?:about\s|approximately\s|nearly\s|~\s?|∼\s?)?$",
    re.I,
)


@dataclass
class _Assignment:
    quantity: Quantity
    prop: PropertyDefinition
    cue: CueMatch
    si_unit: str
    cue_distance: int


def _fits(prop: PropertyDefinition, quantity: Quantity) -> str | None:
    si_unit = prop.si_unit_for(quantity.unit)
    if si_unit is None:
        return None
    values = [v for v in (quantity.value, quantity.value_min, quantity.value_max) if v is not None]
    if not values:
        return None
    unit = quantity.unit or ""
    if si_unit != prop.si_unit and prop.si_unit:
        return si_unit if all(v >= 0 or prop.signed for v in values) else None
    try:
        if not all(prop.in_range(v, unit) for v in values):
            return None
    except UnitError:
        return None
    return si_unit


def _assign_properties(
    sentence: str, cues: list[CueMatch], quantities: list[Quantity], document_context: str, ontology: Ontology
) -> list[_Assignment]:
    assignments: list[_Assignment] = []
    for quantity in quantities:
        before = sentence[max(0, quantity.start - 30) : quantity.start]
        left = [c for c in cues if c.end <= quantity.start]
        right = [c for c in cues if c.start >= quantity.end and c.start - quantity.end <= 25]
        chosen: tuple[CueMatch, PropertyDefinition, str] | None = None
        # 'a 3.2 eV band gap', 'a band gap of 3.37 eV and a 60 meV exciton binding energy': a fitting
        # cue right after the value names it, unless the value directly follows its own cue
        # ('Eg = 3.2 eV band edge') or that cue has a value of its own ('298 K with a TN of 955 K').
        right_choice = _right_cue(quantity, right, quantities, sentence, document_context, ontology)
        adjacent_left = left and re.fullmatch(
            r"[\s(]*(?:[=:≈∼~]|of|is|was|as|as high as)?\s*[~∼≈]?\s*", sentence[left[-1].end : quantity.start]
        )
        if right_choice and not adjacent_left:
            chosen = right_choice
        # The nearest cue on the left decides; a cue of another dimension in between blocks
        # attachment to cues further away ('Tc = 370 K and Eg = 2 eV, at 10 K').
        for cue in reversed(left if chosen is None else []):
            if quantity.start - cue.end > _MAX_CUE_DISTANCE:
                break
            between = sentence[cue.end : quantity.start]
            if re.search(r"[;]|\bwhereas\b|\bwhile\b", between):
                break
            fitted = _first_fit(cue, quantity, sentence, document_context, ontology)
            if fitted:
                chosen = (cue, *fitted)
                break
            if not cue.is_symbol or len(between) < 40:
                break
        if chosen is None:
            chosen = right_choice
        if chosen is None:
            continue
        cue, prop, si_unit = chosen
        # 'TC∼267°C, TO–T∼85°C': a value given to a symbol we do not know belongs to that symbol.
        # (a symbol comparator such as '∼' belongs to the quantity's span, so look past it)
        lead = len(quantity.text) - len(quantity.text.lstrip("=∼~≈<>≤≥ "))
        window_start = max(0, quantity.start - 14)
        owner = _SYMBOL_ASSIGNMENT.search(sentence[window_start : quantity.start + lead])
        if owner and re.search(r"[A-Z0-9α-ωΑ-Ω]", owner.group(1)):  # a symbol, not a word like 'of'
            owner_start = window_start + owner.start(1)
            if not any(c.start <= owner_start < c.end for c in cues):
                continue
        # 'measured at 300 K' is a condition, not the value, unless it is the cue's only value.
        if _DIFFERENCE_LEAD.search(before) or _SYNTHESIS_LEAD.search(sentence[max(0, quantity.start - 40) : quantity.start]):
            continue
        if _COMPARATIVE_AFTER.match(sentence[quantity.end : quantity.end + 30]):
            continue
        if _AT_LEAD.search(before):
            if prop.dimension != "[temperature]" or any(a.cue == cue for a in assignments):
                continue
        distance = quantity.start - cue.end if cue.end <= quantity.start else cue.start - quantity.end
        assignments.append(_Assignment(quantity, prop, cue, si_unit, max(distance, 0)))
    return assignments


def _right_cue(
    quantity: Quantity,
    right: list[CueMatch],
    quantities: list[Quantity],
    sentence: str,
    document_context: str,
    ontology: Ontology,
) -> tuple[CueMatch, PropertyDefinition, str] | None:
    """The cue just after a value (at most two words between) if it fits and has no value of its own."""
    for cue in right:
        gap = sentence[quantity.end : cue.start]
        if not (re.fullmatch(r"\s?(?:[-–]|\w+\s){0,2}\s?", gap) or gap.strip() in ("", "-", "(")):
            continue
        if any(q is not quantity and 0 <= q.start - cue.end <= 14 for q in quantities):
            return None
        fitted = _first_fit(cue, quantity, sentence, document_context, ontology)
        return (cue, *fitted) if fitted else None
    return None


def _first_fit(
    cue: CueMatch, quantity: Quantity, sentence: str, document_context: str, ontology: Ontology
) -> tuple[PropertyDefinition, str] | None:
    for prop in _resolve_property(cue, sentence, document_context, ontology):
        si_unit = _fits(prop, quantity)
        if si_unit is not None:
            return prop, si_unit
    return None


def _conditions_for(sentence: str, quantities: list[Quantity], used: set[int]) -> list[Condition]:
    conditions = []
    for quantity in quantities:
        if id(quantity) in used or quantity.value is None:
            continue
        if not _AT_LEAD.search(sentence[max(0, quantity.start - 16) : quantity.start]):
            continue
        for name, unit in (("temperature", "K"), ("pressure", "Pa")):
            try:
                if quantity.unit and compatible(quantity.unit, unit):
                    conditions.append(Condition(property=name, value=quantity.value, unit=quantity.unit, text=quantity.text))
            except UnitError:
                pass
    return conditions


# --- material for an assignment ------------------------------------------------------------------

_BACK_REFERENCE = re.compile(
    r"\b(?:its|it|their|they|this|these|the (?:compound|material|alloy|sample|samples|film|films|"
    r"crystal|crystals|system|phase|ceramic|ceramics|nanoparticles|nanocrystals|oxide|perovskite|"
    r"semiconductor|magnet|structure|composite|powder|catalyst|photocatalyst|absorber|thin films?))\b",
    re.I,
)
# 'than' starts a comparison with another material ('larger than that of TiO2'), but 'less than
# 10 K' is a comparator.
_CLAUSE_BREAK = re.compile(
    r"[;]|\bwhereas\b|\bwhile\b|\bbut\b|\bcompared (?:to|with)\b|\bthan\b(?!\s?[~∼≈]?\s?[\d.−-])|\bunlike\b"
)


@dataclass
class _Link:
    material: MaterialMention
    pattern: str
    score: float


def _link_material(
    assignment: _Assignment,
    sentence: str,
    materials: list[MaterialMention],
    assignments: list[_Assignment],
) -> _Link | None:
    """The material a (cue, value) pair is about: strong mentions first, weak ones as a fallback."""
    everything = [m for m in materials if not m.is_dopant]
    strong = [m for m in everything if not m.is_weak]
    # 'Metallic Mn, MnO and MnO2 ... 100, 116 and 84 K respectively': lists pair with every mention
    link = _link_respectively(assignment, sentence, everything, assignments)
    if link is not None:
        return link
    # The best pattern wins; a weak mention ('PTTBTz') must beat a strong one by its pattern
    # ('the band gap of PTTBTz ... was 1.89 eV, similar to that of P3HT').
    link = _link_among(assignment, sentence, strong, assignments)
    if len(everything) > len(strong):
        any_link = _link_among(assignment, sentence, everything, assignments)
        if any_link is not None and any_link.material.is_weak and (link is None or any_link.material.is_code_name):
            any_link.score *= 0.85
            if link is None or any_link.score > link.score:
                link = any_link
    return link


def _link_respectively(
    assignment: _Assignment, sentence: str, candidates: list[MaterialMention], assignments: list[_Assignment]
) -> _Link | None:
    """'A, B and C ... 1, 2 and 3 eV, respectively'; 'A and B have TN of 224 and 204 K'."""
    group = _value_group(assignment, assignments, sentence)
    if len(group) < 2:
        return None
    respectively = re.search(r"\brespectively\b", sentence[group[-1].quantity.end :]) is not None
    materials = _material_list_near(sentence, candidates, group[0].quantity.start, group[-1].quantity.end)
    if len(materials) == len(group):
        return _Link(materials[group.index(assignment)], "respectively", 0.75 if respectively else 0.6)
    return None


def _value_group(assignment: _Assignment, assignments: list[_Assignment], sentence: str) -> list[_Assignment]:
    """Values of one cue written as a list ('1.2, 1.5 and 1.9 eV' or '2.92 eV, 2.86 eV, and 1.09 eV')."""
    same_cue = sorted((a for a in assignments if a.cue == assignment.cue), key=lambda a: a.quantity.start)
    groups: list[list[_Assignment]] = []
    for a in same_cue:
        if groups and re.fullmatch(r"\s?(?:,|;|,?\s?and|,?\s?or)\s?", sentence[groups[-1][-1].quantity.end : a.quantity.start]):
            groups[-1].append(a)
        else:
            groups.append([a])
    for group in groups:
        if assignment in group:
            return group
    return [assignment]


def _link_among(
    assignment: _Assignment,
    sentence: str,
    candidates: list[MaterialMention],
    assignments: list[_Assignment],
) -> _Link | None:
    q, cue = assignment.quantity, assignment.cue
    if not candidates:
        return None
    lo, hi = min(cue.start, q.start), max(cue.end, q.end)

    # 'brookite (3.32 eV), anatase (3.25 eV)', 'ZnS0.3Se0.7 (3.35 eV)': the value in brackets after its material
    bracketed = [
        m for m in candidates
        if m.end <= q.start and re.fullmatch(r"\s?\((?:[^()]{0,12}[=∼~≈:]\s?)?[~∼≈]?\s?", sentence[m.end : q.start])
    ]
    if bracketed:
        return _Link(bracketed[-1], "bracketed", 0.85)
    # '3 eV (BaCuTeF), 2.9 eV (BaCuSeF)': the material in brackets right after its value
    named_after = [
        m for m in candidates
        if m.start >= q.end
        and re.fullmatch(r"\s?\(\s?", sentence[q.end : m.start])
        and sentence[m.end : m.end + 2].lstrip().startswith(")")
    ]
    if named_after:
        return _Link(named_after[0], "bracketed", 0.85)

    # '3.2 eV for TiO2', 'band gap of 3.2 eV in ZnO', 'TC as high as 1390 K in the case of cobalt'
    after = [m for m in candidates if m.start >= q.end and m.start - q.end <= 30]
    if after and re.match(
        r"^\W{0,3}\s?(?:for|of|in|in the case of|was observed for|is obtained for|was obtained for)\s"
        r"(?:the\s|pure\s|bulk\s|pristine\s|undoped\s|as-\w+\s)?\s?\(?$",
        sentence[q.end : after[0].start],
    ):
        return _Link(after[0], "after", 0.8)

    # 'the band gap of ZnO is 3.37 eV', 'Tc of LSMO (370 K)'; not a material that follows another
    # value of the cue ('TN of 13 K for A and 21 K for B')
    other_values = [a.quantity for a in assignments if a is not assignment]
    inside = [
        m for m in candidates
        if lo <= m.start and m.end <= hi and not any(cue.end <= v.start and v.end <= m.start for v in other_values)
    ]
    if inside and cue.end <= q.start:
        gap_before = sentence[cue.end : inside[0].start]
        if re.search(r"\b(?:of|for|in|on)\b", gap_before) or len(gap_before.strip()) <= 3:
            best = inside[0]
            if not _CLAUSE_BREAK.search(sentence[best.end : q.start]):
                return _Link(best, "between", 0.9)

    # 'ZnO (Eg = 3.37 eV)', 'Yb14MnSb11 (TC = 53 K)'
    open_paren = sentence.rfind("(", 0, lo + 1)
    if open_paren != -1 and ")" not in sentence[open_paren:lo] and ")" not in sentence[lo:hi]:
        # '(bulk Nickel: Tc = 627 K)': a material inside the brackets, before the cue, comes first
        within = [m for m in candidates if open_paren < m.start and m.end <= lo]
        if within:
            return _Link(within[-1], "parenthesis", 0.85)
        before = [m for m in candidates if m.end <= open_paren and open_paren - m.end <= 45]
        if before and not _CLAUSE_BREAK.search(sentence[before[-1].end : open_paren]):
            return _Link(before[-1], "parenthesis", 0.85)

    # 'TiO2 has a band gap of 3.2 eV', 'CrO2 ... with a Curie temperature TC = 390 K'
    before = [m for m in candidates if m.end <= lo]
    if before:
        nearest = before[-1]
        span = sentence[nearest.end : lo]
        others_between = [a for a in assignments if a is not assignment and nearest.end <= a.quantity.start < lo]
        if not _CLAUSE_BREAK.search(span) and not others_between:
            distance = lo - nearest.end
            score = 0.8 if distance <= 40 else 0.7 if distance <= 90 else 0.55
            return _Link(nearest, "subject", score)
        if not _CLAUSE_BREAK.search(span):
            # 'X is a semiconductor with Eg = 1.1 eV and TC = 300 K': no other material in between,
            # so the values share the subject.
            return _Link(nearest, "subject", 0.55)

    # a material right after the value in the same clause ('... is 3.2 eV for the ZnO films')
    if after and not _CLAUSE_BREAK.search(sentence[q.end : after[0].start]) and after[0].start - q.end <= 20:
        return _Link(after[0], "after", 0.6)
    # '2.1 eV (x = 0) and 1.8 eV (x = 0.5) for Cu2ZnSn(S1-xSex)4': values listed before 'for X'
    later = [m for m in candidates if m.start >= q.end and m.start - q.end <= 90]
    if later:
        gap = sentence[q.end : later[0].start]
        introduces = re.search(r"\b(?:for|of|in)\s(?:the\s)?$", gap) or (
            re.search(r"\bfor\b", gap) and re.search(r"(?:doped|substituted)\s$", gap)  # 'for N–Fe codoped TiO2'
        )
        if introduces and not _CLAUSE_BREAK.search(gap) and "." not in re.sub(r"\d\.\d", "", gap):
            return _Link(later[0], "after", 0.55)
    return None


def _material_list_near(sentence: str, materials: list[MaterialMention], group_start: int, group_end: int) -> list[MaterialMention]:
    """The run of materials ('A, B and C') before the values, or else right after them."""
    before = _material_run([m for m in materials if m.end <= group_start], sentence, from_end=True)
    if len(before) > 1:
        return before
    after = _material_run([m for m in materials if m.start >= group_end], sentence, from_end=False)
    return after


def _material_run(materials: list[MaterialMention], sentence: str, from_end: bool) -> list[MaterialMention]:
    ordered = list(reversed(materials)) if from_end else materials
    run: list[MaterialMention] = []
    for mention in ordered:
        if run:
            left, right = (mention, run[0]) if from_end else (run[-1], mention)
            joiner = sentence[left.end : right.start]
            if not re.fullmatch(r"\s?(?:,|,?\s?and|,?\s?or)\s?(?:the\s|bare\s|pure\s)?", joiner):
                break
        if from_end:
            run.insert(0, mention)
        else:
            run.append(mention)
    return run


# --- the extractor -------------------------------------------------------------------------------


@dataclass
class _SentenceResult:
    records: list[Record] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    materials: list[MaterialMention] = field(default_factory=list)


_SIMPLE_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_NO_SPLIT_BEFORE = re.compile(r"(?:\b(?:Fig|Figs|Eq|Eqs|Ref|Refs|al|ca|approx|vs|No|e\.g|i\.e|etc|Tab|resp)\.)$")


_MAX_SENTENCE = 2000


def _bounded(text: str, sentence: Sentence) -> list[Sentence]:
    """A sentence, or for run-on text (flattened tables, PDF debris) pieces of at most ~2000 chars
    cut at '; ' or spaces, so that the per-sentence rules stay fast."""
    if sentence.end - sentence.start <= _MAX_SENTENCE:
        return [sentence]
    pieces, start = [], sentence.start
    while sentence.end - start > _MAX_SENTENCE:
        window = text[start : start + _MAX_SENTENCE]
        cut = max(window.rfind("; "), window.rfind(". "))
        if cut < _MAX_SENTENCE // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut > 0 else _MAX_SENTENCE
        pieces.append(Sentence(start=start, end=start + cut))
        start += cut
        while start < sentence.end and text[start] == " ":
            start += 1
    pieces.append(Sentence(start=start, end=sentence.end))
    return [p for p in pieces if p.end > p.start]


def _fallback_sentences(document: Document, start: int, end: int) -> list[Sentence]:
    """Sentences of an unsegmented paragraph (the pipeline segments with textmine.nlp first)."""
    sentences = []
    cursor = start
    text = document.text
    for m in _SIMPLE_SENTENCE_END.finditer(text, start, end):
        if _NO_SPLIT_BEFORE.search(text[max(start, m.start() - 8) : m.start()]):
            continue
        sentences.append(Sentence(start=cursor, end=m.start()))
        cursor = m.end()
    if cursor < end:
        sentences.append(Sentence(start=cursor, end=end))
    return sentences


# Title and abstract: the first paragraphs share one memory of the studied material.
_OPENING_PARAGRAPHS = 3


class RulesExtractor:
    """Rule-based (material, property, value) extraction; no model, no IO."""

    name = "rules"
    version = RULES_VERSION

    def __init__(self, ontology: Ontology | None = None, min_confidence: float = 0.0) -> None:
        self.ontology = ontology or load_ontology()
        self.min_confidence = min_confidence

    @property
    def extractor_id(self) -> str:
        return f"{self.name}@{self.version}"

    def extract(self, document: Document) -> tuple[list[Record], list[Mention]]:
        records: list[Record] = []
        mentions: list[Mention] = []
        text = document.text
        abbreviations = find_abbreviations(text[:20000])
        document_context = text[:5000]
        # Sentences that only refer back ('Its band gap is ...') get the material studied in the
        # same paragraph; the title and abstract region (first paragraphs) share one memory.
        opening = StudiedMaterials()
        for index, (section, paragraph) in enumerate(document.paragraphs()):
            studied = opening if index < _OPENING_PARAGRAPHS else StudiedMaterials()
            sentences = paragraph.sentences or _fallback_sentences(document, paragraph.start, paragraph.end)
            for sentence in (part for s in sentences for part in _bounded(document.text, s)):
                result = self._extract_sentence(document, section, sentence, abbreviations, document_context, studied)
                records.extend(result.records)
                mentions.extend(result.mentions)
                studied.add(result.materials, sentence.start)
        records.extend(self._table_records(document))
        records = [r for r in records if r.confidence >= self.min_confidence]
        return _deduplicate(records), mentions

    # -- sentences --

    def find_materials(
        self, document: Document, sentence: Sentence, text: str, abbreviations: dict[str, MaterialMention]
    ) -> list[MaterialMention]:
        """Material mentions of one sentence, sentence-relative. The `ner` extractor overrides this
        to assemble records from the transformer's MAT spans with the same linking rules."""
        return find_material_mentions(text, abbreviations)

    def find_cues(self, document: Document, sentence: Sentence, text: str) -> list[CueMatch]:
        """Property cues of one sentence (ontology names and symbols), sentence-relative. The `ner`
        extractor overrides this to weigh them by the transformer's PRO spans."""
        return self.ontology.find_cues(text)

    def _extract_sentence(
        self,
        document: Document,
        section: Section,
        sentence: Sentence,
        abbreviations: dict[str, MaterialMention],
        document_context: str,
        studied: StudiedMaterials,
    ) -> _SentenceResult:
        result = _SentenceResult()
        offset = sentence.start
        text = document.text[sentence.start : sentence.end]
        cues = self.find_cues(document, sentence, text)
        materials = self.find_materials(document, sentence, text, abbreviations)
        # Where a cue and a material overlap, the longer wins: 'α' inside 'α-Mn2O3' is no cue,
        # and a property phrase is never a material.
        cues = [c for c in cues if not any(m.start <= c.start and c.end <= m.end and m.end - m.start > c.end - c.start for m in materials)]
        materials = [m for m in materials if not any(c.start < m.end and m.start < c.end for c in cues)]
        result.materials = materials
        for m in materials:
            result.mentions.append(
                Mention(doc_id=document.id, label="MAT", text=m.text, char_start=offset + m.start, char_end=offset + m.end,
                        confidence=m.confidence, extractor=self.extractor_id, normalised=m.formula)
            )
        for c in cues:
            # a shared symbol ('Tc') is named by the property its context supports best
            resolved = _resolve_property(c, text, document_context, self.ontology)[0].name
            result.mentions.append(
                Mention(doc_id=document.id, label="PRO", text=c.text, char_start=offset + c.start, char_end=offset + c.end,
                        confidence=0.9 if not c.is_symbol else 0.6, extractor=self.extractor_id, normalised=resolved)
            )
        if not cues:
            return result
        quantities = parse_quantities(text)
        if not quantities:
            return result
        # Quantities inside a material mention ('Ni80Fe20' has none, but '2-propanol' ...)
        quantities = [q for q in quantities if not any(m.start <= q.start < m.end for m in materials)]
        assignments = _assign_properties(text, cues, quantities, document_context, self.ontology)
        used = {id(a.quantity) for a in assignments}
        conditions = _conditions_for(text, quantities, used)
        section_title = section.title or section.kind
        for assignment in assignments:
            link = _link_material(assignment, text, materials, assignments)
            material: MaterialMention | None = link.material if link else None
            pattern_score = link.score if link else 0.0
            material_offset = offset
            main = studied.main() if material is None else None
            back_reference = _BACK_REFERENCE.search(text)
            if material is None and back_reference:
                # 'Barium titanate (BaTiO3) is stable but its band gap ...': 'its' points to the
                # nearest material before it in the same sentence, if there is one.
                before = [m for m in materials if not m.is_dopant and m.end <= back_reference.start()]
                if before:
                    material, main = before[-1], None
                    pattern_score = 0.5
            if main is not None and back_reference:
                material, material_offset = main
                pattern_score = 0.4
            elif main is not None and not any(not m.is_dopant for m in materials):
                material, material_offset = main
                pattern_score = 0.3
            if material is None:
                continue
            subjects = [material]
            single_value = len(_value_group(assignment, assignments, text)) == 1
            if link is not None and link.pattern in ("subject", "between", "parenthesis") and single_value:
                # 'isostructural La2Ti2O7 and Nd2Ti2O7 possess a very high Tc (≈ 1500 °C)': one
                # value stated for a conjoined subject holds for each of them.
                run = _material_run([m for m in materials if not m.is_dopant and m.end <= material.end], text, from_end=True)
                if len(run) > 1 and run[-1] is material:
                    subjects = run
            for subject in subjects:
                score = pattern_score if subject is material else pattern_score - 0.05
                record = self._record(document, section_title, sentence, text, assignment, subject, material_offset,
                                      score, [c for c in conditions if c.property != _dimension_name(assignment.prop)])
                if record is not None:
                    result.records.append(record)
        return result

    def _record(
        self,
        document: Document,
        section_title: str,
        sentence: Sentence,
        text: str,
        assignment: _Assignment,
        material: MaterialMention,
        material_offset: int,
        pattern_score: float,
        conditions: list[Condition],
    ) -> Record | None:
        q = assignment.quantity
        try:
            values = _value_fields(q, assignment.si_unit)
        except UnitError:
            return None
        confidence = pattern_score
        confidence -= min(assignment.cue_distance, 120) / 600  # far from its cue: less sure
        if assignment.cue.is_symbol:
            confidence -= 0.05
        if q.comparator in (">", "<", ">=", "<="):
            confidence -= 0.1
        if not q.unit:
            confidence -= 0.1
        confidence = round(max(0.05, min(0.99, confidence)), 3)
        offset = sentence.start
        return Record(
            doc_id=document.id,
            material=Material(
                text=material.text,
                formula=material.formula,
                elements=material.elements,
                char_start=material_offset + material.start,
                char_end=material_offset + material.end,
            ),
            property=assignment.prop.name,
            **values,
            conditions=conditions,
            sentence=text,
            char_start=sentence.start,
            char_end=sentence.end,
            value_start=offset + q.start,
            value_end=offset + q.end,
            section=section_title or None,
            confidence=confidence,
            extractor=self.extractor_id,
        )

    # -- tables --

    def _table_records(self, document: Document) -> list[Record]:
        records: list[Record] = []
        for table in document.tables:
            records.extend(self._records_from_table(document, table))
        return records

    def _records_from_table(self, document: Document, table: Table) -> list[Record]:
        grid = table.rows()
        if len(grid) < 2:
            return []
        header_rows = sorted({c.row for c in table.cells if c.header}) or [0]
        n_header = max(header_rows) + 1
        headers = [" ".join(grid[r][col] for r in range(n_header)).strip() for col in range(len(grid[0]))]
        body = grid[n_header:]
        material_col = _material_column(body)
        if material_col is None:
            return []
        records = []
        for col, header in enumerate(headers):
            if col == material_col:
                continue
            cues = self.ontology.find_cues(header)
            if not cues:
                continue
            header_unit = _unit_in_header(header)
            for row_index, row in enumerate(body):
                material_text = row[material_col].strip()
                cell = row[col].strip()
                if not material_text or not cell:
                    continue
                material = _material_from_cell(material_text)
                if material is None:
                    continue
                record = self._table_record(document, table, header, header_unit, cues, cell, material, row_index)
                if record is not None:
                    records.append(record)
        return records

    def _table_record(
        self,
        document: Document,
        table: Table,
        header: str,
        header_unit: str,
        cues: list[CueMatch],
        cell: str,
        material: MaterialMention,
        row_index: int,
    ) -> Record | None:
        quantities = parse_quantities(cell if not header_unit else f"{cell} {header_unit}")
        if not quantities:
            return None
        q = quantities[0]
        if header_unit and q.end > len(cell):
            q = Quantity(cell, 0, len(cell), q.value, q.value_min, q.value_max, q.uncertainty, q.unit, q.comparator)
        for cue in cues:
            for prop in _resolve_property(cue, header + " " + table.caption, document.text[:5000], self.ontology):
                si_unit = _fits(prop, q)
                if si_unit is None:
                    continue
                try:
                    values = _value_fields(q, si_unit)
                except UnitError:
                    return None
                return Record(
                    doc_id=document.id,
                    material=Material(text=material.text, formula=material.formula, elements=material.elements),
                    property=prop.name,
                    **values,
                    # Table cells are not part of Document.text: the 'sentence' is the row as read,
                    # and the sentence span is empty at 0.
                    sentence=f"{table.caption} | {material.text} | {header}: {cell}".strip(" |"),
                    char_start=0,
                    char_end=0,
                    section=f"table {table.id}".strip(),
                    confidence=0.8 if not cue.is_symbol else 0.7,
                    extractor=self.extractor_id,
                )
        return None


def _value_fields(q: Quantity, si_unit: str | None) -> dict[str, object]:
    """The Record fields of a quantity: as written, and in SI (raises UnitError)."""
    value_si, min_si, max_si, unit_si = q.si(si_unit or None)
    return {
        "value": q.value,
        "value_min": q.value_min if q.is_range else q.value,
        "value_max": q.value_max if q.is_range else q.value,
        "uncertainty": q.uncertainty,
        "unit": q.unit or None,
        "value_si": value_si,
        "value_min_si": min_si,
        "value_max_si": max_si,
        "unit_si": unit_si or None,
    }


def _dimension_name(prop: PropertyDefinition) -> str:
    return "temperature" if prop.dimension == "[temperature]" else ""


def _material_from_cell(text: str) -> MaterialMention | None:
    cleaned = re.sub(r"\s*\[\d+\]$|\s*\(ref\.?\s*\d+\)$|[*†‡§]+$", "", text).strip()
    found = find_material_mentions(cleaned, {})
    if found:
        first = found[0]
        return MaterialMention(0, len(cleaned), cleaned, first.formula, first.elements, first.confidence)
    formula = formula_for_name(cleaned)
    if formula:
        parsed_formula, elements = formula_and_elements(formula)
        return MaterialMention(0, len(cleaned), cleaned, parsed_formula, elements, 0.7)
    return None


def _material_column(body: list[list[str]]) -> int | None:
    if not body:
        return None
    best, best_hits = None, 0
    for col in range(len(body[0])):
        hits = sum(1 for row in body if row[col].strip() and _material_from_cell(row[col].strip()) is not None)
        if hits > best_hits and hits >= max(1, len(body) // 2):
            best, best_hits = col, hits
    return best


_HEADER_UNIT = re.compile(r"(?:\(([^()]*(?:\([^()]*\)[^()]*)*)\)|\[([^\[\]]+)\]|[/,]\s*([^/,()]+))\s*$")


def _unit_in_header(header: str) -> str:
    m = _HEADER_UNIT.search(header)
    if not m:
        return ""
    unit = (m.group(1) or m.group(2) or m.group(3) or "").strip()
    try:
        parse_unit(unit)
    except UnitError:
        return ""
    return unit


def _deduplicate(records: list[Record]) -> list[Record]:
    """One record per (sentence, material, property, value span); the most confident wins."""
    best: dict[str, Record] = {}
    for record in records:
        key = record.record_id
        if key not in best or record.confidence > best[key].confidence:
            best[key] = record
    return list(best.values())


@extractors.register("rules")
def make_rules_extractor(**options: object) -> RulesExtractor:
    return RulesExtractor(**options)  # type: ignore[arg-type]


__all__ = ["RULES_VERSION", "RulesExtractor", "make_rules_extractor"]
