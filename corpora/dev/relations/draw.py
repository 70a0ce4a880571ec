"""The seeded draw that grew the relations dev set from 126 to 288 texts (docs/annotation.md, 'Draw').

    python corpora/dev/relations/draw.py [--shared DIR] [--show POOL FROM TO]

Without --show it recomputes the draw and checks it against the files: every text the draw
yields is either in sources.jsonl (with its "draw" pool and rank) or listed in
draw-without-statements.jsonl (drawn, read, and found to hold no statement), and nothing else
carries a "draw" field. Exit status 1 on any difference. --show prints drawn texts to read.

The rule, fixed before reading: for each pool, the candidate texts in file order, minus the texts
already in the dev set (the sources.jsonl lines without a "draw" field), are shuffled with
random.Random(SEED); walking that order, a candidate is drawn when it is at most 3,000 characters
long and textmine's quantity parser finds at least one quantity with a unit in it; the first
DRAWN[pool] such candidates are the draw. Every drawn text was annotated; a text with no statement
(only conditions, processing values, changes, or no material) is listed, not dropped silently.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import build  # noqa: E402  (sibling module)

SEED = 4111
MAX_CHARS = 3000
GENERAL = "gold/llm_nerre/general_and_mofs/data/general_materials_information_annotations.jsonl"
DOPING = "gold/llm_nerre/doping/data/train.json"
GROBID = "gold/grobid_quantities/quantities/corpus"
POLYMER = "gold/polymer_abstracts/dev.json"
# How many drawn texts of each pool were annotated (C and D: every candidate that passes).
DRAWN = {"A": 170, "B": 25, "C": 31, "D": 102}
NO_STATEMENTS = HERE / "draw-without-statements.jsonl"


def pools(shared: Path) -> dict[str, list[dict]]:
    """Candidate sources of each pool, in file order, shaped as sources.jsonl lines."""
    general = [
        {"id": f"nerre-gen-{i:03d}", "path": GENERAL, "kind": "jsonl_field",
         "cut": {"line": i, "field": "prompt", "strip_suffix": "\n\n###\n\n"},
         "split": "llm_nerre general_materials (no split; not a relation-training source)"}
        for i in range(len(build._read_lines(shared / GENERAL)))
    ]
    grobid = []
    for path in sorted((shared / GROBID).glob("*.xml")):
        stem = path.name.split(".training")[0].replace(".quantities", "")
        for j in range(len(build._tei_paragraphs(path))):
            grobid.append({
                "id": f"gq-{stem}-{j:03d}", "path": str(path.relative_to(shared)), "kind": "tei_paragraph",
                "cut": {"paragraph": j}, "split": "grobid-quantities corpus (not a relation-training source)"})
    polymer = [
        {"id": f"polyabs-dev-{i:02d}", "path": POLYMER, "kind": "tokens_jsonl", "cut": {"line": i},
         "split": "PolymerAbstracts dev"}
        for i in range(len(build._read_lines(shared / POLYMER)))
    ]
    doping = [
        {"id": f"nerre-dop-{i:03d}", "path": DOPING, "kind": "json_list_field", "cut": {"index": i, "field": "text"},
         "split": "llm_nerre doping train.json (its host-dopant links are training data; property values are not)"}
        for i in range(len(build._read_json(shared / DOPING)))
    ]
    return {"A": general, "B": grobid, "C": polymer, "D": doping}


def passes(text: str) -> bool:
    """The draw's rule, frozen as it was applied: units are read as the quantity parser read them
    when the draw was made, i.e. without the later reading of units glued into one token
    ('163 mAhg−1'), which would let other texts pass and change the draw."""
    from textmine.extract.quantities import parse_quantities

    return len(text) <= MAX_CHARS and any(q.unit for q in parse_quantities(text, glued_units=False))


def draw(shared: Path, base: list[dict]) -> list[dict]:
    """The drawn sources, each with "draw": {"seed", "pool", "rank"} and its text under "text"."""
    used = {(s["path"], json.dumps(s["cut"], sort_keys=True)) for s in base}
    used_texts = {build.cut_text(shared, s) for s in base}
    drawn = []
    for name, pool in pools(shared).items():
        candidates = [p for p in pool if (p["path"], json.dumps(p["cut"], sort_keys=True)) not in used]
        random.Random(SEED).shuffle(candidates)
        rank = 0
        for candidate in candidates:
            if rank >= DRAWN[name]:
                break
            text = build.cut_text(shared, candidate)
            if text in used_texts or not passes(text):
                continue
            drawn.append({**candidate, "sha256": build.text_hash(text), "draw": {"seed": SEED, "pool": name, "rank": rank},
                          "text": text})
            rank += 1
    return drawn


def verify(shared: Path) -> list[str]:
    sources = build.load_jsonl(HERE / "sources.jsonl")
    base = [s for s in sources if "draw" not in s]
    added = {s["id"]: s for s in sources if "draw" in s}
    empty = {e["id"]: e for e in build.load_jsonl(NO_STATEMENTS)}
    problems = []
    seen = set()
    for d in draw(shared, base):
        seen.add(d["id"])
        kept = added.get(d["id"])
        if kept is not None:
            for key in ("path", "kind", "cut", "sha256", "draw"):
                if kept[key] != d[key]:
                    problems.append(f"{d['id']}: sources.jsonl {key} {kept[key]!r} != drawn {d[key]!r}")
        elif d["id"] in empty:
            if empty[d["id"]]["draw"] != d["draw"]:
                problems.append(f"{d['id']}: {NO_STATEMENTS.name} draw {empty[d['id']]['draw']} != {d['draw']}")
        else:
            problems.append(f"{d['id']}: drawn ({d['draw']}) but neither annotated nor listed without statements")
    for extra in sorted((set(added) | set(empty)) - seen):
        problems.append(f"{extra}: carries a draw but the draw does not yield it")
    for both in sorted(set(added) & set(empty)):
        problems.append(f"{both}: both annotated and listed without statements")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--show", nargs=3, metavar=("POOL", "FROM", "TO"))
    args = parser.parse_args(argv)
    shared = args.shared or build.default_shared()
    if not shared.is_dir():
        print(f"error: shared data not found at {shared}: pass --shared or set TEXTMINE_SHARED_DATA",
              file=sys.stderr)
        return 1
    try:
        if args.show:
            pool, start, end = args.show[0], int(args.show[1]), int(args.show[2])
            base = [s for s in build.load_jsonl(HERE / "sources.jsonl") if "draw" not in s]
            for d in draw(shared, base):
                if d["draw"]["pool"] == pool and start <= d["draw"]["rank"] < end:
                    print(f"===== {d['id']} (pool {pool}, rank {d['draw']['rank']})\n{d['text']}\n")
            return 0
        problems = verify(shared)
    except build.BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in problems:
        print("  DIFF:", line)
    print(f"draw (seed {SEED}, {DRAWN}): {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
