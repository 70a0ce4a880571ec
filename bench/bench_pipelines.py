"""Speed and peak memory of the extraction pipelines on real abstracts, against `rules` in the same run.

    PYTHONPATH=. python bench/bench_pipelines.py [--abstracts 800] [--pipelines rules,model,ner] [--data ../shared/data]

Corpus: the real materials-science abstracts of LLM-NERRE (611 general + 162 doping abstracts,
~1,040 characters each), title and abstract as one text each. Two measurements per pipeline,
each a fresh `textmine` process (start-up and model loading included, as a user sees it):

  run       `textmine run FOLDER` of one .txt file per abstract into a new SQLite file:
            abstracts/s end to end, and the process's peak RSS;
  extract   `textmine extract --input abstracts.jsonl --output out.jsonl` on the first 400:
            wall seconds, and the ratio to `rules` (the issue's target: at most 6.5).

The machine's load average is printed with the table: other work on the machine slows every
pipeline, and the ratios against `rules` (measured in the same command) are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def load_abstracts(data: Path, n: int) -> list[tuple[str, str]]:
    folder = data / "gold" / "llm_nerre"
    texts: list[tuple[str, str]] = []
    general = folder / "general_and_mofs" / "data" / "general_materials_information_annotations.jsonl"
    for i, line in enumerate(general.read_text(encoding="utf-8").splitlines()):
        texts.append((f"general-{i}", json.loads(line)["prompt"].split("\n\n###")[0].strip()))
    for i, item in enumerate(json.loads((folder / "doping" / "data" / "train.json").read_text(encoding="utf-8"))):
        text = "\n".join(str(item.get(k) or "").strip() for k in ("title", "text") if item.get(k)).strip()
        if text:
            texts.append((f"doping-{i}", text))
    if len(texts) < n:
        texts = (texts * (n // len(texts) + 1))[:n]
        texts = [(f"{doc_id}-{k}", t) for k, (doc_id, t) in enumerate(texts)]
    return texts[:n]


def timed(args: list[str], cwd: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds and peak RSS (KB, from /usr/bin/time) of one textmine process."""
    cmd = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "textmine.cli", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    rss_kb = int(result.stderr.strip().splitlines()[-1])
    return seconds, rss_kb, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--abstracts", type=int, default=800)
    parser.add_argument("--extract-abstracts", type=int, default=400)
    parser.add_argument("--pipelines", default="rules,model")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()]
    if "rules" not in pipelines:
        pipelines.insert(0, "rules")
    abstracts = load_abstracts(args.data, args.abstracts)
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="textmine-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "abstracts"
        corpus.mkdir()
        for doc_id, text in abstracts:
            (corpus / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
        jsonl = work / "abstracts.jsonl"
        jsonl.write_text("".join(json.dumps({"id": d, "text": t}) + "\n" for d, t in abstracts[: args.extract_abstracts]),
                         encoding="utf-8")
        for pipeline in pipelines:
            run_s, run_rss, result = timed(["-q", "--db", str(work / f"{pipeline}.db"), "run", "--pipeline", pipeline,
                                            str(corpus)], work)
            summary = result.stderr.strip().splitlines()[0] if result.stderr.strip() else ""
            ext_s, ext_rss, _ = timed(["-q", "extract", "--pipeline", pipeline, "--input", str(jsonl), "--output",
                                       str(work / f"{pipeline}.out.jsonl")], work)
            rows.append({"pipeline": pipeline, "run_s": run_s, "run_per_s": len(abstracts) / run_s,
                         "run_rss_mb": run_rss / 1024, "extract_s": ext_s, "summary": summary})
    rules = rows[0]
    print(f"{len(abstracts)} abstracts (run), {args.extract_abstracts} (extract --input); "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores")
    print(f"{'pipeline':<10}{'run s':>8}{'abstracts/s':>13}{'peak RSS MB':>13}{'extract s':>11}{'x rules':>9}")
    for row in rows:
        print(f"{row['pipeline']:<10}{row['run_s']:>8.1f}{row['run_per_s']:>13.1f}{row['run_rss_mb']:>13.0f}"
              f"{row['extract_s']:>11.1f}{row['extract_s'] / rules['extract_s']:>9.2f}")
    for row in rows:
        print(f"  {row['pipeline']}: {row['summary']}")


if __name__ == "__main__":
    main()
