"""Self-consistency checks of the relations dev set annotations against their texts.

    python corpora/dev/relations/check.py [--shared DIR] [-v]

For every statement in annotations.jsonl:
  value     each number of the value occurs in the text and so does its unit, after folding
            TeX and Unicode variants (NFKC, minus signs, `$ { } ^ _ ~`, '\\cdot', digit-group commas);
            a value written differently in the source (lost superscripts, misprinted units,
            converted centipoise) passes only when its note quotes the source form and the quote
            is found in the text
  quotes    every 'single-quoted' fragment of a note occurs in the text (catches typos in notes)
  compound  at least one ` | ` alternative occurs in the text (case, spaces, hyphens and TeX
            folded); alternatives built by substituting a stated x are allowed besides it
  property  an ontology name (textmine/ontology/properties.yaml) or one listed in
            docs/annotation.md under 'Property names outside the ontology'
  parse     the value is one quantity for textmine.extract.quantities.parse_quantities, spanning
            the whole string, and textmine.eval.gold.parse_value reads it (so the evaluator reads
            what the annotator meant)
Exit status 1 when any statement fails; -v lists the passing statements that needed a quote.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import build  # noqa: E402  (sibling module)

_DASHES = dict.fromkeys(map(ord, "−–‒—‐‑"), "-")
_TEX = re.compile(r"\\(?:cdot|times|sim|pm|mathrm|text|rm|circ|AA|,|;|!)|[${}^_~\\]")


def fold(text: str) -> str:
    """Fold the variants a value or name may take in a source (NFKC, dashes, TeX, spacing)."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = text.replace("×", "x").replace("·", " ").replace("∙", " ").replace("⋅", " ")
    text = _TEX.sub(" ", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    """`fold`, lower-cased, without spaces, hyphens, dots, slashes and brackets (names, units)."""
    return re.sub(r"[\s\-./()\[\]]", "", fold(text).lower())


_SCALAR = r"-?\d+(?:\.\d+)?(?:e-?\d+)?(?:\s?x\s?10\s?-?\s?\d+)?"
_LEADING = re.compile(rf"^\s*(?P<num>{_SCALAR}(?:\s?(?:-|to)\s?{_SCALAR})?)", re.IGNORECASE)


def _split_value(value: str) -> tuple[list[str], str]:
    """(mantissas of the leading number or range, unit) of a gold value such as '1.8 x 10-5 Ω cm'."""
    folded = fold(value)
    m = _LEADING.match(folded)
    if not m:
        return [], squash(folded)
    numbers = []
    for scalar in re.finditer(_SCALAR, m.group("num"), re.IGNORECASE):
        numbers.append(re.split(r"[eE]|\s?x\s?10", scalar.group(0))[0].lstrip("-"))
    return numbers, squash(folded[m.end():])


def value_found(value: str, text: str) -> bool:
    folded = fold(text)
    numbers, unit = _split_value(value)
    for number in numbers:
        if not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", folded):
            return False
    return not unit or unit in squash(text)


def quotes(note: str) -> list[str]:
    return [q for q in re.findall(r"'([^']+)'", note) if q.strip()]


def compound_found(compound: str, text: str) -> bool:
    haystack = squash(text)
    return any(squash(alt) in haystack for alt in compound.split(" | ") if alt.strip())


def extra_property_names(guideline: Path) -> set[str]:
    """Names listed as '- `name`' under the guideline's 'Property names outside the ontology'."""
    names: set[str] = set()
    inside = False
    for line in guideline.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            inside = "outside the ontology" in line.lower()
            continue
        if inside:
            names.update(re.findall(r"^- `([a-z0-9_]+)`", line))
    return names


def ontology_names() -> set[str]:
    import yaml

    data = yaml.safe_load((ROOT / "textmine" / "ontology" / "properties.yaml").read_text(encoding="utf-8"))
    return {p["name"] for p in data["properties"]}


def parses(value: str) -> bool:
    from textmine.eval.gold import parse_value
    from textmine.extract.quantities import parse_quantities

    found = parse_quantities(value)
    # ... and the evaluator reads it too (a gold value it cannot read can never be matched)
    return len(found) == 1 and found[0].start == 0 and found[0].end == len(value) and parse_value(value) is not None


def check(shared: Path, verbose: bool = False) -> int:
    sources = build.load_jsonl(HERE / "sources.jsonl")
    annotations = build.load_jsonl(HERE / "annotations.jsonl")
    texts = build.load_texts(shared, sources)
    names = ontology_names() | extra_property_names(ROOT / "docs" / "annotation.md")
    failures, quoted_only, total = [], [], 0
    for entry in annotations:
        text = texts[entry["id"]]
        folded_text = fold(text)
        for st in entry["statements"]:
            total += 1
            where = f"{entry['id']}: {st['compound']!r} {st['property']} {st['value']!r}"
            note_quotes = quotes(st.get("note", ""))
            bad_quotes = [q for q in note_quotes if fold(q).lower() not in folded_text.lower()]
            if bad_quotes:
                failures.append(f"{where}: note quotes not in the text: {bad_quotes}")
            if not value_found(st["value"], text):
                if note_quotes and not bad_quotes:
                    quoted_only.append(f"{where}: source form {note_quotes}")
                else:
                    failures.append(f"{where}: value not in the text and the note quotes no source form")
            if not compound_found(st["compound"], text):
                failures.append(f"{where}: no compound alternative occurs in the text")
            if st["property"] not in names:
                failures.append(f"{where}: property is neither an ontology name nor listed in docs/annotation.md")
            if not parses(st["value"]):
                failures.append(f"{where}: value is not one whole quantity for parse_quantities and parse_value")
    print(f"{total} statements in {len(annotations)} texts: {len(failures)} failures, "
          f"{len(quoted_only)} values matched through a quoted source form")
    if verbose:
        for line in quoted_only:
            print("  quoted:", line)
    for line in failures:
        print("  FAIL:", line)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    shared = args.shared or build.default_shared()
    if not shared.is_dir():
        print(f"error: shared data not found at {shared}: pass --shared or set TEXTMINE_SHARED_DATA",
              file=sys.stderr)
        return 1
    try:
        return check(shared, args.verbose)
    except build.BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
