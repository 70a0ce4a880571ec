"""Dev micro-F1 of NER models alone and as an ensemble (mean emissions and CRF parameters).

    PYTHONPATH=. python bench/eval_ner_ensemble.py ../ner-runs/fast/export ../ner-runs/fast14/export ...

Each argument is a model folder (model.onnx, tokenizer.json, labels.json); `--onnx model_fp32.onnx`
scores the unquantised exports. This is how the distillation teachers were chosen. One model alone
scores what `textmine evaluate ner --model DIR` prints (the same decoding and `textmine.eval.ner`).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from textmine.eval.data import MATSCHOLAR_DEV, shared_data_dir
from textmine.eval.ner import span_scores
from textmine.ner.data import read_conll
from textmine.ner.decode import LABELS, viterbi
from textmine.ner.tagger import NerTagger


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--dev", type=Path, default=None, help="CoNLL file [default: the Matscholar dev split]")
    ap.add_argument("--onnx", default="model_fp32.onnx", help="ONNX file in each folder (falls back to model.onnx)")
    ap.add_argument("--subsets", action="store_true", help="also score every subset of two or more models")
    args = ap.parse_args()
    dev = read_conll(args.dev or shared_data_dir() / MATSCHOLAR_DEV)
    words, gold = [s.tokens for s in dev], [s.tags for s in dev]
    ems, crf = {}, {}
    for m in args.models:
        name = args.onnx if (Path(m) / args.onnx).exists() else "model.onnx"
        t = NerTagger(m, onnx_file=name, batch_size=64)
        ems[m], crf[m] = t._emissions(words), (t.transitions, t.start, t.end)

    def score(sel: tuple[str, ...]) -> float:
        n = len(sel)
        trans, start, end = (sum(crf[m][i] for m in sel) / n for i in range(3))
        pred = []
        for i in range(len(words)):
            em = sum(ems[m][i] for m in sel) / n
            pred.append([LABELS[j] for j in viterbi(em, trans, start, end)] if len(em) else [])
        return span_scores(gold, pred)["micro"]["f1"]

    sizes = range(1, len(args.models) + 1) if args.subsets else (1, len(args.models))
    for k in sizes:
        for sel in itertools.combinations(args.models, k):
            print(f"{score(sel):.4f}  {' + '.join(sel)}")


if __name__ == "__main__":
    main()
