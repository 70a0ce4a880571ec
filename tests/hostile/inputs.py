"""Hostile inputs, generated (never committed): each function writes one file (or folder) into
`folder` and returns its path. Built from the reproductions in issue 12; `bench/bench_memory.py`
uses the large ones."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

JATS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" "JATS.dtd">\n'
    '<article><front><article-meta><title-group><article-title>{title}</article-title></title-group>'
    "</article-meta></front><body>"
)
JATS_TAIL = "</body></article>\n"
GOOD_SENTENCE = "ZnO has a band gap of 3.37 eV at room temperature."


def jats(body: str, title: str = "A hostile article") -> bytes:
    return (JATS_HEAD.format(title=title) + body + JATS_TAIL).encode("utf-8")


# --- item 2: one stray byte -------------------------------------------------------------------

def stray_byte_text(folder: Path) -> Path:
    """UTF-8 text (degree signs, a dash) with one invalid byte in the middle."""
    head = "Annealing study\n\nThe films were annealed at 120 °C for 2 h in air.\n\n".encode("utf-8")
    junk = b"Sample \xff batch 7 was kept as a reference.\n\n"
    tail = "TiO2 has a band gap of 3.2 eV – measured at 300 K.\n".encode("utf-8")
    path = folder / "stray_byte.txt"
    path.write_bytes(head + junk + tail)
    return path


def stray_byte_offset() -> int:
    head = "Annealing study\n\nThe films were annealed at 120 °C for 2 h in air.\n\n".encode("utf-8")
    return len(head) + len(b"Sample ")


def cp1252_text(folder: Path) -> Path:
    """A legacy Windows-1252 file (no valid UTF-8 multibyte sequence at all): decode it as cp1252."""
    path = folder / "legacy.txt"
    path.write_bytes("Caf\u00e9 study\n\nThe films were annealed at 120 \u00b0C; ZnO has a band gap of 3.37 eV.\n".encode("cp1252"))
    return path


# --- item 3: memory -------------------------------------------------------------------------

def jats_table_bomb(folder: Path, size: int = 114_000) -> Path:
    """A JATS table whose cells each claim rowspan=100 colspan=100 (~114 KB by default)."""
    cell = '<td rowspan="100" colspan="100">1.5</td>'
    row = "<tr>" + cell * 30 + "</tr>"
    rows = []
    total = 0
    while total < size:
        rows.append(row)
        total += len(row)
    body = (
        f"<sec><title>Results</title><p>{GOOD_SENTENCE}</p>"
        '<table-wrap id="t1"><label>Table 1</label><caption><p>Band gaps.</p></caption><table><tbody>'
        + "".join(rows)
        + "</tbody></table></table-wrap></sec>"
    )
    path = folder / "table_bomb.nxml"
    path.write_bytes(jats(body))
    return path


def jats_wide_table(folder: Path, rows: int = 600, cols: int = 50) -> Path:
    """A JATS table of rows x cols plain numeric cells (30,000 by default, ~0.9 MB): no spans,
    just many cells, each one a candidate value for table records."""
    header = "<tr>" + "".join(f"<th>Band gap {c} (eV)</th>" for c in range(cols)) + "</tr>"
    body = "".join("<tr>" + f"<td>TiO2-{r}</td>" + "".join(f"<td>{1 + (r * c) % 300 / 100:.2f}</td>" for c in range(1, cols))
                   + "</tr>" for r in range(rows))
    path = folder / "wide_table.nxml"
    path.write_bytes(jats(
        f"<sec><title>Results</title><p>{GOOD_SENTENCE}</p>"
        f'<table-wrap id="t1"><label>Table 1</label><caption><p>Band gaps of TiO2 samples.</p></caption>'
        f"<table><thead>{header}</thead><tbody>{body}</tbody></table></table-wrap></sec>"
    ))
    return path


def big_text(folder: Path, size: int = 50 * 2**20, name: str = "big.txt") -> Path:
    """Plausible prose of `size` bytes: paragraphs of sentences with quantities."""
    sentences = [
        "TiO2 has a band gap of 3.2 eV.",
        "The films were annealed at 450 °C for 2 h.",
        "The Curie temperature of La0.7Sr0.3MnO3 is 370 K.",
        "Grain sizes ranged from 20 to 40 nm in all samples.",
    ]
    paragraph = (" ".join(sentences * 6) + "\n\n").encode("utf-8")
    path = folder / name
    with path.open("wb") as out:
        out.write(b"A large text file\n\n")
        written = 0
        while written < size:
            out.write(paragraph)
            written += len(paragraph)
    return path


def big_jats(folder: Path, size: int = 60 * 2**20) -> Path:
    """A JATS article of `size` bytes: one section of many paragraphs (as big as --max-bytes admits)."""
    paragraph = "<p>TiO2 has a band gap of 3.2 eV. The films were annealed at 450 °C for 2 h.</p>".encode("utf-8")
    head, tail = jats("<sec><title>Results</title>").rsplit(b"</body>", 1)
    path = folder / "big.nxml"
    with path.open("wb") as out:
        out.write(head)
        written = len(head)
        while written < size - 100:
            out.write(paragraph)
            written += len(paragraph)
        out.write(b"</sec></body>" + tail)
    return path


def single_word(folder: Path, size: int = 2 * 2**20) -> Path:
    """One 'word' of `size` letters: no space, no full stop."""
    path = folder / "word.txt"
    path.write_bytes(b"Title of a word\n\n" + b"a" * size + b"\n")
    return path


def long_sentence(folder: Path, words: int = 200_000) -> Path:
    """A single sentence of `words` words without a full stop."""
    path = folder / "sentence.txt"
    path.write_bytes(b"A long sentence\n\n" + b" ".join(b"word%d" % (i % 97) for i in range(words)) + b"\n")
    return path


# --- item 5: numbers out of range ------------------------------------------------------------

def overflow_number_text(folder: Path) -> Path:
    path = folder / "overflow.txt"
    path.write_text(
        "Overflowing numbers\n\n"
        "The carrier density reached 1e309 cm-3 in the model, and the energy scale was 1e-400 eV.\n\n"
        f"{GOOD_SENTENCE}\n",
        encoding="utf-8",
    )
    return path


# --- item 6: silent truncation and skips -------------------------------------------------------

def pdf_pages(folder: Path, pages: int = 502, name: str = "long.pdf") -> Path:
    """A PDF of `pages` pages written by pdfium itself; page N (N > 1) says 'Page N: ...'."""
    import ctypes
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument.new()
    for i in range(pages):
        page = pdf.new_page(612, 792)
        text = f"Page {i + 1}: TiO2 has a band gap of 3.{i % 10} eV." if i else "A very long report"
        obj = pdfium_c.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(12))
        utf16 = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(utf16, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 72, 720)
        pdfium_c.FPDFPage_InsertObject(page.raw, obj)
        pdfium_c.FPDFPage_GenerateContent(page.raw)
        page.close()
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


def s2orc_shard(folder: Path, good: int = 10, bad_line: int = 4) -> Path:
    """An S2ORC JSON-lines shard: `good` papers and one truncated line at position `bad_line` (1-based)."""
    lines = []
    for i in range(good):
        paper = {
            "paper_id": f"p{i}", "title": f"Paper {i} on zinc oxide", "authors": [], "year": 2020,
            "abstract": [{"text": f"Sample {i}: {GOOD_SENTENCE}"}],
            "body_text": [{"text": f"TiO2 film {i} has a band gap of 3.{i} eV.", "section": "Results"}],
        }
        lines.append(json.dumps(paper))
    lines.insert(bad_line - 1, '{"paper_id": "broken", "title": "cut off in the mid')
    path = folder / "shard.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bracket_texts(folder: Path) -> list[Path]:
    """Plain-text notes that happen to start with '[', '{' or '<'."""
    paths = []
    for name, start in (("bracket.txt", "[1] Notes on zinc oxide"), ("brace.txt", "{draft} Notes on zinc oxide"),
                        ("angle.txt", "<5 ppm impurities: notes on zinc oxide")):
        path = folder / name
        path.write_text(f"{start}\n\n{GOOD_SENTENCE} Sample {name}.\n", encoding="utf-8")  # distinct texts: distinct ids
        paths.append(path)
    return paths


def zip_archive(folder: Path) -> Path:
    path = folder / "papers.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("paper.txt", f"A paper\n\n{GOOD_SENTENCE}\n")
    return path


# --- item 7: malformed markup and deep nesting ---------------------------------------------------

def jats_unescaped(folder: Path) -> Path:
    path = folder / "unescaped.nxml"
    path.write_bytes(jats(
        "<sec><title>Methods</title><p>The powder had impurities <5 ppm & traces of iron.</p>"
        f"<p>{GOOD_SENTENCE}</p></sec>"
    ))
    return path


def uspto_unescaped(folder: Path) -> Path:
    path = folder / "patent.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<us-patent-grant lang="EN" file="US09999999-20200101.XML"><us-bibliographic-data-grant>'
        b"<publication-reference><document-id><country>US</country><doc-number>09999999</doc-number>"
        b"<kind>B2</kind><date>20200101</date></document-id></publication-reference>"
        b"<invention-title>Zinc oxide films</invention-title></us-bibliographic-data-grant>"
        b"<abstract><p>A film with impurities <5 ppm & traces of iron.</p></abstract>"
        b"<description><p>" + GOOD_SENTENCE.encode() + b"</p></description>"
        b'<claims><claim id="CLM-00001" num="00001"><claim-text>A film of ZnO.</claim-text></claim></claims>'
        b"</us-patent-grant>\n"
    )
    return path


def jats_nested_sections(folder: Path, depth: int = 2000) -> Path:
    body = "<sec><title>Deep</title>" * depth + f"<p>{GOOD_SENTENCE}</p>" + "</sec>" * depth
    path = folder / f"nested{depth}.nxml"
    path.write_bytes(jats(body))
    return path


def deep_json(folder: Path, depth: int = 100_000) -> Path:
    """An S2ORC-looking record whose abstract is nested `depth` lists deep."""
    path = folder / "deep.json"
    path.write_text('{"paper_id": "deep", "title": "Deep", "pdf_parse": {"abstract": ' + "[" * depth + "]" * depth
                    + ', "body_text": [{"text": "' + GOOD_SENTENCE + '"}]}}', encoding="utf-8")
    return path


def non_utf8_name(folder: Path) -> Path:
    """A text file whose name is not valid UTF-8 (latin-1 'café')."""
    target = folder / b"p220_caf\xe9.txt".decode("utf-8", "surrogateescape")
    target.write_text(f"x\n\n{GOOD_SENTENCE}\n", encoding="utf-8")
    return target


# --- item 4: the same paper in several formats -------------------------------------------------

def paper_body(seed: int) -> list[str]:
    """Paragraphs of a small paper (about 150 words, two band-gap records); `seed` varies the words."""
    oxide, gap, temp = [("TiO2", "3.2", "450"), ("ZnO", "3.37", "500"), ("SnO2", "3.6", "550"), ("WO3", "2.7", "400")][seed % 4]
    return [
        f"Thin films of {oxide} were grown by reactive sputtering on fused silica substrates at {temp} C "
        f"and studied by optical absorption, photoluminescence and X-ray diffraction in series {seed}.",
        f"The optical measurements show that {oxide} has a band gap of {gap} eV at room temperature, "
        "in agreement with earlier reports on single crystals grown from the vapour phase.",
        f"Annealing in oxygen reduced the density of defect states near the band edge of the films of batch {seed}, "
        "and the absorption tail became sharper with every annealing step that was applied to the samples.",
        f"We conclude that sputtered films of {oxide} reach the quality of bulk crystals once the oxygen vacancies "
        f"are removed, which makes them suitable for transparent electrodes and photocatalysis (study {seed}).",
    ]


def jats_paper(path: Path, title: str, paragraphs: list[str], *, authors: list[tuple[str, str]] = (),
               year: int | None = None, doi: str | None = None) -> Path:
    contribs = "".join(f'<contrib contrib-type="author"><name><surname>{s}</surname><given-names>{g}</given-names>'
                       "</name></contrib>" for g, s in authors)
    meta = (f'<article-id pub-id-type="doi">{doi}</article-id>' if doi else "") + (
        f"<title-group><article-title>{title}</article-title></title-group>"
        + (f"<contrib-group>{contribs}</contrib-group>" if contribs else "")
        + (f'<pub-date pub-type="epub"><year>{year}</year></pub-date>' if year else "")
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<article><front><article-meta>' + meta
                    + f"</article-meta></front><body><sec><title>Results</title>{body}</sec></body></article>\n",
                    encoding="utf-8")
    return path


def text_paper(path: Path, title: str, paragraphs: list[str]) -> Path:
    path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n\nAcknowledgements: none.\n", encoding="utf-8")
    return path


def pdf_paper(path: Path, title: str, paragraphs: list[str]) -> Path:
    """A one-page PDF written by pdfium: the title in 16 pt, the paragraphs in 9 pt lines."""
    import ctypes
    import io
    import textwrap

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(612, 792)
    y = 740.0

    def line(text: str, size: float) -> None:
        obj = pdfium_c.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(size))
        utf16 = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(utf16, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 60, y)
        pdfium_c.FPDFPage_InsertObject(page.raw, obj)

    line("J. Oxide Films 12 (2021) 101-104", 7)  # a running head: PDF text is never exactly the article's
    y -= 30
    line(title, 16)
    y -= 36
    for paragraph in paragraphs:
        for text in textwrap.wrap(paragraph, 95):
            line(text, 9)
            y -= 12
        y -= 10
    line("Corresponding author: a.lovelace@example.org", 9)
    pdfium_c.FPDFPage_GenerateContent(page.raw)
    page.close()
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    path.write_bytes(out.getvalue())
    return path


def same_paper_in_three_formats(folder: Path, title: str = "Optical band gaps of sputtered oxide films",
                                seed: int = 0, stem: str = "paper") -> list[Path]:
    """The same paper as JATS XML (authors, year, no DOI), plain text and PDF (title and text only)."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = paper_body(seed)
    return [
        jats_paper(folder / f"{stem}.xml", title, paragraphs, authors=[("Ada", "Lovelace"), ("Charles", "Babbage")], year=2021),
        text_paper(folder / f"{stem}.txt", title, paragraphs),
        pdf_paper(folder / f"{stem}.pdf", title, paragraphs),
    ]
