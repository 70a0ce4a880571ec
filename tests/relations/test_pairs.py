"""Candidate pairs as the relation model reads them, and training pairs from annotated units."""

from __future__ import annotations

import random

from textmine.relations.data import unit_examples
from textmine.relations.pairs import MARKERS, Pair, mark

TEXT = "The band gap of ZnO is 3.37 eV, larger than that of the Si substrate used for growth."


def test_marking_wraps_both_spans_and_keeps_the_window_at_word_edges() -> None:
    value, zno = (TEXT.index("3.37 eV"), TEXT.index("3.37 eV") + 7), (16, 19)
    marked = mark(TEXT, value, "value", zno, "material", window=12)
    v_open, v_close = MARKERS["value"]
    m_open, m_close = MARKERS["material"]
    assert f"{m_open} ZnO {m_close}" in marked and f"{v_open} 3.37 eV {v_close}" in marked
    assert marked.index(m_open) < marked.index(v_open)  # text order, whatever the head
    assert not marked.startswith("ap") and marked.split()[0] in ("gap", "of", "band")  # cut at a word edge
    assert "substrate" not in marked  # outside the window


def test_a_pair_names_its_kind_by_the_markers_it_uses() -> None:
    pair = Pair("value_property", TEXT, (23, 30), (4, 12))
    marked = pair.marked()
    assert MARKERS["property"][0] in marked and MARKERS["material"][0] not in marked


def test_training_pairs_align_gold_spans_to_the_pipeline_candidates() -> None:
    unit = {
        "id": "t:train:d:0", "corpus": "polyie", "text": TEXT, "family": "band_gap",
        "entities": [
            {"id": "v", "type": "value", "start": 23, "end": 30, "text": "3.37 eV"},
            {"id": "m", "type": "material", "start": 16, "end": 19, "text": "ZnO"},
            {"id": "p", "type": "property", "start": 4, "end": 12, "text": "band gap"},
        ],
        "relations": [{"type": "value_material", "head": "v", "tail": "m"}, {"type": "value_property", "head": "v", "tail": "p"}],
    }
    examples = list(unit_examples(unit, random.Random(0)))
    positives = {(e.pair.kind, e.pair.text[e.pair.tail[0]:e.pair.tail[1]]) for e in examples if e.label}
    negatives = {(e.pair.kind, e.pair.text[e.pair.tail[0]:e.pair.tail[1]]) for e in examples if not e.label}
    assert positives == {("value_material", "ZnO"), ("value_property", "band gap")}
    assert ("value_material", "Si") in negatives  # the substrate is a hard negative of the same value
