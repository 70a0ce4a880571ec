"""Top-1 / top-3 link accuracy on two test sets (textmine.link.evaluate):

1. polymorph sentences (tests/link/fixtures/polymorphs.yaml, written for this project) against the
   reference structures plus the polymorph structures of that file;
2. SuperCon names -> 3DSC parent structures, in two settings, on a seeded sample of entries:
   A. the store holds every 3DSC structure (doped cells included): right when the top link's MP id
      is one of the entry's;
   B. the store holds only the undoped MP structures (no `synth_doped` cells): the doped entries
      whose parent MP structure is stored must link to it by substitution distance.

    nice -n 10 python bench/eval_link.py --db /tmp/eval3dsc.db [--n 500] [--out FILE]

`--db` is a SQLite store where `textmine structures add .../supercon_3dsc/cifs` was run (built if
missing: ~10 min on 2 cores). Setting B works on a copy with the doped cells deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
SUPERCON = SHARED / "materials" / "supercon_3dsc"


def polymorphs() -> dict:
    from textmine.link.evaluate import load_polymorph_set, run_cases
    from textmine.spectra.references import entries_from_yaml, reference_entries
    from textmine.store.sqlite import SQLiteStore
    from textmine.store.structures import structure_store

    structures, cases = load_polymorph_set(ROOT / "tests" / "link" / "fixtures" / "polymorphs.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "p.db")
        structure_store(store).put_structures([*reference_entries(), *entries_from_yaml(structures, "polymorphs")])
        report = run_cases(store, cases)
        store.close()
    return report


def supercon(db: Path, n: int, doped_only: bool) -> dict:
    from textmine.link.evaluate import supercon_cases, supercon_entries, run_cases
    from textmine.store.sqlite import SQLiteStore

    entries = supercon_entries(SUPERCON / "cifs")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "eval.db"
        shutil.copy(db, work)
        only = None
        if doped_only:
            con = sqlite3.connect(work)
            con.execute("DELETE FROM structures WHERE kind = 'synth_doped'")
            con.execute("DELETE FROM structure_elements WHERE structure_id NOT IN (SELECT structure_id FROM structures)")
            parents = {r[0] for r in con.execute("SELECT source_id FROM structures")}
            con.commit()
            con.close()
            only = [name for name, row in entries.items() if row["doped"] and row["mp_ids"] & parents]
        cases = supercon_cases(SUPERCON / "cifs", SUPERCON / "Supercon_data_by_2018_Stanev.csv", n, only=only)
        if doped_only:
            for case in cases:
                case.expected_source_ids &= parents
        store = SQLiteStore(work)
        started = time.perf_counter()
        report = run_cases(store, cases)
        report["seconds"] = round(time.perf_counter() - started, 1)
        report["stored_structures"] = store.stats().structures
        store.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("/tmp/eval3dsc.db"))
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if not args.db.exists():
        from textmine.store.sqlite import SQLiteStore
        from textmine.structures.ingest import add_structures

        store = SQLiteStore(args.db)
        add_structures(store, [SUPERCON / "cifs"])
        store.close()
    report = {"load_before": os.getloadavg(), "polymorph_sentences": polymorphs(),
              "supercon_all_structures": supercon(args.db, args.n, doped_only=False),
              "supercon_doped_to_undoped_parent": supercon(args.db, args.n, doped_only=True), "load_after": os.getloadavg()}
    for name in ("polymorph_sentences", "supercon_all_structures", "supercon_doped_to_undoped_parent"):
        r = report[name]
        print(f"{name:36s} cases {r['cases']:4d}  top-1 {r['top1']:.3f}  top-3 {r['top3']:.3f}  linked {r['linked']}")
        for row in [x for x in r["rows"] if x["rank"] != 1][:8]:
            print(f"    miss: {row['material']!r} -> {row['top'][:2]}  ({row['reason'][:120]})")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
