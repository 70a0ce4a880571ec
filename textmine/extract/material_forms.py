"""Material mentions widened to the name the text gives, and the roles that make a mention no subject.

`find_material_mentions` (textmine.extract.materials) finds formulas, names and code names one
token at a time; papers name many materials with more than one token:

- a phase, polymorph or polytype label before it: `alpha-Fe2O3`, `gamma-graphyne`, `2H-MoS2`;
- a dopant before it or after a colon: `Al-doped ZnO`, `Fe,N-codoped TiO2`, `ZnO:Al`, `Y2O3:Eu`
  (the formula stays the host's, the elements take the dopant in);
- a blend of code names: `P2: PC71BM`, `PTB7-Th:PC71BM` (no formula);
- a mineral or polymorph name before its formula: `anatase TiO2`;
- a class noun after a formula: `Fe-Ni alloy`, `MAPbI3 perovskite`, `Fe40Ni40B20 metallic glass`.

`widen` merges such runs into one mention whose text is what is written. `assign_roles` marks mentions the sentence gives
another part than the studied material: a substrate (`grown on SiC`, `SiO2 substrates`), an
electrolyte or electrode named as such (`with LSGM as electrolyte`), or a reference (`vs.
Ag/AgCl`). Such a mention is linked only when a value is given for it by name ('the band gap of
the SiC substrate is 3.3 eV'), never as the subject of a sentence about something else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textmine.chemistry.elements import ELEMENT_NAME_SET, NONMETALS, SYMBOL_OF_NAME, element_symbols
from textmine.chemistry.find import PHASE_PREFIX

if TYPE_CHECKING:  # pragma: no cover
    from textmine.extract.materials import MaterialMention

# 'gamma-' before 'graphyne', '2H-' before a name (formulas take their prefix in chemistry.find)
_PREFIX_BEFORE = re.compile(rf"(?<![\w'′’\-])({PHASE_PREFIX})[-‐–]$")
_CLASS_NOUN_AFTER = re.compile(
    r"[ -](?:(?:high|medium)[- ]entropy |metallic |bulk |amorphous |nanocrystalline )?"
    r"(?:alloys?|superalloys?|perovskites?|composites?|nanocomposites?|glass(?:es)?|spinels?|garnets?|ferrites?|"
    r"solid solutions?|intermetallics?|cermets?)(?![\w-])"
)
# 'TiO2 nanofibers', 'PI films', 'ZnO thin films': the form a material is studied in is part of its name
# (the formula stays the material's, so its identity does not change)
FORM_NOUN_AFTER = re.compile(
    r" (?:(?:thin|ultrathin|epitaxial|single[- ]crystal(?:line)?|polycrystalline|porous|hollow) )?"
    r"(?:nano-?(?:fib(?:er|re)s?|particles?|rods?|wires?|sheets?|tubes?|cages?|crystals?|belts?|plates?|flakes?|"
    r"spheres?|cubes?|structures?)|micro-?(?:spheres?|rods?|particles?)|films?|ceramics?|powders?|fib(?:er|re)s?|"
    r"membranes?|single crystals?|crystals?|quantum dots|aerogels?|foams?|phosphors?|(?:photo|electro)?catalysts?)(?![\w-])"
)
# ':N', ':Ag2+', ':Eu,Dy', ':Er3+/Yb3+' right after a host formula: the dopants of a doped material
# (with its amount: 'Li2CaSiO4:0.03Eu2+ / Eu3+')
_DOPANT_ION = r"(?:\d*\.?\d+)?[A-Z][a-z]?(?:\d?[+]{1,2}|\d[+])?"
_COLON_DOPANTS = re.compile(rf":{_DOPANT_ION}(?:\s?[,/]\s?{_DOPANT_ION}){{0,3}}(?![\w-])")
_MORE_DOPANTS = re.compile(rf"(?:\s?[,/]\s?{_DOPANT_ION}){{1,3}}(?![\w-])")
_NANO_FORM_AFTER = re.compile(
    r" (?:(?:hollow|porous|hierarchical|mesoporous) )?(?:nano(?:fib(?:er|re)s?|rods?|wires?|sheets?|tubes?|cages?|belts?|"
    r"plates?|flakes?|spheres?|cubes?|structures?|foams?)|quantum dots|aerogels?|foams?)(?![\w-])")
_FORM_NOUN_AT_END = re.compile(FORM_NOUN_AFTER.pattern + r"\s*$")


def without_form(name: str) -> str:
    """'TiO2 nanofibers' -> 'TiO2', 'gallium oxide thin films' -> 'gallium oxide': the material a name
    gives, without the form it was studied in."""
    return _FORM_NOUN_AT_END.sub("", name)


# 'MoO2-modified TiO2', 'CeO2-coated LiNi0.8Co0.1Mn0.1O2', 'Pt-decorated ZnO', 'PVP capped CuO': one composite material
_COMPOSITE_BETWEEN = re.compile(
    r"[-‐–\s](?:modified|coated|decorated|loaded|functionali[sz]ed|wrapped|encapsulated|anchored|embedded|capped)\s"
)
# 'Fe,N-codoped TiO2', 'N–Fe codoped TiO2', 'Mn-doped GaAs': element symbols before 'doped' and the host
_DOPANT_PREFIX = re.compile(
    r"(?<![\w\-])((?:[A-Z][a-z]?\s?(?:,|/|[-–‐]|and)\s?){0,3}[A-Z][a-z]?)[-‐–]?\s?(?:co-?|tri-?|dual-?)?doped\s$"
)
# ('Pr3+ - doped NaGdTiO4': PDF text sets the hyphen apart)
_DOPED_BETWEEN = re.compile(r"(?:\s?[-‐–])?\s?(?:co-?|tri-?|dual-?)?doped\s")
# what follows a dopant that names samples by it: 'Bi-doped samples', 'Bi-doped and Sb-doped films'
_SAMPLE_NOUN = r"(?:samples?|specimens?|films?|crystals?|ceramics?|powders?|nanoparticles?|nanocrystals?|thin films?)\b"
_DOPED_SAMPLE = re.compile(
    rf"([-‐–]?\s?(?:co-?)?doped)(?=\s{_SAMPLE_NOUN}|\s(?:and|or)\s(?:[A-Z][a-z]?[-‐–]?\s?(?:co-?)?doped\s){_SAMPLE_NOUN}"
    rf"|,\s(?:[A-Z][a-z]?[-‐–]?(?:co-?)?doped,?\s(?:and\s)?)+{_SAMPLE_NOUN})")
_DOPANT_JOIN = re.compile(r"\s?(?:,|/|[-–‐]|,?\s?and)\s?")
_COLON = re.compile(r":\s?")
# the other parts of a slash composite, each opening with a capital ('/SiO2', '/PEIc', '/MSO/SiO_{2}'),
# not a unit's denominator ('mAh/g') or a ratio ('1/3')
_SLASH_PARTS = re.compile(r"(?:/(?:[A-Z]|[a-z][A-Z]{2})[A-Za-z0-9_{}()\[\]·.]*(?<![.]))+")
_BLEND_RATIO = re.compile(r"\s?\(\s?\d+(?:\.\d+)?\s?:\s?\d")
# a sample label before a blend colon: 'P2: PC71BM', 'PTB7-Th:PC71BM'
_LABEL_BEFORE = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9\-]{0,14})\s?:\s?$")

_DEVICE_SUBSTRATES = frozenset("FTO ITO AZO IZO glass Glass PET PEN quartz".split())
_STACK_AFTER = re.compile(r"(?:/[^\s/]+){2,}")
_SUBSTRATE_AFTER = re.compile(r"[\s-](?:single[- ]crystal(?:line)?\s)?(?:substrates?|wafers?)\b", re.I)
_SUBSTRATE_BEFORE = re.compile(
    r"\b(?:grown|deposited|sputtered|coated|spin-coated|prepared|fabricated|supported|transferred|epitaxial|"
    r"epitaxially|evaporated|formed|placed|synthesized|synthesised)\s(?:\w+\s){0,2}(?:on|onto|upon|over)\s"
    r"(?:a\s|an\s|the\s|bare\s|(?:\(\d+\)|\d{3})[-\s]?(?:oriented\s)?)*$",
    re.I,
)
_ROLE_AFTER = re.compile(
    r"\s?(?:\([^()]{1,20}\)\s?)?(?:(?:is|was|were|are|being)\s)?(?:(?:used|employed|utili[sz]ed|applied|added)\s)?"
    r"as\s(?:the\s|an?\s)?(?:solid\s)?(?:electrolytes?|anodes?|counter[- ]electrodes?|"
    r"reference(?:\selectrodes?)?|substrates?|current collectors?|separators?|binders?|solvents?|internal standards?|"
    r"standards?|templates?|sacrificial agents?|(?:electron\s)?acceptors?|additives?|fillers?|plastici[sz]ers?|"
    r"cross-?linkers?|cross-?linking agents?)\b",
    re.I,
)
_ROLE_WORD = {"electrolyte": "electrolyte", "anode": "electrode", "counter": "electrode", "reference": "reference",
              "substrate": "substrate"}
# 'PTB7 blended with PC71BM': the partner of a blend named after 'blended with' is not the material studied
_BLEND_PARTNER_BEFORE = re.compile(r"\b(?:blended|mixed)\swith\s(?:the\s|an?\s)?$", re.I)
_REFERENCE_BEFORE = re.compile(r"\b(?:vs\.?|versus|against|relative to|referenced to|with respect to)\s?\(?$", re.I)
# 'rejected 2000 mg/L NaCl solution', 'the flux of Na2SO4 aqueous solution': the test medium, not the material
SOLUTION_AFTER = re.compile(r"\s(?:aqueous\s|salt\s|feed\s)?(?:solutions?|brine)\b", re.I)
# 'an aprotic polar solvent, 1,3-dimethyl-2-imidazolidinone', 'the initiator AIBN': named for its part in a synthesis
_AUXILIARY_BEFORE = re.compile(
    r"\b(?:solvents?|co-?solvents?|additives?|surfactants?|initiators?|plastici[sz]ers?|cross-?linkers?|"
    r"cross-?linking agents?|binders?|templates?|catalysts? precursors?)\s?,?\s(?:such as\s|namely\s|of\s)?$", re.I)
# 'corresponding to 1.31 Na+ insertion per Na2MnSiO4 molecule': a unit of normalisation; 'the membrane without
# PDMS (70 mAh/g)': a material absent from what the value is about
_ABSENT_OR_PER_BEFORE = re.compile(r"\b(?:per\s(?:(?:formula\sunit|mole?|gram|unit\scell|atom)\sof\s)?|without\s(?:the\s|any\s)?)$", re.I)
# 'CO2 and O2 permeability', 'the H2 uptake', 'CO2/N2 selectivity': the gas a membrane or sorbent is tested with
_GASES = frozenset("H2 D2 He Ne Ar Kr Xe N2 O2 O3 CO CO2 CH4 C2H4 C2H6 C3H6 C3H8 NH3 H2S SO2 NO NO2 N2O H2O SF6".split())
_PENETRANT_AFTER = re.compile(r"\s?(?:(?:,|and|or|/)\s?[A-Z][A-Za-z0-9_{}]{0,8}\s?)*(?:gas\s)?"
                              r"(?:permeabilit|permeance|permeation|uptake|adsorption|sorption|selectivit|diffusivit|conversion|"
                              r"solubilit|transport)", re.I)
# element symbols that are English words at a sentence's start ('As on TiO2, ...', 'In on-chip ...')
_WORD_SYMBOLS = frozenset("As In Be At He No I Am Is".split())
# 'the conversion of ethane into ethylene', 'hydrogenation of citral', 'selectivity to propylene': the molecules a
# catalyst acts on, not the catalyst
_REACTANT_BEFORE = re.compile(
    r"\b(?:(?:conversion|hydrogenation|dehydrogenation|hydrodeoxygenation|hydrodesulfuri[sz]ation|hydrolysis)\sof\s"
    r"(?:the\s)?(?:[\w-]+\s(?:in)?to\s)?|selectivit(?:y|ies)\s(?:to|towards?|for)\s(?:the\s)?)$", re.I)
# 'catalysts on alumina', 'Pt on active carbon': a catalyst named by the support it is dispersed on
_SUPPORT_BEFORE = re.compile(r"\b(?:(catalysts?)|([A-Z][a-z]?|gold|platinum|palladium|silver|nickel|copper|ruthenium|"
                             r"rhodium))\son\s(?:(?:active|activated)\s)?$")
# 'deposited using SiH4, CO2, B2H6 and H2 gases', 'TiCl4 and NH3 precursors': what a material was made from
# (not a gas sensor's material: 'ZnO gas sensors'; the noun ends the phrase)
_PRECURSOR_AFTER = re.compile(r"\s?(?:(?:,|and|or|/)\s?[A-Z][A-Za-z0-9_{}]{0,10}\s?)*\s?(?i:source\s|reactant\s)?"
                              r"(?i:gases|gas|gas mixtures?|precursors?)"
                              r"(?=\s?[,.;:)]|\s?$|\s(?:and|as|were|was|are|is|in|at|for|with|to|under|by|from|into)\b)")
_GATE_DIELECTRIC_AFTER = re.compile(r"\s(?:gate\s(?:dielectrics?|insulators?|oxides?)|dielectric\slayers?)\b", re.I)
_SOLUTION_BEFORE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:M|mM|mol\s?L[-−]1|mol/L)\s$")
_ATMOSPHERE_BEFORE = re.compile(r"\b(?:under|in|flowing|with)\s(?:an?\s|the\s)?(?:flowing\s|pure\s|dry\s|humid\s|mixed\s|reducing\s)?$",
                                re.I)
_TOOL_AFTER = re.compile(r"[\s-](?:molds?|moulds?|crucibles?|boats?|dies|ampoules?|ampules?|autoclaves?|"
                         r"counterbod(?:y|ies)|counterfaces?)\b", re.I)
_COUNTERBODY_BEFORE = re.compile(r"\b(?:tested|studied|measured|slid|sliding|rubbed|run|worn)\sagainst\s"
                                 r"(?:[\w-]+\s){0,3}(?:[\w-]+,\s(?:and\s|or\s)?(?:[\w-]+\s){0,2}){0,4}(?:and\s|or\s)?$", re.I)
_PRODUCT_AFTER = re.compile(r"\s?(?:yield|production|evolution|generation|formation|(?:electro)?synthesis|oxidations?|"
                            r"reductions?|conversions?|hydrogenation|reforming|dissociation|disproportionation|"
                            r"methanation|splitting)\b", re.I)
# ('bare, citrate capped and PEG capped ZnS': one of a list of treatments of the material after them)
_TREATMENT_LIST_BEFORE = re.compile(r"\b(?:bare|uncapped|uncoated|unmodified|pristine|capped|coated|modified|"
                                    r"stabili[sz]ed|functionali[sz]ed)\s?(?:,|,?\sand|,?\sor)\s$", re.I)
# 'bare, PVP capped and TPPO capped CuO': a capping or coating agent named before the material it covers
# (not 'TiO2 coated with carbon': there TiO2 is the material)
_AGENT_AFTER = re.compile(r"[-‐–\s](?:capped|coated|stabili[sz]ed|functionali[sz]ed|passivated|protected)\s"
                          r"(?!(?:with|by|on|onto|in|using|via|through|for|at)\b)", re.I)


class _Span:
    """An end of a merged mention that is no mention itself: `_Span(start=...)` or `_Span(end=...)`."""

    def __init__(self, start: int = 0, end: int = 0) -> None:
        self.start, self.end = start, end


def _merged(first: "MaterialMention | _Span", last: "MaterialMention | _Span", sentence: str, formula: str | None,
            elements: list[str], base: "MaterialMention") -> "MaterialMention":
    from textmine.extract.materials import MaterialMention

    return MaterialMention(first.start, last.end, sentence[first.start : last.end], formula, elements, base.confidence,
                           is_weak=base.is_weak, is_code_name=base.is_code_name, source=base.source)


def widen(sentence: str, mentions: list["MaterialMention"]) -> list["MaterialMention"]:
    """Mentions (sorted by start) merged into the names the text gives; see the module docstring."""
    if not mentions:
        return mentions
    out: list[MaterialMention] = []
    i = 0
    while i < len(mentions):
        m = mentions[i]
        # 'the catalysts on alumina', 'Pt on activated carbon': a catalyst named by its support is one material
        support = None if m.is_dopant or m.role else _SUPPORT_BEFORE.search(sentence, max(0, m.start - 40), m.start)
        catalyst, metal = support.groups() if support else (None, None)
        symbol = metal if metal in element_symbols() and metal not in _WORD_SYMBOLS else None
        if catalyst or symbol or metal and metal.islower():
            start = support.start()
            while out and out[-1].end > start:  # the metal found as a mention of its own
                out.pop()
            named = _merged(_Span(start), m, sentence, None, sorted({*m.elements, *([symbol] if symbol else [])}), m)
            named.is_weak = False
            out.append(named)
            i += 1
            continue
        # 'Al-doped ZnO', 'Fe,N-codoped TiO2': the dopant run and its host are one material
        if m.is_dopant:
            j = i
            while j + 1 < len(mentions) and mentions[j + 1].is_dopant and _DOPANT_JOIN.fullmatch(
                    sentence[mentions[j].end : mentions[j + 1].start]):
                j += 1
            if (j + 1 < len(mentions) and not mentions[j + 1].is_dopant
                    and _DOPED_BETWEEN.fullmatch(sentence[mentions[j].end : mentions[j + 1].start])):
                host = mentions[j + 1]
                dopants = mentions[i : j + 1]
                elements = sorted({*host.elements, *(e for d in dopants for e in d.elements)})
                out.append(_merged(m, host, sentence, host.formula, elements, host))
                i = j + 2
                continue
            # 'Bi-doped and Sb-doped samples', 'the Mn-doped films': samples named by their dopant alone
            sample = _DOPED_SAMPLE.match(sentence, mentions[j].end)
            if sample:
                # (as weak a name as a lone element: what the sample is comes from the paper)
                named = _merged(m, _Span(end=sample.end(1)), sentence, None,
                                sorted({e for d in mentions[i : j + 1] for e in d.elements}), m)
                named.is_dopant, named.is_weak = False, True
                out.append(named)
                i = j + 1
                continue
        prefix = None if m.is_dopant or m.role else _DOPANT_PREFIX.search(sentence, max(0, m.start - 30), m.start)
        if prefix and all(symbol in element_symbols() for symbol in re.findall(r"[A-Z][a-z]?", prefix.group(1))):
            symbols = re.findall(r"[A-Z][a-z]?", prefix.group(1))
            start = prefix.start(1)
            while out and out[-1].end > start:  # the dopants found as mentions of their own
                out.pop()
            first = _Span(start)
            out.append(_merged(first, m, sentence, m.formula, sorted({*m.elements, *symbols}), m))
            i += 1
            continue
        # 'PCL/SiO2 membrane', 'SPEEK/BPO4', 'PAN/PEIc': a composite written with slashes is one material
        parts = None if m.is_dopant or m.role else _SLASH_PARTS.match(sentence, m.end)
        if parts:
            end = parts.end()
            inside = [n for n in mentions[i + 1 :] if n.start < end]
            end = max([end, *(n.end for n in inside)])
            elements = sorted({*m.elements, *(e for n in inside for e in n.elements)})
            composite = _merged(m, _Span(end=end), sentence, None, elements, m)
            # a composite named by its parts is a material even when its first part alone would be a
            # weak subject ('PA6/mSEBS blends', 'Sb/C'); an acronym role does not carry over
            composite.is_weak = False
            out.append(composite)
            i += 1 + len(inside)
            continue
        # 'ZnO:Al', 'P2: PC71BM'
        if i + 1 < len(mentions) and _COLON.fullmatch(sentence[m.end : mentions[i + 1].start]) and not m.is_dopant:
            guest = mentions[i + 1]
            no_space = m.end == guest.start - 1
            ion = guest.is_dopant or guest.text.endswith(("+", "-", "−"))
            # 'PDTNBT: PC71BM (1: 2, w/w)': a blend written with its mixing ratio is one material
            ratio = _BLEND_RATIO.match(sentence, guest.end)
            if no_space and not ion or m.is_code_name and guest.is_code_name or ratio and not ion:
                elements = sorted({*m.elements, *guest.elements})
                # a host with a dopant keeps the host's formula ('ZnO:Al' is ZnO); a blend of two
                # code names has none ('P2: PC71BM')
                formula = m.formula if m.formula and len(guest.elements) <= 1 else None
                out.append(_merged(m, guest, sentence, formula, elements, m))
                i += 2
                continue
        # 'MoO2-modified TiO2 nanofibers': a composite named for its modifier and its host
        if (i + 1 < len(mentions) and not m.role and not m.is_dopant
                and _COMPOSITE_BETWEEN.fullmatch(sentence[m.end : mentions[i + 1].start])
                and not _TREATMENT_LIST_BEFORE.search(sentence, max(0, m.start - 40), m.start)):
            host = mentions[i + 1]
            out.append(_merged(m, host, sentence, None, sorted({*m.elements, *host.elements}), host))
            i += 2
            continue
        # 'anatase TiO2', 'rutile TiO2': a mineral or polymorph name before its own formula is one mention
        if (i + 1 < len(mentions) and m.formula and mentions[i + 1].formula == m.formula and not m.is_dopant
                and re.fullmatch(r"[A-Za-z][a-z]{3,}", m.text) and sentence[m.end : mentions[i + 1].start] == " "):
            nxt = mentions[i + 1]
            out.append(_merged(m, nxt, sentence, nxt.formula, list(nxt.elements), nxt))
            i += 2
            continue
        out.append(m)
        i += 1
    for index, m in enumerate(out):
        floor = out[index - 1].end if index else 0
        # ('PBDSe-DTBT: PC71BM', 'copolymer 7: PC71BM': a polymer named before a fullerene acceptor's blend colon is
        # the blend's donor)
        if index and _FULLERENE_ACCEPTOR.fullmatch(m.text) and re.fullmatch(r"\s?:\s?", sentence[floor : m.start]) \
                and not out[index - 1].is_dopant:
            from textmine.extract.materials import MaterialMention

            donor = out[index - 1]
            out[index] = MaterialMention(donor.start, m.end, sentence[donor.start : m.end], None,
                                         sorted({*donor.elements, *m.elements}), m.confidence, is_code_name=True,
                                         source=m.source)
            _extend(sentence, out[index])
            continue
        out[index] = _with_label(sentence, m, floor)
        _extend(sentence, out[index])
    # a mention an extended one now covers ('Ag2+' of 'CaF2:Ag2+') is part of it
    return [m for m in out if not any(o is not m and o.start <= m.start and m.end <= o.end for o in out)]


def _with_label(sentence: str, m: "MaterialMention", floor: int) -> "MaterialMention":
    """'P2: PC71BM': a sample label before a blend colon belongs to the blend's name."""
    if not (m.is_code_name or m.formula):
        return m
    label = _LABEL_BEFORE.search(sentence, floor, m.start)
    if not label or re.search(r"[a-z]{3,}", label.group(1)) or not re.search(r"\d|[A-Z].*[A-Z]", label.group(1)):
        return m
    from textmine.extract.materials import MaterialMention

    start = label.start(1)
    return MaterialMention(start, m.end, sentence[start : m.end], None, list(m.elements), m.confidence,
                           is_weak=m.is_weak, is_code_name=True, source=m.source)


_METAL_DASH_RUN = re.compile(r"(?:[A-Z][a-z]?\s?[-–‐]\s?){1,3}[A-Z][a-z]?")
_ANION_AFTER = re.compile(r"\s((?:sulfide|sulphide|oxide|selenide|telluride|nitride|phosphide|carbide|fluoride|"
                          r"chloride|bromide|iodide|hydroxide|boride|arsenide)s?)(?![\w\-–‐])", re.I)
_ANION_ELEMENT = {"sul": "S", "oxi": "O", "sel": "Se", "tel": "Te", "nit": "N", "pho": "P", "car": "C", "flu": "F",
                  "chl": "Cl", "bro": "Br", "iod": "I", "hyd": "O", "bor": "B", "ars": "As"}
_NAMED_ALLOY_AFTER = re.compile(r"((?:\s?[-–‐]\s?[a-z]{3,}){1,3})\s(alloys?)\b")
_METAL_NAMES_BEFORE = re.compile(r"(?<![\w\-–‐])((?:[A-Za-z]{4,}[-–‐]){1,3})$")


_CODE_BEFORE_BRACKET = re.compile(r"(?<![\w\-(\[])([A-Z][A-Za-z0-9\-]*[A-Z0-9][A-Za-z0-9\-]*)[(\[]$")
_CLOSING = {"(": ")", "[": "]"}


def _extend(sentence: str, m: "MaterialMention") -> None:
    """A phase label before a name ('gamma-graphyne'), a dopant in host:dopant notation ('CaF2:Ag2+',
    'SrAl2O4:Eu,Dy') and a class noun after a formula ('Fe-Ni alloy')."""
    prefix = _PREFIX_BEFORE.search(sentence, max(0, m.start - 12), m.start)
    if prefix:
        m.start = prefix.start(1)
    # 'DCA3T(T-BDT)': a name in brackets glued to a code name before it is part of that name
    glued = _CODE_BEFORE_BRACKET.search(sentence, max(0, m.start - 16), m.start)
    if glued and sentence[m.end : m.end + 1] == _CLOSING[sentence[m.start - 1]] and not m.is_dopant:
        m.start, m.end, m.formula = glued.start(1), m.end + 1, None
    if m.formula and len(m.elements) > 1 and not m.is_dopant:
        guest = _COLON_DOPANTS.match(sentence, m.end)
        if guest is None and re.search(r":[A-Z][a-z]?\d?\+{0,2}$", sentence[m.start : m.end]):
            guest = _MORE_DOPANTS.match(sentence, m.end)  # 'SrAl2O4:Eu' merged already, ',Dy' to come
        symbols = re.findall(r"[A-Z][a-z]?", guest.group(0)) if guest else []
        if guest and all(symbol in element_symbols() for symbol in symbols):
            m.end, m.elements = guest.end(), sorted({*m.elements, *symbols})
    # 'the binary Zn–Cd sulfide', 'Cu–Zn oxide': metals written with a dash and the anion of the compound they form
    anion = _ANION_AFTER.match(sentence, m.end) if _METAL_DASH_RUN.fullmatch(m.text) and not m.is_dopant else None
    if anion and not any(e in NONMETALS for e in m.elements):
        m.end, m.formula = anion.end(), None
        m.elements = sorted({*m.elements, _ANION_ELEMENT[anion.group(1).lower()[:3]]})
    # 'silver–copper-oxides': a metal named with a dash before a compound named in words is part of its name
    metals = _METAL_NAMES_BEFORE.search(sentence, max(0, m.start - 40), m.start)
    first = re.split(r"[-–‐\s]", m.text)[0].lower()
    if (metals and not m.is_dopant and SYMBOL_OF_NAME.get(first, "H") not in NONMETALS
            and _ANION_AFTER.search(" " + m.text[len(first):].lstrip("-–‐ "))):
        names = [w.lower() for w in re.split(r"[-–‐]", metals.group(1)) if w]
        if names and all(n in SYMBOL_OF_NAME and SYMBOL_OF_NAME[n] not in NONMETALS for n in names):
            m.start, m.formula = metals.start(1), None
            m.elements = sorted({*m.elements, *(SYMBOL_OF_NAME[n] for n in names)})
    # 'silicon–oxygen alloy films', 'iron-nickel alloys': elements named in words, joined by dashes, before 'alloy'
    alloy = (_NAMED_ALLOY_AFTER.match(sentence, m.end) if m.is_weak and not m.role and not m.is_dopant
             and m.text.lower() in ELEMENT_NAME_SET else None)
    names = [w.lower() for w in re.split(r"[-–‐]", alloy.group(1)) if w] if alloy else []
    if names and all(n in SYMBOL_OF_NAME for n in names):
        m.end, m.is_weak, m.formula = alloy.end(), False, None
        m.elements = sorted({*m.elements, *(SYMBOL_OF_NAME[n] for n in names)})
    alloy_label = m.formula and len(m.elements) == 1 and any(ch.isdigit() for ch in m.text)  # 'Mo0.8 alloy'
    # (also a compound named in words: 'lead halide perovskite absorbers', 'methylammonium lead iodide perovskite')
    named = (not m.formula and not m.is_weak and not m.is_code_name and not m.role and not m.is_dopant
             and re.search(r"[a-z][\s\-–]", m.text) is not None)  # (also 'polycarbonate-graphene nanocomposite foams')
    if m.formula and (not m.is_weak or alloy_label) or named:
        noun = _CLASS_NOUN_AFTER.match(sentence, m.end)
        if noun and (not m.is_weak or "alloy" in noun.group(0)):
            m.end = noun.end()
    if (not m.is_weak or m.is_code_name and m.role != "acronym") and not m.role and not m.is_dopant:
        form = FORM_NOUN_AFTER.match(sentence, m.end)
        if form:
            m.end = form.end()
    elif m.is_weak and not m.role and not m.is_dopant and (
            m.text.lower() in ELEMENT_NAME_SET or m.formula and len(m.elements) == 1 and m.text in element_symbols()):
        # 'carbon nanocages', 'Bi nanowires': an element made in a nanostructure is the material
        nano = _NANO_FORM_AFTER.match(sentence, m.end)
        if nano:
            m.end, m.is_weak = nano.end(), False
    m.text = sentence[m.start : m.end]


# A structure type names a prototype, not the material studied: 'structure type Cu', '(CeGa2Al2
# structure type)', 'the CaCu5-type structure', 'isostructural with ThCr2Si2'.
_PROTOTYPE_BEFORE = re.compile(r"\b(?:structure[- ]type|prototype|isostructural (?:with|to)|isotypic (?:with|to))\s*$", re.I)
_PROTOTYPE_AFTER = re.compile(r"^(?:[-‐–]type\b|\s(?:structure[- ]type|type structure|prototype)\b)", re.I)
_STRUCTURE_AFTER = re.compile(r"\s(?:structures?|ordering)\b", re.I)


def _plain_formula(text: str) -> str:
    return re.sub(r"[_{}$\s]", "", text)


_SHORT_FORM_OPEN = re.compile(r"\s?\(\s?")
_SHORT_FORM_CLOSE = re.compile(r"\s?\)")


def is_short_form(sentence: str, long: "MaterialMention", short: "MaterialMention") -> bool:
    """Whether `short` stands in brackets right after `long` ('formamidinium lead iodide (FAPbI3)'): its
    short form, which plays the long form's part."""
    return (_SHORT_FORM_OPEN.fullmatch(sentence[long.end : short.start]) is not None
            and _SHORT_FORM_CLOSE.match(sentence, short.end) is not None)


def is_gas(text: str) -> bool:
    """Whether `text` is a small gas molecule's formula ('CO2', 'SO_{2}', 'N2')."""
    return _plain_formula(text) in _GASES


_FULLERENE_ACCEPTOR = re.compile(
    r"(?:\[\d{2}\])?PC\s?(?:60|61|70|71)\s?BM|PCBM|I?C\s?(?:60|70)\s?BA|ICBA|"
    r"\[6,6\][-‐\s]?phenyl[-‐\s]?C\s?(?:61|71)[-‐\s]?butyric acid(?: methyl ester)?")


def assign_roles(sentence: str, mentions: list["MaterialMention"]) -> None:
    """Mark substrates, electrolytes, electrodes and references named as such (`role`)."""
    for m in mentions:
        if m.is_dopant:
            continue
        before = sentence[max(0, m.start - 60) : m.start]
        after = sentence[m.end : m.end + 60]
        role = ""
        if (_SUBSTRATE_AFTER.match(after) or _SUBSTRATE_BEFORE.search(before)
                or m.text in _DEVICE_SUBSTRATES and _STACK_AFTER.match(after)):
            role = "substrate"  # (also the first layer of a device stack: 'FTO/c-TiO2/m-TiO2/CsPbBr3/...')
        elif _REFERENCE_BEFORE.search(before):
            role = "reference"
        elif (_PROTOTYPE_BEFORE.search(before) or _PROTOTYPE_AFTER.match(after)
              or (m.is_code_name or m.formula and not m.elements) and _STRUCTURE_AFTER.match(after)):
            role = "prototype"  # ('1.87 μB in the XA structure': a structure's label, not a material)
        elif _BLEND_PARTNER_BEFORE.search(before):
            role = "auxiliary"
        elif _SOLUTION_BEFORE.search(before):
            role = "electrolyte"
        elif m.formula and _plain_formula(m.text) in _GASES and _PENETRANT_AFTER.match(after):
            role = "auxiliary"  # ('CO2 and O2 permeability': the test gas, not the membrane)
        elif _REACTANT_BEFORE.search(before):
            role = "auxiliary"  # ('the conversion of ethane into ethylene ... selectivities of 90-97%')
        elif m.formula and _PRECURSOR_AFTER.match(after):
            role = "auxiliary"  # ('using SiH4, CO2, B2H6 and H2 gases': reagents, not the material made)
        elif _AGENT_AFTER.match(after) or _TOOL_AFTER.match(after) or _COUNTERBODY_BEFORE.search(before):
            role = "auxiliary"  # (also 'copper mold casting', 'an alumina crucible'; 'tested against steel, alumina')
        elif m.formula and _plain_formula(m.text) in _GASES and _PRODUCT_AFTER.match(after):
            role = "auxiliary"  # ('NH3 yield rate', 'H2 evolution', 'CO oxidation': the product or reactant, not the catalyst)
        elif (_ATMOSPHERE_BEFORE.search(before) and all(p in _GASES for p in re.split(r"\s?[-–/+:]\s?", _plain_formula(m.text)))
              and not re.match(r"\s?(?:gas\s)?(?:permeab|adsorp|uptake|sensing|sensor)", after, re.I)):
            role = "auxiliary"  # ('annealed under N2–H2', 'in flowing Ar/H2'): the atmosphere of a treatment
        elif _GATE_DIELECTRIC_AFTER.match(after):
            role = "auxiliary"  # ('the SiO2 gate dielectric': a device's part)
        elif SOLUTION_AFTER.match(after) or _AUXILIARY_BEFORE.search(before) or _ABSENT_OR_PER_BEFORE.search(before):
            role = "auxiliary"
        else:
            named = _ROLE_AFTER.match(after)
            if named:
                word = re.search(r"(electrolyte|anode|counter|reference|substrate)", named.group(0), re.I)
                role = _ROLE_WORD[word.group(1).lower()] if word else "auxiliary"
        if role:
            m.role = role
        elif m.formula and is_gas(m.text) and _plain_formula(m.text) != "H2O":
            # a lone gas molecule ('N2', 'CO2') is a value's material only where nothing else is named
            m.is_weak = True
    # 'the device fabricated from PBDTTs-fBT and PC71BM showed a PCE of 6.27%': a fullerene acceptor named on its own
    # is the blend partner of the polymer named with it (a value given for it by name is still its own)
    partners = [m for m in mentions if not m.is_dopant and not m.role and _FULLERENE_ACCEPTOR.fullmatch(m.text)]
    if partners and any(not m.is_dopant and not m.role and m not in partners for m in mentions):
        for m in partners:
            m.role = "partner"
    # 'La0.8Sr0.2Ga0.83Mg0.17O3−δ (LSGM) as electrolyte': the short form in brackets plays its long form's part
    for long, short in zip(mentions, mentions[1:]):
        if long.role and long.role != "acronym" and is_short_form(sentence, long, short):
            short.role = long.role
        # ('in the 6M NaOH + NaCl'): what is added to a solution is part of it
        elif long.role == "electrolyte" and not short.role and re.fullmatch(r"\s?\+\s?", sentence[long.end : short.start]):
            short.role = long.role


__all__ = ["SOLUTION_AFTER", "assign_roles", "is_gas", "is_short_form", "widen"]
