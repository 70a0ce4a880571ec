"""Fuzzing the readers (hypothesis): arbitrary bytes, and real documents from ../shared/data/docs
mutated the ways files get damaged (cut, flipped, spliced with markup debris). Whatever comes in,
`iter_read` yields Documents with consistent offsets or Failures with a reason, and `read_bytes`
raises nothing but ReaderError."""

from __future__ import annotations

from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is in the test extra: pip install -e '.[test]'")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from textmine.document import Document  # noqa: E402
from textmine.readers import ReaderError, iter_read, read_bytes, readers  # noqa: E402
from textmine.records import Failure  # noqa: E402

from tests.conftest import SHARED_DATA  # noqa: E402

DOCS = SHARED_DATA / "docs"
SMALL = 120_000  # mutate documents up to this size: enough variety, fast examples
SAMPLES = sorted(p for p in DOCS.rglob("*") if p.is_file() and p.name.lower() not in ("source.txt", "readme.md")
                 and 0 < p.stat().st_size <= SMALL) if DOCS.is_dir() else []

FUZZ = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# What damaged real files contain: markup fragments, stray bytes, entity debris, BOMs, NULs
DEBRIS = [b"<", b"&", b"</p>", b"<p>", b"]]>", b"<![CDATA[", b"&#xD800;", b"&nbsp;", b"\xff", b"\xc3", b"\xef\xbb\xbf",
          b"\x00", b'"', b"{", b"}", b"[", b"]", b"\n\n", b"<?xml version='1.0'?>", b"1e309", b"<!DOCTYPE x [<!ENTITY a 'b'>]>"]


def check(data: bytes, source: str, format: str | None = None) -> None:
    for item in iter_read(data, source, format=format):
        assert isinstance(item, (Document, Failure)), type(item)
        if isinstance(item, Failure):
            assert item.reason and item.stage == "read"
            continue
        for _, paragraph in item.paragraphs():
            assert 0 <= paragraph.start < paragraph.end <= len(item.text)
        item.model_dump_json()  # storable as it is
    try:
        read_bytes(data, source, format=format)
    except ReaderError:
        pass


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["x.txt", "x.xml", "x.nxml", "x.json", "x.pdf", "x.html", "x"]))
def test_arbitrary_bytes_never_raise(data, name):
    check(data, name)


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(sorted(readers.names())))
def test_every_reader_forced_on_arbitrary_bytes_never_raises(data, format):
    check(data, "forced", format=format)


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    path: Path = draw(st.sampled_from(SAMPLES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "flip", "splice", "delete", "duplicate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "cut":
            del data[at:]
        elif kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "splice":
            data[at:at] = draw(st.sampled_from(DEBRIS))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 256))]
    return path.name, bytes(data)


@pytest.mark.skipif(not SAMPLES, reason=f"shared docs not found at {DOCS} (set TEXTMINE_SHARED_DATA)")
@settings(max_examples=120, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_mutated_real_documents_never_raise(sample):
    name, data = sample
    check(data, name)


NON_ASCII_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300).filter(
    lambda s: not s.isascii() and not s.startswith("\ufeff"))  # a leading U+FEFF is a BOM, dropped by design


@FUZZ
@given(NON_ASCII_TEXT, st.data())
def test_one_stray_byte_costs_exactly_one_character(text, data):
    from textmine.readers._encoding import decode_text

    at = data.draw(st.integers(0, len(text)))
    raw = text[:at].encode("utf-8") + b"\xff" + text[at:].encode("utf-8")
    warnings: list[str] = []
    assert decode_text(raw, warnings=warnings) == text[:at] + "\ufffd" + text[at:]
    assert warnings == [f"file: 1 invalid UTF-8 byte sequence replaced by U+FFFD at byte offset {len(text[:at].encode())}; the rest is UTF-8"]
