"""Reader throughput over the real documents in ../shared/data/docs (the reader folders).

    python bench/bench_readers.py [--repeat 3] [--docs PATH]

For each format, the readers (bytes -> Document, via `iter_read`) are timed against a baseline
measured in the same run on the same bytes: the bare parse any reader of that format must do
(lxml XML or HTML parse, pdfium text extraction of every page, UTF-8 decode). The ratio says
what the structure recovery costs on top of parsing; files/s is the absolute rate on this machine.
Files are read into memory first, so disk speed is not measured.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.readers import detect_format, iter_paths, iter_read  # noqa: E402
from textmine.records import Failure  # noqa: E402

FOLDERS = ["acs_html", "elsevier_xml", "elsevier_xml_oa_stm_ccby", "epo_xml", "jats_pmc_xml", "pdf", "rsc_html",
           "springer_jats_xml", "uspto_xml"]


def bare_parse(fmt: str, data: bytes) -> None:
    if fmt == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
    elif fmt in ("rsc_html", "acs_html"):
        import lxml.html

        lxml.html.document_fromstring(data)
    elif fmt == "text":
        data.decode("utf-8", errors="replace")
    else:
        from lxml import etree

        etree.fromstring(data, etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_docs = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "docs"
    parser.add_argument("--docs", type=Path, default=default_docs)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.docs.is_dir():
        sys.exit(f"no documents at {args.docs} (set TEXTMINE_SHARED_DATA or --docs)")

    files: list[tuple[str, str, bytes]] = []
    for folder in FOLDERS:
        for path in iter_paths(args.docs / folder):
            data = path.read_bytes()
            try:
                fmt = detect_format(data[:65536], path.name)
            except Exception:  # noqa: BLE001 - unknown files are simply not benchmarked
                continue
            files.append((fmt, str(path), data))

    reader_s: dict[str, float] = defaultdict(float)
    bare_s: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    size: dict[str, int] = defaultdict(int)
    docs = failures = 0
    for _ in range(args.repeat):
        for fmt, source, data in files:
            t0 = time.perf_counter()
            bare_parse(fmt, data)
            t1 = time.perf_counter()
            for item in iter_read(data, source, format=fmt):
                if isinstance(item, Failure):
                    failures += 1
                else:
                    docs += 1
            t2 = time.perf_counter()
            bare_s[fmt] += t1 - t0
            reader_s[fmt] += t2 - t1
            count[fmt] += 1
            size[fmt] += len(data)

    print(f"{len(files)} files from {args.docs}, {args.repeat} passes; {docs // args.repeat} documents and "
          f"{failures // args.repeat} failures per pass")
    print(f"{'format':<10} {'files':>5} {'MB':>7} {'reader files/s':>15} {'MB/s':>7} {'bare parse files/s':>19} {'reader/bare':>11}")
    for fmt in sorted(count):
        n = count[fmt]
        print(f"{fmt:<10} {n // args.repeat:>5} {size[fmt] / args.repeat / 1e6:>7.2f} {n / reader_s[fmt]:>15.1f} "
              f"{size[fmt] / reader_s[fmt] / 1e6:>7.2f} {n / bare_s[fmt]:>19.1f} {reader_s[fmt] / bare_s[fmt]:>10.1f}x")
    total_n, total_r, total_b = sum(count.values()), sum(reader_s.values()), sum(bare_s.values())
    print(f"{'all':<10} {total_n // args.repeat:>5} {sum(size.values()) / args.repeat / 1e6:>7.2f} {total_n / total_r:>15.1f} "
          f"{sum(size.values()) / total_r / 1e6:>7.2f} {total_n / total_b:>19.1f} {total_r / total_b:>10.1f}x")


if __name__ == "__main__":
    main()
