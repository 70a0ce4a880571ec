"""Issue 12, reading side: each hostile input from the reproductions, read in process.

Every input here either becomes a document (with a warning saying what was repaired or capped)
or a Failure with a reason; none raises, none is silently wrong. Inputs are generated in tmp_path.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from textmine.document import Document
from textmine.extract.quantities import parse_quantities
from textmine.nlp import MAX_SENTENCE_TOKENS, MAX_TOKEN_CHARS, segment
from textmine.readers import (
    iter_paths,
    iter_read,
    read_bytes,
    read_file,
    source_bytes,
    source_of,
)
from textmine.readers._markup import MAX_TABLE_CELLS, MAX_TEXT_CHARS
from textmine.records import Failure

from tests.hostile import inputs as H


def one_document(path: Path) -> Document:
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


def only_failure(path: Path) -> Failure:
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Failure), items
    return items[0]


# --- item 2: one stray byte --------------------------------------------------------------------


def test_a_stray_byte_is_replaced_alone_and_its_offset_recorded(tmp_path):
    doc = one_document(H.stray_byte_text(tmp_path))
    assert "annealed at 120 °C for 2 h" in doc.text  # was '120 Â°C': the whole file read as cp1252
    assert "band gap of 3.2 eV – measured" in doc.text
    assert "Sample \ufffd batch 7" in doc.text  # only the bad byte is replaced
    (warning,) = doc.warnings
    assert "1 invalid UTF-8 byte" in warning and f"offset {H.stray_byte_offset()}" in warning


def test_a_file_that_is_not_mostly_utf8_is_still_read_as_windows_1252(tmp_path):
    doc = one_document(H.cp1252_text(tmp_path))
    assert doc.title == "Café study" and "120 °C" in doc.text
    assert any("decoded as cp1252" in w for w in doc.warnings)


def test_clean_utf8_has_no_warning(tmp_path):
    path = tmp_path / "clean.txt"
    path.write_text("Clean\n\nZnO has a band gap of 3.37 eV at 300 °C.\n", encoding="utf-8")
    assert one_document(path).warnings == []


# --- item 3: memory ----------------------------------------------------------------------------


def test_table_spans_cannot_blow_up_memory(tmp_path):
    """114 KB of rowspan=100 colspan=100 cells took 3.9 GB and minutes; now capped, with warnings."""
    path = H.jats_table_bomb(tmp_path)
    assert 100_000 <= path.stat().st_size <= 130_000
    started = time.monotonic()
    doc = one_document(path)
    assert time.monotonic() - started < 30
    (table,) = doc.tables
    rows, cols = max(c.row for c in table.cells) + 1, max(c.col for c in table.cells) + 1
    assert rows * cols <= MAX_TABLE_CELLS
    assert any("table t1: cut after" in w for w in doc.warnings)
    assert any("spans of" in w and "ignored" in w for w in doc.warnings)
    assert H.GOOD_SENTENCE in doc.text  # the prose around the table is all there


def test_a_tei_table_with_an_absurd_column_span_is_capped(tmp_path):
    cells = '<cell cols="1000000000">x</cell>' * 200
    rows = f'<row>{cells}</row>' * 300
    path = tmp_path / "grobid.tei.xml"
    path.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
        "</fileDesc></teiHeader><text><body><div><head>Results</head>"
        f"<p>{H.GOOD_SENTENCE}</p></div>"
        f'<figure type="table"><head>Table 1</head><table>{rows}</table></figure></body></text></TEI>',
        encoding="utf-8",
    )
    doc = one_document(path)
    (table,) = doc.tables
    assert (max(c.row for c in table.cells) + 1) * (max(c.col for c in table.cells) + 1) <= MAX_TABLE_CELLS
    assert any("table" in w and "cells" in w for w in doc.warnings)


def test_a_text_over_the_cap_is_cut_at_a_paragraph_with_a_warning(tmp_path):
    doc = one_document(H.big_text(tmp_path, size=MAX_TEXT_CHARS + 2**20))
    assert len(doc.text) <= MAX_TEXT_CHARS
    assert doc.text.endswith("all samples.")  # cut between paragraphs, not mid-word
    (warning,) = doc.warnings
    assert "cut after" in warning and "split the file" in warning


def test_a_two_megabyte_word_is_not_tokenised(tmp_path):
    doc = one_document(H.single_word(tmp_path))
    started = time.monotonic()
    segment(doc)
    assert time.monotonic() - started < 60
    tokens = [t for _, s in doc.sentences() for t in s.tokens]
    assert all(end - start <= MAX_TOKEN_CHARS for start, end in tokens)
    assert any("without a space left untokenised" in w for w in doc.warnings)
    assert doc.sentences  # the title is still a sentence


def test_a_run_on_sentence_is_cut_into_pieces(tmp_path):
    doc = one_document(H.long_sentence(tmp_path, words=3 * MAX_SENTENCE_TOKENS))
    segment(doc)
    sentences = [s for _, s in doc.sentences()]
    assert max(len(s.tokens) for s in sentences) <= MAX_SENTENCE_TOKENS
    assert sum(len(s.tokens) for s in sentences) >= 3 * MAX_SENTENCE_TOKENS  # nothing dropped
    assert any("cut into pieces" in w for w in doc.warnings)


def test_a_huge_paragraph_is_segmented_in_chunks_with_the_same_sentences(tmp_path):
    sentence = "TiO2 has a band gap of 3.2 eV. "
    path = tmp_path / "one_paragraph.txt"
    path.write_text("One paragraph\n\n" + sentence * 8000 + "\n", encoding="utf-8")  # ~250k characters
    doc = one_document(path)
    segment(doc)
    spans = [doc.text[s.start : s.end] for _, s in doc.sentences()]  # the first line is the title, not text
    assert len(spans) == 8000 and set(spans) == {sentence.strip()}  # chunked at sentence ends: none split
    assert any("read in chunks" in w for w in doc.warnings)


# --- item 5: numbers out of range ----------------------------------------------------------------


def test_overflowing_and_underflowing_numbers_are_skipped_not_inf_or_zero():
    skipped: list = []
    text = "It reached 1e309 cm-3 and 1e-400 eV; ZnO has a band gap of 3.37 eV, 10^400 K, 5e10 Pa."
    found = {(q.text, q.value) for q in parse_quantities(text, skipped)}
    assert found == {("3.37 eV", 3.37), ("5e10 Pa", 5e10)}  # no inf, no 0.0 eV, no stray '3' of 'cm-3'
    assert [(s.text, s.start) for s in skipped] == [("1e309", 11), ("1e-400", 26), ("10^400", 68)]
    assert all("out of range" in s.reason for s in skipped)
    assert skipped[0].warning(offset=100) == "quantities: number '1e309' at offset 111 skipped: out of range (over 1.8e+308)"


def test_a_document_with_an_overflowing_number_keeps_its_other_values(tmp_path):
    from textmine.extract.pipeline import load_pipeline

    doc = one_document(H.overflow_number_text(tmp_path))
    extraction = load_pipeline("rules")(doc)  # raised OverflowError: the document was lost
    assert extraction.ok, extraction.failures
    records = extraction.records
    assert any(r.value == pytest.approx(3.37) and r.unit == "eV" for r in records)
    assert not any(r.value == 0.0 or r.value == float("inf") for r in records)


# --- item 6: silent truncation and skips ------------------------------------------------------------


def test_pdf_pages_past_the_cap_are_a_warning(tmp_path):
    doc = one_document(H.pdf_pages(tmp_path, pages=502))
    assert "Page 499" in doc.text and "Page 501" not in doc.text
    assert any("502 pages" in w and "first 500" in w for w in doc.warnings)


def test_one_bad_line_of_an_s2orc_shard_costs_only_that_line(tmp_path):
    path = H.s2orc_shard(tmp_path, good=10, bad_line=4)
    items = list(read_file(path))
    docs = [i for i in items if isinstance(i, Document)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert len(docs) == 10 and sorted(d.title for d in docs) == sorted(f"Paper {i} on zinc oxide" for i in range(10))
    (failure,) = failures
    assert failure.source == f"{path}#4" and "line 4" in failure.reason


def test_a_pretty_printed_broken_s2orc_file_is_one_failure(tmp_path):
    path = tmp_path / "paper.json"
    path.write_text(json.dumps({"paper_id": "x", "pdf_parse": {"body_text": [{"text": "a"}]}}, indent=2)[:-3])
    assert "not valid JSON" in only_failure(path).reason


@pytest.mark.parametrize("start", ["[1] Notes on zinc oxide", "{draft} Notes on zinc oxide", "<5 ppm impurities in zinc oxide"])
def test_a_txt_starting_with_a_bracket_is_text(tmp_path, start):
    path = tmp_path / "notes.txt"
    path.write_text(f"{start}\n\n{H.GOOD_SENTENCE}\n", encoding="utf-8")
    doc = one_document(path)  # was "unknown format"
    assert doc.format == "text" and H.GOOD_SENTENCE in doc.text


def test_json_and_markup_named_txt_are_still_not_prose(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text(json.dumps([{"a": 1}, {"b": 2}]))
    assert "unknown format" in only_failure(path).reason
    path = tmp_path / "page.txt"
    path.write_text("<div><span>not a paper</span></div>")
    assert "unknown format" in only_failure(path).reason


def test_a_zip_archive_gets_a_clear_reason(tmp_path):
    reason = only_failure(H.zip_archive(tmp_path)).reason
    assert "zip archive" in reason and "unpack it" in reason and "uspto-bulk" in reason
    assert "malformed" not in reason and "unknown format" not in reason


def test_a_zip_of_stored_uspto_xml_is_not_read_as_broken_xml(tmp_path):
    import zipfile

    path = tmp_path / "ipg240109.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("ipg240109.xml", (H.uspto_unescaped(tmp_path)).read_bytes())
    reason = only_failure(path).reason
    assert "zip archive" in reason and "USPTO" not in reason.split(":")[0]


def _read_as(uid: int, root: Path) -> list[tuple[str, str, str]]:
    """iter_paths + read_file in a forked child running as `uid` (root reads any folder)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            out = [(str(p), type(i).__name__, getattr(i, "reason", "")) for p in iter_paths(root) for i in read_file(p)]
            os.write(write, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return [tuple(x) for x in json.loads(b"".join(chunks))]


def test_an_unreadable_folder_is_a_recorded_failure_not_a_silent_skip(tmp_path_factory):
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="textmine-hostile-"))  # world-traversable, unlike tmp_path
    try:
        root.chmod(0o755)
        (root / "ok.txt").write_text(f"Readable\n\n{H.GOOD_SENTENCE}\n")
        locked = root / "locked"
        locked.mkdir()
        (locked / "hidden.txt").write_text(f"Unreadable\n\n{H.GOOD_SENTENCE}\n")
        for p in (root / "ok.txt", locked / "hidden.txt"):
            p.chmod(0o644)
        locked.chmod(0o000)
        if os.geteuid() == 0:
            results = _read_as(65534, root)  # 'nobody': root would read the folder anyway
        else:
            results = [(str(p), type(i).__name__, getattr(i, "reason", "")) for p in iter_paths(root) for i in read_file(p)]
        assert (str(root / "ok.txt"), "Document", "") in results
        (failure,) = [r for r in results if r[1] == "Failure"]
        assert failure[0] == str(locked) and "cannot list folder" in failure[2] and "Permission denied" in failure[2]
    finally:
        (root / "locked").chmod(0o755)
        for p in sorted(root.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        root.rmdir()


# --- item 7: malformed markup and deep nesting --------------------------------------------------------


def test_unescaped_lt_and_amp_in_jats_are_repaired_with_the_text_right(tmp_path):
    doc = one_document(H.jats_unescaped(tmp_path))  # was "not well-formed": the paper was lost
    assert "The powder had impurities <5 ppm & traces of iron." in doc.text
    assert H.GOOD_SENTENCE in doc.text
    (warning,) = doc.warnings
    assert "not well-formed" in warning and "stray '<'" in warning and "bare '&'" in warning


def test_unescaped_lt_and_amp_in_patent_xml_are_repaired(tmp_path):
    doc = one_document(H.uspto_unescaped(tmp_path))
    assert doc.patent_number == "US9999999B2"
    assert "A film with impurities <5 ppm & traces of iron." in doc.text
    assert any("escaped" in w for w in doc.warnings)


def test_mismatched_tags_are_recovered_and_say_so(tmp_path):
    path = tmp_path / "mismatched.nxml"
    path.write_bytes(H.jats(f"<sec><title>Results</title><p>TiO2 <italic>films</bold> were made.</p><p>{H.GOOD_SENTENCE}</p></sec>"))
    doc = one_document(path)
    assert H.GOOD_SENTENCE in doc.text and "TiO2 films were made." in doc.text
    assert any("recovery mode" in w for w in doc.warnings)


def test_truncated_xml_is_still_a_failure_not_a_short_document(tmp_path):
    path = tmp_path / "cut.nxml"
    path.write_bytes(H.jats_unescaped(tmp_path).read_bytes()[:-40])
    reason = only_failure(path).reason
    assert "not well-formed" in reason and "truncated" in reason


def test_two_thousand_nested_sections_are_read(tmp_path):
    doc = one_document(H.jats_nested_sections(tmp_path, depth=2000))  # was RecursionError
    assert H.GOOD_SENTENCE in doc.text


def test_nesting_past_the_parser_limit_is_a_clean_failure(tmp_path):
    reason = only_failure(H.jats_nested_sections(tmp_path, depth=3000)).reason
    assert "nested too deeply" in reason and "crashed" not in reason


def test_deep_json_is_a_clean_failure(tmp_path):
    reason = only_failure(H.deep_json(tmp_path, depth=100_000)).reason
    assert "nested too deeply" in reason and "crashed" not in reason


def test_deep_json_lines_cost_only_their_line(tmp_path):
    good = json.dumps({"paper_id": "a", "title": "Good", "abstract": [{"text": H.GOOD_SENTENCE}]})
    path = tmp_path / "shard.jsonl"
    path.write_text(good + "\n" + '{"pdf_parse": ' + "[" * 50_000 + "]" * 50_000 + "}\n" + good.replace('"a"', '"b"') + "\n")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["Document", "Failure", "Document"]
    assert "nested too deeply" in items[1].reason


# --- item 1 (reading part): a file name that is not valid UTF-8 ------------------------------------------


def test_a_non_utf8_file_name_is_listed_and_read_losslessly(tmp_path):
    path = H.non_utf8_name(tmp_path)
    (listed,) = list(iter_paths(tmp_path))
    assert os.fsencode(listed) == os.fsencode(path)
    doc = one_document(listed)
    assert source_bytes(doc.source) == os.fsencode(path.absolute()) == source_bytes(source_of(path))  # lossless
    assert doc.source.startswith("file:///") and doc.source.endswith("/p220_caf%E9.txt")  # printable
    doc.source.encode("utf-8")  # valid UTF-8: any store takes it
    assert source_of(tmp_path / "plain é.txt") == str(tmp_path / "plain é.txt")  # UTF-8 names keep their source


# --- the strict API says ReaderError, never anything else ---------------------------------------------------


@pytest.mark.parametrize("make", [H.zip_archive, H.deep_json, lambda d: H.jats_nested_sections(d, 3000)])
def test_read_bytes_raises_only_reader_errors(tmp_path, make):
    from textmine.readers import ReaderError

    path = make(tmp_path)
    with pytest.raises(ReaderError):
        read_bytes(path.read_bytes(), str(path))
    assert all(isinstance(i, (Document, Failure)) for i in iter_read(path.read_bytes(), str(path)))
