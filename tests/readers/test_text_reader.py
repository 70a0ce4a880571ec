"""The plain-text reader's layout rules, on small texts written here."""

from __future__ import annotations

from textmine.readers import read_bytes


def read(text: str):
    (doc,) = read_bytes(text.encode("utf-8"), "note.txt")
    return doc


def paragraphs(doc):
    return [(s.title, s.kind, doc.text[p.start : p.end]) for s, p in doc.paragraphs()]


def test_hard_wrapped_paragraphs_are_joined_and_dehyphenated():
    doc = read(
        "Thermal transport in oxides\n\n"
        "The thermal conductiv-\nity of alumina is 30 W m-1 K-1 at room temper-\nature, and of MgO it is\n"
        "about 50 W m-1 K-1.\n\n"
        "A second paragraph that follows a blank line and is long enough to look like prose\nthat wraps.\n"
    )
    assert doc.title == "Thermal transport in oxides"
    assert paragraphs(doc) == [
        ("", "body", "The thermal conductivity of alumina is 30 W m-1 K-1 at room temperature, and of MgO it is about 50 W m-1 K-1."),
        ("", "body", "A second paragraph that follows a blank line and is long enough to look like prose that wraps."),
    ]


def test_headings_name_sections_and_references_end_the_text():
    doc = read(
        "Band gaps of titanates\n\nAbstract\nCoTiO3 has a band gap of 1.95 eV, measured on films.\n\n"
        "2. Results\nNiTiO3 has a band gap of 2.1 eV in the annealed films that we prepared here.\n\n"
        "References\n[1] A. Author, Some Journal 1 (2001) 1.\n"
    )
    assert paragraphs(doc) == [
        ("Abstract", "abstract", "CoTiO3 has a band gap of 1.95 eV, measured on films."),
        ("2. Results", "body", "NiTiO3 has a band gap of 2.1 eV in the annealed films that we prepared here."),
    ]
    assert "Some Journal" not in doc.text


def test_one_paragraph_per_line_text():
    long_a = "Zinc oxide is a wide band gap semiconductor with a gap of 3.37 eV at room temperature, " * 2
    long_b = "Gallium nitride has a band gap of 3.4 eV and is used in blue light emitting diodes and lasers. " * 2
    doc = read(f"Wide band gap semiconductors\n\n{long_a}\n{long_b}\n")
    assert [p[2] for p in paragraphs(doc)] == [long_a.strip(), long_b.strip()]


def test_header_fields_are_metadata_not_text():
    doc = read("A title line here\nAuthors: Ada Lovelace; Alan Turing\nDOI: 10.5555/abc.1\nPublished: 2019-05-02\n\nBody text of the note.\n")
    assert doc.title == "A title line here"
    assert doc.authors == ["Ada Lovelace", "Alan Turing"]
    assert doc.doi == "10.5555/abc.1" and doc.id == "doi:10.5555/abc.1"
    assert doc.year == 2019
    assert doc.text == "Body text of the note."


def test_a_sentence_first_line_is_not_a_title():
    doc = read("The band gap of ZnO is 3.37 eV.\nIt is used in varistors.\n")
    assert doc.title == ""
    assert doc.text == "The band gap of ZnO is 3.37 eV. It is used in varistors."


def test_short_first_line_of_a_wrapped_paragraph_is_not_a_heading():
    doc = read("Notes on oxides\n\nThe band gap of TiO2\n(anatase) is 3.2 eV and that of rutile is 3.0 eV as reported.\n")
    assert doc.text == "The band gap of TiO2 (anatase) is 3.2 eV and that of rutile is 3.0 eV as reported."
