"""Build the relations dev set from ../shared/data: texts.jsonl and one gold-<property>.csv each.

    python corpora/dev/relations/build.py [OUT] [--shared DIR]

OUT defaults to bench/out/devset/ under the repository root (git ignores bench/out/); DIR
defaults to $TEXTMINE_SHARED_DATA or ../shared/data beside the repository root.

Inputs (committed next to this file; the texts themselves are never committed):
  sources.jsonl      one line per text: {"id", "path" (relative to the shared data folder),
                     "kind" (how to read the file), "cut" (which part of it), "sha256" (first 16
                     hex digits of the text's UTF-8 sha256), "families", "split"}
  annotations.jsonl  one line per text: {"id", "statements": [{"compound", "property", "value",
                     "note"}]} written by hand following docs/annotation.md
Outputs:
  texts.jsonl        {"id", "text"} in sources.jsonl order
  gold-<property>.csv  columns compound,value,source (source = text id), one per property
  manifest.json      counts per property and per family, and the properties with gold files

The build is deterministic and stops (exit status 1, nothing written) when a source file is
missing or a text no longer has its recorded hash: the annotations describe that exact text.
Tokenised corpora (PolymerAbstracts, PolyIE) are joined back into text by `detokenise`, a fixed
rule set; the hash is taken after it, so changing the rules also fails loudly.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# Property families the dev set must cover (issue 11) and the minimum number of texts for each.
FAMILIES: dict[str, tuple[str, ...]] = {
    "band_gap": ("band_gap",),
    "curie_neel": ("curie_temperature", "neel_temperature"),
    "superconducting_tc": ("superconducting_transition_temperature",),
    "conductivity": ("electrical_conductivity", "ionic_conductivity"),
    "capacity": ("specific_capacity", "areal_capacity", "volumetric_capacity"),
    "voltage": ("voltage", "open_circuit_voltage"),
    "mechanical": (
        "youngs_modulus", "bulk_modulus", "shear_modulus", "storage_modulus", "tensile_strength",
        "yield_strength", "compressive_strength", "flexural_strength", "strength", "hardness",
        "fracture_toughness",
    ),
}
MINIMUM_TEXTS = {
    "band_gap": 15, "curie_neel": 15, "superconducting_tc": 15, "conductivity": 15,
    "capacity": 12, "voltage": 10, "mechanical": 15,
}


class BuildError(Exception):
    """A source is missing or changed, or an annotation does not fit its text."""


# --- reading the shared files ------------------------------------------------------------------

_NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]", "}", "%", "?", "!", "'s", "'"}
_NO_SPACE_AFTER = {"(", "[", "{", "°"}
_JOINERS = {"-", "/"}


def detokenise(tokens: list[str]) -> str:
    """Join corpus tokens back into text with fixed rules (deterministic, not a true inverse).

    No space before closing punctuation, none after an opening bracket or a degree sign, none
    around hyphens and slashes: ['push', '-', 'pull'] -> 'push-pull', ['SiO_{2', '}'] -> 'SiO_{2}'.
    """
    out: list[str] = []
    glue = True
    for token in tokens:
        if not out or glue or token in _NO_SPACE_BEFORE or token in _JOINERS:
            out.append(token)
        else:
            out.append(" " + token)
        glue = token in _NO_SPACE_AFTER or token in _JOINERS
    return "".join(out)


@lru_cache(maxsize=None)
def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _read_json(path: Path):
    return json.loads(_read_text(path))


@lru_cache(maxsize=None)
def _read_lines(path: Path) -> tuple[str, ...]:
    return tuple(_read_text(path).splitlines())


@lru_cache(maxsize=None)
def _tei_paragraphs(path: Path) -> tuple[str, ...]:
    root = ET.fromstring(_read_text(path))
    ns = "{http://www.tei-c.org/ns/1.0}"
    return tuple("".join(p.itertext()).strip() for p in root.iter(f"{ns}p"))


@lru_cache(maxsize=None)
def _atom_summaries(path: Path) -> tuple[str, ...]:
    root = ET.fromstring(_read_text(path))
    ns = "{http://www.w3.org/2005/Atom}"
    return tuple((e.findtext(f"{ns}summary") or "").strip() for e in root.iter(f"{ns}entry"))


class _Paragraphs(HTMLParser):
    """Text of every <p> element, in document order (entities decoded, markup dropped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "p":
            self._close()
            self._current = []

    def handle_endtag(self, tag) -> None:
        if tag == "p":
            self._close()

    def handle_data(self, data) -> None:
        if self._current is not None:
            self._current.append(data)

    def _close(self) -> None:
        if self._current is not None:
            self.paragraphs.append("".join(self._current).strip())
            self._current = None


@lru_cache(maxsize=None)
def _html_paragraphs(path: Path) -> tuple[str, ...]:
    parser = _Paragraphs()
    parser.feed(_read_text(path))
    parser.close()
    return tuple(parser.paragraphs)


@lru_cache(maxsize=None)
def _conllu_sentences(path: Path) -> tuple[str, ...]:
    prefix = "# text = "
    return tuple(line[len(prefix):] for line in _read_lines(path) if line.startswith(prefix))


def _jsonl_field(path: Path, cut: dict) -> str:
    text = json.loads(_read_lines(path)[cut["line"]])[cut["field"]]
    suffix = cut.get("strip_suffix", "")
    if suffix:
        if not text.endswith(suffix):
            raise BuildError(f"{path}: line {cut['line']} does not end with {suffix!r}")
        text = text[: -len(suffix)]
    return text


def _json_list_field(path: Path, cut: dict) -> str:
    return _read_json(path)[cut["index"]][cut["field"]]


def _tokens_jsonl(path: Path, cut: dict) -> str:
    return detokenise(json.loads(_read_lines(path)[cut["line"]])["words"])


def _polyie(path: Path, cut: dict) -> str:
    return detokenise(_read_json(path)["text"][cut["doc"]][cut["paragraph"]])


def _text_chars(path: Path, cut: dict) -> str:
    start, end = cut["chars"]
    return _read_text(path)[start:end]


def _conllu(path: Path, cut: dict) -> str:
    start, end = cut["sentences"]
    return " ".join(_conllu_sentences(path)[start:end])


def _tei_paragraph(path: Path, cut: dict) -> str:
    return _tei_paragraphs(path)[cut["paragraph"]]


def _atom_summary(path: Path, cut: dict) -> str:
    return _atom_summaries(path)[cut["entry"]]


def _html_paragraph(path: Path, cut: dict) -> str:
    return _html_paragraphs(path)[cut["paragraph"]]


READERS = {
    "jsonl_field": _jsonl_field,          # cut: {"line", "field", "strip_suffix"?}
    "json_list_field": _json_list_field,  # cut: {"index", "field"}
    "tokens_jsonl": _tokens_jsonl,        # cut: {"line"} -> detokenise(words)
    "polyie": _polyie,                    # cut: {"doc", "paragraph"} -> detokenise(tokens)
    "text_chars": _text_chars,            # cut: {"chars": [start, end)}
    "conllu": _conllu,                    # cut: {"sentences": [start, end)} over '# text = ' lines
    "tei_paragraph": _tei_paragraph,      # cut: {"paragraph"}: n-th TEI <p>, itertext, stripped
    "atom_summary": _atom_summary,        # cut: {"entry"}: n-th Atom <entry> <summary>, stripped
    "html_paragraph": _html_paragraph,    # cut: {"paragraph"}: n-th HTML <p>, text only, stripped
}


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cut_text(shared: Path, source: dict) -> str:
    """The text a sources.jsonl line points at (no hash check)."""
    path = shared / source["path"]
    if not path.is_file():
        raise BuildError(f"{source['id']}: {path} is missing")
    reader = READERS.get(source["kind"])
    if reader is None:
        raise BuildError(f"{source['id']}: unknown kind {source['kind']!r} (known: {sorted(READERS)})")
    try:
        return reader(path, source["cut"])
    except (IndexError, KeyError, ValueError, ET.ParseError) as exc:
        raise BuildError(f"{source['id']}: cannot cut {source['cut']} from {path}: {exc!r}") from exc


# --- the build ---------------------------------------------------------------------------------

def load_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BuildError(f"{path}:{number}: not JSON: {exc}") from exc
    return rows


def family_of(prop: str) -> str | None:
    for family, props in FAMILIES.items():
        if prop in props:
            return family
    return None


def load_texts(shared: Path, sources: list[dict]) -> dict[str, str]:
    texts: dict[str, str] = {}
    problems = []
    for source in sources:
        if source["id"] in texts:
            problems.append(f"{source['id']}: id used twice in sources.jsonl")
            continue
        try:
            text = cut_text(shared, source)
        except BuildError as exc:
            problems.append(str(exc))
            continue
        if text_hash(text) != source["sha256"]:
            problems.append(
                f"{source['id']}: text changed (sha256 {text_hash(text)} != recorded {source['sha256']}) "
                f"in {source['path']} {source['cut']}: re-read it and update its annotations"
            )
        texts[source["id"]] = text
    if problems:
        raise BuildError("\n".join(problems))
    return texts


def gold_rows(annotations: list[dict], ids: set[str]) -> dict[str, list[tuple[str, str, str]]]:
    """property -> [(compound, value, source)], deduplicated, in annotation order."""
    rows: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    seen = set()
    problems = []
    for entry in annotations:
        if entry["id"] not in ids:
            problems.append(f"annotations.jsonl: {entry['id']} is not in sources.jsonl")
        for st in entry["statements"]:
            missing = [k for k in ("compound", "property", "value") if not str(st.get(k, "")).strip()]
            if missing:
                problems.append(f"{entry['id']}: statement {st} lacks {missing}")
                continue
            key = (st["property"], st["compound"], st["value"], entry["id"])
            if key in seen:
                continue
            seen.add(key)
            rows[st["property"]].append((st["compound"], st["value"], entry["id"]))
    annotated = {entry["id"] for entry in annotations}
    problems += [f"{i}: in sources.jsonl but not annotated" for i in sorted(ids - annotated)]
    if problems:
        raise BuildError("\n".join(problems))
    return rows


def counts(annotations: list[dict]) -> dict:
    per_property: Counter = Counter()
    texts_per_property: dict[str, set] = defaultdict(set)
    per_family: Counter = Counter()
    texts_per_family: dict[str, set] = defaultdict(set)
    for entry in annotations:
        for st in entry["statements"]:
            per_property[st["property"]] += 1
            texts_per_property[st["property"]].add(entry["id"])
            family = family_of(st["property"]) or "other"
            per_family[family] += 1
            texts_per_family[family].add(entry["id"])
    return {
        "texts": len(annotations),
        "statements": sum(per_property.values()),
        "families": {
            f: {"texts": len(texts_per_family[f]), "statements": per_family[f]}
            for f in [*FAMILIES, "other"]
        },
        "properties": {
            p: {"texts": len(texts_per_property[p]), "statements": per_property[p]}
            for p in sorted(per_property)
        },
    }


def build(shared: Path, out: Path) -> dict:
    sources = load_jsonl(HERE / "sources.jsonl")
    annotations = load_jsonl(HERE / "annotations.jsonl")
    texts = load_texts(shared, sources)
    rows = gold_rows(annotations, set(texts))
    order = {s["id"]: n for n, s in enumerate(sources)}
    annotations.sort(key=lambda a: order[a["id"]])
    manifest = counts(annotations)

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("gold-*.csv"):
        old.unlink()
    with (out / "texts.jsonl").open("w", encoding="utf-8") as fh:
        for source in sources:
            fh.write(json.dumps({"id": source["id"], "text": texts[source["id"]]}, ensure_ascii=False) + "\n")
    for prop in sorted(rows):
        with (out / f"gold-{prop}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["compound", "value", "source"])
            writer.writerows(sorted(rows[prop], key=lambda r: (order[r[2]], r[0], r[1])))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def default_shared() -> Path:
    return Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "bench" / "out" / "devset")
    parser.add_argument("--shared", type=Path, default=None, help="shared data folder")
    args = parser.parse_args(argv)
    shared = args.shared or default_shared()
    if not shared.is_dir():
        print(f"error: shared data not found at {shared}: pass --shared or set TEXTMINE_SHARED_DATA",
              file=sys.stderr)
        return 1
    try:
        manifest = build(shared, args.out)
    except BuildError as exc:
        print(f"error: dev set not built:\n{exc}", file=sys.stderr)
        return 1
    print(f"{manifest['texts']} texts, {manifest['statements']} statements -> {args.out}")
    print(f"{'family':<20}{'texts':>7}{'statements':>12}")
    for family, c in manifest["families"].items():
        print(f"{family:<20}{c['texts']:>7}{c['statements']:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
