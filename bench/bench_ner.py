"""Throughput and peak memory of `textmine ner`: int8 model vs the unquantised ONNX baseline.

    python bench/bench_ner.py [--fp32 ../ner-runs/fast/export/model_fp32.onnx] [--threads 2]

Each model runs the real CLI command in a fresh subprocess (so peak RSS is per model) over the
Matscholar dev sentences, twice: pre-tokenised ({"tokens"}) and as raw text ({"text"}, which adds
tokenisation, normalisation and offset mapping). Start-up time (a one-line input) is measured separately
and subtracted. Results go to stdout as JSON and a table, with the 1-minute load average before and
after each model: on a shared machine other jobs move these numbers a lot, so compare rows of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _peak import run_with_peak  # noqa: E402
from textmine.ner.data import read_conll  # noqa: E402

RUN = "import sys; from textmine.ner.cli import ner_command; ner_command(sys.argv[1:])"


def run_cli(model: Path, src: Path, threads: int) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one `textmine ner` run in a subprocess."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS=str(threads))
    out = src.with_suffix(".out")
    cmd = [sys.executable, "-c", RUN, "--input", str(src), "--output", str(out), "--model", str(model),
           "--threads", str(threads)]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        status, peak = run_with_peak(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        wall = time.perf_counter() - t0
        if status != 0:
            err.seek(0)
            raise SystemExit(f"textmine ner failed: {err.read().decode('utf-8', 'replace')}")
    return wall, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=str(ROOT / "textmine" / "ner" / "models" / "fast"))
    ap.add_argument("--fp32", default=str(ROOT.parent / "ner-runs" / "fast" / "export" / "model_fp32.onnx"),
                    help="the unquantised ONNX export of the same model (baseline)")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "gold" / "matscholar_ner" / "dev.txt"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="copies of the dev set in the input")
    ap.add_argument("--json", default=None, help="also write the results to this file")
    args = ap.parse_args()

    sents = read_conll(args.data) * args.repeat
    work = Path(tempfile.mkdtemp(prefix="bench_ner_"))
    inputs = {
        "tokens": work / "tokens.jsonl",
        "text": work / "text.jsonl",
        "empty": work / "empty.jsonl",
    }
    with open(inputs["tokens"], "w") as f:
        for i, s in enumerate(sents):
            f.write(json.dumps({"id": i, "tokens": s.tokens}) + "\n")
    with open(inputs["text"], "w") as f:
        for i, s in enumerate(sents):
            f.write(json.dumps({"id": i, "text": " ".join(s.tokens)}) + "\n")
    # one short raw text: loading the model, the tokenizer and the word tokenizer (spaCy) is start-up cost
    inputs["empty"].write_text(json.dumps({"id": "warm", "text": "SiO2 films."}) + "\n")

    models = {"int8": Path(args.model)}
    fp32 = Path(args.fp32)
    if fp32.exists():
        base = work / "fp32"
        base.mkdir()
        for name in ("tokenizer.json", "labels.json"):
            shutil.copy(Path(args.model) / name, base / name)
        os.symlink(fp32.resolve(), base / "model.onnx")
        models["fp32"] = base
    else:
        print(f"baseline {fp32} not found: benchmarking int8 only", file=sys.stderr)

    results = []
    for name, model in models.items():
        load_s, _ = run_cli(model, inputs["empty"], args.threads)
        row = {"model": name, "loadavg_1min_before": round(os.getloadavg()[0], 2), "onnx_mb": round((model / "model.onnx").resolve().stat().st_size / 2**20, 1),
               "load_s": round(load_s, 2), "sentences": len(sents), "threads": args.threads}
        for kind in ("tokens", "text"):
            wall, rss = run_cli(model, inputs[kind], args.threads)
            row[f"{kind}_sent_per_s"] = round(len(sents) / max(wall - load_s, 1e-6), 1)
            row[f"{kind}_sent_per_s_incl_load"] = round(len(sents) / wall, 1)
            row[f"{kind}_peak_rss_mb"] = round(rss, 1)
        row["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
        results.append(row)
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    cols = ["model", "onnx_mb", "load_s", "tokens_sent_per_s", "text_sent_per_s", "tokens_peak_rss_mb", "text_peak_rss_mb"]
    print(" | ".join(cols))
    for r in results:
        print(" | ".join(str(r[c]) for c in cols))


if __name__ == "__main__":
    main()
