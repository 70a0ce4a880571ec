"""Records on a hand-adjudicated sample of the Snowball band-gap set, against the silver rows and against
the adjudicated statements of the same texts.

    python bench/eval_snowball_adjudicated.py [--data ../shared/data] [--errors 20] [-- --pipeline rules]

The sample (corpora/dev/snowball-adjudicated/sample-band_gap.txt) is 40 texts drawn at random (seed
20261203) from the 625 of the set; corpora/dev/snowball-adjudicated/README.md says how it was adjudicated
and what that is worth. Texts come from the shared data at run time (`textmine evaluate make-gold
snowball`); only the ids and the statements live in the repository.
"""

from __future__ import annotations

import json

from _silver import ROOT, arguments, make_gold, textmine, workdir

from textmine.eval.gold import read_gold, read_records
from textmine.eval.records import format_errors, format_table, score_records

ADJUDICATED = ROOT / "corpora" / "dev" / "snowball-adjudicated"


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    out = workdir(args.keep)
    make_gold("snowball", out, args.data)
    ids = set((ADJUDICATED / "sample-band_gap.txt").read_text().split())
    folder = out / "band_gap"
    lines = [line for line in (folder / "texts.jsonl").read_text().splitlines() if json.loads(line)["id"] in ids]
    if len(lines) != len(ids):
        raise SystemExit(f"{len(ids) - len(lines)} sampled texts are not in the Snowball band-gap set: is --data right?")
    sample = out / "adjudicated-sample"
    sample.mkdir(exist_ok=True)
    (sample / "texts.jsonl").write_text("\n".join(lines) + "\n")
    records_path = sample / "records.jsonl"
    textmine("-q", "extract", "--input", str(sample / "texts.jsonl"), "--output", str(records_path), *args.extract_options)
    records = read_records(records_path)
    silver = [g for g in read_gold(folder) if g.source in ids]
    for name, gold in (("silver rows of the sample", silver), ("adjudicated statements", read_gold(ADJUDICATED))):
        result = score_records(gold, records)
        print(f"== {name}")
        print(format_table(result))
        if args.errors:
            print(format_errors(result, args.errors))


if __name__ == "__main__":
    main()
