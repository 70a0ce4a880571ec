"""Records on hand-adjudicated samples of the Snowball sets, against the silver rows and against the
adjudicated statements of the same texts.

    python bench/eval_snowball_adjudicated.py [--data ../shared/data] [--errors 20] [-- --pipeline rules]

The samples (corpora/dev/snowball-adjudicated/sample-<set>.txt) are 40 band-gap, 20 Curie and 30 Néel
texts drawn at random (seed 20261203, per set); corpora/dev/snowball-adjudicated/README.md says how it was adjudicated
and what that is worth. Last, the adjudicated statements themselves are scored as records against the
silver rows, with the same matcher: what a reader who is right by docs/annotation.md scores on the silver
sets. Texts come from the shared data at run time (`textmine evaluate make-gold snowball`); only the ids
and the statements live in the repository.
"""

from __future__ import annotations

import json

from _silver import ROOT, arguments, make_gold, report, textmine, workdir

from textmine.eval.gold import GoldRow, RecordView, read_gold, read_records
from textmine.eval.records import RecordsResult, score_records
from textmine.eval.silver import SNOWBALL_SETS

ADJUDICATED = ROOT / "corpora" / "dev" / "snowball-adjudicated"


def as_records(rows: list[GoldRow]) -> list[RecordView]:
    """Adjudicated statements as records (their first value alternative, in the unit written)."""
    return [RecordView(index=i, doc_id=row.source, property=row.property, text=row.compounds[0], formula=None,
                       value_min=row.values[0].low, value_max=row.values[0].high, unit=row.values[0].unit,
                       value_min_si=None, value_max_si=None, unit_si=None, confidence=1.0)
            for i, row in enumerate(rows) if row.values]


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    out = workdir(args.keep)
    make_gold("snowball", out, args.data)
    silver: dict[str, RecordsResult] = {}
    adjudicated: dict[str, RecordsResult] = {}
    reader: dict[str, RecordsResult] = {}
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
        silver_rows = [g for g in read_gold(folder) if g.source in ids]
        statements = read_gold(ADJUDICATED, [prop])
        silver[prop] = score_records(silver_rows, records, [prop])
        adjudicated[prop] = score_records(statements, records, [prop])
        reader[prop] = score_records(silver_rows, as_records(statements), [prop])
    print("##### against the silver rows of the sampled texts")
    report(silver, args.errors)
    print("##### against the adjudicated statements of the same texts")
    report(adjudicated, args.errors)
    print("##### the adjudicated statements as records, against the silver rows (a reader right by docs/annotation.md)")
    report(reader, args.errors, calibration=False)


if __name__ == "__main__":
    main()
