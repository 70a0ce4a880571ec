"""Records on hand-adjudicated samples of the Snowball sets, against the silver rows and against the
adjudicated statements of the same texts.

    python bench/eval_snowball_adjudicated.py [--data ../shared/data] [--errors 20] [-- --pipeline rules]

The samples (corpora/dev/snowball-adjudicated/sample-<set>.txt) are 40 band-gap, 20 Curie and 30 Néel
texts drawn at random (seed 20261203, per set); corpora/dev/snowball-adjudicated/README.md says how it was adjudicated
and what that is worth. Texts come from the shared data at run time (`textmine evaluate make-gold
snowball`); only the ids and the statements live in the repository.
"""

from __future__ import annotations

import json

from _silver import ROOT, arguments, make_gold, report, textmine, workdir

from textmine.eval.gold import read_gold, read_records
from textmine.eval.records import RecordsResult, score_records
from textmine.eval.silver import SNOWBALL_SETS

ADJUDICATED = ROOT / "corpora" / "dev" / "snowball-adjudicated"


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    out = workdir(args.keep)
    make_gold("snowball", out, args.data)
    silver: dict[str, RecordsResult] = {}
    adjudicated: dict[str, RecordsResult] = {}
    for prop in SNOWBALL_SETS:
        ids = set((ADJUDICATED / f"sample-{prop}.txt").read_text().split())
        folder = out / prop
        lines = [line for line in (folder / "texts.jsonl").read_text().splitlines() if json.loads(line)["id"] in ids]
        if len(lines) != len(ids):
            raise SystemExit(f"{len(ids) - len(lines)} sampled texts are not in the Snowball {prop} set: is --data right?")
        sample = out / f"adjudicated-{prop}"
        sample.mkdir(exist_ok=True)
        (sample / "texts.jsonl").write_text("\n".join(lines) + "\n")
        records_path = sample / "records.jsonl"
        textmine("-q", "extract", "--input", str(sample / "texts.jsonl"), "--output", str(records_path), *args.extract_options)
        records = read_records(records_path)
        silver[prop] = score_records([g for g in read_gold(folder) if g.source in ids], records, [prop])
        adjudicated[prop] = score_records(read_gold(ADJUDICATED, [prop]), records, [prop])
    print("##### against the silver rows of the sampled texts")
    report(silver, args.errors)
    print("##### against the adjudicated statements of the same texts")
    report(adjudicated, args.errors)


if __name__ == "__main__":
    main()
