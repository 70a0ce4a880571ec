"""Association by rules: which property a value states, and which material it is about.

Sentence by sentence (spans are sentence-relative here; the linker component maps them to and
from the document's layers):

1. give each quantity a cue: a fitting cue right after it ('a 60 meV exciton binding energy'),
   else the nearest cue before it whose dimension fits the unit and whose plausible range holds
   the value ('300 K' never becomes a band gap). Values of other symbols ('TO–T ∼ 85 °C'),
   differences ('shifted by 0.2 eV', '0.3 eV lower than'), synthesis temperatures ('annealed at
   500 °C') and measurement conditions ('at 300 K') are not property values;
2. give each (cue, value) a material, trying the patterns papers use, most specific first:
   'the band gaps of A, B and C are 1, 2 and 3 eV, respectively' (respectively),
   'brookite (3.32 eV)' (bracketed), 'the band gap of ZnO is 3.37 eV' (between),
   'ZnO (Eg = 3.37 eV)' (parenthesis), '3.2 eV for TiO2' (after), 'TiO2 has a band gap of
   3.2 eV' (subject); strong mentions before weak ones (acronyms, lone elements);
3. quantities introduced by 'at'/'under' become conditions (temperature, pressure).

Pure functions over `Quantity`, `CueMatch` and `MaterialMention`; no IO, no document.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from textmine.chemistry.find import PHASE_PREFIX, token_formula
from textmine.extract.material_forms import FORM_NOUN_AFTER, SOLUTION_AFTER, is_short_form
from textmine.extract.materials import MaterialMention
from textmine.extract.quantities import Quantity
from textmine.normalise.units import UnitError, compatible
from textmine.ontology import CueMatch, Ontology, PropertyDefinition

# --- cue -> property -----------------------------------------------------------------------------


def resolve_property(cue: CueMatch, sentence: str, document_context: str, ontology: Ontology) -> list[PropertyDefinition]:
    """Candidate properties for a cue, the best supported by context words first; a property's context cue
    ('efficiency') names it only where the document has one of its context words."""
    props = [ontology.get(name) for name in cue.properties if ontology.names_here(cue.text, name, sentence, document_context)]
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
    """How often the context words of a property start a word in `text` (cached: asked per cue and
    value). 'antiferromagnetic' is no 'ferromagnetic' and 'paramagnetic' no 'magnetic': a
    superconductor paper that mentions its antiferromagnetic parent phase is still about a Tc, nor is a
    paper on the Curie-Weiss behaviour of a superconductor's normal state about a Curie temperature."""
    return len(_context_pattern(words).findall(text))


@functools.lru_cache(maxsize=256)
def _context_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # ('Curie-Weiss behaviour' is a paramagnet's, no sign of a Curie temperature)
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))
                      + r")(?![-–‐]Weiss)", re.I)


# 'the band-gap energies lie at 2.42 eV': the value itself, not a condition
# and 'the capacity remains at 500 mAh/g', 'stays at', 'is maintained at': the value, not a condition
_LOCATED_AT = re.compile(
    r"\b(?:lies?|lying|located|situated|positioned|estimated|remains?|remained|stays?|stayed|stabili[sz]e[sd]?|"
    r"maintained|kept|retained|levels? off|levelled off|leveled off|plateaus?|plateaux)\s(?:to\s(?:be\s)?)?"
    r"(?:(?:appears?|appeared|occurs?|occurred|observed|located|centered|centred)\s)?at\s*(?:about\s|around\s)?[~∼≈]?\s*$"
    # 'Tc onset is about at 12 K', 'the HOMO levels were at -5.58 eV'
    r"|\b(?:is|are|was|were)\s(?:(?:about|around|approximately|roughly|located|found|positioned)\s)?at\s*[~∼≈]?\s*$",
    re.I,
)
_AT_LEAD = re.compile(r"(?:\bat|\bunder|\bat about|\bat around|\bat ∼|\bat ~)\s*[~∼≈]?\s*$", re.I)
_BOUND_LEAD = re.compile(r"\b(?:above|below)\s[~∼≈]?\s*$", re.I)
_REAGENT_GAP = re.compile(r"[\s-]|\s?(?:,|and|or)\s[^\s,]{1,20}\s")
_TRANSITION_CUE = re.compile(r"transition|transformation", re.I)
# a clause that sets what follows against what went before: no cue reaches across it
_CONTRAST = re.compile(r"[;]|\bwhereas\b|\bwhile\b")
# 'at levels of addition up to 15% by weight ZrO2': an amount of a component, not a property's value
_COMPOSITION_AFTER = re.compile(r"\s?by\s(?:weight|volume|mass)\s(?:of\s)?(?:the\s)?[A-Za-z(]", re.I)
_FURTHER_TRANSITION = re.compile(r"\b(?:transform|transition|convert|orders\b|ordered\b)", re.I)
# 'TN1 increases monotonically with the rare-earth ionic radius from 110 K ...': a cue the value varies with
_VARIED_WITH = re.compile(r"\b(?:with|against|versus|vs\.?)\s(?:the|increasing|decreasing|rising|growing)\s(?:[\w-]+\s){0,2}$", re.I)
_CUE_AS_CONDITION = re.compile(r"\b(?:at|under)\s(?:a|an|the)\s(?:(?:high|low|constant|fixed|given|same)\s)?$", re.I)
_SYNTHESIS_LEAD = re.compile(
    r"\b(?:annealed|sintered|calcined|heated|treated|grown|deposited|synthesized|synthesised|prepared|fired|"
    # (not across another verb: 'two-step treated graphene increased from 4.4 eV' is a change of the value)
    r"quenched|cooled|dried|heating|annealing|sintering|calcination)\s(?:(?!\w+ed\s)\w+\s){0,2}(?:at|to|up to|from)\s*[~∼≈]?\s*$",
    re.I,
)
# 'a change of 1 eV', 'shifted by 0.2 eV', 'decreased by 20 K': differences, not property values.
_SYMBOL_ASSIGNMENT = re.compile(r"(?<![\w])([A-Za-zα-ωΑ-Ω][\w–,\-′']{0,7})\s?[=∼~≈<>≤≥]\s?[~∼≈]?\s?$")
# '200 meV more negative than TiO2', '0.3 eV lower than': a difference stated as a comparison.
_COMPARATIVE_AFTER = re.compile(
    r"^\s?(?:more|less|higher|lower|larger|smaller|greater|wider|narrower|above|below)\s(?:than|negative|positive)\b", re.I
)
# 'a 12 K shift', 'a 0.3 eV increase', 'a 20 K higher TC', 'a 50 meV reduction of the gap': the value is a change
_DIFFERENCE_AFTER = re.compile(
    r"^\s?[-‐]?\s?(?:shifts?|increases?|decreases?|changes?|differences?|reductions?|enhancements?|rises?|drops?|"
    r"narrowing|widening|lowering|broadening|red-?shifts?|blue-?shifts?|offsets?|jumps?|gains?|losses|splitting|"
    r"(?:higher|lower|larger|smaller|greater|wider|narrower)\s(?!than)\w)",
    re.I,
)
_ARTICLE_BEFORE = re.compile(r"\b(?:a|an|the|this|that|its|their|large|small|slight|significant|further)\s*[~∼≈]?\s*$", re.I)
# 'no structural phase transition is observed between ...': a cue denied has no value
_NEGATED_CUE = re.compile(r"\b(?:no|without(?:\sany)?|absence\sof(?:\sany)?|lack\sof(?:\sany)?)\s(?:(?!in\b|of\b|for\b|on\b)[\w-]+\s){0,2}$",
                         re.I)
# the variables a transition's point is written with: 'at P ≈ 2 GPa', 'at T = 120 K'
_POINT_VARIABLE = {"P": "Pa", "T": "K"}
# Another quantity named between a cue and a value takes the value: 'an energy gap of 1.6 eV, and a
# spin-splitting of the gap of 0.36 eV', 'a band gap of 3.7 eV and a large exciton energy (∼40 meV)',
# 'TC = 45 K and a structural transition at 120 K'.
# 'a plot of (αhν)2 versus photon energy (hν)': the axis of a plot is no other quantity
_PLOT_AXIS = re.compile(r"\b(?:versus|vs\.?|against|function of)\s(?:the\s)?(?:incident\s)?photon energ\w*", re.I)
_OTHER_QUANTITY = re.compile(
    r"\b(?:spin[- ]splitting|splitting|(?:red|blue)[- ]?shifts?|peaks?\b|exciton(?:ic)?\s(?:energy|energies|binding)|binding energ|Urbach|Stokes shift|"
    r"phonon energ|photon energ|excitation energ|emission|FWHM|full width|linewidth|line width|bandwidth|band width|"
    r"barrier height|(?:structural|spin[- ]reorientation|charge[- ]ordering|Verwey|glass|melting|crystalli[sz]ation|"
    r"decomposition|blocking|freezing|irreversibility|Debye|Morin|Lifshitz|metal[- ]insulator|martensitic|"
    r"order[- ]disorder)\s(?:transition|temperature|point)|valence band (?:offset|maximum)|conduction band (?:offset|minimum)|"
    r"band offset|gap width|work function|electron affinity|ionization (?:energy|potential))",
    re.I,
)
# A voltage window is a condition of the test, not a voltage of the material: 'cycled between 2.0
# and 4.2 V', 'in the voltage range of 2.5-4.0 V', 'a potential window of 0-1 V'.
_WINDOW_LEAD = re.compile(r"\b(?:between|window|range|ranging|cycled|cycling|swept|scanned|cut-?off)\b[^.;]{0,25}$", re.I)
_DIFFERENCE_LEAD = re.compile(
    r"\b(?:change|shift|shifts|decrease|increase|reduction|narrowing|widening|difference|enhancement|drop|rise|"
    r"offset|lowering|broadening|red-shift|blue-shift|redshift|blueshift|"
    # ('measured with a step of 0.2 K near TN': a measurement's step or resolution is no value)
    r"step|steps|increments?|resolution|accuracy|precision)\s(?:of\s)?"
    r"(?:about\s|over\s|approximately\s|up to\s|nearly\s|only\s|~\s?|∼\s?)?$"
    r"|\bby\s(?:only\s|about\s|approximately\s|nearly\s|almost\s|around\s|roughly\s|some\s|as much as\s|up to\s|"
    r"(?:more|less|fewer) than\s|over\s|at least\s|~\s?|∼\s?)?$",
    re.I,
)


@dataclass
class Assignment:
    quantity: Quantity
    prop: PropertyDefinition
    cue: CueMatch
    si_unit: str
    cue_distance: int


def fits(prop: PropertyDefinition, quantity: Quantity) -> str | None:
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


def _compound_formula(token: str) -> bool:
    # (with its phase label: 'γ-Fe2O3 = 860 K' gives a compound its value, not a symbol)
    parsed = token_formula(re.sub(rf"^{PHASE_PREFIX}[-‐–]", "", token))
    return parsed is not None and len(parsed.elements) >= 2


def assign_properties(
    sentence: str, cues: list[CueMatch], quantities: list[Quantity], document_context: str, ontology: Ontology
) -> list[Assignment]:
    assignments: list[Assignment] = []
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
        if chosen is None:
            chosen = _from_cue_list(quantity, left, sentence, document_context, ontology, quantities)
        if chosen is None and not adjacent_left:
            chosen = _transition_after(quantity, cues, quantities, sentence, document_context, ontology)
        candidates = left if chosen is None else []
        for k in range(len(candidates) - 1, -1, -1):
            cue = candidates[k]
            if quantity.start - cue.end > _MAX_CUE_DISTANCE:
                break
            between = sentence[cue.end : quantity.start]
            contrast = _CONTRAST.search(between)
            if contrast and not _parallel(cue, quantity, assignments, between[contrast.end() :], cues):
                break
            if _OTHER_QUANTITY.search(_PLOT_AXIS.sub("", between)):
                break
            # ('above TC the system has two regimes: one above ∼50 K ...': a cue named as a bound has no value here)
            if _BOUND_LEAD.search(sentence, max(0, cue.start - 8), cue.start) and not re.match(
                    r"\s?(?:[=:≈∼~(]|of\b|is\b|was\b|at\b|\d)", sentence[cue.end : cue.end + 6]):
                break
            fitted = _first_fit(cue, quantity, sentence, document_context, ontology)
            if fitted:
                chosen = (cue, *fitted)
                break
            # a cue naming a measurement's window or condition is no value's own: 'the capacity between the voltage
            # range of 1.0 and 0.01 V is 308 mAh/g', 'an overpotential of 129 mV at the current density of 100 mA/cm2,
            # far better than that (316 mV) of Ni foam'
            if k > 0 and (_WINDOW_AFTER_CUE.match(sentence, cue.end)
                          or _CUE_AS_CONDITION.search(sentence[max(0, cue.start - 30) : cue.start])):
                continue
            # 'the tensile strength and elongation at break were 64.5 MPa and 9.33%': cues written as a
            # list share the values, so a value the last cue cannot take may be the one before's
            if k > 0 and _CUE_LIST_JOIN.fullmatch(sentence[candidates[k - 1].end : cue.start]):
                continue
            # ('poor conductivity (ρ 7×10−8 S cm−1)': a symbol given a value its property cannot take is misused;
            # the cue before it may take the value)
            misused_symbol = cue.is_symbol and re.fullmatch(r"\s?[=:≈∼~]?\s?", between)
            if (k > 0 and _VARIED_WITH.search(sentence, max(0, cue.start - 40), cue.start)
                    and not re.match(r"\s?(?:of|=|:|is|was)\s?[~∼≈]?\s?\d", sentence[cue.end : cue.end + 12])):
                continue
            if not cue.is_symbol or len(between) < 40 and not misused_symbol:
                break
        if chosen is None:
            chosen = right_choice
        if chosen is None:
            continue
        cue, prop, si_unit = chosen
        # 'no structural phase transition is observed between 25 °C and 500 °C': a cue denied has no value
        if cue.end <= quantity.start and _NEGATED_CUE.search(sentence[max(0, cue.start - 30) : cue.start]):
            continue
        # 'TC∼267°C, TO–T∼85°C': a value given to a symbol we do not know belongs to that symbol.
        # (a symbol comparator such as '∼' belongs to the quantity's span, so look past it)
        lead = len(quantity.text) - len(quantity.text.lstrip("=∼~≈<>≤≥ "))
        window_start = max(0, quantity.start - 14)
        owner = _SYMBOL_ASSIGNMENT.search(sentence[window_start : quantity.start + lead])
        # (a symbol, not a word like 'of', nor a compound: 'the band gap of AgCrSe2 ∼ 0.49 eV')
        if owner and re.search(r"[A-Z0-9α-ωΑ-Ω]", owner.group(1)) and not _compound_formula(owner.group(1)):
            owner_start = window_start + owner.start(1)
            # ('a carrier density (Nd ∼ 7.26 × 10^22 cm−3)': the symbol in brackets right after the cue is the cue's)
            # ('the phase transition is found at P ≈ 2 GPa': the variable of the point's own dimension is no other quantity)
            variable = owner.group(1) in _POINT_VARIABLE and _TRANSITION_CUE.search(cue.text) and (
                prop.si_unit == _POINT_VARIABLE[owner.group(1)])
            if not any(c.start <= owner_start < c.end for c in cues) and not variable and not (
                    cue.end <= owner_start and re.fullmatch(r"\s?\(\s?", sentence[cue.end : owner_start])):
                continue
        # 'measured at 300 K' is a condition, not the value, unless it is the cue's only value.
        difference = _DIFFERENCE_LEAD.search(before)
        if difference and cue.end <= quantity.start and cue.start <= quantity.start - len(before) + difference.start() < cue.end:
            difference = None  # the word is the cue's own: 'magnetic entropy change of 4.9 J/(kg K)'
        if difference or _SYNTHESIS_LEAD.search(sentence[max(0, quantity.start - 40) : quantity.start]):
            continue
        if _COMPOSITION_AFTER.match(sentence, quantity.end) or _COMPARATIVE_AFTER.match(sentence[quantity.end : quantity.end + 30]) or (
                _DIFFERENCE_AFTER.match(sentence[quantity.end : quantity.end + 30]) and _ARTICLE_BEFORE.search(before)):
            continue
        # ('cycled between 2.0 and 4.2 V': the window a value was measured in; unless the window is the property)
        if si_unit == "V" and _WINDOW_LEAD.search(sentence[max(0, quantity.start - 40) : quantity.start]) and (
                quantity.value is None or quantity.list_size > 1) and not _WINDOW_LEAD.search(cue.text):
            continue
        # ('... θp of 10.8 K, and other below ∼50 K with ...': past the cue's own value, a bound is a regime's)
        if _BOUND_LEAD.search(before) and any(a.cue == cue for a in assignments):
            continue
        if _AT_LEAD.search(before) and not _LOCATED_AT.search(before):
            # 'TC at 300 K' and 'a phase transition at 3.8 GPa' state the point itself
            point = prop.dimension == "[temperature]" or _TRANSITION_CUE.search(cue.text)
            taken = [a for a in assignments if a.cue == cue]
            # ('... a phase transition to a tetragonal phase before finally transforming to the aristotype phase at
            # 1295 K': a further transition named between the cue's value and this one has this point)
            if not point or taken and not _FURTHER_TRANSITION.search(sentence[taken[-1].quantity.end : quantity.start]):
                continue
        # 'a capacity of 150 mAh g−1 at a current density of 1 A g−1', 'under a pressure of 2 GPa': a
        # cue introduced by 'at'/'under' names the condition of another value, not a property
        if (cue.end <= quantity.start and prop.dimension != "[temperature]"
                and _CUE_AS_CONDITION.search(sentence[max(0, cue.start - 30) : cue.start])):
            continue
        distance = quantity.start - cue.end if cue.end <= quantity.start else cue.start - quantity.end
        assignments.append(Assignment(quantity, prop, cue, si_unit, max(distance, 0)))
    return assignments


# 'At 1062 K there is a first-order phase transition', 'upon heating to 473 K the material undergoes a
# reversible transition', 'at P ≈ 2 GPa a magnetic transition occurs': the point of a transition named after it
_POINT_LEAD = re.compile(r"(?:\bat|\babove|\bnear|\baround|\b(?:up)?on (?:heating|cooling) to)\s(?:about\s|around\s|[PT]\s?(?:[=≈∼~]\s?)?)?[~∼≈]?\s*$",
                         re.I)
_TRANSITION_VERB_GAP = re.compile(
    r"[\s,]*(?:(?:there\s(?:is|was|occurs|occurred|exists|appears|appeared|emerges|emerged)|(?:the\s|this\s|it\s|a\s)?[\w\s()-]{0,40}?\b(?:undergoes|underwent|undergo|shows|"
    r"showed|exhibits|exhibited|displays|displayed|experiences|experienced|has))\s(?:a|an|the|its)?\s?)[\w\s,()-]{0,30}$", re.I)


_NAMED_TRANSITION_AT = re.compile(r"\btransitions?\s(?:temperature\s|point\s)?(?:at|near|around|of)\s(?:about\s|around\s)?[~∼≈]?\s*$",
                                  re.I)


def _transition_after(
    quantity: Quantity, cues: list[CueMatch], quantities: list[Quantity], sentence: str, document_context: str,
    ontology: Ontology,
) -> tuple[CueMatch, PropertyDefinition, str] | None:
    """The transition a point stated before it belongs to: 'At 1062 K there is a first order phase transition'."""
    if not _POINT_LEAD.search(sentence[max(0, quantity.start - 30) : quantity.start]):
        return None
    # ('exhibited a metal–insulator (MI) transition at 113 K and underwent antiferromagnetic ordering': the point
    # of the transition named right before it)
    if _NAMED_TRANSITION_AT.search(sentence, max(0, quantity.start - 40), quantity.start):
        return None
    after = [c for c in cues if c.start >= quantity.end and c.start - quantity.end <= 90 and _TRANSITION_CUE.search(c.text)]
    if not after:
        return None
    cue = after[0]
    gap = sentence[quantity.end : cue.start]
    if any(quantity.end <= q.start < cue.start for q in quantities) or not _TRANSITION_VERB_GAP.fullmatch(gap):
        return None
    fitted = _first_fit(cue, quantity, sentence, document_context, ontology)
    return (cue, *fitted) if fitted else None


def _from_cue_list(
    quantity: Quantity, left: list[CueMatch], sentence: str, document_context: str, ontology: Ontology,
    quantities: list[Quantity],
) -> tuple[CueMatch, PropertyDefinition, str] | None:
    """'The response and recovery times were 104 and 94 s, respectively', 'the Curie and Néel temperatures
    are 300 and 200 K': a list of values sharing one unit after a list of as many cues pairs in order; so
    does a list of values each written with the unit ('the coulombic and energy efficiencies are,
    respectively, 96.2% and 86.2%')."""
    size, index = quantity.list_size, quantity.list_index
    if size < 2:
        group = _unit_list(quantity, quantities, sentence)
        size, index = len(group), group.index(quantity) if group else 0
    if size < 2 or not left:
        return None
    run = [left[-1]]
    for cue in reversed(left[:-1]):
        if not _CUE_LIST_JOIN.fullmatch(sentence[cue.end : run[0].start]):
            break
        run.insert(0, cue)
    if len(run) != size or _CONTRAST.search(sentence[run[-1].end : quantity.start]):
        return None
    cue = run[index]
    fitted = _first_fit(cue, quantity, sentence, document_context, ontology)
    return (cue, *fitted) if fitted else None


# what joins values written each with its unit into a list: '96.2% and 86.2%', '2.1 eV, 2.3 eV and 2.6 eV'
_LIST_JOIN = re.compile(r"\s?(?:,|,?\s?and)\s?")


def _unit_list(quantity: Quantity, quantities: list[Quantity], sentence: str) -> list[Quantity]:
    """The values written each with the same unit and joined as a list ('96.2% and 86.2%'), `quantity` among
    them; empty when it stands alone."""
    if quantity not in quantities or quantity.value is None:
        return []
    at = quantities.index(quantity)

    def joined(a: Quantity, b: Quantity) -> bool:
        return (a.value is not None and b.value is not None and a.list_size == b.list_size == 1 and a.unit == b.unit
                and bool(a.unit) and _LIST_JOIN.fullmatch(sentence[a.end : b.start]) is not None)

    first = at
    while first > 0 and joined(quantities[first - 1], quantities[first]):
        first -= 1
    last = at
    while last + 1 < len(quantities) and joined(quantities[last], quantities[last + 1]):
        last += 1
    return quantities[first : last + 1] if last > first else []


def _same_value_list(a: Quantity, b: Quantity, sentence: str) -> bool:
    """Whether two quantities are members of one list written with one unit ('300 and 200 K', '3.3 eV and
    4.5 eV')."""
    if a is b:
        return False
    first, last = (a, b) if a.start < b.start else (b, a)
    between = sentence[first.end : last.start]
    if a.list_size == b.list_size == 1 and a.unit and a.unit == b.unit:
        between = between.replace(a.unit, " ")
    elif a.list_size < 2 or a.list_size != b.list_size:
        return False
    return re.fullmatch(r"[\s\d.,;~∼≈−-]*(?:\band\b|\bor\b)?[\s\d.,~∼≈−-]*", between) is not None


def _right_cue(
    quantity: Quantity,
    right: list[CueMatch],
    quantities: list[Quantity],
    sentence: str,
    document_context: str,
    ontology: Ontology,
) -> tuple[CueMatch, PropertyDefinition, str] | None:
    """The cue just after a value (at most two words between) if it fits and has no value of its own."""
    # (not the point of a transition named right before it: 'a metal–insulator transition at 113 K and underwent
    # antiferromagnetic ordering')
    if right and _NAMED_TRANSITION_AT.search(sentence, max(0, quantity.start - 40), quantity.start) and not re.fullmatch(
            r"\s?", sentence[quantity.end : right[0].start]):
        return None
    for cue in right:
        gap = sentence[quantity.end : cue.start]
        if not (re.fullmatch(r"\s?(?:[-–]|\w+\s){0,2}\s?", gap) or gap.strip() in ("", "-", "(")):
            continue
        # ('298 K with a TN of 955 K': the cue has a value of its own; '98% capacity retention after 100 cycles'
        # has none, a cycle count being no retention)
        if any(q is not quantity and 0 <= q.start - cue.end <= 14 and _first_fit(cue, q, sentence, document_context, ontology)
               for q in quantities):
            return None
        fitted = _first_fit(cue, quantity, sentence, document_context, ontology)
        return (cue, *fitted) if fitted else None
    return None


def _first_fit(
    cue: CueMatch, quantity: Quantity, sentence: str, document_context: str, ontology: Ontology
) -> tuple[PropertyDefinition, str] | None:
    for prop in resolve_property(cue, sentence, document_context, ontology):
        si_unit = fits(prop, quantity)
        if si_unit is not None:
            return prop, si_unit
    return None


def conditions_for(sentence: str, quantities: list[Quantity], used: set[int]) -> list[tuple[Quantity, str]]:
    """Quantities introduced by 'at'/'under' that are measurement conditions: (quantity, 'temperature'|'pressure')."""
    conditions = []
    for quantity in quantities:
        if id(quantity) in used or quantity.value is None:
            continue
        if not _AT_LEAD.search(sentence[max(0, quantity.start - 16) : quantity.start]):
            continue
        for name, unit in (("temperature", "K"), ("pressure", "Pa")):
            try:
                if quantity.unit and compatible(quantity.unit, unit):
                    conditions.append((quantity, name))
            except UnitError:
                pass
    return conditions


# --- material for an assignment ------------------------------------------------------------------

# the plural nouns a sentence refers back to the samples before it by ('The bonded samples show ...')
PLURAL_SAMPLE_NOUNS = r"(?:samples|films|crystals|ceramics|compounds|alloys)"
BACK_REFERENCE = re.compile(
    # ('the bonded samples', 'the two as-grown films': a participle or a count before a plural noun)
    r"\b(?:its|it|their|they|this|these|"
    rf"the (?:(?:two|three|four|both)\s)?(?:[a-z-]+ed\s)?{PLURAL_SAMPLE_NOUNS}|"
    r"the (?:title\s)?(?:compound|material|alloy|sample|samples|film|films|"
    r"crystal|crystals|system|phase|ceramic|ceramics|nanoparticles|nanocrystals|oxide|perovskite|"
    r"semiconductor|magnet|structure|composite|nanocomposite|hybrid|membranes?|electrodes?|powder|catalyst|photocatalyst|"
    r"absorber|thin films?))\b",
    re.I,
)
# 'than' starts a comparison with another material ('larger than that of TiO2'), but 'less than
# 10 K' is a comparator (also where the text searched ends at the number: 'is more than |3.7 eV'),
# unless another number is compared with it ('is 0.10 eV, far larger than |0.02 eV').
_CLAUSE_BREAK = re.compile(
    r"[;]|\bwhereas\b|\bwhile\b|\bbut\b|\bcompared (?:to|with)\b|\bthan\b(?!\s?[~∼≈]?\s?[\d.−-]|\s*$)|\bunlike\b"
    r"|\d[^;]*\bthan\s*$"
)


_CHANGED_TO = re.compile(
    r"^[^;.]{0,60}\b(?:increas|decreas|chang|shift|ris|rose|drop|reduc|enhanc|improv|tun|vari|narrow|widen|grow|grew|fell|"
    r"fall|went|go|lower|rais)\w*\s(?:\w+\s){0,3}to(?:\sbe)?\s*[~∼≈]?\s*$",
    re.I,
)
# 'very close to the experimentally observed value of 3.2 eV', 'much lower than that attained from the experiment
# (∼ 2.69 eV', 'whereas Kulbak et al. reported 2.32 eV': the same quantity determined another way or by others
_REDETERMINED = re.compile(
    r"^[^;]{0,200}\b(?:experiment\w*|measured|observed|reported|calculated|computed|theoretical\w*|predicted|"
    r"literature|et al\.)[^;]{0,40}$",
    re.I,
)
# a material named to compare with: 'close to that of Gd', 'similar to TiO2', 'compared with graphite'
_COMPARISON = re.compile(
    r"\b(?:(?:close|similar|comparable|identical|equal|superior|inferior|higher|lower|larger|smaller)\s(?:to|than)|"
    r"compared\s(?:to|with)|in comparison (?:to|with)|relative to|(?:that|those) of)\b", re.I)
_COMPARED_BEFORE = re.compile(
    # ('Just like manganese sulfide, manganese selenide is ...', 'Like ZnO, TiO2 ...'; not 'oxides like ZnO')
    r"(?:^(?:[Jj]ust\s|[Mm]uch\s)?[Ll]ike|\b(?:just|much)\slike)\s(?:the\s|pure\s|bulk\s)?$|"
    r"\b(?:(?:close|similar|comparable|identical|equal|superior|inferior)\sto|than|compared\s(?:to|with)|"
    r"in comparison (?:to|with)|relative to|unlike|over|(?:in\s)?contrast\s(?:to|with)|contrary\sto)\s(?:(?:that|those)\sof\s)?"
    r"(?:the\s|pure\s|bulk\s|pristine\s)?$",
    re.I)


# 'No evidence of crystalline silicon oxide was observed', 'free of any Fe3O4': a material said to be absent
_ABSENT_BEFORE = re.compile(
    r"\b(?:[Nn]o|without(?:\sany)?|absence\sof(?:\sany)?|free\sof(?:\sany)?)\s(?:(?:evidence|traces?|signs?|indication)\sof\s)?"
    r"(?:(?:an?|any|the)\s)?(?:[a-z][\w-]*\s)?$"
)


def is_absent(sentence: str, mention: MaterialMention) -> bool:
    """Whether the sentence says `mention` is not there ('no evidence of crystalline silicon oxide')."""
    return _ABSENT_BEFORE.search(sentence, max(0, mention.start - 50), mention.start) is not None


def is_compared(sentence: str, mention: MaterialMention) -> bool:
    """Whether the sentence names `mention` only to compare with it ('close to that of Gd')."""
    return _COMPARED_BEFORE.search(sentence, max(0, mention.start - 40), mention.start) is not None


_CUE_LIST_JOIN = re.compile(r"\s?(?:,|,?\s?and|,?\s?as well as|/)\s?(?:the\s|its\s)?(?:(?:high|low|large|small|good|excellent)\s)?",
                            re.I)
_WINDOW_AFTER_CUE = re.compile(r"\s(?:range|window)s?\b", re.I)


def _parallel(cue: CueMatch, quantity: Quantity, assignments: list[Assignment], after_contrast: str,
              cues: list[CueMatch]) -> bool:
    """'... discharge capacities of 121 and 100 mAh/g ..., whereas a spinel cathode made by a sol–gel method
    exhibited 99 and 80 mAh/g': a contrasting clause naming no cue of its own gives values in the unit the cue's
    own values had, for the cue."""
    own = [a for a in assignments if a.cue == cue]
    if not own or re.search(r"[;]", after_contrast) or any(c.start > cue.end and c.end <= quantity.start for c in cues):
        return False
    return bool(own[-1].quantity.unit) and own[-1].quantity.unit == quantity.unit


_VALUE_FOR_BEFORE = re.compile(r"\b(?:the\s|its\s|a\s)?(?:corresponding\s)?(?:value|one)s?\s(?:for|of|in)\s(?:the\s)?$", re.I)
_VALUE_IS = re.compile(r"\s(?:is|was|are|were|amounts to|reaches|reached)\s(?:only\s|about\s|approximately\s|around\s|just\s)?[~∼≈]?\s?")
_FOR_BEFORE = re.compile(r"\bfor\s(?:the\s|pure\s|bulk\s)?$", re.I)
_THAT_OF = re.compile(r"\b(?:that|those)\s+(?:of|for)\s+(?:the\s|pure\s|bulk\s)?$", re.I)


@dataclass
class Link:
    material: MaterialMention  # None only for the 'ambiguous' pattern, which links nothing
    pattern: str
    score: float


def link_material(
    assignment: Assignment,
    sentence: str,
    materials: list[MaterialMention],
    assignments: list[Assignment],
) -> Link | None:
    """The material a (cue, value) pair is about: strong mentions first, weak ones as a fallback."""
    # 'decreased from 3.20 to 2.07 eV': the second end of a change is the first end's material's
    first_end = [a for a in assignments if a.prop.name == assignment.prop.name and a.quantity.end <= assignment.quantity.start]
    if first_end and re.fullmatch(r"\s?to\s?", sentence[first_end[-1].quantity.end : assignment.quantity.start]):
        previous = link_material(first_end[-1], sentence, materials, assignments)
        if previous is not None and previous.material is not None:
            return Link(previous.material, previous.pattern, previous.score - 0.1)
    # 'MoS2 (MoSe2) ... an indirect bandgap of 1.2 eV (1.1 eV)', 'For GaN (InN), ... band gaps are 2.58 (0.22) eV':
    # parallel brackets, the value in brackets is the bracketed material's and the one before it the other's
    link = _link_parallel(assignment, sentence, materials, assignments)
    if link is not None:
        return link
    # 'the solar cell efficiency of PTBDCB25 was improved up to 8.30% with a J sc of 16.22 mA/cm2, a V oc of 0.76 V,
    # and a FF of 0.673': the figures given with a value named for a material are that material's
    head = _with_chain_head(assignment, sentence, assignments)
    if head is not None and not any(head.quantity.end <= m.start < assignment.quantity.end + 25 for m in materials):
        previous = link_material(head, sentence, materials, assignments)
        if previous is not None and previous.material is not None and previous.pattern == "between":
            return Link(previous.material, "between", previous.score - 0.1)
    everything = [m for m in materials if not m.is_dopant and not m.role]
    if assignment.prop.reagent_before:
        # 'the CH4 and CO2 conversion reached 93 %': the gases are the reactants, not the catalyst
        cue_start = assignment.cue.start
        everything = [m for m in everything
                      if not (m.end <= cue_start and _REAGENT_GAP.fullmatch(sentence[m.end : cue_start]))]
    strong = [m for m in everything if not m.is_weak]
    # 'Metallic Mn, MnO and MnO2 ... 100, 116 and 84 K respectively': lists pair with every mention
    # (an acronym the paper does not define still holds its place in a list)
    # (and a blend partner holds its place too: 'PTB7 and PC71BM ... -3.3 and -4.0 eV, respectively')
    listed = [m for m in materials if not m.is_dopant and m.role in ("", "acronym", "partner")]
    # (the second of two materials compared by 'vs' reads as a reference: 'ZnO vs TiO2 (3.3 vs 3.2 eV)')
    link = _link_versus(assignment, sentence, [m for m in materials if not m.is_dopant and m.role in ("", "acronym", "reference")],
                        assignments)
    if link is not None:
        return link
    link = _link_respectively(assignment, sentence, listed, assignments)
    if link is not None:
        return link if link.material is not None else None
    # The best pattern wins; a weak mention ('PTTBTz') must beat a strong one by its pattern
    # ('the band gap of PTTBTz ... was 1.89 eV, similar to that of P3HT').
    link = _link_among(assignment, sentence, strong, assignments)
    if len(everything) > len(strong):
        any_link = _link_among(assignment, sentence, everything, assignments)
        if any_link is not None and any_link.material.is_weak and (link is None or any_link.material.is_code_name):
            any_link.score *= 0.85
            # ('By tuning the ratio of the polymer: PC71BM composite ..., the solar cell efficiency of PTBDCB25 was
            # improved up to 8.30%': a code name the cue is said to be of beats a subject further off)
            named_by_cue = (any_link.pattern == "between" and link is not None and link.pattern == "subject"
                            and link.material.end <= assignment.cue.start <= any_link.material.start)
            if link is None or any_link.score > link.score or named_by_cue:
                link = any_link
    # 'assuming a gold work function of 5.1 eV', 'the Ni Curie temperature (627 K)': a material named right before the
    # cue is the cue's, even a lone element
    # (or the subject of 'has' right before it: 'due to Se have narrow band gap 2.0 eV')
    owner = [m for m in everything if m.is_weak and not m.is_code_name and m.end <= assignment.cue.start
             and (re.fullmatch(r"[\s-]", sentence[m.end : assignment.cue.start])
                  or _OWNER_VERB.fullmatch(sentence[m.end : assignment.cue.start]))]
    if owner and assignment.cue.end <= assignment.quantity.start and (link is None or link.material is not owner[-1]) \
            and not any(assignment.cue.end <= m.start < assignment.quantity.start for m in everything):
        link = Link(owner[-1], "between", 0.75)
    if link is None:
        # 'the band gap of 3.37 eV of ZnO increases to 3.85 eV': the new value is the same material's
        earlier = [a for a in assignments if (a.cue == assignment.cue or a.prop.name == assignment.prop.name)
                   and a.quantity.end <= assignment.quantity.start]
        gap = sentence[earlier[-1].quantity.end : assignment.quantity.start] if earlier else ""
        if earlier and _CHANGED_TO.search(gap):
            previous = link_material(earlier[-1], sentence, materials, assignments)
            if previous is not None:
                return Link(previous.material, previous.pattern, previous.score - 0.1)
        # (another determination of the value, with no other material named in between)
        if earlier and _REDETERMINED.search(gap):
            previous = link_material(earlier[-1], sentence, materials, assignments)
            if previous is not None and previous.material is not None and not any(
                    earlier[-1].quantity.end <= m.start and m.end <= assignment.quantity.start
                    and m.text != previous.material.text for m in materials):
                return Link(previous.material, previous.pattern, previous.score - 0.15)
    if link is None:
        # a substrate, electrolyte or reference gets a value only when the value is given for it by name
        # (never a structure type, and a test medium never: 'the permeated flux of NaCl solution' is the membrane's)
        named = [m for m in materials if m.role and m.role != "prototype" and not m.is_dopant
                 and not SOLUTION_AFTER.match(sentence, m.end)]
        by_name = _link_among(assignment, sentence, named, assignments) if named else None
        # (a blend partner, additive or test solution only by name: 'the flux was 12 L/m2h' after
        # 'rejected NaCl solution' is the membrane's)
        if by_name is not None and (not everything and by_name.material.role not in ("auxiliary", "partner")
                                    or by_name.pattern in _BY_NAME and by_name.score >= 0.8):
            link = by_name
    return link


_BY_NAME = ("between", "bracketed", "parenthesis", "after")
_OWNER_VERB = re.compile(r"\s(?:has|have|had|shows?|showed|exhibits?|exhibited|possess(?:es|ed)?)\s(?:an?\s|the\s|its\s)?"
                         r"(?:(?:narrow|wide|large|small|high|low|direct|indirect|optical)\s){0,2}")
# what joins the figures given with a value: ' with a J sc of', ', a V oc of', ', and a FF of'
_WITH_GAP = re.compile(r"\s?(?:\([^()]{0,20}\)\s?)?(?:,\s?(?:and\s)?|\s(?:and\s)?(?:with|along with)\s)(?:an?\s|the\s|its\s)?"
                       r"(?:(?:high|low|large|small|good|excellent)\s)?$")


_PARALLEL_OPEN = re.compile(r"\s?\(\s?[~∼≈]?\s?")


def _link_parallel(assignment: Assignment, sentence: str, materials: list[MaterialMention],
                   assignments: list[Assignment]) -> Link | None:
    """'A (B) ... v1 (v2)': v2 is B's and v1 A's, where the sentence names one pair of materials that way."""
    q = assignment.quantity
    same = [a.quantity for a in assignments if a is not assignment and a.prop.name == assignment.prop.name]
    # this value in brackets right after another, or another in brackets right after this one ('2.58 (0.22) eV':
    # a bare number before its bracketed twin)
    outer = [v for v in same if v.end <= q.start and _PARALLEL_OPEN.fullmatch(sentence[v.end : q.start])
             and sentence[q.end : q.end + 2].lstrip().startswith(")")]
    inner = [v for v in same if q.end <= v.start and _PARALLEL_OPEN.fullmatch(sentence[q.end : v.start])
             and sentence[v.end : v.end + 2].lstrip().startswith(")")]
    if not outer and not inner:
        # ('... are 2.58 (0.22) eV': the first number has no unit of its own, so it is no quantity here)
        nxt = re.match(r"\s?\(\s?[-−]?\d+(?:\.\d+)?\s?\)", sentence[q.end : q.end + 20])
        prev = re.search(r"[-−]?\d+(?:\.\d+)?\s?\(\s?$", sentence[max(0, q.start - 20) : q.start])
        if prev and sentence[q.end : q.end + 2].lstrip().startswith(")"):
            outer = [None]  # type: ignore[list-item]
        elif nxt:
            inner = [None]  # type: ignore[list-item]
        else:
            return None
    candidates = [m for m in materials if not m.is_dopant and not m.role and m.end <= q.start]
    pairs = [(a, b) for a, b in zip(candidates, candidates[1:])
             if _PARALLEL_OPEN.fullmatch(sentence[a.end : b.start]) and sentence[b.end : b.end + 2].lstrip().startswith(")")]
    if len(pairs) != 1:
        return None
    first, second = pairs[0]
    return Link(second if outer else first, "parallel", 0.7)


def _with_chain_head(assignment: Assignment, sentence: str, assignments: list[Assignment]) -> Assignment | None:
    """The value a chain 'X of A with a Y of B, a Z of C' hangs from, for the assignment of B or C; None when
    the assignment's cue does not continue such a chain."""
    current, joined_by_with = assignment, False
    while True:
        before = [a for a in assignments if a.quantity.end <= current.cue.start and a.cue.end <= a.quantity.start]
        if not before or current.cue.end > current.quantity.start:
            break
        previous = max(before, key=lambda a: a.quantity.end)
        gap = _WITH_GAP.fullmatch(sentence[previous.quantity.end : current.cue.start])
        if gap is None or previous.prop.name == current.prop.name:
            break
        joined_by_with = joined_by_with or "with" in gap.group(0)
        current = previous
    return current if joined_by_with and current is not assignment else None


def _link_respectively(
    assignment: Assignment, sentence: str, candidates: list[MaterialMention], assignments: list[Assignment]
) -> Link | None:
    """'A, B and C ... 1, 2 and 3 eV, respectively'; 'A and B have TN of 224 and 204 K'."""
    group = value_group(assignment, assignments, sentence)
    if len(group) < 2:
        return None
    respectively = re.search(r"\brespectively\b", sentence[group[-1].quantity.end :]) is not None
    materials = _material_list_near(sentence, candidates, group[0].quantity.start, group[-1].quantity.end)
    if len(materials) == len(group):
        return Link(materials[group.index(assignment)], "respectively", 0.75 if respectively else 0.6)
    # 'the band gaps of pure and N-doped TiO2 are 3.2 and 2.9 eV': a conjunct that shares the next name's
    # host ('pure', 'Mn-doped and') holds a place in the list; its value has no material we can name
    run = material_run([m for m in candidates if m.end <= group[0].quantity.start], sentence, from_end=True)
    elliptic = _elliptic_conjuncts(sentence, run[0].start) if run else 0
    if elliptic and elliptic + len(run) == len(group) and not _CLAUSE_BREAK.search(sentence[run[-1].end : group[0].quantity.start]):
        k = group.index(assignment)
        if k < elliptic:
            return Link(None, "ambiguous", 0.0)  # type: ignore[arg-type]
        return Link(run[k - elliptic], "respectively", 0.75 if respectively else 0.6)
    if respectively and len(materials) > 1 and not _condition_list(sentence, group):
        # 'A, B and C ... 1.2 and 1.5 eV, respectively': lists of unequal lengths pair nothing for sure
        return Link(None, "ambiguous", 0.0)  # type: ignore[arg-type]
    return None


# a conjunct before a name that shares its host: 'pure and', 'Mn-doped,', 'Mo mono-doped and' (N–Mo co-doped Ba5Nb4O15)
_ELLIPTIC_CONJUNCT = re.compile(
    r"(?:\b(?:pure|undoped|un-doped|non-doped|pristine|bare|unmodified)|(?<![\w\-–])[A-Z][a-z]?\s?[-‐–]?\s?(?:mono-?|co-?)?doped)"
    r"(?:,\s?|,?\s(?:and|or)\s)$")


def _elliptic_conjuncts(sentence: str, start: int) -> int:
    """How many conjuncts sharing the host of the name at `start` come right before it."""
    count = 0  # (a conjunct is short: look only at the text just before the name, not the whole sentence)
    while (m := _ELLIPTIC_CONJUNCT.search(sentence, max(0, start - 40), start)) is not None:
        count, start = count + 1, m.start()
    return count


_VERSUS = re.compile(r"\s?(?:vs\.?|versus)\s?", re.I)
# what joins two materials compared by their values: 'A displays higher conductivity over B', 'A vs B', 'A than B'
_COMPARED_PAIR = re.compile(r"\b(?:vs\.?|versus|over|than|and|compared (?:to|with)|relative to)\b", re.I)


def _link_versus(
    assignment: Assignment, sentence: str, candidates: list[MaterialMention], assignments: list[Assignment]
) -> Link | None:
    """'PDPPNBr displays higher conductivity than ZnO (9.98 vs 7.89 S/cm)', 'ZnO vs TiO2 (3.3 vs 3.2 eV)': two
    values compared by 'vs' pair in order with the two materials compared just before them."""
    same = sorted((a for a in assignments if a.prop.name == assignment.prop.name), key=lambda a: a.quantity.start)
    k = same.index(assignment)
    pair = None
    if k + 1 < len(same) and _VERSUS.fullmatch(sentence[assignment.quantity.end : same[k + 1].quantity.start]):
        pair = (assignment, same[k + 1])
    elif k > 0 and _VERSUS.fullmatch(sentence[same[k - 1].quantity.end : assignment.quantity.start]):
        pair = (same[k - 1], assignment)
    if pair is None:
        return None
    before = [m for m in candidates if m.end <= pair[0].quantity.start]
    if len(before) < 2 or not _COMPARED_PAIR.search(sentence[before[-2].end : before[-1].start]) \
            or _CLAUSE_BREAK.search(sentence[before[-1].end : pair[0].quantity.start].replace("than", "")):
        return None
    return Link(before[-2] if assignment is pair[0] else before[-1], "respectively", 0.75)


def _condition_list(sentence: str, group: list[Assignment]) -> bool:
    """Whether the sentence lists numbers besides the values ('for x = 0.2, 0.6 and 0.8', 'for 5%, 10%
    and 15% Al doped CuO'): 'respectively' then pairs the values with those, not with materials."""
    spans = [(a.quantity.start, a.quantity.end) for a in group]
    numbers = [m for m in _NUMBER.finditer(sentence) if not any(a <= m.start() < b for a, b in spans)]
    return any(_NUMBER_LIST_JOIN.fullmatch(sentence[left.end() : right.start()]) for left, right in zip(numbers, numbers[1:]))


_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_NUMBER_LIST_JOIN = re.compile(r"\s?%?\s?(?:,|,?\s?and|,?\s?or)\s?")


def _restated(a: Assignment, b: Assignment, sentence: str) -> bool:
    """'TN = 3 K and TN = 6 K ... for CoNb2O6 and NiNb2O6': a symbol restated for each value of a list."""
    return (a.prop.name == b.prop.name and a.cue.text == b.cue.text and a.cue.is_symbol
            and all(re.fullmatch(r"\s?[=≈∼~]\s?", sentence[x.cue.end : x.quantity.start]) for x in (a, b)))


def value_group(assignment: Assignment, assignments: list[Assignment], sentence: str) -> list[Assignment]:
    """Values of one cue written as a list ('1.2, 1.5 and 1.9 eV' or '2.92 eV, 2.86 eV, and 1.09 eV')."""
    same_cue = sorted((a for a in assignments if a.cue == assignment.cue or _restated(a, assignment, sentence)),
                      key=lambda a: a.quantity.start)
    groups: list[list[Assignment]] = []
    for a in same_cue:
        last = groups[-1][-1] if groups else None
        if last is not None and (
                re.fullmatch(r"\s?(?:,|;|,?\s?and|,?\s?or)\s?", sentence[last.quantity.end : a.quantity.start])
                or a.cue != last.cue and last.quantity.end <= a.cue.start
                and re.fullmatch(r"\s?(?:,|,?\s?and)\s?", sentence[last.quantity.end : a.cue.start])):
            groups[-1].append(a)
        else:
            groups.append([a])
    for group in groups:
        if assignment in group:
            return group
    return [assignment]


def _link_among(
    assignment: Assignment,
    sentence: str,
    candidates: list[MaterialMention],
    assignments: list[Assignment],
) -> Link | None:
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
        return Link(bracketed[-1], "bracketed", 0.85)
    # '3 eV (BaCuTeF), 2.9 eV (BaCuSeF)': the material in brackets right after its value
    named_after = [
        m for m in candidates
        if m.start >= q.end
        and re.fullmatch(r"\s?\(\s?", sentence[q.end : m.start])
        and sentence[m.end : m.end + 2].lstrip().startswith(")")
    ]
    if named_after:
        return Link(named_after[0], "bracketed", 0.85)

    # 'to TN (195 K) of FeO; for example, 173 K in ...': a value bracketed right after its cue, then the material
    # the cue is of
    if cue.end <= q.start and re.fullmatch(r"\s?\(\s?[~∼≈]?\s?", sentence[cue.end : q.start]):
        of = re.match(r"\s?\)\s?(?:of|for|in)\s(?:the\s|pure\s|bulk\s)?", sentence[q.end : q.end + 30])
        named = [m for m in candidates if of and m.start == q.end + of.end()]
        if named:
            return Link(named[0], "bracketed", 0.85)
    # 'far better than that (316 mV) of Ni foam': the value in brackets between 'that' and 'of X' is X's
    if re.search(r"\b(?:that|those)\s?\(\s?[~∼≈]?\s?$", sentence[max(0, q.start - 12) : q.start]):
        of = re.match(r"\s?\)\s?of\s(?:the\s|pure\s|bulk\s|commercial\s)?", sentence[q.end : q.end + 30])
        named = [m for m in candidates if of and m.start == q.end + of.end()]
        if named:
            return Link(named[0], "between", 0.85)
    # '... and that of CdSe is 1.74 eV': the material of 'that of' takes the value right after it
    that_of = [
        m for m in candidates
        if 0 < q.start - m.end <= 40 and _THAT_OF.search(sentence, max(0, m.start - 16), m.start)
        and not any(m.end <= a.quantity.start < q.start for a in assignments if a is not assignment)
    ]
    if that_of and not _CLAUSE_BREAK.search(sentence[that_of[-1].end : q.start]):
        return Link(that_of[-1], "between", 0.85)

    # 'a Néel temperature of 78 K, while the value for Zn0.2Mn0.8PS3 is 54 K': the value named for a material
    valued = [m for m in candidates if m.end <= q.start and _VALUE_FOR_BEFORE.search(sentence, max(0, m.start - 24), m.start)
              and _VALUE_IS.fullmatch(sentence[m.end : q.start])]
    if valued:
        return Link(valued[-1], "between", 0.85)
    # '3.2 eV for TiO2', 'band gap of 3.2 eV in ZnO', 'TC as high as 1390 K in the case of cobalt', 'TN = 105 K
    # in antiferromagnetic TlNiO3'
    after = [m for m in candidates if m.start >= q.end and m.start - q.end <= 30]
    # ('is equal to 5.5 eV, for the CaEr2Ge3O10 compound this value is more than 5.6 eV': a material opening the
    # next clause is named for the value that clause states)
    if after and sentence[q.end : after[0].start].lstrip().startswith(",") and any(
            a is not assignment and a.prop.name == assignment.prop.name and after[0].end <= a.quantity.start
            and a.quantity.start - after[0].end <= 40
            and not any(after[0].end <= m.start < a.quantity.start for m in candidates)
            and not _CLAUSE_BREAK.search(sentence[after[0].end : a.quantity.end]) for a in assignments):
        after = []
    if after and re.match(
        r"^\W{0,3}\s?(?:for|of|in|in the case of|was observed for|is obtained for|was obtained for|"
        r"(?:achieved|obtained|measured|observed|reported|found) (?:with|for))\s"
        r"(?:the\s|pure\s|bulk\s|pristine\s|undoped\s|as-\w+\s|previously reported\s)?"
        # ('3.9 eV of the Pr3+ - doped NaGdTiO4')
        r"(?:\S+\s?[-–]\s?(?:co)?doped\s)?(?:(?:anti)?(?:ferro|ferri)?magnetic\s|ferroelectric\s|"
        r"multiferroic\s|metallic\s|insulating\s|semiconducting\s|superconducting\s|layered\s|polycrystalline\s|"
        r"single-crystalline\s|nanocrystalline\s|amorphous\s|cubic\s|hexagonal\s|tetragonal\s|orthorhombic\s|"
        r"monoclinic\s)?\s?\(?$",
        sentence[q.end : after[0].start],
    ):
        return Link(after[0], "after", 0.8)

    # 'the band gap of ZnO is 3.37 eV', 'Tc of LSMO (370 K)'; not a material that follows another
    # value of the cue ('TN of 13 K for A and 21 K for B')
    other_values = [a.quantity for a in assignments if a is not assignment]
    inside = [
        m for m in candidates
        if lo <= m.start and m.end <= hi and not any(cue.end <= v.start and v.end <= m.start for v in other_values)
    ]
    if inside and cue.end <= q.start:
        gap_before = sentence[cue.end : inside[0].start]
        if re.search(r"\b(?:of|for|in|on|between)\b", gap_before) or len(gap_before.strip()) <= 3:
            best = inside[0]
            # 'the band gap of A is 2.1 eV, and B has one of 3.2 eV': A's own value stands in between
            siblings = {id(a.quantity) for a in value_group(assignment, assignments, sentence)}
            # ('the Curie and Néel temperatures of GdMn2 are 300 and 200 K': one list of values, cue by cue)
            siblings |= {id(a.quantity) for a in assignments if _same_value_list(a.quantity, q, sentence)}
            taken = any(best.end <= v.start and v.end <= q.start and id(v) not in siblings for v in other_values)
            if not taken and not _CLAUSE_BREAK.search(sentence[best.end : q.start]):
                return Link(best, "between", 0.9)
            if taken:
                # '... is 1.34 eV and for Al doped CuO is 1.38 eV': the material after that value takes this one
                later = [m for m in candidates if cue.end <= m.start and m.end <= q.start and not any(
                    m.end <= v.start and v.end <= q.start and id(v) not in siblings for v in other_values)]
                if later and not _CLAUSE_BREAK.search(sentence[later[-1].end : q.start]):
                    return Link(later[-1], "between", 0.8)

    # '... with a Néel temperature of 52 K, and LiMnPO4 orders at 35 K': a material opening the clause after the
    # cue's earlier value is this value's subject
    earlier = [a.quantity for a in assignments if a is not assignment and a.cue == cue and cue.end <= a.quantity.end <= q.start]
    if earlier and cue.end <= q.start:
        opening = [m for m in candidates if earlier[-1].end <= m.start and m.end <= q.start]
        if (len(opening) == 1 and _NEW_CLAUSE.fullmatch(sentence[earlier[-1].end : opening[0].start])
                and q.start - opening[0].end <= 40 and not _CLAUSE_BREAK.search(sentence[opening[0].end : q.start])):
            return Link(opening[0], "subject", 0.8)
    # 'ZnO (Eg = 3.37 eV)', 'Yb14MnSb11 (TC = 53 K)'
    open_paren = sentence.rfind("(", 0, lo + 1)
    in_brackets = open_paren != -1 and ")" not in sentence[open_paren:hi]  # the cue and the value in one bracket
    if in_brackets:
        # '(bulk Nickel: Tc = 627 K)': a material inside the brackets, before the cue, comes first
        within = [m for m in candidates if open_paren < m.start and m.end <= lo]
        if within:
            return Link(within[-1], "parenthesis", 0.85)
        before = [m for m in candidates if m.end <= open_paren and open_paren - m.end <= 45]
        if before and not _CLAUSE_BREAK.search(sentence[before[-1].end : open_paren]):
            return Link(before[-1], "parenthesis", 0.85)

    # 'TiO2 has a band gap of 3.2 eV', 'CrO2 ... with a Curie temperature TC = 390 K'; not a material
    # named for comparison ('close to that of Gd (294 K), a refrigerant capacity of 521 J/kg')
    before = [m for m in candidates if m.end <= lo and not is_compared(sentence, m)]
    # ('a CoO phase is obtained (suggested also by Raman measurements in Ce0.95Co0.05O2 annealed under N2–H2)
    # with a Néel temperature of 290 K': a material inside an aside in brackets is not the clause's subject)
    outside = [m for m in before if not _in_aside(sentence, m, lo)]
    if outside and outside[-1] is not before[-1]:
        before = outside
    if before:
        nearest = before[-1]
        span = sentence[nearest.end : lo]
        others_between = [a for a in assignments if a is not assignment and nearest.end <= a.quantity.start < lo]
        if cue.text in assignment.prop.cell_symbols:
            # a crystal structure report ('NdRh2Ge2: tetragonal, I4/mmm; a = 4.153(1) Å, c = ...'): its
            # fields are separated by semicolons, and values of the same cell share the subject
            others_between = [a for a in others_between if a.cue.text not in a.prop.cell_symbols]
            span = span.replace(";", ",")
        if not _CLAUSE_BREAK.search(span) and not others_between:
            # 'ρ=13.75 g/cm3 for the W–Nb–Mo–Ta alloy and ρ=12.36 g/cm3 for the W–Nb–Mo–Ta–V alloy': the material
            # before was named for the values before it; these take the one named for them after
            if _FOR_BEFORE.search(sentence, max(0, nearest.start - 12), nearest.start):
                later_for = [m for m in candidates if m.start >= q.end and m.start - q.end <= 90]
                if later_for:
                    gap = sentence[q.end : later_for[0].start]
                    if (_FOR_BEFORE.search(gap) and not _CLAUSE_BREAK.search(gap) and not _COMPARISON.search(gap)
                            and "." not in re.sub(r"\d\.\d", "", gap)):
                        return Link(later_for[0], "after", 0.75)
            distance = lo - nearest.end
            score = 0.8 if distance <= 40 else 0.7 if distance <= 90 else 0.55
            return Link(nearest, "subject", score)
        if not _CLAUSE_BREAK.search(span):
            # 'X is a semiconductor with Eg = 1.1 eV and TC = 300 K': no other material in between,
            # so the values share the subject.
            return Link(nearest, "subject", 0.55)
        # 'In the case of Fe2MnAl (Fig. 4a), the DOS shows metallic behavior in the α-spin, while a band gap of
        # 0.4 eV is observed ...': the topic a sentence opens with holds through its clauses
        if len(before) == 1 and _TOPIC_BEFORE.fullmatch(sentence[: nearest.start]) and _TOPIC_AFTER.match(sentence, nearest.end):
            return Link(nearest, "subject", 0.6)

    # a material right after the value in the same clause ('... is 3.2 eV for the ZnO films'), not one
    # it is compared with ('289 K, very close to that of Gd')
    if after and _COMPARISON.search(sentence[q.end : after[0].start]):
        after = []
    if after and not _CLAUSE_BREAK.search(sentence[q.end : after[0].start]) and after[0].start - q.end <= 20:
        return Link(after[0], "after", 0.6)
    # 'low strength (ultimate tensile strength 919 MPa) cyclically softening 50CrMo4': a cue and its value in
    # brackets describe the noun phrase the brackets stand in, whose head is the material a few words on
    if in_brackets and cue.end <= q.start:
        head = [m for m in candidates if q.end < m.start <= q.end + 45]
        if head and re.fullmatch(r"\s?\)\s(?:[A-Za-z][\w-]*\s){0,4}", sentence[q.end : head[0].start]):
            return Link(head[0], "after", 0.6)
    # 'Given its wide band gap of approximately 3.6 eV in stable tetragonal rutile structure, SnO2 eliminates ...':
    # a value in a fronted phrase that names no material is the main clause's subject's
    if _FRONTED.match(sentence) and not any(m.end <= lo for m in candidates):
        comma = sentence.find(",", q.end)
        head = [m for m in candidates if comma != -1 and m.start > comma]
        if head and _SUBJECT_AFTER_FRONTED.fullmatch(sentence[comma : head[0].start]):
            return Link(head[0], "after", 0.6)
    # '2.1 eV (x = 0) and 1.8 eV (x = 0.5) for Cu2ZnSn(S1-xSex)4': values listed before 'for X'
    later = [m for m in candidates if m.start >= q.end and m.start - q.end <= 90]
    if later:
        gap = sentence[q.end : later[0].start]
        introduces = re.search(r"\b(?:for|of|in|on)\s(?:the\s|an?\s|nominal\s|pure\s|bulk\s)?$", gap) or (
            re.search(r"\bfor\b", gap) and re.search(r"(?:doped|substituted)\s$", gap)  # 'for N–Fe codoped TiO2'
        )
        if introduces and not _CLAUSE_BREAK.search(gap) and not _COMPARISON.search(gap) and "." not in re.sub(r"\d\.\d", "", gap):
            return Link(later[0], "after", 0.55)
    return None


_FRONTED = re.compile(r"(?:Given|Owing to|Due to|Because of|Thanks to|With|Despite|In spite of|Although|Though|"
                      r"Since|As a result of|In view of)\b")
_SUBJECT_AFTER_FRONTED = re.compile(r",\s(?:[a-z]+ly,\s)?(?:the\s|this\s|our\s)?(?:[\w'-]+\s){0,4}")


_TOPIC_BEFORE = re.compile(r"(?:In the case of|For|In|Regarding|As for)\s(?:the\s|pure\s|bulk\s)?", re.I)
_TOPIC_AFTER = re.compile(r"(?:\s\([^()]{1,30}\))?,\s")
_NEW_CLAUSE = re.compile(r"\)?,?\s(?:and|while|whereas)\s(?:the\s|that\sof\s)?|;\s(?:the\s)?")


def _in_aside(sentence: str, mention: MaterialMention, limit: int) -> bool:
    """Whether `mention` stands in a long bracketed aside that closes before `limit`."""
    opened = sentence.rfind("(", 0, mention.start)
    if opened == -1 or ")" in sentence[opened : mention.start]:
        return False
    closed = sentence.find(")", mention.end, limit)
    return closed != -1 and closed - opened > 30


def _material_list_near(sentence: str, materials: list[MaterialMention], group_start: int, group_end: int) -> list[MaterialMention]:
    """The run of materials ('A, B and C') before the values, or else right after them."""
    before = material_run([m for m in materials if m.end <= group_start], sentence, from_end=True)
    if len(before) > 1:
        return before
    after = material_run([m for m in materials if m.start >= group_end], sentence, from_end=False)
    return after


# the forms a material's name may carry ('TiO2 nanofibers'), and a few more a list member is written with
_FORM_NOUN = (rf"(?:{FORM_NOUN_AFTER.pattern}|\s(?:hetero(?:junction|structure)s?|(?:nano)?composites?|nanoparticles?|NPs|"
              r"samples?|electrodes?|polymers?|salts?))")


def material_run(materials: list[MaterialMention], sentence: str, from_end: bool) -> list[MaterialMention]:
    # 'CH3NH3PbI3 and formamidinium lead iodide (FAPbI3)': a short form in brackets holds no place of its own
    materials = [m for k, m in enumerate(materials) if not (k > 0 and is_short_form(sentence, materials[k - 1], m))]
    ordered = list(reversed(materials)) if from_end else materials
    run: list[MaterialMention] = []
    for mention in ordered:
        if run:
            left, right = (mention, run[0]) if from_end else (run[-1], mention)
            joiner = sentence[left.end : right.start]
            # 'A (1: 2, w/w) and B (1: 3, w/w)': a short bracket after a member does not end the list,
            # nor the sample's form ('TiO2, CNNS/TiO2 heterojunction and CNNS')
            if not re.fullmatch(rf"\s?(?:\([^()]{{1,20}}\)\s?|{_FORM_NOUN}\s?)?(?:,|,?\s?and|,?\s?or)\s?"
                                r"(?:the\s|bare\s|pure\s|its\s(?:new\s)?|their\s)?(?:(?:orthorhombic|cubic|tetragonal|hexagonal|"
                                r"monoclinic|trigonal|rhombohedral|triclinic|amorphous|crystalline|bulk|pristine|undoped)\s)?",
                                joiner):
                break
        if from_end:
            run.insert(0, mention)
        else:
            run.append(mention)
    return run


# --- the extractor -------------------------------------------------------------------------------


def dimension_name(prop: PropertyDefinition) -> str:
    """The condition a value of `prop` would duplicate ('temperature' for a Curie temperature)."""
    return "temperature" if prop.dimension == "[temperature]" else ""
