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

from _silver import ROOT, arguments, make_gold, textmine, workdir

from textmine.eval.gold import read_gold, read_records
from textmine.eval.records import RecordsResult, format_errors, format_table, score_records
from textmine.eval.silver import SNOWBALL_SETS

ADJUDICATED = ROOT / "corpora" / "dev" / "snowball-adjudicated"


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    out = workdir(args.keep)
    make_gold("snowball", out, args.data)
    pooled = {"silver rows of the samples": RecordsResult(scores={}, records=[], correct=[]),
              "adjudicated statements": RecordsResult(scores={}, records=[], correct=[])}
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
        silver = [g for g in read_gold(folder) if g.source in ids]
        for name, gold in zip(pooled, (silver, read_gold(ADJUDICATED, [prop]))):
            result = score_records(gold, records, [prop])
            print(f"== {prop}, {len(ids)} texts: {name}")
            print(format_table(result))
            if args.errors:
                print(format_errors(result, args.errors))
            for key, score in result.scores.items():
                pooled[name].scores.setdefault(key, type(score)()).add(score)
    for name, result in pooled.items():
        print(f"== all three samples: {name}")
        print(format_table(result))

if __name__ == "__main__":
    main()
