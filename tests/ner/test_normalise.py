from __future__ import annotations

import pytest

from textmine.ner.normalise import (
    NUM_TOKEN,
    is_simple_formula,
    looks_normalised,
    normalise_formula,
    normalise_tokens,
    remove_accents,
)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("SiO2", "O2Si"),
        ("Fe2O3", "Fe2O3"),
        ("ZnFe2O4", "Fe2O4Zn"),
        ("Ni0.5Fe0.5", "FeNi"),
        ("La0.7Sr0.3MnO3", "La7Mn10O30Sr3"),
        ("Ca3(PO4)2", "Ca3O8P2"),
        ("LiFePO4", "FeLiO4P"),
        ("BaTiO3", "BaO3Ti"),
    ],
)
def test_formula_alphabetical_integer(formula: str, expected: str) -> None:
    assert normalise_formula(formula) == expected


@pytest.mark.parametrize("token", ["SiO2", "IrMn", "LiFePO4", "O2", "Ca3(PO4)2"])
def test_simple_formulae(token: str) -> None:
    assert is_simple_formula(token)


@pytest.mark.parametrize("token", ["XRD", "BN", "Fe", "IV", "Fe(II)", "the", "Xy2", "film", "cm2", "He"])
def test_not_simple_formulae(token: str) -> None:
    assert not is_simple_formula(token)


def test_sentence_normalisation() -> None:
    raw = "The SiO2 film was 3.2 nm thick , grown by CVD at 1,200 K on Ni0.5Fe0.5 with Iron and ( 111 ) planes".split()
    assert normalise_tokens(raw) == (
        "the O2Si film was <nUm> nm thick , grown by CVD at <nUm> K on FeNi with iron and ( 111 ) planes".split()
    )


def test_numbers_become_num_token() -> None:
    assert normalise_tokens(["3.2", "-5", "+0.25", "10", "1,000"]) == [NUM_TOKEN] * 5


def test_case_rules() -> None:
    # Title-case words lowercase; acronyms, element symbols and units keep their case.
    assert normalise_tokens(["Samples", "EPR", "Fe", "In", "K", "Raman"]) == ["samples", "EPR", "Fe", "In", "K", "raman"]


def test_unicode_tokens() -> None:
    assert remove_accents("α-Fe2O3") == "a-Fe2O3"
    assert remove_accents("Néel") == "Neel"
    assert normalise_tokens(["°", "α", "Néel"]) == ["°", "α", "neel"]  # single characters are kept


def test_token_count_is_preserved() -> None:
    raw = ["", "x", "SiO2", "3", "Ω"]
    assert len(normalise_tokens(raw)) == len(raw)


def test_detects_normalised_input() -> None:
    assert looks_normalised("the O2Si film was <nUm> nm thick".split())
    assert not looks_normalised("The SiO2 film was 3.2 nm thick".split())
    assert not looks_normalised("the SiO2 film".split())


def test_matscholar_corpus_is_a_fixed_point(shared_data) -> None:
    """The corpus is already normalised: normalising it again changes (almost) nothing."""
    from textmine.ner.data import read_conll

    sents = read_conll(shared_data / "gold" / "matscholar_ner" / "dev.txt")
    tokens = [t for s in sents for t in s.tokens]
    changed = sum(a != b for s in sents for a, b in zip(s.tokens, normalise_tokens(s.tokens)))
    assert changed / len(tokens) < 0.002
    assert sum(looks_normalised(s.tokens) for s in sents) / len(sents) > 0.98
