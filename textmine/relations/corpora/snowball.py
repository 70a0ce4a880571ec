"""Snowball sets (silver): band gaps (Dong & Cole) and Curie / Néel temperatures (Court & Cole).

Both are sentences, tokenised with spaces, with (compound, value, unit) tuples accepted during
semi-supervised Snowball training. Sentences are detokenised here; each tuple gives a material
(the compound), a value (raw value, plus its unit when the unit follows it) and a property cue,
linked by value_material and value_property, with `silver: true` and the set's family.

- Band gap (`Snowball_model/general_*`): the relations file gives token offsets of the compound,
  specifier, value and unit (and sometimes a temperature: a `condition` linked by condition_value)
  but not the sentence; a tuple belongs to the cluster sentence whose tokens at those offsets
  read the same. The `Special_*` files are left out: their tuples are changes and bounds
  ('reduced by 0.23 eV', 'larger than 3.9 eV'), which are not band gaps of the compound.
- Curie / Néel: the relations file lists each tuple with the sentence fragments it came from,
  the entities masked (`<CEM1> ( <SPECIFIER1> = <VALUE1> <UNIT1> )`); unmasking finds the
  fragment in the sentences file (exact, then ignoring spaces) and the entity positions.

The property cue is the ontology cue (`load_ontology().find_cues`) of the set's family that
overlaps the Snowball specifier; with no specifier, the family cue nearest the value; the
specifier itself when the ontology does not know it. A tuple whose unit does not fit the family
(Snowball noise such as '300 K' as a band gap) is left out. 20 % of the sentences, chosen by hash
of the sentence, form the `dev` split (`units.dev_by_hash`); the rest are `train`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from textmine.relations.corpora.schema import Unit
from textmine.relations.corpora.units import Draft, Tally, detokenise, dev_by_hash, require

TokenSpan = tuple[int, int]


@dataclass
class _Tuple:
    compound: TokenSpan | None
    value: TokenSpan
    unit: TokenSpan | None = None
    specifier: TokenSpan | None = None
    condition: TokenSpan | None = None  # a temperature the value was measured at


@dataclass
class _Sentence:
    tokens: list[str]
    tuples: list[_Tuple] = field(default_factory=list)


# --- band gap ---------------------------------------------------------------------------------

BANDGAP = "bandgap_snowball"
_ELEMENT = re.compile(r"\((.+?),(\w+__\w+),(\d+),(\d+)\)")


def load_bandgap(data_root: Path, tally: Tally) -> Iterator[Unit]:
    folder = require(data_root / "gold" / BANDGAP / "Snowball_model")
    clusters = require(folder / "general_clusters.txt")
    sentences = _cluster_sentences(clusters)
    for line in require(folder / "general_relations.txt").read_text(encoding="utf-8").splitlines():
        elements = _ELEMENT.findall(line)
        if not elements:
            continue
        matches = [s for s in sentences if all(_squash(" ".join(s.tokens[int(a):int(b)])) == _squash(text)
                                               for text, _, a, b in elements)]
        if not matches:
            tally.lose("tuple whose token offsets fit no cluster sentence", 2)
            continue
        tally.note("tuples found in more than one sentence", int(len(matches) > 1))
        spans = {role: (int(a), int(b)) for _, role, a, b in elements}
        value = spans.get("bandgap__raw_value")
        if value is None:
            tally.lose("tuple without a value", 2)
            continue
        condition = spans.get("temperature__raw_value")
        if condition is not None and "temperature__raw_units" in spans:
            condition = _with_unit(condition, spans["temperature__raw_units"], matches[0].tokens)
        found = _Tuple(spans.get("compound__names"), value, spans.get("bandgap__raw_units"),
                       spans.get("bandgap__specifier"), condition)
        for sentence in matches:
            if found not in sentence.tuples:
                sentence.tuples.append(found)
    special = require(folder / "Special_clusters.txt")
    tally.drop("Special set sentences: changes and bounds, not band gaps (left out)", len(_cluster_sentences(special)))
    yield from _units(BANDGAP, "general", str(clusters.relative_to(data_root)), sentences, "band_gap", tally)


def _cluster_sentences(path: Path) -> list[_Sentence]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("\t")]
    return [_Sentence(line.split()) for line in dict.fromkeys(lines)]


# --- Curie / Néel -----------------------------------------------------------------------------

CURIE_NEEL = "curie_neel_snowball"
CURIE_NEEL_FILES = {"curie": ("curie_urie_temperatures.pkl", "curie_temperature"),
                    "neel": ("neel_eel_temperatures.pkl", "neel_temperature")}
_TUPLE = re.compile(r"^\((.*), (.*?), (.*?), ([\d.]+)\)$")
_PLACEHOLDER = re.compile(r"<([A-Z]+)(\d+)>")


def load_curie_neel(data_root: Path, tally: Tally) -> Iterator[Unit]:
    folder = require(data_root / "gold" / CURIE_NEEL)
    for doc, (stem, family) in CURIE_NEEL_FILES.items():
        path = require(folder / f"{stem}sentences.txt")
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        sentences = [_Sentence(line.split()) for line in dict.fromkeys(" ".join(line.split()) for line in lines)]
        joined = [" ".join(s.tokens) for s in sentences]
        squashed = [_squash(text) for text in joined]
        for compound, value, unit, fragments in _fragment_tuples(require(folder / f"{stem}relations.txt")):
            found = 0
            # only sentences that hold the compound and the value can hold the fragment
            candidates = [k for k, text in enumerate(squashed) if _squash(compound) in text and _squash(value) in text]
            for fragment in fragments:
                hits = []
                for pattern in _fragment_patterns(fragment, compound, value, unit) if candidates else ():
                    hits = [(k, m) for k in candidates if (m := pattern.search(joined[k]))]
                    if hits:
                        break
                for k, match in hits:
                    tuple_ = _tuple_from_match(match, joined[k])
                    found += 1
                    if tuple_ not in sentences[k].tuples:
                        sentences[k].tuples.append(tuple_)
            if not found:
                tally.lose("tuple whose fragments are not in the sentences file", 2)
        yield from _units(CURIE_NEEL, doc, str(path.relative_to(data_root)), sentences, family, tally)


def _fragment_tuples(path: Path) -> Iterator[tuple[str, str, str, list[str]]]:
    current: tuple[str, str, str, list[str]] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _TUPLE.match(line.strip())
        if match:
            if current:
                yield current
            compound, value, unit, _confidence = match.groups()
            current = (compound, value, unit, [])
        elif line.strip() and current:
            current[3].append(" ".join(line.split()))
    if current:
        yield current


def _fragment_patterns(fragment: str, compound: str, value: str, unit: str) -> Iterator[re.Pattern[str]]:
    """Regexes for the unmasked fragment: exact first, then ignoring spaces.

    The tuple is one of the masked entities: `<CEM2> ... <VALUE2>` when it is the second tuple of
    the sentence, or a slot masked twice ('122 K and <VALUE1> <UNIT1> . ... of <VALUE1> <UNIT1>').
    Each choice of places is tried in turn, tightest first; the literal compound and value rule
    out wrong ones.
    """
    tokens = fragment.split(" ")
    places: dict[str, list[tuple[str, int]]] = {}  # kind -> (number, token position)
    for i, token in enumerate(tokens):
        placeholder = _PLACEHOLDER.fullmatch(token)
        if placeholder:
            places.setdefault(placeholder.group(1), []).append((placeholder.group(2), i))
    choices: list[set[int]] = []
    for number in dict.fromkeys(n for n, _ in places.get("VALUE", [])):
        # the compound and value of one tuple share a number; a unit or specifier may be shared
        value_places = [i for n, i in places["VALUE"] if n == number][:4]
        compound_places = [i for n, i in places.get("CEM", []) if n == number][:4]
        unit_places = [i for n, i in places.get("UNIT", []) if n in (number, "1")][:4] or [None]
        specifier_places = [i for _, i in places.get("SPECIFIER", [])][:4] or [None]
        picks = itertools.product(value_places, compound_places, unit_places, specifier_places)
        # the tightest choice first: a unit right after its value, the specifier next to it
        for pick in sorted(picks, key=lambda pick: sum(abs(i - pick[0]) for i in pick if i is not None)):
            choices.append({i for i in pick if i is not None})
    for strict in (True, False):
        for chosen in choices:
            yield _fragment_pattern(tokens, compound, value, unit, strict, chosen)


def _fragment_pattern(tokens: list[str], compound: str, value: str, unit: str, strict: bool,
                      chosen: set[int]) -> re.Pattern[str]:
    literal = re.escape if strict else _spaceless
    fill = {"CEM": ("compound", literal(compound)), "VALUE": ("value", literal(value)),
            "UNIT": ("unit", f"(?i:{literal(unit)})"), "SPECIFIER": ("specifier", r"\S+(?: \S+){0,4}?")}
    parts = []
    for i, token in enumerate(tokens):
        placeholder = _PLACEHOLDER.fullmatch(token)
        if placeholder is None:
            parts.append(literal(token))
        elif i in chosen and placeholder.group(1) in fill:
            name, body = fill[placeholder.group(1)]
            parts.append(f"(?P<{name}>{body})")
        else:  # another tuple's entity, or the slot at a place where it is another value
            parts.append(r"\S+(?: \S+){0,5}?")
    return re.compile(r"(?<!\S)" + " ".join(parts) + r"(?!\S)")


def _spaceless(text: str) -> str:
    """A pattern for `text` that ignores where the spaces are ('La0.7 Sr0.3MnO3' = 'La0.7Sr0.3MnO3')."""
    return " ?".join(re.escape(ch) for ch in text if not ch.isspace())


def _tuple_from_match(match: re.Match[str], text: str) -> _Tuple:
    token_at = [0] * (len(text) + 1)
    k = 0
    for i, ch in enumerate(text):
        token_at[i] = k
        if ch == " ":
            k += 1
    token_at[len(text)] = k

    def span(name: str) -> TokenSpan | None:
        if match.groupdict().get(name) is None:
            return None
        return token_at[match.start(name)], token_at[match.end(name) - 1] + 1

    return _Tuple(span("compound"), span("value"), span("unit"), span("specifier"))


# --- shared -----------------------------------------------------------------------------------

def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _with_unit(value: TokenSpan, unit: TokenSpan | None, tokens: list[str]) -> TokenSpan:
    """The value span, extended over its unit when the unit follows it (trailing brackets dropped)."""
    if unit is None or unit[0] != value[1]:
        return value
    end = unit[1]
    while end > unit[0] + 1 and not any(ch.isalnum() for ch in tokens[end - 1]):
        end -= 1
    return value[0], end


def _units(corpus: str, doc: str, source: str, sentences: list[_Sentence], family: str, tally: Tally) -> Iterator[Unit]:
    from textmine.ontology import load_ontology

    ontology = load_ontology()
    prop = ontology.get(family)
    for number, sentence in enumerate(sentences):
        if not sentence.tuples:
            tally.drop("sentences without an accepted tuple")
            continue
        text, offsets = detokenise(sentence.tokens)
        draft = Draft(text)
        cues = [c for c in ontology.find_cues(text) if family in c.properties]

        def chars(span: TokenSpan) -> tuple[int, int]:
            return offsets[span[0]][0], offsets[span[1] - 1][1]

        for found in sentence.tuples:
            unit = " ".join(sentence.tokens[found.unit[0]:found.unit[1]]) if found.unit else ""
            if unit and (prop.si_unit_for(_squash(unit).rstrip(")],")) is None or found.unit[0] < found.value[1]):
                # '300 K' as a band gap, a unit before its value: Snowball tagged the wrong tokens
                tally.lose(f"tuple whose unit does not fit {family} or precedes the value (Snowball noise)", 2)
                continue
            value = draft.entity("value", *chars(_with_unit(found.value, found.unit, sentence.tokens)), family=family)
            if found.compound is None:
                tally.lose("tuple without a compound")
            else:
                draft.relate("value_material", value, draft.entity("material", *chars(found.compound)))
            cue, known = _cue(cues, chars(found.specifier) if found.specifier else None, draft.entities[value].start)
            if cue is None:
                tally.lose("no property cue of the family in the sentence")
            else:
                tally.note("specifiers the ontology does not know (kept)", int(not known))
                draft.relate("value_property", value, draft.entity("property", *cue))
            if found.condition is not None:
                draft.relate("condition_value", draft.entity("condition", *chars(found.condition)), value)
        split = "dev" if dev_by_hash(text) else "train"
        yield from draft.units(corpus=corpus, split=split, doc_id=doc, source=source, silver=True, tally=tally,
                               unit_name=f"s{number}", family=family)


def _cue(cues: list, specifier: tuple[int, int] | None, value_start: int) -> tuple[tuple[int, int] | None, bool]:
    """The property cue span, and whether the ontology knows it as a cue of the family."""
    if specifier is not None:
        overlapping = [c for c in cues if c.start < specifier[1] and specifier[0] < c.end]
        return ((overlapping[0].start, overlapping[0].end), True) if overlapping else (specifier, False)
    if not cues:
        return None, False
    nearest = min(cues, key=lambda c: abs(c.start - value_start))
    return (nearest.start, nearest.end), True
