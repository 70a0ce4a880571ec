"""The shipped fast model: loads without torch, tags sensibly, keeps offsets exact."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from textmine.ner.decode import LABELS


def test_runs_without_torch(tagger) -> None:
    # a fresh interpreter: other tests in this session may have imported torch (training tests)
    code = ("import sys; from textmine.ner import NerTagger; "
            "print(NerTagger('fast').predict_texts(['SiO2 films'])[0][0].label, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split() == ["MAT", "False"], out.stderr[-2000:]


TRAINING_MODULES = ("torch", "transformers", "onnx", "safetensors", "textmine.ner.training")


def test_inference_imports_no_training_code() -> None:
    # a fresh interpreter: importing and running the tagger must not pull in training code or its
    # dependencies (torch, transformers); the import alone does not even need onnxruntime
    code = (
        "import sys, json; import textmine.ner.tagger, textmine.ner; "
        f"banned = {TRAINING_MODULES!r}; "
        "loaded = lambda: sorted(m for m in sys.modules if m.split('.')[0] in banned or m.startswith(banned[-1])); "
        "after_import = loaded()\n"
        "try:\n import onnxruntime, tokenizers\nexcept ImportError:\n pass\n"
        "else:\n textmine.ner.NerTagger('fast').predict_texts(['SiO2 films'])\n"
        "print(json.dumps([after_import, loaded()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    after_import, after_tagging = json.loads(out.stdout.strip().splitlines()[-1])
    assert after_import == [], after_import
    assert after_tagging == [], after_tagging


def test_formula_is_a_material(tagger) -> None:
    [spans] = tagger.predict_texts(["Thin films of SiO2 were deposited on silicon wafers by sputtering."])
    mats = [s.text for s in spans if s.label == "MAT"]
    assert "SiO2" in mats
    assert all(0.0 <= s.confidence <= 1.0 for s in spans)


def test_normalised_and_raw_tokens_agree_on_the_formula(tagger) -> None:
    raw, norm = tagger.tag_words([["The", "SiO2", "films", "were", "3.2", "nm", "thick"],
                                  ["the", "O2Si", "films", "were", "<nUm>", "nm", "thick"]])
    assert raw.normalised == norm.normalised == ["the", "O2Si", "films", "were", "<nUm>", "nm", "thick"]
    assert raw.tags[1] == norm.tags[1] == "B-MAT"


def test_already_normalised_input_is_not_normalised_twice(tagger) -> None:
    tokens = ["the", "band", "gap", "of", "O2Ti", "is", "<nUm>", "eV", "(", "111", ")"]
    [tw] = tagger.tag_words([tokens])
    assert tw.normalised == tokens


def test_one_tag_per_token_even_for_long_and_odd_input(tagger) -> None:
    long = ("the thermal conductivity of O2Si and Al2O3 films grown by sputtering , " * 40).split()
    odd = ["", " ", "\u200b", "x", "Fe", "\x00"]
    sentences = [long, odd, [], ["O2Si"]]
    tagged = tagger.tag_words(sentences)
    for words, tw in zip(sentences, tagged):
        assert len(tw.tags) == len(words)
        assert all(t in LABELS for t in tw.tags)
    assert tagged[0].tags.count("B-MAT") >= 40  # every repeat is tagged, none truncated


def test_span_offsets_round_trip_on_raw_text(tagger) -> None:
    texts = [
        "Thin α-Fe2O3 films (3.2 nm) on SiO2 were annealed at 300 K for 2 h.",
        "The Néel temperature of La0.7Sr0.3MnO3 nanoparticles is ~370 K, measured by SQUID magnetometry.",
        "  LiFePO4 cathodes — coated with carbon — deliver 160 mAh g−1 at 0.1 C.  ",
        "",
    ]
    results = tagger.predict_texts(texts)
    assert len(results) == len(texts)
    found = 0
    for text, spans in zip(texts, results):
        for s in spans:
            assert text[s.start : s.end] == s.text
            assert s.text == s.text.strip() and s.text
            assert s.label in {"MAT", "SPL", "DSC", "PRO", "APL", "SMT", "CMT"}
            found += 1
    assert found >= 4
    assert any(s.text == "LiFePO4" and s.label == "MAT" for s in results[2])


def test_mentions_over_a_segmented_document(tagger) -> None:
    from textmine.document import DocumentBuilder
    from textmine.nlp import segment

    builder = DocumentBuilder(source="test", format="text")
    builder.add_paragraph("We report the band gap of TiO2 thin films. The films were annealed at 500 °C.")
    builder.add_paragraph("BaTiO3 ceramics show a high dielectric constant.")
    doc = segment(builder.build())
    mentions = tagger.mentions(doc)
    assert mentions
    for m in mentions:
        assert doc.text[m.char_start : m.char_end] == m.text
        assert m.doc_id == doc.id and m.extractor.startswith("ner")
    mats = {m.text for m in mentions if m.label == "MAT"}
    assert {"TiO2", "BaTiO3"} <= mats
    assert all(m.label in {"MAT", "PRO"} for m in tagger.mentions(doc, labels=["MAT", "PRO"]))


@pytest.mark.parametrize("name, limit_mb", [("fast", 60), ("accurate", 120)])
def test_model_card_matches_the_shipped_model(name, limit_mb) -> None:
    from textmine.ner.training.export import sha256
    from textmine.ner.tagger import model_dir

    folder = model_dir(name)
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert sha256(folder / "model.onnx") in card
    meta = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    assert meta["labels"] == list(LABELS) and meta["name"] == name
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size <= limit_mb * 1024 * 1024


def test_accurate_model_tags_raw_text_with_exact_offsets(accurate_tagger, tagger) -> None:
    text = "Thin films of LiFePO4 and BaTiO3 were grown by pulsed laser deposition; the band gap is 3.2 eV."
    spans = accurate_tagger.predict_texts([text])[0]
    for sp in spans:
        assert text[sp.start : sp.end] == sp.text and 0.0 <= sp.confidence <= 1.0
    got = {(sp.text, sp.label) for sp in spans}
    assert {("LiFePO4", "MAT"), ("BaTiO3", "MAT"), ("pulsed laser deposition", "SMT"), ("band gap", "PRO")} <= got
    assert accurate_tagger.extractor.startswith("ner-accurate@") and tagger.extractor.startswith("ner-fast@")


def test_ner_pipeline_assembles_records_from_model_spans(tagger) -> None:
    from textmine.document import DocumentBuilder
    from textmine.extract.pipeline import load_pipeline

    pipeline = load_pipeline("ner")
    builder = DocumentBuilder(source="test", format="text")
    builder.add_paragraph("Nanocrystalline ZnO powders were synthesised by a sol-gel route. "
                          "The band gap of the ZnO powders is 3.3 eV, and CrO2 has a Curie temperature of 390 K.")
    extraction = pipeline(builder.build())
    doc, records, mentions = extraction.document, extraction.records, extraction.mentions
    assert any(m.label == "MAT" and m.text == "ZnO" for m in mentions)
    assert any(m.label == "SMT" for m in mentions)  # the model's own types, beyond MAT and PRO
    assert all(doc.text[m.char_start : m.char_end] == m.text for m in mentions)
    facts = {(r.material.formula, r.property, r.value) for r in records}
    assert facts == {("ZnO", "band_gap", 3.3), ("CrO2", "curie_temperature", 390.0)}
    for r in records:
        assert r.extractor.startswith("ner@") and "+rules." in r.extractor
        assert 0 < r.confidence <= 1
        assert doc.text[r.material.char_start : r.material.char_end] == r.material.text
    # the materials layer says where each mention came from
    assert {m.source.value for m in extraction.layers.materials} <= {"ner", "abbreviation"}
    assert extraction.provenance.models["ner.fast"]


def test_ner_pipeline_weighs_records_by_the_model_pro_and_mat_spans(tagger) -> None:
    from textmine.document import DocumentBuilder
    from textmine.extract.pipeline import load_pipeline
    from textmine.ner.components import NerCues

    text = "The band gap of the ZnO powders is 3.3 eV."
    builder = DocumentBuilder(source="test", format="text")
    builder.add_paragraph(text)
    doc = builder.build()
    raw = {"calibrate": {"map": None}}  # the scores before each pipeline's calibration map
    [rule_record] = load_pipeline("rules", overrides=raw)(doc.model_copy(deep=True)).records
    extraction = load_pipeline("ner", overrides=raw)(doc)
    [record], mentions = extraction.records, extraction.mentions
    pro = [m for m in mentions if m.label == "PRO" and m.text == "band gap"]
    mat = [m for m in mentions if m.label == "MAT" and m.text == "ZnO"]
    assert pro and mat, mentions
    # the rules' linking confidence times the model's confidence in the material and the property
    assert record.confidence == pytest.approx(rule_record.confidence * mat[0].confidence * pro[0].confidence, abs=2e-3)
    # a cue the model does not tag as a property is kept without a model confidence (records weigh
    # it by assemble's `untagged_cue`), or dropped on request
    extraction.layers.entities = [e for e in extraction.layers.entities if e.label == "MAT"]
    NerCues()(extraction)
    assert [(c.text, c.confidence) for c in extraction.layers.cues] == [("band gap", None)]
    NerCues(require_pro=True)(extraction)
    assert extraction.layers.cues == []


def test_ner_pipeline_runs_in_worker_processes(tagger, tmp_path) -> None:
    from pathlib import Path

    from textmine.pipeline import Pipeline
    from textmine.store.sqlite import SQLiteStore

    demo = Path(__file__).resolve().parents[2] / "corpora" / "demo"
    store = SQLiteStore(tmp_path / "ner.db")
    summary = Pipeline(store, "ner", workers=2).run_paths([demo / "ilmenite_titanates_2019.txt"])
    assert summary.documents == 1 and not summary.failures
    formulas = {r.material.formula for r in store.iter_records()}
    assert {"CoTiO3", "FeTiO3"} <= formulas


def test_phase_prefixed_formula_is_one_material(tagger) -> None:
    text = "Fe(II) ions in α-Fe2O3 were detected by Mössbauer spectroscopy at 300K."
    [spans] = tagger.predict_texts([text])
    assert any(s.label == "MAT" and s.text == "α-Fe2O3" for s in spans)
    assert all(text[s.start : s.end] == s.text for s in spans)
