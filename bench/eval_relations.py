"""Record quality and calibration of extraction pipelines on the annotated dev set and the Snowball
silver sets — the figures of the relation-model issue, in one command.

    PYTHONPATH=. python bench/eval_relations.py [--pipelines rules,model] [--keep DIR] [--data ../shared/data]
    PYTHONPATH=. python bench/eval_relations.py --pipelines model,configs/relations/holdout-mechanical.toml

For each pipeline it runs, as a user would:
  python corpora/dev/relations/build.py DEV                          # texts + gold-<property>.csv
  textmine extract --pipeline P --input DEV/texts.jsonl --output DEV/P.jsonl
  textmine evaluate records DEV DEV/P.jsonl --json [--property ...]  # all gold properties, and the ontology's
  textmine evaluate calibration DEV DEV/P.jsonl --json               # pooled over properties
  textmine evaluate make-gold snowball -o SNOW ; extract + evaluate per set
and prints P/R/F1 overall, over the ontology's properties, per property family (band gap,
Curie/Néel, superconducting Tc, conductivity, capacity, voltage, mechanical), per Snowball set,
and the calibration (ECE, records, monotone per decile).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
FAMILIES = {
    "band gap": ["band_gap"],
    "Curie/Néel": ["curie_temperature", "neel_temperature"],
    "superconducting Tc": ["superconducting_transition_temperature"],
    "conductivity": ["electrical_conductivity", "ionic_conductivity"],
    "capacity": ["specific_capacity"],
    "voltage": ["voltage", "open_circuit_voltage"],
    "mechanical": ["youngs_modulus", "bulk_modulus", "shear_modulus", "tensile_strength", "yield_strength",
                   "compressive_strength", "flexural_strength", "hardness", "fracture_toughness", "elongation_at_break"],
}


def textmine(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "textmine.cli", *args], capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1):
        raise SystemExit(f"textmine {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def scores(gold: Path, records: Path, properties: list[str] | None = None) -> dict:
    args = ["evaluate", "records", str(gold), str(records), "--json"]
    for p in properties or []:
        args += ["--property", p]
    return json.loads(textmine(*args))


def present(gold: Path, names: list[str]) -> list[str]:
    return [n for n in names if (gold / f"gold-{n}.csv").exists()]


def line(name: str, s: dict) -> str:
    m = s["micro"]
    # (from the counts: the summary's scores are rounded to 4 places, and rounding them again shows 0.7425 as 0.743)
    gold, predicted, matched = m["gold"], m["predicted"], m["matched"]
    p = matched / predicted if predicted else 0.0
    r = matched / gold if gold else 0.0
    f1 = 2 * matched / (gold + predicted) if gold + predicted else 0.0
    return f"  {name:<26}{gold:>6}{predicted:>6}{matched:>6}{p:>8.3f}{r:>8.3f}{f1:>8.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipelines", default="rules,model")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--keep", type=Path, default=None, help="keep inputs and outputs in this folder")
    args = parser.parse_args()
    from textmine.ontology import load_ontology

    ontology_names = set(load_ontology().names())
    with tempfile.TemporaryDirectory(prefix="textmine-eval-") as tmp:
        work = args.keep or Path(tmp)
        dev, snow = work / "devset", work / "snowball"
        subprocess.run([sys.executable, str(ROOT / "corpora" / "dev" / "relations" / "build.py"), str(dev), "--shared",
                        str(args.data)], check=True, capture_output=True)
        textmine("evaluate", "make-gold", "snowball", "-o", str(snow))
        in_ontology = sorted(p.name[5:-4] for p in dev.glob("gold-*.csv") if p.name[5:-4] in ontology_names)
        for pipeline in [p.strip() for p in args.pipelines.split(",") if p.strip()]:
            name = Path(pipeline).stem if pipeline.endswith(".toml") else pipeline  # a pipeline file: by its name
            out = dev / f"{name}.jsonl"
            textmine("-q", "extract", "--pipeline", pipeline, "--input", str(dev / "texts.jsonl"), "--output", str(out))
            print(f"\n== {pipeline}")
            print(f"  {'dev set':<26}{'gold':>6}{'pred':>6}{'match':>6}{'P':>8}{'R':>8}{'F1':>8}")
            print(line("all gold properties", scores(dev, out)))
            print(line("ontology properties", scores(dev, out, in_ontology)))
            for family, names in FAMILIES.items():
                if present(dev, names):
                    print(line(family, scores(dev, out, present(dev, names))))
            for folder in sorted(p for p in snow.iterdir() if p.is_dir()):
                result = folder / f"{name}.jsonl"
                textmine("-q", "extract", "--pipeline", pipeline, "--input", str(folder / "texts.jsonl"), "--output",
                         str(result))
                print(line(f"Snowball {folder.name}", scores(folder, result)))
            calibration = json.loads(textmine("evaluate", "calibration", str(dev), str(out), "--json",
                                              *sum((["--property", p] for p in in_ontology), [])))
            keys = {k: calibration.get(k) for k in ("n", "ece", "accuracy", "monotone")}
            print(f"  calibration on the dev set (ontology properties): {json.dumps(keys)}")


if __name__ == "__main__":
    main()
