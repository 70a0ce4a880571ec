from __future__ import annotations

import pytest

from textmine.ner.words import split_for_matscholar, word_spans

TEXTS = [
    "Thin α-Fe2O3 films (3.2 nm) on SiO2 were annealed at 300 K for 2 h.",
    "The Néel temperature of La0.7Sr0.3MnO3 is ~370 K; Fe(II) ions — and Li₂O — remain.",
    "  Leading spaces,\ttabs\nand newlines: 1,200 °C ± 5 °C  ",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_word_spans_cover_the_text(text: str) -> None:
    spans = word_spans(text)
    prev_end = 0
    for start, end in spans:
        assert prev_end <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]
        prev_end = end
    # every non-space character belongs to exactly one word
    covered = {i for s, e in spans for i in range(s, e)}
    assert covered == {i for i, c in enumerate(text) if not c.isspace()}


def test_oxidation_state_is_split_off() -> None:
    text = "Fe(II) and iron(III)"
    assert [text[s:e] for s, e in split_for_matscholar(text, [(0, 6), (7, 10), (11, 20)])] == [
        "Fe", "(II)", "and", "iron", "(III)"
    ]


def test_phase_prefix_stays_on_its_material() -> None:
    text = "α-Fe2O3 and β - Ga2O3"
    spans = [(0, 1), (1, 2), (2, 7), (8, 11), (12, 13), (14, 15), (16, 21)]
    assert [text[s:e] for s, e in split_for_matscholar(text, spans)] == ["α-Fe2O3", "and", "β", "-", "Ga2O3"]
