"""Tokens and sentences as a chemist expects them, with offsets into the document text."""

from __future__ import annotations

import pytest

from textmine.document import DocumentBuilder
from textmine.nlp import is_formula, segment, split_sentences, tokenize


def words(text: str) -> list[str]:
    return [text[a:b] for a, b in tokenize(text)]


@pytest.mark.parametrize(
    "formula",
    ["La0.7Sr0.3MnO3", "Ba1-xSrxTiO3", "Li(Ni1/3Mn1/3Co1/3)O2", "CuSO4·5H2O", "Fe3+", "(Bi0.5Na0.5)TiO3",
     "Li7La3Zr2O12", "CH3NH3PbI3", "In2O3", "TiO2"],
)
def test_formulas_stay_whole(formula):
    assert words(f"The sample of {formula}, annealed.") == ["The", "sample", "of", formula, ",", "annealed", "."]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2.4–2.7 eV", ["2.4", "–", "2.7", "eV"]),
        ("120 ± 5 °C", ["120", "±", "5", "°C"]),
        ("120±5°C", ["120", "±", "5", "°C"]),
        ("at 300K.", ["at", "300", "K", "."]),
        ("1.5e-3 S/cm", ["1.5e-3", "S", "/", "cm"]),
        ("3,000 ppm", ["3,000", "ppm"]),
        ("1.2 × 10−3 S cm−1", ["1.2", "×", "10−3", "S", "cm−1"]),
        ("see Fig. 3 and Eq. (1)", ["see", "Fig.", "3", "and", "Eq.", "(", "1", ")"]),
    ],
)
def test_numbers_units_and_ranges(text, expected):
    assert words(text) == expected


def test_formula_detector_rejects_words_and_acronyms():
    assert not any(is_formula(w) for w in ["In", "As", "I", "He", "XRD", "SEM", "DFT", "PCE", "K", "Tc", "Co"])
    assert all(is_formula(w) for w in ["NaCl", "H2O", "MnO", "CoTiO3", "O2Si"])


def test_sentences_end_at_units_but_not_at_abbreviations():
    text = ("The gap is 2.7 eV at 300 K. Ba1-xSrxTiO3 shows it, see Fig. 3 of Smith et al. for details. "
            "In the U.S. we measured GaN. It melts at 2500 °C. The c axis is 13.79 Å. It reads 5 Ω. Fine.")
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    assert sentences == [
        "The gap is 2.7 eV at 300 K.",
        "Ba1-xSrxTiO3 shows it, see Fig. 3 of Smith et al. for details.",
        "In the U.S. we measured GaN.",
        "It melts at 2500 °C.",
        "The c axis is 13.79 Å.",
        "It reads 5 Ω.",
        "Fine.",
    ]


def test_segment_offsets_point_into_the_document_text():
    b = DocumentBuilder(source="t", format="text")
    b.add_paragraph("Abstract text about TiO2. It has a band gap of 3.2 eV.", section="Abstract", kind="abstract")
    b.add_paragraph("Ünïcode ✓ paragraph: Fe3O4 has TC ∼ 858 K.", section="Results")
    doc = segment(b.build())
    sentences = [s for _, s in doc.sentences()]
    assert [doc.text[s.start : s.end] for s in sentences] == [
        "Abstract text about TiO2.", "It has a band gap of 3.2 eV.", "Ünïcode ✓ paragraph: Fe3O4 has TC ∼ 858 K."]
    for s in sentences:
        assert s.tokens[0][0] == s.start and s.tokens[-1][1] == s.end
        assert all(doc.text[a:b] and not doc.text[a:b].isspace() for a, b in s.tokens)
    assert "Fe3O4" in [doc.text[a:b] for a, b in sentences[2].tokens]
