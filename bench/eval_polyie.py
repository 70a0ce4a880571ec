"""Records on the PolyIE dev (validation) split: polymer solar-cell and battery papers parsed from PDF.

    python bench/eval_polyie.py [--data ../shared/data] [--keep DIR] [--errors 20] [-- --extractor ner]

The same as typing:

    textmine evaluate make-gold polyie -o DIR
    textmine extract --input DIR/texts.jsonl --output DIR/records.jsonl
    textmine evaluate records DIR DIR/records.jsonl

Matching and scores: textmine/eval (see `textmine evaluate records --help`).
"""

from __future__ import annotations

from _silver import arguments, extract_and_score, make_gold, report, workdir


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    out = workdir(args.keep)
    make_gold("polyie", out, args.data)
    report({"polyie-validation": extract_and_score(out, args.extract_options)}, args.errors)


if __name__ == "__main__":
    main()
