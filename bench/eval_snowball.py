"""Records on the Snowball silver sets (band gap; Curie and Néel temperatures), end to end.

    python bench/eval_snowball.py [--data ../shared/data] [--keep DIR] [--errors 20] [-- --extractor ner]

The same as typing, per set (band_gap, curie_temperature, neel_temperature):

    textmine evaluate make-gold snowball -o DIR
    textmine extract --input DIR/band_gap/texts.jsonl --output DIR/band_gap/records.jsonl
    textmine evaluate records DIR/band_gap DIR/band_gap/records.jsonl

Matching and scores: textmine/eval (see `textmine evaluate records --help`).
"""

from __future__ import annotations

from _silver import arguments, extract_and_score, make_gold, report, workdir

from textmine.eval.silver import SNOWBALL_SETS


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    out = workdir(args.keep)
    make_gold("snowball", out, args.data)
    report({prop: extract_and_score(out / prop, args.extract_options) for prop in SNOWBALL_SETS}, args.errors)


if __name__ == "__main__":
    main()
