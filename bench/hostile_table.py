"""Issue 12's closing table: hostile inputs through the `textmine` of a code tree, before and after.

    python bench/hostile_table.py                       # this checkout
    git archive dfdb135 | tar -x -C /tmp/before && python bench/hostile_table.py --code /tmp/before

Each case is generated in a temporary folder (tests/hostile/inputs.py makes the files) and run
through real `textmine` subprocesses with PYTHONPATH=--code, on a fresh SQLite file. An outcome is
"clean" when there is no traceback, the input's records are stored (or it is recorded in `failures`
with a reason), nothing is duplicated or garbled, a bad query exits 2 with a message, and the peak
RSS stays under 400 MB (input under 1 MB) or 1.5 GB. A "loss" is an input whose records are
missing, garbled or duplicated without a failure saying so. Each child has its address space capped
(3 GiB) so the old table bomb cannot take the machine: there it ends in MemoryError.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _peak import run_with_peak  # noqa: E402
from tests.hostile import inputs as H  # noqa: E402

MB = 2**20
CAP = 3 * 2**30


@dataclass
class Outcome:
    traceback: bool = False
    loss: str = ""  # what was lost, garbled or duplicated without a word
    defect: str = ""  # not clean for another reason (memory, wrong exit status, a re-try, a changed file)
    peak: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.traceback or self.loss or self.defect)


class Runner:
    def __init__(self, code: Path, folder: Path) -> None:
        self.code, self.folder, self.peak = code, folder, 0
        self.db = folder / "t.db"

    def __call__(self, *args: str, cwd: Path | None = None) -> tuple[int, str]:
        env = {**os.environ, "PYTHONPATH": str(self.code), "COLUMNS": "200"}
        log = self.folder / "out.log"
        with log.open("wb") as out:
            status, peak = run_with_peak([sys.executable, "-m", "textmine.cli", *args], cwd=cwd or self.folder,
                                         env=env, stdout=out, stderr=subprocess.STDOUT,
                                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP)))
        self.peak = max(self.peak, peak)
        return status, log.read_text("utf-8", "replace")

    def run(self, *paths: Path | str, cwd: Path | None = None, extra: tuple[str, ...] = ()) -> tuple[int, str]:
        return self("--db", str(self.db), "-q", "run", "--pipeline", "rules", *extra, *map(str, paths), cwd=cwd)

    def rows(self, sql: str) -> list[tuple]:
        if not self.db.exists():
            return []
        with sqlite3.connect(self.db) as db:
            try:
                return db.execute(sql).fetchall()
            except sqlite3.OperationalError:
                return []

    def values(self) -> list[float]:
        bodies = self.rows("SELECT body FROM record_bodies") or self.rows("SELECT body FROM records")
        return sorted(json.loads(b)["value"] for (b,) in bodies if json.loads(b)["value"] is not None)

    def documents(self) -> list[dict]:
        out = []
        for (blob,) in self.rows("SELECT body FROM documents"):
            try:
                out.append(json.loads(zlib.decompress(blob)))
            except (zlib.error, TypeError):
                out.append(json.loads(blob))
        return out

    def failures(self) -> list[tuple]:
        return self.rows("SELECT source, reason FROM failures")


def judge(r: Runner, status: int, output: str, *, values: tuple[float, ...] = (), texts: tuple[str, ...] = (),
          documents: int | None = None, may_fail: bool = True) -> Outcome:
    """One input run: its records/text stored, or recorded as a failure with a reason."""
    o = Outcome(traceback="Traceback" in output or status < 0)
    got, docs, failures = r.values(), r.documents(), r.failures()
    text = " ".join(d.get("text", "") + " " + " ".join(d.get("warnings", [])) for d in docs)  # text, or a warning
    missing = [v for v in values if not any(abs(v - g) < 1e-9 for g in got)]
    missing += [t for t in texts if t not in text]
    if documents is not None and len(docs) < documents:
        missing.append(f"{documents - len(docs)} of {documents} documents")
    if any(g == 0.0 or abs(g) == float("inf") for g in got):
        o.loss = f"wrong value stored: {got}"
    elif missing and not failures:
        o.loss = "missing: " + ", ".join(map(str, missing))
    elif missing and not may_fail:
        o.loss = "missing: " + ", ".join(map(str, missing)) + f" (with {len(failures)} failures)"
    elif not o.traceback and status not in (0, 1):
        o.defect = f"exit status {status}"
    o.notes.append(f"exit {status}, {len(docs)} docs, {len(got)} records, {len(failures)} failures")
    return o


def one_file(make: Callable[[Path], Path | list[Path]], **expect) -> Callable[[Runner], Outcome]:
    def case(r: Runner) -> Outcome:
        inputs = r.folder / "in"
        inputs.mkdir()
        made = make(inputs)
        size = max(p.stat().st_size for p in (made if isinstance(made, list) else [made]))
        status, output = r.run(inputs)
        o = judge(r, status, output, **expect)
        limit = 400 * MB if size < MB else 1536 * MB
        if r.peak > limit and not o.traceback:
            o.defect = f"peak RSS {r.peak / MB:.0f} MB over {limit / MB:.0f} MB"
        return o
    return case


def non_utf8_name(r: Runner) -> Outcome:
    c = r.folder / "c"
    c.mkdir()
    for i in range(100, 250):
        (c / f"p{i}.txt").write_text(f"S{i}\n\nTiO2 has a band gap of 3.{i} eV.\n")
    H.non_utf8_name(c)
    status, output = r.run("c")
    return judge(r, status, output, values=(3.37, 3.1, 3.249), documents=151, may_fail=False)


def edited_file_rerun(r: Runner) -> Outcome:
    c = r.folder / "c"
    c.mkdir()
    (c / "a.txt").write_text("Films\n\nTiO2 has a band gap of 3.2 eV. ZnO has a band gap of 3.37 eV.\n")
    r.run("c")
    (c / "a.txt").write_text("Films\n\nTiO2 has a band gap of 3.1 eV. ZnO has a band gap of 3.37 eV.\n")
    status, output = r.run("c")
    o = judge(r, status, output, values=(3.1, 3.37))
    if not o.loss and r.values() != [3.1, 3.37]:
        o.loss = f"duplicated: {r.values()} stored for one edited file"
    return o


def same_paper_three_formats(r: Runner) -> Outcome:
    """One paper as JATS XML, plain text and PDF (no DOI), run twice: one document, one set of records."""
    H.same_paper_in_three_formats(r.folder / "c")
    r.run("c")
    status, output = r.run("c")
    o = judge(r, status, output, values=(3.2,))
    docs = r.documents()
    if not o.loss and (len(docs) != 1 or len(r.values()) != len(set(r.values()))):
        o.loss = f"duplicated: {len(docs)} documents ({', '.join(sorted(d['format'] for d in docs))}), values {r.values()}"
    return o


def failed_file_rerun(r: Runner) -> Outcome:
    c = r.folder / "c"
    c.mkdir()
    (c / "empty.txt").write_bytes(b"")
    r.run("c")
    status, output = r.run("c")
    o = judge(r, status, output)
    if not o.traceback and "not read again" not in output:
        o.defect = "an unchanged failed file is read again"
    return o


def extract_input(r: Runner) -> Outcome:
    good = json.dumps({"id": "g", "text": "The band gap of ZnO is 3.37 eV."}).encode()
    lines = [b"\xef\xbb\xbf" + good, json.dumps({"id": "l", "text": "x"}).encode()[:-2] + b"\xe9\"}",
             b"[" * 100_000 + b"]" * 100_000, b'{"id": "s", "text": "TiO2 \\ud800 has a band gap of 3.2 eV."}',
             b'{"id": "n", "text": null}', b'{"id": "x"}', b"not json",
             json.dumps({"id": "h", "text": "The band gap of ZnO is 1e309 eV and that of GaN is 3.4 eV."}).encode(),
             json.dumps({"id": 7, "text": "CrO2 has a Curie temperature of 390 K."}).encode()]
    (r.folder / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    status, output = r("extract", "--input", "in.jsonl", "--output", "out.jsonl")
    o = Outcome(traceback="Traceback" in output)
    out = r.folder / "out.jsonl"
    got = {json.loads(x)["value"] for x in out.read_text().splitlines()} if out.exists() else set()
    if not o.traceback and not {3.37, 3.4, 390.0} <= got:
        o.loss = f"records of good lines missing: {sorted({3.37, 3.4, 390.0} - got)}"
    if not o.traceback and status != 1:
        o.defect = f"exit {status}: the bad lines are not in the exit status"
    o.notes.append(f"exit {status}, {len(got)} distinct values")
    return o


def bad_query(*args: str) -> Callable[[Runner], Outcome]:
    def case(r: Runner) -> Outcome:
        (r.folder / "a.txt").write_text("Films\n\nTiO2 has a band gap of 3.2 eV.\n")
        r.run(r.folder / "a.txt")
        status, output = r("search", "--db", str(r.db), *args)
        o = Outcome(traceback="Traceback" in output)
        if not o.traceback and (status != 2 or "No such option" in output):
            o.defect = f"exit {status}: {output.strip().splitlines()[-1][:80] if output.strip() else 'no message'}"
        o.notes.append(f"exit {status}")
        return o
    return case


def foreign_database(r: Runner) -> Outcome:
    other = r.folder / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        db.execute("INSERT INTO notes(text) VALUES ('mine')")
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    status, output = r("search", "--db", str(other), "--property", "band_gap")
    o = Outcome(traceback="Traceback" in output)
    changed = hashlib.sha256(other.read_bytes()).hexdigest() != before or Path(f"{other}-wal").exists()
    if changed:
        o.loss = "another program's database was changed by a read"
    elif not o.traceback and status == 0:
        o.defect = "a database that is not textmine's is searched as if it were"
    o.notes.append(f"exit {status}")
    return o


CASES: dict[str, Callable[[Runner], Outcome]] = {
    "1 non-UTF-8 file name among 150": non_utf8_name,
    "2 one stray byte in UTF-8": one_file(H.stray_byte_text, values=(3.2,), texts=("120 °C",), may_fail=False),
    "2 cp1252 text": one_file(H.cp1252_text, values=(3.37,), texts=("120 °C",), may_fail=False),
    "3 JATS table rowspan/colspan bomb 114 KB": one_file(H.jats_table_bomb, documents=1),
    "3 2 MB single word": one_file(H.single_word),
    "3 sentence of 20,000 words": one_file(lambda d: H.long_sentence(d, words=20_000), documents=1),
    "4 edited file (no DOI) re-run": edited_file_rerun,
    "4 same paper as .xml, .txt and .pdf, run twice": same_paper_three_formats,
    "5 1e309 and 1e-400 in a sentence": one_file(H.overflow_number_text, values=(3.37,), may_fail=False),
    "6 PDF of 502 pages": one_file(lambda d: H.pdf_pages(d, pages=502), texts=("only the first 500",), may_fail=False),
    "6 S2ORC shard, one bad line of 11": one_file(lambda d: H.s2orc_shard(d, good=10, bad_line=4), documents=10,
                                                  may_fail=False),
    "6 .txt starting with [ { <": one_file(H.bracket_texts, values=(3.37,), documents=3, may_fail=False),
    "6 .zip given to run": one_file(H.zip_archive),
    "7 JATS with unescaped < and &": one_file(H.jats_unescaped, values=(3.37,), texts=("<5 ppm",), may_fail=False),
    "7 USPTO XML with unescaped < and &": one_file(H.uspto_unescaped, values=(3.37,), may_fail=False),
    "7 JATS 2,000 nested sections": one_file(lambda d: H.jats_nested_sections(d, 2000), values=(3.37,),
                                             may_fail=False),
    "7 JATS 3,000 nested sections": one_file(lambda d: H.jats_nested_sections(d, 3000)),
    "7 JSON 100k deep": one_file(H.deep_json),
    "8 extract --input, 9 lines, 6 bad": extract_input,
    "9 search --facets bogus": bad_query("--facets", "bogus"),
    "9 search --unit furlongs": bad_query("--property", "band_gap", "--min", "1", "--unit", "furlongs"),
    "9 search --unit K for a band gap": bad_query("--property", "band_gap", "--min", "1", "--unit", "K"),
    "9 search --elements Xx": bad_query("--elements", "Xx"),
    "9 search --min nan": bad_query("--property", "band_gap", "--min", "nan"),
    "9 search --min > --max": bad_query("--property", "band_gap", "--min", "5", "--max", "1"),
    "9 search --limit -1": bad_query("--limit", "-1"),
    "10 search on another program's SQLite": foreign_database,
    "12 unchanged failed file re-run": failed_file_rerun,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="the tree whose textmine runs (default: this one)")
    parser.add_argument("--only", nargs="*", help="cases whose name contains one of these")
    args = parser.parse_args()
    names = [n for n in CASES if not args.only or any(o in n for o in args.only)]
    load = os.getloadavg()
    print(f"code: {args.code}; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs\n")
    print("| item, input | clean | traceback | loss | defect | peak RSS | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    outcomes = []
    started = time.perf_counter()
    for name in names:
        with tempfile.TemporaryDirectory(prefix="hostile-table-") as tmp:
            runner = Runner(args.code.resolve(), Path(tmp))
            o = CASES[name](runner)
            o.peak = runner.peak
        outcomes.append(o)
        print(f"| {name} | {'yes' if o.clean else 'no'} | {'yes' if o.traceback else ''} | {o.loss} | {o.defect} | "
              f"{o.peak / MB:.0f} MB | {'; '.join(o.notes)} |", flush=True)
    print(f"\ninputs tried {len(outcomes)}, handled cleanly {sum(o.clean for o in outcomes)}, "
          f"tracebacks {sum(o.traceback for o in outcomes)}, losses {sum(bool(o.loss) for o in outcomes)}, "
          f"other defects {sum(bool(o.defect) for o in outcomes)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
