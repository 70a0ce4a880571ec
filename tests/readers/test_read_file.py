"""Bad input never raises from `read_file`: each case below becomes a Failure with a clear reason.

The bad files are generated in tmp_path at test time (no junk is committed); the good inputs they
are derived from are the committed demo corpus files.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from textmine.document import Document
from textmine.readers import ReaderError, detect_format, iter_paths, iter_read, read_bytes, read_file, readers
from textmine.readers.uspto import UsptoReader, split_concatenated_xml
from textmine.records import Failure

DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo"


def only_failure(path: Path, **kwargs) -> Failure:
    items = list(read_file(path, **kwargs))
    assert len(items) == 1 and isinstance(items[0], Failure), items
    assert items[0].stage == "read" and items[0].source == str(path)
    return items[0]


def test_all_formats_are_registered():
    assert {"text", "jats", "elsevier", "rsc_html", "acs_html", "pdf", "uspto", "epo", "tei", "s2orc"} <= set(readers.names())


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in only_failure(path).reason


def test_whitespace_only_text(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b"  \n\n\t \r\n")
    assert "empty" in only_failure(path).reason


def test_binary_junk_is_unknown_format(tmp_path):
    path = tmp_path / "junk.bin"
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    assert "unknown format" in only_failure(path).reason


def test_binary_junk_named_txt_is_rejected_as_binary(tmp_path):
    path = tmp_path / "junk.txt"
    rng = random.Random(3)
    path.write_bytes(b"Results\n" + bytes(rng.randrange(256) for _ in range(4096)))
    reason = only_failure(path).reason
    assert "binary" in reason or "unknown format" in reason


def test_control_characters_without_nul_are_rejected(tmp_path):
    path = tmp_path / "controls.txt"
    path.write_bytes(b"Title line here\n\n" + bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 200)
    assert "binary" in only_failure(path).reason


@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_legacy_encoded_text_is_decoded_not_rejected(tmp_path, codec):
    text = "Magnetic order in NiO\n\nNiO orders below a Néel temperature of 523 K; the Seebeck coefficient is 210 µV/K at 25 °C."
    if codec == "cp1252":
        text += " The “smart quotes” and the – dash come from Windows."
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(text.encode(codec))
    (doc,) = list(read_file(path))
    assert isinstance(doc, Document)
    assert doc.title == "Magnetic order in NiO"
    assert "Néel temperature of 523 K" in doc.text and "210 µV/K at 25 °C" in doc.text
    if codec == "cp1252":
        assert "“smart quotes”" in doc.text


def test_utf16_text_with_bom(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Band gaps of oxides\n\nZnO has a band gap of 3.37 eV.".encode("utf-16"))
    (doc,) = list(read_file(path))
    assert "ZnO has a band gap of 3.37 eV." in doc.text


def test_truncated_xml(tmp_path):
    data = (DEMO / "thermoelectrics_2020.nxml").read_bytes()
    path = tmp_path / "truncated.nxml"
    path.write_bytes(data[: len(data) // 2])
    reason = only_failure(path).reason
    assert reason.startswith("jats:") and "not well-formed" in reason and "truncated" in reason


def test_truncated_pdf(tmp_path):
    data = (DEMO / "ceramics_2024.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[:300])
    reason = only_failure(path).reason
    assert reason.startswith("pdf:")


def test_pdf_header_with_garbage_body(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    assert "cannot be opened" in only_failure(path).reason


def test_too_large_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"Large file\n\n" + b"The band gap of ZnO is 3.37 eV.\n" * 2000)
    reason = only_failure(path, max_bytes=10_000).reason
    assert "limit" in reason and "max_bytes" in reason
    (doc,) = list(read_file(path))  # the default limit (256 MiB) reads it
    assert isinstance(doc, Document)


def test_unknown_format(tmp_path):
    path = tmp_path / "data.json"
    path.write_text('{"title": "a JSON object that is no document format we read"}')
    reason = only_failure(path).reason
    assert "unknown format" in reason and "supported:" in reason


def test_missing_file_and_directory(tmp_path):
    assert "cannot open" in only_failure(tmp_path / "nope.xml").reason
    assert "not a regular file" in only_failure(tmp_path).reason


def test_unknown_xml_dialect(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?><catalog><book>Not an article</book></catalog>')
    assert "unknown format" in only_failure(path).reason


def test_rsc_page_without_article(tmp_path):
    path = tmp_path / "toc.html"
    path.write_text("<html><head><title>Issue contents - RSC Publishing</title></head><body><div id='wrapper'><h2>Contents</h2></div></body></html>")
    assert "not an article" in only_failure(path).reason


def test_external_entities_are_never_expanded(tmp_path):
    """XXE: a DOCTYPE pointing at a local file must not pull it into the document."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    path = tmp_path / "xxe.nxml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<article><front><article-meta><title-group><article-title>T &x;</article-title></title-group></article-meta></front>"
        "<body><p>Body text &x; here.</p></body></article>"
    )
    for item in read_file(path):
        text = item.text + item.title if isinstance(item, Document) else item.reason
        assert "TOP-SECRET-CONTENT" not in text


def test_bare_ampersand_in_patent_xml_is_repaired(tmp_path):
    data = (DEMO / "EP9900004B1_dielectric.xml").read_bytes().replace(b"KOVAC, Marko", b"KOVAC & Partner")
    path = tmp_path / "amp.xml"
    path.write_bytes(data)
    (doc,) = list(read_file(path))
    assert "KOVAC & Partner" in doc.authors


def test_bulk_file_with_a_broken_document_keeps_the_good_ones(tmp_path):
    one = (DEMO / "US99000001B2_black_tio2.xml").read_bytes()
    bulk = (DEMO / "uspto_bulk_2024.xml").read_bytes()
    broken = one[: len(one) // 2]  # a document cut off mid-way, as in a damaged download
    path = tmp_path / "ipg240109.xml"
    path.write_bytes(bulk + broken + one)
    items = list(read_file(path))
    docs = [i for i in items if isinstance(i, Document)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert [d.patent_number for d in docs] == ["US99000002B2", "US99000003B2", "US99000001B2"]
    assert len(failures) == 1
    assert failures[0].source == f"{path}#3" and "99000001" in failures[0].reason and "not well-formed" in failures[0].reason
    # the strict API yields the same good documents, then says what it could not read
    reader = UsptoReader()
    got = []
    with pytest.raises(ReaderError, match="1 document"):
        for doc in reader.read(path.read_bytes(), str(path)):
            got.append(doc.patent_number)
    assert got == ["US99000002B2", "US99000003B2", "US99000001B2"]


def test_split_concatenated_xml():
    doc = b'<?xml version="1.0"?>\n<us-patent-grant><p>text</p></us-patent-grant>\n'
    assert split_concatenated_xml(doc + doc) == [doc, doc]
    assert split_concatenated_xml(doc + doc[:20] + doc) == [doc, doc[:20], doc]  # cut mid-line
    assert split_concatenated_xml(b"junk" + doc + doc) == [b"junk", doc, doc]
    assert split_concatenated_xml(b"<PATDOC/>") == [b"<PATDOC/>"]


def test_iter_read_turns_a_reader_crash_into_a_failure(monkeypatch):
    from textmine.readers import text as text_module

    def explode(self, data, source):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(text_module.TextReader, "read", explode)
    (failure,) = list(iter_read(b"Title\n\nBody text.", "x.txt"))
    assert isinstance(failure, Failure) and "crashed" in failure.reason and "RuntimeError: boom" in failure.reason


def test_read_bytes_is_strict():
    with pytest.raises(ReaderError, match="unknown format"):
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image.png")


def test_detect_format_on_heads():
    assert detect_format(b"%PDF-1.4\n", "x.bin") == "pdf"
    assert detect_format(b'<?xml version="1.0"?>\n<ep-patent-document id="EP1">', "a.xml") == "epo"
    assert detect_format(b"<PATDOC DTD=\"2.5\">", "a.xml") == "uspto"
    assert detect_format(b"Plain words in a note.", "notes.txt") == "text"
    with pytest.raises(ReaderError, match="empty"):
        detect_format(b"", "x.txt")


def test_iter_paths_walks_sorted_and_skips_hidden_and_folder_notes(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ["b/2.txt", "b/1.xml", "a.txt", ".hidden.txt", ".git/config", "SOURCE.txt", "README.md"]:
        (tmp_path / rel).write_text("x")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_paths(tmp_path)]
    assert got == ["a.txt", "b/1.xml", "b/2.txt"]
    assert list(iter_paths([tmp_path / "a.txt", tmp_path / "missing.txt"])) == [tmp_path / "a.txt", tmp_path / "missing.txt"]


def test_xml_declared_utf8_but_written_in_cp1252_is_decoded(tmp_path):
    data = (DEMO / "EP9900004B1_dielectric.xml").read_text(encoding="utf-8").replace("KOVAC, Marko", "KOVAČ, Mär–ko")
    path = tmp_path / "cp1252.xml"
    path.write_bytes(data.replace("KOVAČ", "KOVAC").encode("cp1252", errors="replace"))  # ≤ is not in cp1252
    (doc,) = list(read_file(path))
    assert "KOVAC, Mär–ko" in doc.authors
    assert "1350 °C" in doc.text


def test_single_patent_keeps_its_path_as_source():
    path = DEMO / "US99000001B2_black_tio2.xml"
    (doc,) = list(read_file(path))
    assert doc.source == str(path)
    docs = list(read_file(DEMO / "uspto_bulk_2024.xml"))
    assert [d.source.rsplit("#", 1)[1] for d in docs] == ["1", "2"]


def test_bulk_file_larger_than_max_bytes_is_streamed_document_by_document(tmp_path):
    """Weekly bulk files exceed any whole-file limit: the limit then applies to each patent."""
    one = (DEMO / "US99000001B2_black_tio2.xml").read_bytes()
    huge = one.replace(b"<p id=\"p-0001\"", b"<p id=\"p-9999\" num=\"9999\">" + b"padding " * 2000 + b"</p><p id=\"p-0001\"", 1)
    path = tmp_path / "ipg_bulk.xml"
    path.write_bytes(one * 30 + huge + one * 5)
    assert path.stat().st_size > 100_000 and len(huge) > 10_000 > len(one)
    items = list(read_file(path, max_bytes=10_000))
    docs = [i for i in items if isinstance(i, Document)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert len(docs) == 35 and all(d.patent_number == "US99000001B2" for d in docs)
    assert [f.source for f in failures] == [f"{path}#31"] and "limit" in failures[0].reason


@pytest.mark.parametrize("chunk_size", [7, 64, 1000, 1 << 20])
def test_streamed_split_matches_in_memory_split(chunk_size):
    import io

    from textmine.readers.uspto import iter_xml_parts

    data = b"lead junk\n" + (DEMO / "uspto_bulk_2024.xml").read_bytes() + (DEMO / "US99000001B2_black_tio2.xml").read_bytes()[:500]
    streamed = list(iter_xml_parts(io.BytesIO(data), max_bytes=1 << 20, chunk_size=chunk_size))
    assert streamed == split_concatenated_xml(data)
    assert len(streamed) == 4


@pytest.mark.parametrize("chunk_size", [100, 999, 4096])
def test_streamed_split_skips_an_oversized_document_and_resumes(chunk_size):
    import io

    from textmine.readers.uspto import _Oversized, iter_xml_parts

    one = (DEMO / "US99000001B2_black_tio2.xml").read_bytes()
    huge = one.replace(b"</abstract>", b"</abstract>" + b"<!-- padding -->" * 2000, 1)
    parts = list(iter_xml_parts(io.BytesIO(one * 3 + huge + one * 2), max_bytes=10_000, chunk_size=chunk_size))
    assert [type(p).__name__ for p in parts] == ["bytes"] * 3 + ["_Oversized"] + ["bytes"] * 2
    assert all(p == one for p in parts if not isinstance(p, _Oversized))


def test_pdf_without_text_layer(tmp_path):
    import io

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(612, 792)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    assert "no text layer" in only_failure(path).reason


@pytest.mark.parametrize("name", sorted(p.name for p in iter_paths(DEMO)))
def test_damaged_copies_of_every_format_never_raise(tmp_path, name):
    """Truncations and flipped bytes anywhere in a file: always a Document or a Failure, never an exception."""
    data = (DEMO / name).read_bytes()
    rng = random.Random(name)
    variants = [data[:cut] for cut in (1, 10, len(data) // 3, len(data) - 5)]
    for _ in range(4):
        damaged = bytearray(data)
        for _ in range(8):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        variants.append(bytes(damaged))
    for i, variant in enumerate(variants):
        path = tmp_path / f"{i}_{name}"
        path.write_bytes(variant)
        items = list(read_file(path))
        assert items and all(isinstance(item, (Document, Failure)) for item in items)
        for item in items:
            if isinstance(item, Failure):
                assert item.reason and item.stage == "read"


def test_a_reader_that_raises_when_called_still_yields_a_failure(monkeypatch, tmp_path):
    """Not every reader is a generator: one that raises on the call itself is guarded too."""
    from textmine.readers import text as text_module

    def refuse(self, data, source):
        raise ReaderError("refused up front")

    monkeypatch.setattr(text_module.TextReader, "read", refuse)
    path = tmp_path / "a.txt"
    path.write_text("Title line\n\nBody.")
    assert only_failure(path).reason == "text: refused up front"
    (failure,) = list(iter_read(b"Title\n\nBody.", "x.txt"))
    assert failure.reason == "text: refused up front"
