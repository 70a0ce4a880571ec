"""Material mentions in a sentence: formulas, names, abbreviations, and which of them are dopants.

A mention is strong (a formula of several elements, a known compound name) or weak (a lone element,
an acronym such as 'CZTS', a class noun such as 'perovskite'): linking tries strong mentions first.
Dopants ('Fe-doped', 'addition of Li and Sb', 'Ti3+ ions') and symbols defined in the sentence
('M = Fe and Mn') are marked so that they are never the subject of a record.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from textmine.chemistry.elements import ELEMENT_NAME_SET, NONMETALS, SYMBOL_OF_NAME, element_symbols
from textmine.chemistry.names import is_alloy_grade
from textmine.chemistry.find import PHASE_PREFIX, looks_like_formula, token_formula, unbalanced_brackets
from textmine.extract.material_forms import assign_roles, widen
from textmine.normalise.formula import (
    FormulaError,
    find_formulas,
    find_material_names,
    parse_formula,
    variables_in_text,
)


@dataclass
class MaterialMention:
    start: int  # sentence-relative
    end: int
    text: str
    formula: str | None
    elements: list[str]
    confidence: float
    is_dopant: bool = False
    is_weak: bool = False  # a lone element, class noun or code name: linked only if nothing stronger fits
    is_code_name: bool = False  # an acronym or code name ('CZTS', 'PTTBTz'): may win on a better pattern
    source: str = "rules"  # rules | ner | table | abbreviation (textmine.layers.MaterialSource)
    # substrate | electrolyte | electrode | reference | auxiliary | partner | prototype | acronym: named for another part
    role: str = ""
    is_descriptive: bool = False  # a name in words ('fluorinated natural graphite'): the paper's material only if it names no compound


# an element on a crystallographic site: 'the Mn (A)–Ru (C) disorder', 'Fe(4f) sites'
_CLASS_MODIFIER = re.compile(r"\s(?:double|triple|layered|hybrid|halide|oxide|inverse|normal|complex|cubic|"
                             r"tetragonal|orthorhombic|hexagonal|lead-free|ordered|disordered)\s")
_BOND_LABEL = re.compile(r"[A-Z][a-z]?\d{0,2}[a-z]?\s?[-–—‒]\s?[A-Z][a-z]?\d{0,2}[a-z]?")
_BOND_WORD = re.compile(r"\b(?:bond|distance|angle)", re.I)
_SITE_LABEL_AFTER = re.compile(r"\s?\((?:[A-D]|\d[a-z])\)\s?(?:[-–‐]\s?[A-Z][a-z]?\s?\(|sites?\b|disorder\b|atoms?\b)")
# a compound joined to a word by a hyphen is described by it, no dopant: 'ZnO-based films', 'LiFePO4-graphite',
# 'polycarbonate-graphene' (but 'polyethylene-like', 'Li-rich', 'lead-free' describe something else)
_COMPOUND_HYPHEN_WORD = re.compile(
    r"\s[-‐–]\s|[-‐–](?!(?:co-?|tri-?|dual-?)?doped|substituted|like\b|free\b|rich\b|poor\b|deficient\b|containing\b|"
    r"sites?\b|type\b|ions?\b|cations?\b|anions?\b)[A-Za-z(]")
# element symbols, alone or joined ('Fe', 'Eu3+', 'N–Fe', 'Er/Yb'): what a list of dopants is made of
_SYMBOL_RUN = re.compile(r"[A-Z][a-z]?(?:\d?\+{1,3})?(?:\s?[-–‐,/]\s?[A-Z][a-z]?(?:\d?\+{1,3})?)*")
_DOPED_RIGHT_AFTER = re.compile(r"\s?[-‐–]?\s?(?:mono-?|co-?)?doped\b")
_SYMBOL_DOPED = re.compile(r"(?<![\w\-/])([A-Z][a-z]?)(?=[-‐–](?:co-?)?doped\b)")
_DOPANT_AFTER = re.compile(
    r"^[-\s]?(?:(?:doped|substituted|modified|loaded|decorated|co-?doped)(?!\s(?:with|by)\b)"
    r"|doping|dopants?|substitution|incorporated|incorporation|content|concentration|atomic|molar|ratio|fraction|amount|addition"
    r"|ions?\b|cations?\b|anions?\b|atoms?\b|sites?\b|sublattice|moments?\b|spins?\b|"
    r"\((?:I{1,3}|IV|V|VI)\)|\s?\d?[+−-](?!\s(?-i:[A-Z]|\d+/\d+\s?[A-Z]))\s?(?:ions?|cations?)?\b)",  # ('NaOH + NaCl', 'MgH2 + 1/4AlH3': mixtures)
    re.I,
)
# Class nouns that name a structure type more often than the material itself.
_GENERIC_NAMES = frozenset(
    "perovskite perovskites spinel spinels wurtzite garnet garnets ferrite ferrites pyrochlore pyrochlores "
    "zeolite zeolites steel polyethylene polystyrene kesterite chalcopyrite sphalerite fluorite olivine olivines "
    "ilmenite scheelite delafossite brownmillerite tridymite cristobalite".split()
)


def is_class_word(mention: "MaterialMention") -> bool:
    """A class noun ('the spinel', 'perovskites') or a spelled-out element name ('lithium storage',
    'sodium cells'): a weak subject that usually stands for the paper's main material."""
    word = mention.text.lower()
    return word in _GENERIC_NAMES or (
        word in ELEMENT_NAME_SET and not any(ch.isupper() for ch in mention.text[1:]))


_DOPANT_BEFORE = re.compile(
    r"\b(?:doped|substituted|replaced|co-?doped|alloyed|modified)\s(?:with|by)\s+$"
    r"|(?:\bwith|\bby|\bof|^|\s)\s*\d+(?:\.\d+)?\s?(?:%|at\.?\s?%|wt\.?\s?%|mol\.?\s?%)\s+$"
    r"|\b(?:addition|incorporation|introduction|substitution|doping|co-doping|codoping|content|amount|concentration)"
    r"\s(?:of\s)?(?:[A-Z][a-z]?\s?(?:,|and|or)\s?)*$",
    re.I,
)
_DOPED_WITH_BEFORE = re.compile(
    r"\b(?:doped|co-?doped)\s(?:with|by)\s(?:\d+(?:\.\d+)?\s?(?:mol|wt|at|vol)?\.?\s?%\s(?:of\s)?)?$", re.I)
_ABBREVIATION_DEFINITION = re.compile(r"^\s?\(\s?([A-Z][A-Za-z0-9\-]{1,9})\s?\)")


def find_material_mentions(sentence: str, abbreviations: dict[str, MaterialMention],
                           defined_otherwise: frozenset[str] | set[str] = frozenset(),
                           labels: frozenset[str] | set[str] = frozenset()) -> list[MaterialMention]:
    """Material mentions of one sentence. `abbreviations`: short forms the paper defines for materials;
    `defined_otherwise`: short forms it defines for something else ('electron transport layer (ETL)');
    `labels`: sample labels an earlier sentence listed ('copolymers P1, P2 and P3'), which name those
    samples wherever they stand on their own ('P1 based PSCs showed ...')."""
    variables = variables_in_text(sentence)
    mentions: list[MaterialMention] = []
    for match in find_formulas(sentence, variables):
        if _CURVE_NAME.fullmatch(match.text) and not _ALLOY_AFTER.match(sentence, match.end):
            continue  # 'I–V curves', 'J–V', 'P–E loops', 'M–H': a measurement's axes, not a material
        if match.text in _LEGAL_FORMS:
            continue  # 'Merck KGaA': a company, not potassium gallium
        parsed = match.parsed
        # A lone element ('Fe', 'Sb') is the material far less often than a dopant or a site.
        single = len(parsed.elements) == 1
        mentions.append(
            MaterialMention(match.start, match.end, match.text, parsed.formula, parsed.elements,
                            0.75 if single else 0.9, is_weak=single)
        )
    # an element symbol that is also a word or a unit ('In', 'K', 'B') is a dopant when glued to a doping hyphen
    # ('In-doped and Ga-doped samples', 'K-doped films'); the formula finder leaves such symbols alone
    doped = [MaterialMention(m.start(1), m.end(1), m.group(1), m.group(1), [m.group(1)], 0.75, is_weak=True)
             for m in _SYMBOL_DOPED.finditer(sentence) if m.group(1) in element_symbols()
             and not any(x.start < m.end(1) and m.start(1) < x.end for x in mentions)]
    if doped:
        mentions = sorted(mentions + doped, key=lambda x: x.start)
    for abbreviation, defined in abbreviations.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(abbreviation)}(?![\w-])", sentence):
            if any(x.start < m.end() and m.start() < x.end for x in mentions):
                continue
            if (len(abbreviation) == 1 or abbreviation.isdigit()) and not _LABEL_NOUN_BEFORE.search(
                    sentence, max(0, m.start() - 30), m.start()):
                continue  # a one-letter or number label ('V', '2') is the compound only after 'crystals', 'compound' ...
            # a solvent or additive stays one under its short name ('the solvent 1,3-dimethyl-2-imidazolidinone
            # (DMI) ... adding 10 vol% DMI')
            mentions.append(MaterialMention(m.start(), m.end(), m.group(0), defined.formula, defined.elements, 0.7,
                                            source="abbreviation",
                                            role="auxiliary" if defined.role == "auxiliary" else ""))
    # Abbreviations defined in this document ('La2Ti2O7 (LTO)') win over the built-in list.
    for name in find_material_names(sentence):
        if any(m.start < name.end and name.start < m.end for m in mentions):
            continue
        formula, elements = formula_and_elements(name.formula)
        # Class nouns ('perovskite') and lone element names ('sodium cells') are weak subjects;
        # allotropes ('graphene', 'diamond') are materials in their own right.
        generic = name.text.lower() in _GENERIC_NAMES or (name.text.lower() in ELEMENT_NAME_SET)
        mentions.append(MaterialMention(name.start, name.end, name.text, formula, elements, 0.4 if generic else 0.8,
                                        is_weak=generic))
    for name in (*_systematic_names(sentence), *(_ligand_formulas(sentence) if "(" in sentence or "[" in sentence else [])):
        # a systematic organic name contains formula-like pieces ('1H', 'N′'): the whole name wins
        mentions = [m for m in mentions if not (name[0] <= m.start and m.end <= name[1])]
        if not any(m.start < name[1] and name[0] < m.end for m in mentions):
            mentions.append(MaterialMention(name[0], name[1], sentence[name[0] : name[1]], None, [], 0.8))
    for name in _CRYSTALS_OF.finditer(sentence):
        # 'Crystals of taurin belong to ...', 'the crystal structures of artesin and taurin': what crystals
        # are of is a compound, named or not
        for group in (1, 2):
            word, start = name.group(group), name.start(group)
            # (not a participle: 'the crystal structure of the studied compounds')
            if word and word.lower() not in _NOT_A_COMPOUND_WORD and not re.fullmatch(r"[a-z]+ed", word):
                if not any(m.start < start + len(word) and start < m.end for m in mentions):
                    mentions.append(MaterialMention(start, start + len(word), word, None, [], 0.7))
    for name in _POLYMER_NAME.finditer(sentence):
        if _NOT_POLYMER.match(name.group(1)[4:]):
            continue
        if name.group(1)[4:5] in "([":
            # a bracketed polymer name holds systematic pieces ('-di-2-thienylquinoxaline'): the whole name wins
            mentions = [m for m in mentions if not (name.start() <= m.start and m.end <= name.end())]
        if any(m.start < name.end() and name.start() < m.end for m in mentions):
            continue
        mentions.append(MaterialMention(name.start(), name.end(), name.group(0), None, [], 0.8))
    for name in _NUMBERED_POLYMER.finditer(sentence):
        # 'copolymer 7 presented much higher TFT performance': a polymer the paper numbers (a sample label: weak)
        if not any(m.start < name.end() and name.start() < m.end for m in mentions):
            mentions.append(MaterialMention(name.start(), name.end(), name.group(0), None, [], 0.6, is_weak=True,
                                            is_code_name=True))
    mentions.extend(_weak_mentions(sentence, mentions, defined_otherwise))
    mentions.extend(_label_list(sentence, mentions))
    for label in _LABEL_BASED.finditer(sentence):
        # 'The highest PCE for P2 based PSCs reached 3.41%': a sample label a device is based on names the sample
        # (a label an earlier sentence listed is that label already)
        if label.group(1) not in labels and not any(m.start < label.end(1) and label.start(1) < m.end for m in mentions):
            mentions.append(MaterialMention(label.start(1), label.end(1), label.group(1), None, [], 0.4, is_weak=True,
                                            is_code_name=True))
    for label in labels:
        for m in re.finditer(rf"(?<![\w\-.]){re.escape(label)}(?![\w-])", sentence):
            if not any(x.start < m.end() and m.start() < x.end for x in mentions) \
                    and not _NOT_SAMPLE_BEFORE.search(sentence[: m.start()]):
                mentions.append(MaterialMention(m.start(), m.end(), label, None, [], 0.4, is_weak=True,
                                                is_code_name=True, role="acronym"))
    # names written as one material of several parts take the place of the pieces found inside them:
    # 'Imma-carbon', 'Ni–ceria', '(1−x)BaTiO3−xBiFeO3' (in this order: a solid solution's end members win)
    for whole in (*_named_allotropes(sentence), *_dash_composites(sentence), *_acronym_composites(sentence),
                  *_solid_solutions(sentence)):
        mentions = [m for m in mentions if not (m.start < whole.end and whole.start < m.end)]
        mentions.append(whole)
    kept = []
    for mention in mentions:
        # '(Pr)' after a word defines a symbol (remnant polarization), not praseodymium.
        if (len(mention.elements) == 1 and not any(ch.isdigit() for ch in mention.text) and len(mention.text) <= 3
                and sentence[mention.start - 1 : mention.start] == "(" and sentence[mention.end : mention.end + 1] == ")"
                and re.search(r"[a-z]\s?$", sentence[: mention.start - 1])):
            continue
        if len(mention.elements) == 1 and re.search(r"Δ\s?$", sentence[max(0, mention.start - 2) : mention.start]):
            continue  # 'ΔSm', 'Δ Sm max', 'ΔH': a change's symbol, not samarium or hydrogen
        if ((len(mention.elements) == 1 and not any(ch.isdigit() for ch in mention.text) or mention.role == "acronym")
                and re.match(r"\s?[=∼≈~]\s?[-−]?\d", sentence[mention.end : mention.end + 5])):
            continue  # 'Nd ∼ 7.26 × 10^22 cm−3', 'ABPE ∼ 8%': a quantity's symbol, not neodymium
        kept.append(mention)
    mentions = kept
    # 'MAPbBr3 perovskites', 'Ni0.5Zn0.5Fe2O4 ferrite': a class noun after a material describes it.
    # ('Sr2CoTeO6 double perovskites', 'CsPbBr3 halide perovskites': also with a modifier between)
    mentions = [
        m for m in mentions
        if not (m.formula is None and not is_alloy_grade(m.text)
                and any(x is not m and (0 <= m.start - x.end <= 1 and not sentence[x.end : m.start].strip()
                                        or m.is_weak and x.formula and _CLASS_MODIFIER.fullmatch(sentence[x.end : m.start]))
                        for x in mentions))
    ]
    for mention in mentions:
        after = sentence[mention.end : mention.end + 30]
        before = sentence[max(0, mention.start - 25) : mention.start]
        single_element = len(mention.elements) == 1
        dopant_after = _DOPANT_AFTER.match(after) and (single_element or not _COMPOUND_HYPHEN_WORD.match(after))
        if (dopant_after or (single_element and (_DOPANT_BEFORE.search(before) or _SITE_LABEL_AFTER.match(after)))
                or _DOPED_WITH_BEFORE.search(sentence, max(0, mention.start - 40), mention.start)):
            mention.is_dopant = True  # ('ceramics doped with 0.4 mol% of MnO': MnO is the dopant)
        elif _VARIABLE_DEFINITION.search(sentence[max(0, mention.start - 30) : mention.start]):
            mention.is_dopant = True  # 'M = Fe and Mn', '(Me = Nb, Ta)': what a symbol stands for
        elif mention.text.endswith(("+", "-", "−")) and mention.formula and len(mention.elements) == 1:
            mention.is_dopant = True  # ions such as Ti3+ are species in a material, not the material
        elif mention.formula and _CHARGE_AFTER.match(sentence, mention.end):
            mention.is_dopant = True  # and so are polyatomic ions: 'SO4^2-', 'SO_{4} ^{2-}', 'NO3−'

    mentions.sort(key=lambda m: m.start)
    # 'N–Fe, N–Ni and N–Pt codoped TiO2': the whole list before a dopant word is dopants
    # (but a compound before 'X-doped' is no member: 'ZnO and Mn-doped ZnO' are two materials)
    in_dopant_list = False
    for left, right in reversed(list(zip(mentions, mentions[1:]))):
        in_dopant_list = right.is_dopant and (in_dopant_list or bool(_DOPANT_AFTER.match(sentence[right.end : right.end + 30])))
        compound_before_doped = (len(left.elements) > 1 and not _SYMBOL_RUN.fullmatch(left.text)
                                 and _DOPED_RIGHT_AFTER.match(sentence, right.end) is not None)
        if in_dopant_list and _LIST_JOINER.fullmatch(sentence[left.end : right.start]) and not compound_before_doped:
            left.is_dopant = True
        else:
            in_dopant_list = False
    mentions = _slash_composites(sentence, mentions, abbreviations)
    # 'Al-doped ZnO', 'ZnO:Al', 'Fe-Ni alloy', 'gamma-graphyne': one material, named as written
    mentions = widen(sentence, mentions)
    # 'the bond lengths Mo-Ob and Mo-O1 are 1.92 and 1.62 Å', 'Mo-S bonds': bonds between atoms, not materials
    mentions = [m for m in mentions if not (_BOND_LABEL.fullmatch(m.text) and _BOND_WORD.search(
        sentence, max(0, m.start - 60), min(len(sentence), m.end + 40)))]
    mentions = _with_descriptive_names(sentence, mentions)
    assign_roles(sentence, mentions)
    return mentions


# Materials named in words, without a formula: 'fluorinated natural graphite', 'composite membrane', 'bipolar
# nickel-cadmium batteries', 'functionalized silica gel', 'hybrid paperlike films'. A head noun of a material's
# form or class, one to three words before it, one of them (or the head) a word for a substance.
_DESCRIPTIVE_HEAD = (
    r"(?:films?|membranes?|gels?|fib(?:er|re)s?|foams?|sheets|papers?|waveguides?|catalysts?|batteries|battery|"
    r"cathodes?|anodes?|ceramics?|glass(?:es)?|coatings?|(?:aero|hydro|xero)gels?|(?:nano)?composites?|alloys?|"
    r"(?:co)?polymers?|derivatives?|oxides?|perovskites?|graphite|resins?|blends?|nano(?:tubes?|wires?|sheets?|cages?|"
    r"particles?|fib(?:er|re)s?|rods?|crystals?)|micro-?particles?|superconductors?|electrolytes?)"
)
_DESCRIPTIVE_WORD = r"[A-Za-z][a-z]*(?:[-–‐][A-Za-z][a-z]*)*"
_DESCRIPTIVE = re.compile(rf"(?<![\w\-–‐/])((?:{_DESCRIPTIVE_WORD}\s){{1,3}}){_DESCRIPTIVE_HEAD}(?![\w\-–‐/])", re.I)
# words that open no name (articles, prepositions, verbs, praise, measures): dropped before a name, none inside one
_NOT_A_MODIFIER = frozenset(
    "the a an this these those its their our his her of in on at for with by from to into onto and or as is are was "
    "were be been being has have had which that than such both each all some any other high low good excellent large "
    "small new novel various different several two three four first second best higher lower very more most less only "
    "also well typical conventional commercial standard pure same whole entire resulting obtained prepared as-prepared "
    "developed proposed present studied investigated reported designed fabricated synthesized synthesised used using "
    "based superior remarkable outstanding promising potential desired corresponding respective special advanced "
    "efficient effective stable further not no without between among within via per where when while many most "
    "important performance high-performance fabricate prepare synthesize tested processed incorporating containing "
    "conjugated single phase bulk entropy solid quaternary quinternary ternary binary undoped doped pristine "
    "sodiated lithiated mixed alloyed semiconducting ferroelectric double triple "
    # (verbs that introduce what a paper makes: 'we report ceria-coated Ni catalysts')
    "report reports demonstrate demonstrates present presents describe describes develop develops propose proposes "
    "design designs synthesize synthesise synthesizes use uses employ employs investigate investigates study studies "
    "show shows obtain obtains achieve achieves introduce introduces highly".split())
# a word for a specific substance: an element's name ('nickel-cadmium', 'copper-containing'), a named compound class
_SUBSTANCE = re.compile(
    r"(?:silica|alumina|titania|zirconia|ceria|magnesia|graphite|graphene|carbon|cuprates?|cellulose|chitosan|"
    r"alginate|poly[a-z]{4,}|zeolites?|clays?|steels?)$", re.I)
# what may follow a name: punctuation, a bracket, a verb or a function word (not another noun: 'metal oxide semiconductor')
_AFTER_A_NAME = re.compile(
    r"\s?(?:[,.;:()\[\]]|$)|\s(?:is|are|was|were|has|have|had|with|for|of|in|on|at|and|or|as|by|to|from|that|which|"
    r"shows?|showed|exhibit(?:s|ed)?|display(?:s|ed)?|deliver(?:s|ed)?|achieve[sd]?|reach(?:es|ed)?|demonstrate[sd]?|"
    r"provide[sd]?|yield(?:s|ed)?|retain(?:s|ed)?|present(?:s|ed)?|possess(?:es|ed)?|can|could|may|might|should|will|"
    r"would|were|under|after|before|during|upon|via|using|prepared|synthesi[sz]ed|fabricated|obtained)\b", re.I)


# a battery named by its working ion, or named as what a material is for, is no material studied
_ION_BATTERY = re.compile(r"(?:lithium|sodium|potassium|magnesium|zinc|calcium|alumin(?:i)?um)[- ]ion(?:\s(?:rechargeable|secondary))?",
                          re.I)
_APPLICATION_BEFORE = re.compile(r"\b(?:for|in|of|into)\s(?:the\s|use\sin\s)?$", re.I)


def _word_parts(word: str) -> list[str]:
    """The lower-case parts of a hyphenated word ('nickel-cadmium' -> 'nickel', 'cadmium')."""
    return re.split(r"[-–‐]", word.lower())


def _substance(word: str) -> bool:
    return any(p in SYMBOL_OF_NAME or _SUBSTANCE.match(p) for p in _word_parts(word))


def _with_descriptive_names(sentence: str, mentions: list[MaterialMention]) -> list[MaterialMention]:
    """Names in words that hold no formula or named compound; the weak mentions inside them (an element's name,
    a class noun) give way."""
    found: list[MaterialMention] = []
    for m in _DESCRIPTIVE.finditer(sentence):
        words = m.group(1).split()
        while words and words[0].lower() in _NOT_A_MODIFIER:
            words.pop(0)
        head = sentence[m.end(1) : m.end()]
        if not words or any(w.lower() in _NOT_A_MODIFIER for w in words) or not any(_substance(w) for w in words):
            continue
        if re.match(r"batter", head, re.I) and (_ION_BATTERY.fullmatch(" ".join(words))
                                                or _APPLICATION_BEFORE.search(sentence, 0, m.start(1))):
            continue  # ('anodes for lithium ion batteries', 'Li-ion batteries'): what a material is used in
        start = m.end(1) - len(" ".join(words)) - 1
        end = m.end()
        if not _AFTER_A_NAME.match(sentence, end) or any(
                x.end <= start and not x.is_weak and re.fullmatch(r"\s?", sentence[x.end : start]) for x in mentions):
            continue  # ('metal oxide semiconductor', 'CuNiCoZnAlTi high entropy alloy': part of a longer name)
        inside = [x for x in mentions if x.start < end and start < x.end]
        if any(not x.is_weak or x.is_code_name or x.start < start or x.end > end for x in inside):
            continue
        elements = sorted({s for w in (*words, head) for p in _word_parts(w) if (s := SYMBOL_OF_NAME.get(p))})
        found.append(MaterialMention(start, end, sentence[start:end], None, elements, 0.4, is_weak=True,
                                     is_descriptive=True))
    if not found:
        return mentions
    kept = [x for x in mentions if not any(f.start <= x.start and x.end <= f.end for f in found)]
    return sorted(kept + found, key=lambda x: x.start)


# Organic compounds by their systematic names: a token with locants ('2-oxo-2,5,6,7-tetrahydro-1H-
# cyclopenta[b]pyridine-3-carbonitrile', '3-Methoxy-N′-(2,4-Diclorobenzylidene)Benzohydrazide'; PDF text may
# put a space after a locant's comma: '3a, 6,7,8-tetrahydro...'), and the salt or solvate word after it
_IUPAC = re.compile(
    r"(?<![\w\-′'\[(])((?:[\w′'()\[\],.]|-(?!\s))*\d(?:[\w′'()\[\],.]|-(?!\s)|,\s(?=\d+[,\-]))*-(?:[\w′'()\[\],.]|-(?!\s))+[a-z]{3})"
    r"(?:\s(?:perchlorate|hydrochloride|hydrobromide|hydrate|monohydrate|dihydrate|trihydrate|solvate|acid))?(?![\w-])")
_LOCANT = re.compile(r"\d(?:,\d+)*-[A-Za-z\[(]|[a-z]\d?-\d")


# Coordination compounds by their names: a multiplied ligand in brackets ('μ-oxobis[bis(dipropyl
# dithiophosphato) oxomolybdenum(V)]', 'tris(8-hydroxyquinolinato)aluminium', 'tetrakis(pyridine)copper(II)
# perchlorate'); the brackets may hold spaces, the name ends where they close and its word ends
_MULTIPLIED_LIGAND = re.compile(r"(?<![\w\-\[(])(?:(?:μ|mu|η\d?)[-‐])?[a-z\d,\-]*?(?:bis|tris|tetrakis|hexakis)[\[(]", re.I)
_COUNTER_ION = re.compile(r"\s(?:perchlorate|chloride|bromide|iodide|nitrate|tetrafluoroborate|hexafluorophosphate|"
                          r"sulfate|triflate|hydrate|monohydrate|dihydrate)(?![\w-])")


def _coordination_names(sentence: str) -> list[tuple[int, int]]:
    found = []
    for m in _MULTIPLIED_LIGAND.finditer(sentence):
        depth, i = 0, m.start()
        while i < len(sentence):
            c = sentence[i]
            if c in "([":
                depth += 1
            elif c in ")]":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and not (c.isalnum() or c in "-‐,′'"):
                break
            elif depth > 0 and c in ".;" or i - m.start() > 150:
                depth = -1
                break
            i += 1
        end = i
        while end > m.start() and sentence[end - 1] in ",-‐":
            end -= 1
        if depth != 0 or end - m.start() < 12:
            continue
        tail = _COUNTER_ION.match(sentence, end)
        found.append((m.start(), tail.end() if tail else end))
    return found


# Coordination compounds by their formulas with ligands written by abbreviation: 'Mn(AOT)2', 'Fe(TCNE)2·nCH2Cl2',
# 'Co(HCOO)2(4,4′-bpy)·nH2O', 'Co2(hypa)2(4,4′-bpy)': a metal, then ligands in brackets (one of them an
# abbreviation with its count), then water or solvent of crystallisation
_LIGAND_FORMULA = re.compile(
    r"(?<![\w\-/'′’(\[])((?:[A-Z][a-z]?\d{0,2}){1,3})((?:[(\[][A-Za-z0-9,′'\-]{2,24}[)\]]\d{0,2}){1,4})"
    r"((?:\s?[·•⋅]\s?(?:\d+(?:\.\d+)?|[nxyz])?[A-Z][A-Za-z0-9()]*)*)(?![\w\-/])")
_LIGAND_GROUP = re.compile(r"[(\[]([^()\[\]]+)[)\]](\d*)")
_ROMAN = re.compile(r"[IVX]+")


# ... and organic salts written with their donor molecule first: '(TMTSF)2PF6', 'κ-(BEDT-TTF)2Cu(NCS)2',
# 'β-(BDA-TTP)2FeCl4'
_DONOR_SALT = re.compile(
    r"(?<![\w\-/'′’])(?:[αβγδεζηθικλ]['′″]{0,2}[-‐–])?[(\[]([A-Za-z0-9,′'\-]{3,24})[)\]](\d(?:\.\d+)?)"
    r"((?:[A-Z][a-z]?\d{0,2}(?:\.\d+)?|[(\[](?:[A-Za-z0-9]|\([A-Za-z0-9]{1,8}\)\d?){1,12}[)\]]\d{0,2})+)(?![\w\-/])")


def _ligand_formulas(sentence: str) -> list[tuple[int, int]]:
    found = []
    for m in _DONOR_SALT.finditer(sentence):
        donor, rest = m.group(1), m.group(3)
        if sum(c.isupper() for c in donor) >= 2 and token_formula(donor) is None and all(
                e in element_symbols() for e in re.findall(r"[A-Z][a-z]?", rest)):
            found.append((m.start(), m.end()))
    for m in _LIGAND_FORMULA.finditer(sentence):
        if token_formula(m.group(0)) is not None:
            continue  # a formula the parser reads ('Ni(OH)2', 'NaCo2(PO4)2·NH4·H2O')
        symbols = re.findall(r"[A-Z][a-z]?", m.group(1))
        if not all(e in element_symbols() for e in symbols) or all(e in NONMETALS for e in symbols):
            continue
        ligands = [(g.group(1), g.group(2)) for g in _LIGAND_GROUP.finditer(m.group(2))]
        # (a ligand with a count, or with locants: 'Zn(1,3-DAP)[B4O7]')
        abbreviated = [text for text, count in ligands if (count or re.match(r"\d(?:,\d)*[-‐]", text))
                       and len(re.findall(r"[A-Za-z]", text)) >= 2
                       and not _ROMAN.fullmatch(text) and token_formula(text) is None]
        if abbreviated:
            found.append((m.start(), m.end()))
    return found


def _systematic_names(sentence: str) -> list[tuple[int, int]]:
    found = _coordination_names(sentence) if "is(" in sentence or "is[" in sentence else []
    if "-" not in sentence:
        return found
    for m in _IUPAC.finditer(sentence):
        if any(a <= m.start() < b for a, b in found):
            continue
        core = m.group(1).rstrip(".,")
        if len(core) < 15 or core.count("-") < 2 or unbalanced_brackets(core) or not _LOCANT.search(core):
            continue
        found.append((m.start(), m.end()))
    return found


_CRYSTALS_OF = re.compile(
    r"\b(?:[Cc]rystals|[Cc]rystal structures?|[Ss]ingle crystals) of (?:the )?([A-Za-z][\w\-′']{3,40})"
    r"(?: and ([A-Za-z][\w\-′']{3,40}))?(?![\w-])")
_NOT_A_COMPOUND_WORD = frozenset(
    "this these those that both all each compound compounds complex complexes sample samples material materials "
    "phase phases form forms solid solids title new pure high good large small size sizes different various two three "
    "several".split())

# Polymers by their systematic names: 'poly(phenylene-carborane)', 'poly(ether amide)s', 'polyacetylene',
# 'polyimides' (the name list knows the common ones; this reads the nomenclature)
_POLYMER_NAME = re.compile(
    # ('poly[N-9-heptadecanyl-2,7-carbazole-alt-5,5-(5,8-di-2-thienylquinoxaline)]': square brackets too)
    r"(?<![\w-])((?i:p)oly(?:\((?:[^()]|\([^()]*\)){2,80}\)|\[(?:[^\[\]]|\[[^\[\]]*\]){2,160}\]|[a-z]{4,}"
    r"(?:\s(?:siloxane|ether|ester|sulfone|ketone|amide|imide|urethane|carbonate|styrene|acrylate|methacrylate|"
    r"oxide|glycol|alcohol|chloride|fluoride|acetate|terephthalate|sulfide)(?![\w-]))?))s?(?![\w(])")
_NUMBERED_POLYMER = re.compile(r"(?<![\w-])(?:co)?polymer\s\d{1,2}[a-z]?(?![\w.,]\d|[\w-])")
_NOT_POLYMER = re.compile(
    r"(?:crystal|mer|morph|hedr|dispers|nomial|valent|type|atomic|chromat|condens|addition|gon|phase|mode|"
    r"cyclic|nuclear|functional|meric|anion|cation|ol\b|electrolyte|gonal|step|domain|silicon\b|graph|line)",
    re.I)
_LIST_JOINER = re.compile(r"\s?(?:,|,?\s?and|,?\s?or)\s?")
# a token of parts joined by slashes: 'PA6/mSEBS/PS', 'Sericin/PVA', 'PES/Pluronic'
# (a core@shell particle may be written with spaces: 'TiO2 @ PDA')
# (and PDF text may space a slash too: 'PT-DTBT / PC61BM')
_SLASH_TOKEN = re.compile(r"(?<![\w/@\-.−])(?:[A-Za-z0-9_{}()\[\]·.\-−–]+(?:\s?/\s?|\s?@\s?))+[A-Za-z0-9_{}()\[\]·\-−–]+(?![\w/@])")
_COMPOSITE_JOIN = re.compile(r"\s?/\s?|\s?@\s?")
_CODE_PART = re.compile(r"[a-z]?[A-Z][A-Za-z0-9\-]{1,11}")


_REDOX_PART = re.compile(r"\((?:I{1,3}|IV|V|VI{0,3}|0)\)(?:$|\s?[/@])|[+−-](?:$|\s?[/@])|(?:^|[/@]\s?)([A-Z][a-z]?)\s?[/@]\s?\1\b")


def _formula_or_element(part: str):
    """The parsed formula of a composite's part ('Na2MnSiO4'), or of an element symbol ('C'), or None."""
    parsed = token_formula(part)
    if parsed is None and part in element_symbols():
        try:
            parsed = parse_formula(part)
        except FormulaError:
            return None
    return parsed


def _slash_composites(sentence: str, mentions: list[MaterialMention],
                      abbreviations: dict[str, MaterialMention]) -> list[MaterialMention]:
    """'PA6/mSEBS/PS blends', 'Sericin/PVA membranes': a slash composite whose parts are materials the
    sentence names or code names, one of them at least a known material, is one material (the parts
    found as mentions of their own give way to it)."""
    if "/" not in sentence and "@" not in sentence:
        return mentions
    for token in _SLASH_TOKEN.finditer(sentence):
        start, end = token.span()
        written = token.group(0)
        while written[-1] in ")]" and unbalanced_brackets(written):
            written, end = written[:-1], end - 1  # '(PDMS/PAN/PEO)': the bracket is the sentence's
        while written[0] in "([" and unbalanced_brackets(written):
            written, start = written[1:], start + 1
        if written[0] == "(" and written[-1] == ")" and not unbalanced_brackets(written[1:-1]):
            written, start, end = written[1:-1], start + 1, end - 1
        parts = _COMPOSITE_JOIN.split(written)
        joins = [len(j) for j in _COMPOSITE_JOIN.findall(written)] + [0]
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        if len(parts) < 2 or any(m.start < start < m.end or m.start < end < m.end for m in mentions):
            continue
        if len(inside) == 1 and (inside[0].start, inside[0].end) == (start, end):
            continue  # a formula or name already (ZnO/CuO)
        if _REDOX_PART.search(written):
            continue  # 'Fe(II)/Fe(III)', 'Pb/Pb(II)', 'Li/Li+': a redox couple, not a composite
        known, offset, elements_of_parts = 0, start, set()
        for index, part in enumerate(parts):
            covered = [m for m in inside if m.start == offset and m.end == offset + len(part) and not m.is_weak]
            # ('Yb/p-Si': a semiconductor's doping type before it)
            parsed = _formula_or_element(re.sub(r"^[pn]\+?[-‐]", "", part))
            # ('CPO-TiO2@PDA': a formula modified by a code name, in a core@shell particle; not a device
            # stack's 'c-TiO2')
            modifier = re.fullmatch(r"[A-Z]{2,}[A-Za-z0-9]*[-‐–]([A-Z].*)", part) if "@" in written else None
            modified = None if parsed is not None or modifier is None else _formula_or_element(modifier.group(1))
            if covered or part in abbreviations:
                known += 1
            elif parsed is not None:
                # 'Na2MnSiO4/C/graphene': a formula, or an element standing for itself ('/C/' is carbon)
                known += len(parsed.elements) > 1 or index > 0
                elements_of_parts.update(parsed.elements)
            elif modified is not None and len(modified.elements) > 1:
                known += 1
                elements_of_parts.update(modified.elements)
            elif re.fullmatch(r"[A-Z][a-z]{3,}", part) or index > 0 and (part.lower() in ELEMENT_NAME_SET or any(
                    m.start == offset and m.end == offset + len(part) for m in inside)):
                pass  # 'Sericin/PVA', 'PES/Pluronic', '/carbon/': a name we do not know or a weak one, beside one we do
            elif re.fullmatch(r"[A-Z]", part) and index > 0:
                pass  # 'Na2MnSiO4/C/G': a one-letter short name of a part ('G' for graphene)
            elif re.fullmatch(r"[A-Z]\d{1,2}", part) and part not in element_symbols():
                pass  # 'P2/PC71BM': a sample label for one part (a label no formula reads)
            elif not (_CODE_PART.fullmatch(part) and sum(ch.isupper() for ch in part) >= 2
                      and not _not_material(part) and not _UNIT_LIKE.fullmatch(part)):
                break
            offset += len(part) + joins[index]
        else:
            if known:
                elements = sorted({e for m in inside for e in m.elements} | elements_of_parts)
                mentions = [m for m in mentions if m not in inside]
                mentions.append(MaterialMention(start, end, written, None, elements, 0.8))
    mentions.sort(key=lambda m: m.start)
    return mentions


_CHARGE_AFTER = re.compile(r"\s?\^\s?\{?\d{0,2}[+−-]\}?(?![\w])|[+−-](?![\w(\[])")
_VARIABLE_DEFINITION = re.compile(r"\b[A-Z][A-Za-z]?\s?[′']?\s?=\s?(?:[A-Z][a-z]?\s?(?:,|and|or)\s?){0,4}$")
# Materials that are neither formulas nor known names: acronyms ('CZTS', 'BWO') and 2D-material
# style names ('stanane', 'graphyne'). Weak: used only when no strong mention fits a pattern.
# Acronyms and code names: 'CZTS', 'BWO', 'PTTBTz', 'P-OEG', 'PBDB-T', 'biTV-PTV3' (two capitals at least).
# ('GN-ZnO(h)': a sample label in brackets belongs to the name)
_ACRONYM = re.compile(r"(?<![\w-])((?:[a-z]{1,3}(?=[A-Z]{2})|\d{1,4}(?=[A-Z]{2,}[A-Za-z0-9]*[-–][A-Z]))?[A-Z][A-Za-z0-9]{0,11}(?:[-–](?:\d+\.\d+|[A-Za-z0-9]{1,8})){0,3}(?:\([a-z]{1,3}\))?)"
                      r"(?![\w-]|\.\d)")
# 'gamma-graphyne', 'γ-graphyne', '2D-borophene': a phase label joined to the name (widen keeps it)
_COPOLYMER_NOTATION = re.compile(r"[A-Za-z0-9][-–](?:g|b|co|alt|ran|block|graft)[-–][A-Z]")
_PHASE_LABELLED = re.compile(rf"{PHASE_PREFIX}[-‐–]")
_ENE_ANE_WORD = re.compile(r"(?<![\w])([a-z]{3,}(?:ane|yne|ene))(?![\w-])", re.I)
# a supplier's legal form ('Merck KGaA', 'Sigma-Aldrich Chemie GmbH'): no formula, no acronym of a material
_LEGAL_FORMS = frozenset("GmbH KGaA AG Ltd LLC Inc KG PLC".split())
_NOT_MATERIAL_ACRONYMS = frozenset(
    """MOSFET MOSFETs VDMOSFET HEMT HEMTs JFET IGBT LDMOS VDMOS TENG TENGs PENG PENGs MIM MIS SPR LSPR XRD SEM TEM HRTEM STEM EDS EDX EDAX XPS UPS FTIR FT-IR IR UV UV-Vis NIR DFT GGA LDA HSE HSE06 PBE PBE0 LSDA
    DOS PDOS VBM CBM CB VB PL PLQY QY PCE EQE IQE LED LEDs OLED TFT FET OFET NMR EPR ESR ICP XAS XANES EXAFS BET
    TGA DSC DTA AFM MFM STM SQUID VSM PPMS ZFC FC RT HT LT MR CMR GMR TMR AC DC SOC SO NP NPs NC NCs QD QDs
    PV PVD CVD ALD MBE PLD SSR PEC HER OER ORR CV EIS SCE RHE SHE NHE CE ICE SOFC SOFCs LIB LIBs SIB SIBs
    FWHM II III IV VI VII VIII TC TN CW LSDA SI ESI MOF MOFs COF COFs EU USA UK PDF JCPDS ICDD FFT SAED ID TOF
    FM PM FiM SG AF AFE PE RT LRO SRO CO2 FOM ZT PF RF DMF DMSO THF CTAB SDS EDTA IPA NMP ECD RMS HOMO LUMO SCLC
    KPFM XRR GIXRD GIWAXS AM NIST ASTM ISO AR TSC NTC PTC CCD CMOS IC MEMS SAW MS ME MPB PNR PNRs FE AFE
    GW DMFT ARPES MPMS EELS HAADF SAXS WAXS DSSC OSC PSC OPV BHJ ITO-free NREL AM1 CIE FTO ITO UV-vis UV-Visible
    DRS IPCE JV IV-curve XRF ICP-OES ICP-MS SPS HIP PVA PVDF-HFP DFT-D DFT-D3 PAW VASP LAPW FLAPW WIEN2k QE TB-mBJ
    mBJ HSE03 SCAN OLEDs TFTs FETs OFETs PSCs OSCs DSSCs BHJs PBEsol PW91 B3LYP r2SCAN rSCAN HSE12 HSEsol G0W0 GW0
    DFT+U GGA+U LDA+U optB86b optB88 vdW-DF vdW-DF2 DFT-D2 SCAN+rVV10 LCAO FP-LAPW BCC FCC HCP I-V C-V P-E M-H
    J-V R-T M-T ETL HTL ETLs HTLs EML CBM VBM BZ SOFC SOEC PEMFC PEMFCs AEMFC AEMFCs OCV ASR EIS NPD BM""".split()
) | _LEGAL_FORMS
_NOT_MATERIAL_WORDS = frozenset("scene gene plane membrane urethane methane ethane propane butane hexane "
                                "mundane humane insane lane arene alkene alkane benzene toluene xylene "
                                "polyethylene polypropylene styrene butadiene".split())


# Acronyms of capital letters only ('BCC', 'ETL', 'BWO', 'I–V', 'R–O') name methods, devices, phases and
# samples as often as materials. One the paper defines for a material ('La2Ti2O7 (LTO)') comes from
# the abbreviations layer; one it defines for something else ('body-centred cubic (BCC)') is none;
# one it does not define is linked only where a value is given for it by name ('the band gap of
# BWO is 2.96 eV', a list paired by 'respectively'), never as the subject of the sentence. In the
# ner pipeline the model's MAT tags decide.
_METHOD_AFTER = re.compile(
    r"[\s-](?:model|models|method|methods|theory|approximation|formula|formalism|equation|fits?|fitting|approach|"
    r"scheme|algorithm|code|software|technique|relation|expression|criterion|analysis|calculations?|simulations?)\b",
    re.I,
)
_CAPITALS_ONLY = re.compile(r"[A-Z]+(?:[-–‐][A-Z]+)*")
_DASHES = str.maketrans({"–": "-", "‐": "-", "‑": "-", "—": "-", "−": "-"})


# Strukturbericht designations of structure types ('L21', 'L21B', 'B2', 'D03', 'C1b', 'A15'): no materials
_STRUKTURBERICHT = re.compile(r"(?:[ABCDL]\d{1,2}[a-z]?|D0\d{1,2})[A-Z]?")


def _not_material(word: str) -> bool:
    """Method, functional, instrument and device acronyms ('UV–Vis', 'As-NMR', 'PBEsol') and -ene/-ane words
    that are no materials ('scene', 'methane')."""
    plain = word.translate(_DASHES)
    if plain in _NOT_MATERIAL_ACRONYMS or word.lower() in _NOT_MATERIAL_WORDS or _STRUKTURBERICHT.fullmatch(word):
        return True
    return any(part in _NOT_MATERIAL_ACRONYMS and len(part) > 2 for part in plain.split("-")[1:])


_SYMBOL_TOKEN = re.compile(r"[^\w]+|[α-ωΑ-Ωµ][\w′']{0,3}|[A-Za-z][′']?|\d[\d.,]*")


# two one-letter symbols joined by a dash name a measurement's axes, not a binary of two elements
_CURVE_NAME = re.compile(r"[A-Z]\s?[-–‐−]\s?[A-Z]")
_ALLOY_AFTER = re.compile(r"\s(?:alloys?|system|solid solution|binary)\b", re.I)


def not_a_material_token(text: str) -> bool:
    """A token a tagger may take for a material that is none: a unit ('Å', 'GPa', 'mAh g−1'), a Greek
    letter or symbol ('σ', 'Δ', 'μ'), a lone letter or number, a method or functional ('DFT', 'PBE')."""
    token = text.strip()
    if not token or _SYMBOL_TOKEN.fullmatch(token) or _not_material(token) or _UNIT_LIKE.fullmatch(token):
        return True
    if token[0] in "Å°%" or not any(ch.isalpha() for ch in token):
        return True
    from textmine.normalise.units import UnitError, parse_unit

    if not any(ch.isdigit() for ch in token) and len(token) <= 8 and not token[1:].islower():
        try:
            parse_unit(token)
            return True
        except UnitError:
            return False
    return False


_UNIT_LIKE = re.compile(r"[fpnuµμmkMGT]?(?:Pa|Hz|eV|Wh|Ah|Oe|Wb|V|A|W|J|S|F|T|K|N|C|L|g|m|s|Ω)\d?")


def _weak_mentions(sentence: str, strong: list[MaterialMention], defined_otherwise=frozenset()) -> list[MaterialMention]:
    weak = []
    for pattern in (_ACRONYM, _ENE_ANE_WORD):
        for m in pattern.finditer(sentence):
            word = m.group(1)
            if _not_material(word) or word in defined_otherwise:
                continue
            core = re.sub(r"^[a-z]{1,3}(?=[A-Z]{2})", "", word)
            if core != word and (_not_material(core) or core in defined_otherwise or not re.search(r"[-–\d]", word)
                                 and len(core) < 4):
                continue  # 'sBET' (S_BET): a lower-case prefix before a method's or a symbol's capitals
            if any(x.start < m.end(1) and m.start(1) < x.end for x in strong + weak):
                continue
            if pattern is _ACRONYM and (
                re.fullmatch(r"[A-Z]\d*", word)  # 'S1', 'P2': sample labels
                or re.fullmatch(r"\d+", word[1:])
                or sum(ch.isupper() for ch in word) < 2  # 'The', 'Raman'
                or re.fullmatch(r"[A-Z]{2,}s", word)  # plural acronyms: 'NPs', 'PSCs'
                or re.search(r"[a-z]{4,}", word)  # 'CuInGaSe-based'... words, not code names
                or _UNIT_LIKE.fullmatch(word)  # 'GPa', 'MHz', 'TW'
            ):
                continue
            token = _whole_token(sentence, m.start(1), m.end(1))
            if token != word and not (pattern is _ENE_ANE_WORD and _PHASE_LABELLED.fullmatch(token[: -len(word)])):
                continue  # '(OH)8', '(CN)7': part of a larger formula-like token
            if sentence[m.start(1) - 1 : m.start(1)] == "(" and sentence[m.end(1) : m.end(1) + 1] == ")" and not any(
                0 <= m.start(1) - 1 - x.end <= 1 for x in strong
            ):
                continue  # 'ferromagnetic (FM)': an abbreviation defined for a phrase, not a material
            if pattern is _ACRONYM and _METHOD_AFTER.match(sentence, m.end(1)):
                continue  # 'using the WHH model', 'the BET method': the name of a method, not a material
            # an acronym of capitals the paper does not define ('BWO', 'BCC') is linked only by name
            role = "acronym" if pattern is _ACRONYM and _CAPITALS_ONLY.fullmatch(word) else ""
            # 'PBMA-g-PDMS', 'PS-b-PMMA': the notation of a graft or block copolymer names a material
            copolymer = pattern is _ACRONYM and _COPOLYMER_NOTATION.search(word) is not None
            weak.append(MaterialMention(m.start(1), m.end(1), word, None, [], 0.4, is_weak=not copolymer,
                                        is_code_name=True, role="" if copolymer else role))
    return weak


_ALLOTROPE_ELEMENT = {"carbon": "C", "graphyne": "C", "graphdiyne": "C", "borophene": "B", "boron": "B", "silicene": "Si",
                      "silicon": "Si", "germanene": "Ge", "phosphorene": "P"}
_NAMED_ALLOTROPE = re.compile(r"(?<![\w'′’\-])(([A-Z][a-z]{0,3}\d{0,2}|bct|bco|cco)[-‐–](" + "|".join(_ALLOTROPE_ELEMENT)
                              + r"))(?![\w-])", re.I)


def _named_allotropes(sentence: str) -> list[MaterialMention]:
    """'Imma-carbon', 'T-carbon', 'bct-carbon': an allotrope named by its structure is a material of its own
    (not 'Fe-carbon': an element before the dash names a composite)."""
    return [MaterialMention(m.start(), m.end(), m.group(1), _ALLOTROPE_ELEMENT[m.group(3).lower()],
                            [_ALLOTROPE_ELEMENT[m.group(3).lower()]], 0.8)
            for m in _NAMED_ALLOTROPE.finditer(sentence) if m.group(2) not in element_symbols()]


_DASH_PAIR = re.compile(r"(?<![\w\-–‐/])([A-Za-z][A-Za-z0-9]*)[-–‐]([A-Za-z][A-Za-z0-9]*)(?![\w\-–‐/(\[])")


def _dash_part(part: str) -> tuple[list[str], bool] | None:
    """(elements, names a compound) of one part of a dash composite, None when it is no material."""
    if part in element_symbols():
        return [part], False
    names = find_material_names(part)
    whole = names[0] if len(names) == 1 and (names[0].start, names[0].end) == (0, len(part)) else None
    elements = list(formula_and_elements(whole.formula)[1]) if whole is not None and whole.formula else []
    if part.lower() in ELEMENT_NAME_SET:
        return elements, False
    if whole is not None:
        return elements, True
    parsed = token_formula(part)
    if parsed is not None and len(parsed.elements) > 1:
        return list(parsed.elements), True
    return None


# 'NiWO4-NRGO', 'NiWO4-ZnO-NRGO', 'Fe3O4-HCNPs', 'TiO2-NS': materials joined by dashes to a short form of
# capitals (another material or the form they take) name one material
_ACRONYM_COMPOSITE = re.compile(r"(?<![\w\-–‐/])((?:[A-Za-z][A-Za-z0-9().]*[-–‐]){1,3})\s?([A-Z][A-Za-z0-9]{0,3}[A-Z][A-Za-z0-9]{0,3})(?![\w\-–‐/])")
_FORM_ACRONYMS = frozenset("NP NPs NS NSs NW NWs NR NRs NT NTs QD QDs NC NCs NF NFs NSh MS MSs HS HSs".split())


def _acronym_composites(sentence: str) -> list[MaterialMention]:
    found = []
    for m in _ACRONYM_COMPOSITE.finditer(sentence):
        acronym = m.group(2)
        if acronym not in _FORM_ACRONYMS and token_formula(acronym) is not None:
            continue  # two formulas ('TiO2-ZnO'): a dash composite's
        if m.group(0)[len(m.group(1))] == " " and len(re.findall(r"[-–‐]", m.group(1))) < 2:
            continue  # a space after the dash only inside a longer composite ('NiWO4-ZnO- NRGO', PDF text)
        parts = [_dash_part(p) for p in re.split(r"[-–‐]", m.group(1)) if p]
        if not parts or any(p is None for p in parts) or not any(p[1] for p in parts):
            continue
        elements = sorted({e for p in parts for e in p[0]})
        formula = None
        if acronym in _FORM_ACRONYMS and len(parts) == 1:
            parsed = token_formula(m.group(1)[:-1])
            formula = parsed.formula if parsed is not None else None
        found.append(MaterialMention(m.start(), m.end(), m.group(0), formula, elements, 0.8))
    return found


def _dash_composites(sentence: str) -> list[MaterialMention]:
    found = []
    for m in _DASH_PAIR.finditer(sentence):
        parts = [_dash_part(m.group(1)), _dash_part(m.group(2))]
        if any(p is None for p in parts) or not any(p[1] for p in parts):
            continue  # not two materials, or two elements ('Ti–O' bonds, 'Fe–Ni' alloys are read as formulas)
        elements = sorted({e for p in parts for e in p[0]})
        found.append(MaterialMention(m.start(), m.end(), m.group(0), None, elements, 0.8))
    return found


# a solid solution written as its end members with their fractions: '(1−x)BaTiO3−xBiFeO3', '0.9Al2O3-0.1TiO2',
# '(1-x)Ba(Zr0.2Ti0.8)O3-x(Ba0.7Ca0.3)TiO3', '0.5BNT-0.4BKT-0.1BT'
_FRACTION = r"(?:\(\s?1\s?[-−–]\s?[xyz](?:\s?[-−–]\s?[xyz])?\s?\)|[xyz]|0?\.\d+)"
_END_MEMBER = r"(?:\[[^\[\]\s]{2,80}\]|\([^()\s]{2,60}\)[A-Za-z0-9.()]*[A-Za-z0-9)]|[A-Z][A-Za-z0-9.()]*[A-Za-z0-9)])"
_SOLUTION_FIRST = re.compile(rf"(?<![\w.)\]])({_FRACTION})\s?({_END_MEMBER})")
_SOLUTION_NEXT = re.compile(rf"\s?[-−–]\s?({_FRACTION})\s?({_END_MEMBER})")


def _end_member(text: str) -> tuple[list[str], bool] | None:
    """(elements, is a formula) of one end member of a solid solution, or None when it is neither a
    formula nor a code name ('BNT', 'KNLNS')."""
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    parsed = token_formula(inner)
    if parsed is not None and len(parsed.elements) > 1:
        return list(parsed.elements), True
    if re.fullmatch(r"[A-Z][A-Za-z]{1,8}", inner) and sum(ch.isupper() for ch in inner) >= 2:
        return [], False  # (the notation makes 'BZ' BaZrO3 here, not a Brillouin zone)
    return None


def _solid_solutions(sentence: str) -> list[MaterialMention]:
    found: list[MaterialMention] = []
    for first in _SOLUTION_FIRST.finditer(sentence):
        if found and first.start() < found[-1].end:
            continue
        members = [first]
        while True:
            nxt = _SOLUTION_NEXT.match(sentence, members[-1].end())
            if not nxt:
                break
            members.append(nxt)
        if len(members) < 2:
            continue
        parts = [_end_member(m.group(2)) for m in members]
        if any(p is None for p in parts):
            continue
        elements = sorted({e for p in parts for e in p[0]})
        formula = None
        if all(p[1] for p in parts):
            # '(1−x)[A]−xB' as the formula '(A)1-x(B)x'
            text = "".join(f"({m.group(2).strip('[]')}){m.group(1).strip('()').replace(' ', '')}" for m in members)
            parsed = token_formula(text)
            formula = parsed.formula if parsed is not None else None
        start, end = first.start(), members[-1].end()
        found.append(MaterialMention(start, end, sentence[start:end], formula, elements, 0.85,
                                     is_code_name=not elements))
    return found


_LABEL = r"[A-Z]{1,2}\d{1,2}[a-z]?"
_LABEL_LIST = re.compile(rf"(?<![\w\-.])({_LABEL})((?:,\s?|,?\s(?:and|or)\s){_LABEL})+(?![\w-])")
_NOT_SAMPLE_BEFORE = re.compile(r"\b(?:Figs?|Figures?|Tables?|Eqs?|Equations?|Schemes?|Refs?|Notes?|Sections?|Movies?|"
                                r"Videos?|Appendix|groups?|modes?|bands?|peaks?|sites?|positions?)\.?\s$", re.I)


def sample_labels(mentions: list[MaterialMention]) -> set[str]:
    """The sample labels among a sentence's mentions ('P1', 'S2'), for the sentences after it."""
    return {m.text for m in mentions if m.role == "acronym" and m.formula is None and re.fullmatch(_LABEL, m.text)}


_LABEL_BASED = re.compile(r"(?<![\w-])([A-Z]\d{1,2}[a-z]?)(?=[\s-]based\s(?:PSCs?|OSCs?|OPVs?|devices?|(?:(?:polymer\s)?solar\s)?cells?|"
                          r"OFETs?|OTFTs?|transistors?|films?|blends?)\b)")


def _label_list(sentence: str, strong: list[MaterialMention]) -> list[MaterialMention]:
    """'P1, P2, and P3': sample labels listed together name the samples (polymers, compounds); like an
    undefined acronym they are linked only by a list or by name ('... 1.60, 1.63 and 1.62 eV,
    respectively'). Not figure, table or mode labels, nor relaxation times ('T1 and T2')."""
    found = []
    for run in _LABEL_LIST.finditer(sentence):
        labels = list(re.finditer(_LABEL, run.group(0)))
        prefixes = {re.match(r"[A-Z]+", m.group(0)).group(0) for m in labels}
        if len(prefixes) != 1 or prefixes & {"T", "E", "A", "B"} or _NOT_SAMPLE_BEFORE.search(sentence[: run.start()]):
            continue
        for m in labels:
            start, end = run.start() + m.start(), run.start() + m.end()
            if looks_like_formula(m.group(0)) or any(x.start < end and start < x.end for x in strong):
                continue
            found.append(MaterialMention(start, end, m.group(0), None, [], 0.4, is_weak=True, is_code_name=True,
                                         role="acronym"))
    return found


def _whole_token(sentence: str, start: int, end: int) -> str:
    """The whitespace-delimited token around [start, end), without surrounding punctuation."""
    left = sentence.rfind(" ", 0, start) + 1
    right = sentence.find(" ", end)
    token = sentence[left : right if right != -1 else len(sentence)].strip(",.;:([")
    # (a closing bracket goes only when it closes nothing in the token: 'GN-ZnO(h)' keeps its label)
    while token[-1:] in (")", "]") and token.count("(") + token.count("[") < token.count(")") + token.count("]"):
        token = token[:-1].rstrip(",.;:")
    return token


def formula_and_elements(formula: str | None) -> tuple[str | None, list[str]]:
    if not formula:
        return None, []
    try:
        parsed = parse_formula(formula)
    except (FormulaError, ValueError):
        return formula, []
    return parsed.formula, parsed.elements


def find_abbreviations(text: str) -> dict[str, MaterialMention]:
    """'BiFeO3 (BFO)', 'lanthanum strontium manganite (LSMO)': abbreviations defined for materials."""
    found: dict[str, MaterialMention] = {}
    # Only the text just before a bracketed acronym can define one: look there, not everywhere.
    for bracket in _BRACKETED_ACRONYM.finditer(text):
        if _OXIDATION_STATE.fullmatch(bracket.group(1)) and bracket.start() > 0 and text[bracket.start() - 1].isalpha():
            continue  # 'iron(III) oxalate': an oxidation state glued to its element, not a short form
        defined = _mention_before(text, bracket.start(), polymer_long_form=True)
        if defined is not None and not defined.is_dopant and bracket.group(1) != defined.text:
            found[bracket.group(1)] = defined
    # 'KH2PO3·H3PO3 (III), α-CsH2PO3·H3PO3 (IV), and β-CsH2PO3·H3PO3 (V)': one-letter compound labels,
    # defined only right after a formula ('crystals V are monoclinic' then names the compound)
    for bracket in _ONE_LETTER_LABEL.finditer(text):
        defined = _mention_before(text, bracket.start())
        if defined is not None and defined.formula and len(defined.elements) > 1 and not defined.is_dopant:
            found.setdefault(bracket.group(1), defined)
    return found


def _mention_before(text: str, at: int, polymer_long_form: bool = False) -> MaterialMention | None:
    """The material mention ending right before `at` (a bracket), in text offsets; with
    `polymer_long_form`, also a long form ending in a polymer's class noun ('maleic-anhydride-modified
    styrene-ethylene-butylene-styrene copolymer (mSEBS)'), a material without a name we know."""
    window_start = max(0, at - 80)
    window = text[window_start:at]
    # (not a name in words: 'lithium ion batteries (LIBs)' defines a device's short name)
    mentions = [m for m in find_material_mentions(window, {}) if window[m.end :].strip() == "" and not m.is_descriptive]
    if not mentions and polymer_long_form and window.rstrip().endswith(("]", ")")) and at > 80:
        # a long bracketed polymer name ('poly[N-9-heptadecanyl-2,7-carbazole-alt-5,5-(...)quinoxaline] (P2)')
        window_start = max(0, at - 240)
        window = text[window_start:at]
        mentions = [m for m in find_material_mentions(window, {})
                    if window[m.end :].strip() == "" and m.text.lower().startswith("poly")]
    if not mentions and polymer_long_form:
        polymer = _POLYMER_LONG_FORM.search(window)
        if polymer:
            mentions = [MaterialMention(polymer.start(1), polymer.end(1), polymer.group(1), None, [], 0.7)]
    if not mentions:
        return None
    defined = mentions[-1]
    defined.start, defined.end = window_start + defined.start, window_start + defined.end
    return defined


# ('C15H12Cl2N2O2 (2)': a number in brackets right after a formula labels the compound too)
_ONE_LETTER_LABEL = re.compile(r"\(\s?([IVX]|[1-9]\d?[a-z]?)\s?\)")
_LABEL_NOUN_BEFORE = re.compile(
    r"\b(?:crystals?|compounds?|complex(?:es)?|phases?|polymorphs?|forms?|salts?|structures?)\s(?:of\s)?\(?$", re.I)
_OXIDATION_STATE = re.compile(r"I{1,3}|IV|VI{0,3}|IX")
_BRACKETED_ACRONYM = re.compile(r"\(\s?((?:[a-z](?=[A-Z]{2}))?[A-Z][A-Za-z0-9\-–]{1,9})\s?\)")
_POLYMER_LONG_FORM = re.compile(r"\b((?:co|ter|block\s|graft\s)?polymers?|resins?|elastomers?|rubbers?)\s?$", re.I)
_LONG_FORM_WORDS = re.compile(r"[A-Za-z][\w']*")


def acronym_definitions(text: str) -> set[str]:
    """Short forms the text defines by a long form whose initials spell them: 'electron transport
    layer (ETL)', 'body-centered cubic (BCC)', 'rhombohedral–orthorhombic (R–O)', 'benzodithiophene (BDT)'."""
    found = set()
    for bracket in _BRACKETED_ACRONYM.finditer(text):
        short = bracket.group(1)
        letters = [c.lower() for c in short if c.isalpha()]
        if len(letters) < 2 or not short[:1].isupper():
            continue
        words = _LONG_FORM_WORDS.findall(text[max(0, bracket.start() - 90) : bracket.start()].replace("-", " ").replace("–", " "))
        for n in range(1, min(len(words), 8) + 1):
            tail = words[-n:]
            if tail[0][0].lower() == letters[0] and _spells(letters, "".join(w.lower() for w in tail), [w[0].lower() for w in tail]):
                found.add(short)
                break
    return found


def _spells(letters: list[str], joined: str, initials: list[str]) -> bool:
    """The letters are the initials of the words, or appear in order in them starting each word used."""
    if letters == initials:
        return True
    position = 0
    for letter in letters:
        position = joined.find(letter, position)
        if position < 0:
            return False
        position += 1
    return len(initials) <= len(letters) + 1  # ('solar to hydrogen efficiency (STH)': a last word may go unspelled)


# roles of materials a paper uses but does not study: never its main material
_CAPITALS_ACRONYM = re.compile(r"[A-Z]{3,6}")
ACRONYM_MAIN_MIN = 1
# a composition variable in a formula: 'La1-xSrxMnO3', 'SrCo1-xNbxO3-δ', 'Ba(Zr0.2Ti0.8)1-yO3'
_COMPOSITION_VARIABLE = re.compile(r"(?:[A-Z][a-z]?|[\d.]+-|[)\]])([xyz])(?![a-z])")
_NOT_STUDIED = ("auxiliary", "partner", "prototype", "substrate", "reference", "electrolyte")
_COMPOSITE_NAME = re.compile(r"[/@:]|\b(?:nano)?composites?\b|\bhybrids?\b", re.I)


def _studied_code_name(mention: MaterialMention) -> bool:
    """A code name of mixed case ('BZCYYb', 'PTB7-Th', 'mSEBS'): a compound the paper studies, counted for its
    main material like a formula; not an undefined acronym of capitals ('SOFC', 'PBSCF'), nor a chemical
    word ('thiophene'), both named as often for a method, device or reagent."""
    return mention.is_code_name and not mention.role and sum(ch.isupper() for ch in mention.text) >= 2


class StudiedMaterials:
    """The materials a document is about so far, for sentences that only refer back to them.

    The main one is the most mentioned compound (several elements beat a lone element, which is
    often a dopant); ties go to the earliest. Its latest mention is the one records point to.
    """

    def __init__(self) -> None:
        self._seen: dict[str, list] = {}  # key -> [count, first order, latest mention, sentence offset]
        self._subject: tuple[MaterialMention, int] | None = None  # the latest sentence's first material
        self._composite: tuple[MaterialMention, int] | None = None
        self._subject_run: tuple[list[MaterialMention], int] | None = None
        self._acronyms: dict[str, list] = {}  # undefined acronyms of capitals: text -> [count, latest mention, offset]
        self._described: dict[str, list] = {}  # names in words: lower text -> [count, first order, latest mention, offset]
        self._with_variable: dict[str, tuple[MaterialMention, int]] = {}  # 'x' -> the latest formula with x ('La1-xSrxMnO3')

    def add(self, materials: list[MaterialMention], offset: int, compared: frozenset[int] = frozenset(),
            subject_run: list[MaterialMention] | None = None) -> None:
        """`compared`: ids of mentions the sentence names only to compare with ('Compared with the
        Na2MnSiO4/C composite, the Na2MnSiO4/C/G composite ...'): neither its subject nor counted.
        `subject_run`: the sentence's first materials joined as a list ('CuZn2InTe4 and CuCd2InTe4'),
        what a plural back reference in the next sentence ('These semiconductors ...') points to."""
        if subject_run:
            self._subject_run = (list(subject_run), offset)
        first = True
        for mention in materials:
            if mention.role == "acronym" and _CAPITALS_ACRONYM.fullmatch(mention.text):
                entry = self._acronyms.setdefault(mention.text, [0, mention, offset])
                entry[0] += 1
                entry[1], entry[2] = mention, offset
            if mention.is_descriptive and not mention.role and id(mention) not in compared:
                entry = self._described.setdefault(mention.text.lower(), [0, len(self._described), mention, offset])
                entry[0] += 1
                entry[2], entry[3] = mention, offset
            if (mention.is_dopant or mention.is_weak and not _studied_code_name(mention)
                    or id(mention) in compared or mention.role in _NOT_STUDIED):
                continue
            key = mention.formula or mention.text.lower()
            entry = self._seen.setdefault(key, [0, len(self._seen), mention, offset])
            entry[0] += 1
            entry[2], entry[3] = mention, offset
            if first and not mention.role:
                self._subject, first = (mention, offset), False
            for variable in set(_COMPOSITION_VARIABLE.findall(mention.formula or "")):
                self._with_variable[variable] = (mention, offset)
            if not mention.role and _COMPOSITE_NAME.search(mention.text):
                self._composite = (mention, offset)

    def latest_composite(self) -> tuple[MaterialMention, int] | None:
        """The latest composite named ('SPEEK/BPO4', 'Ni12P5@C', 'PEDOT:PSS', 'TiO2-C composite'): what
        'the composite' and 'the hybrid' point back to."""
        return self._composite

    def latest_with_variable(self, variable: str) -> tuple[MaterialMention, int] | None:
        """The latest formula with `variable` for an amount ('SrCo1−xNbxO3−δ'): what 'these compositions
        (x = 0.10 and 0.15)' or 'for x = 0.2' in a sentence naming no material points back to."""
        return self._with_variable.get(variable)

    def previous_subjects(self) -> tuple[list[MaterialMention], int] | None:
        """The list of materials the latest sentence that named one opened with ('A and B ...')."""
        return self._subject_run

    def previous_subject(self) -> tuple[MaterialMention, int] | None:
        """The first material of the latest sentence that named one: what 'Its capacity ...' or 'The
        composite shows ...' at the start of the next sentence most often points back to."""
        return self._subject

    def main(self) -> tuple[MaterialMention, int] | None:
        if not self._seen:
            # a paper that names its material only by an acronym it does not define here ('superconductivity
            # in TDBG ... Tc onset at 12 K'): the acronym it names most often, from the second mention on
            ranked = sorted(self._acronyms.values(), key=lambda e: -e[0])
            if ranked and ranked[0][0] >= ACRONYM_MAIN_MIN and (len(ranked) == 1 or ranked[1][0] < ranked[0][0]):
                return ranked[0][1], ranked[0][2]
            # ('Bipolar nickel-cadmium batteries were designed ... Energy densities of 165 J/kg were demonstrated'):
            # a paper that names no compound is about the material it names in words most often, the earliest first
            if self._described:
                _, _, mention, offset = max(self._described.values(), key=lambda e: (e[0], -e[1]))
                return mention, offset
            return None
        entries = list(self._seen.values())
        # a composite is mentioned whenever one of its components is ('PBMA-g-PDMS latexes ... the PDMS
        # content ... PDMS was linked to the PBMA backbone'): a paper naming the blend, graft or
        # composite and its parts is about the whole
        named: dict[str, int] = {}
        for count, _, mention, _ in entries:
            name = mention.text.strip().lower()
            named[name] = named.get(name, 0) + count
        credit = [e[0] + sum(named.get(p, 0) for p in _component_names(e[2].text)) for e in entries]

        def rank(i: int) -> tuple:
            mention = entries[i][2]
            # a compound (or a code name) before a lone element; then how often; then, between names of one system
            # mentioned as often, the one with amounts ('Fe82−xCoxMn4Zr8Nb2B4', not 'FeCoMnZrNbB'); then the earliest
            return (len(mention.elements) > 1 or _studied_code_name(mention), credit[i],
                    any(ch.isdigit() for ch in mention.text), len(mention.elements), -entries[i][1])

        best = max(range(len(entries)), key=rank)
        _, _, mention, offset = entries[best]
        return mention, offset


# what separates a composite's, blend's or graft copolymer's parts: 'SiO2/LDPE', 'Ni12P5@C', 'PEDOT:PSS',
# 'PBMA-g-PDMS', 'PS-b-PMMA', 'PMMA + PEO'
_PARTS = re.compile(r"\s?[/@:+]\s?|-(?:g|b|co|graft|block|alt|ran|r)-|\s", re.I)


@functools.lru_cache(maxsize=4096)
def _component_names(whole: str) -> frozenset[str]:
    """The lower-cased names of the parts of the composite named `whole` ('pbma', 'pdms' of 'PBMA-g-PDMS
    latexes'), empty when it names none; a cell ('LiCoO2//graphite') is not a composite of its electrodes."""
    if "//" in whole or not _COMPOSITE_NAME.search(whole) and not _PARTS.search(whole.strip()):
        return frozenset()
    parts = {p for p in _PARTS.split(whole.lower()) if p}
    return frozenset(parts - {whole.strip().lower()}) if len(parts) > 1 else frozenset()


__all__ = ["MaterialMention", "StudiedMaterials", "acronym_definitions", "is_class_word", "not_a_material_token", "find_abbreviations", "find_material_mentions",
           "formula_and_elements"]
