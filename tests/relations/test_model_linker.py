"""The shipped relation model in the pipeline: `linker.rescore` (the `model` and `ner-model`
pipelines: the model judges the rules' links) and `linker.model` (the model choosing alone)."""

from __future__ import annotations

import json

import pytest

from textmine.extract import document_from_text
from textmine.extract.calibrate import Calibrate
from textmine.extract.pipeline import ExtractionPipeline, PipelineConfig, load_pipeline
from textmine.layers import RelationKind
from textmine.relations.model import MODELS

pytestmark = pytest.mark.skipif(not (MODELS / "fast" / "model.onnx").exists(), reason="no shipped relation model")

SENTENCES = [
    "The band gap of ZnO is 3.37 eV at room temperature.",
    "The band gaps are 2.1 eV for CdS and 3.4 eV for GaN.",
    "Epitaxial La0.7Sr0.3MnO3 films grown on SrTiO3 substrates show a Curie temperature of 360 K.",
    "We report single crystals of CrI3 grown by vapour transport. Its Curie temperature is 61 K.",
]


@pytest.fixture(scope="module")
def model():
    return load_pipeline("model")


@pytest.fixture(scope="module")
def rules():
    return load_pipeline("rules")


@pytest.fixture(scope="module")
def never():
    """The default pipeline with a rescorer that never moves a link, so a test can run its own on the layers."""
    return ExtractionPipeline(PipelineConfig(name="never", components=load_pipeline("model").config.components,
                                             options={"linker.rescore": {"switch_margin": 2.0},
                                                      "assemble": {"confidence": "hybrid"}}))


def facts(pipeline, text: str) -> set[tuple[str, str, float | None]]:
    extraction = pipeline(document_from_text("t", text, kind="body"))
    assert extraction.ok, extraction.failures
    return {(r.material.text, r.property, r.value) for r in extraction.records}


def test_records_name_the_model_and_carry_its_probabilities(model) -> None:
    extraction = model(document_from_text("t", SENTENCES[0], kind="body"))
    [record] = extraction.records
    assert (record.material.text, record.property, record.value) == ("ZnO", "band_gap", 3.37)
    assert record.extractor.startswith("model@") and "linker.rescore" in extraction.provenance.components
    assert extraction.provenance.models["relations.fast"]
    judged = [r for r in extraction.layers.relations if r.kind != RelationKind.CONDITION_VALUE]
    assert judged and all(r.model_score is not None and 0 <= r.model_score <= 1 for r in judged)
    # the confidence is a value of the shipped calibration map (between its lowest and highest step)
    steps = json.loads((MODELS / "fast" / "calibration-rules.json").read_text())["y"]
    assert round(min(steps), 3) <= record.confidence <= round(max(steps), 3)


def test_the_model_keeps_the_rules_values_and_properties(model, rules) -> None:
    for text in SENTENCES:
        got = {(p, v) for _, p, v in facts(model, text)}
        assert got == {(p, v) for _, p, v in facts(rules, text)}, text


def test_list_and_back_reference(model) -> None:
    got = facts(model, SENTENCES[1])
    assert ("CdS", "band_gap", 2.1) in got and ("GaN", "band_gap", 3.4) in got
    assert ("CrI3", "curie_temperature", 61.0) in facts(model, SENTENCES[3])


def test_confident_model_moves_a_link_and_otherwise_leaves_it(model, never) -> None:
    from textmine.relations.rescore import RescoreLinker

    text = SENTENCES[1]
    always = RescoreLinker(switch_margin=0.0, switch_min=0.0)
    extraction = never(document_from_text("t", text, kind="body"))
    links = [r for r in extraction.layers.relations if r.kind == RelationKind.VALUE_MATERIAL and r.primary]
    assert all(r.pattern != "model-switch" for r in links)
    always(extraction)  # with no margin every link goes to the model's favourite material
    moved = [r for r in extraction.layers.relations if r.kind == RelationKind.VALUE_MATERIAL and r.primary]
    for before, after in zip(links, moved):
        assert after.model_score >= before.model_score
        assert (after.tail != before.tail) == (after.pattern == "model-switch")


def test_each_pipeline_names_its_calibration_map() -> None:
    for variant in ("rules", "ner"):
        calibrate = Calibrate(f"relations:fast:{variant}")
        assert calibrate.xs == sorted(calibrate.xs) and calibrate.ys == sorted(calibrate.ys)
    with pytest.raises(FileNotFoundError):
        Calibrate("relations:fast:nothing")


def test_the_model_choosing_alone_still_works() -> None:
    alone = ExtractionPipeline(PipelineConfig(
        name="alone", components=["sentences", "abbreviations", "quantities", "cues", "materials.rules", "linker.model",
                                  "mentions", "assemble"], options={"assemble": {"confidence": "model"}}))
    got = facts(alone, SENTENCES[0])
    assert ("ZnO", "band_gap", 3.37) in got


def test_a_documents_records_do_not_depend_on_its_batch(model) -> None:
    """The int8 model quantises activations per call: scores must come from the document alone."""
    from pathlib import Path

    from textmine.document import Document
    from textmine.readers import read_file

    demo = Path(__file__).resolve().parents[2] / "corpora" / "demo"
    documents = [d for path in sorted(demo.iterdir()) if path.is_file() for d in read_file(path)
                 if isinstance(d, Document)][:16]
    together = model.process(documents)
    alone = [model.process([d])[0] for d in documents]

    def key(extraction):
        return sorted((r.record_id, r.confidence) for r in extraction.records)
    assert sum(len(e.records) for e in together) > 10
    assert [key(e) for e in together] == [key(e) for e in alone]


def test_a_value_never_moves_to_a_blend_partner_or_a_prototype(model) -> None:
    # the rules give both values to the donor polymer; the model, sure of the acceptor, may not take one there
    text = ("When PC71BM was used as an electron acceptor, a promising PCE of 3.65% and 4.42% for PT-Tz-DTffBT was "
            "achieved by using a conventional and inverted device structure, respectively.")
    records = model(document_from_text("d", text)).records
    assert {(r.material.text, r.value) for r in records} == {("PT-Tz-DTffBT", 3.65), ("PT-Tz-DTffBT", 4.42)}


def test_a_span_that_is_a_property_cue_is_no_material_to_move_a_value_to(never) -> None:
    from textmine.relations.rescore import RescoreLinker

    extraction = never(document_from_text("t", "The band gap of ZnO films is 3.3 eV.", kind="body"))
    layers = extraction.layers
    [cue] = layers.cues
    # a material span on the cue itself (as 'M_{n}' is both a symbol and a formula): the rules drop it,
    # and the model may not move the value there however sure it is
    layers.materials.append(layers.materials[0].model_copy(update={"start": cue.start, "end": cue.end, "text": cue.text}))
    RescoreLinker(switch_margin=0.0, switch_min=0.0)(extraction)
    tails = {r.tail for r in layers.relations if r.kind == RelationKind.VALUE_MATERIAL}
    assert tails and len(layers.materials) - 1 not in tails


@pytest.mark.parametrize("text, expected", [
    # a value named by its material in brackets, either way round, stays with it however sure the model is
    ("Films of the BaCuQF series have band gaps of 3.0 eV (BaCuTeF), 2.9 eV (BaCuSeF) and 3.3 eV (BaCuSF).",
     {("BaCuTeF", 3.0), ("BaCuSeF", 2.9), ("BaCuSF", 3.3)}),
    ("The band gaps of our samples, brookite (3.32 eV), anatase (3.25 eV) and rutile (3.02 eV), follow the trend.",
     {("brookite", 3.32), ("anatase", 3.25), ("rutile", 3.02)}),
    # (and a value bracketed right after its cue, then the material the cue is of)
    ("This is lower than TN (195 K) of FeO; for example, 173 K in Mn0.29Fe0.71O.",
     {("FeO", 195.0), ("Mn0.29Fe0.71O", 173.0)}),
    # (and parallel brackets)
    ("For GaN (InN), the calculated band gaps are 2.58 (0.22) eV, in good agreement with the reported results.",
     {("GaN", 2.58), ("InN", 0.22)}),
])
def test_a_value_named_by_its_material_in_brackets_never_moves(never, text, expected) -> None:
    from textmine.relations.rescore import RescoreLinker

    extraction = never(document_from_text("t", text, kind="body"))
    RescoreLinker(switch_margin=0.0, switch_min=0.0)(extraction)  # every other link goes to the model's favourite
    layers = extraction.layers
    linked = {(layers.materials[r.tail].text, layers.quantities[r.head].value)
              for r in layers.relations if r.kind == RelationKind.VALUE_MATERIAL and r.primary}
    assert linked == expected


def test_a_value_never_moves_to_a_material_a_list_pairs_with_another_value(never) -> None:
    from textmine.relations.rescore import RescoreLinker

    # 'respectively' pairs the doped samples with the later values; the first value is the undoped host's,
    # and however sure the model is of a doped sample, it may not take the value there
    text = ("The lattice thermal conductivity falls from 2.1 W m-1 K-1 in pristine SnTe to 1.4 W m-1 K-1 and "
            "1.1 W m-1 K-1 in Cu-doped and Ag-doped samples, respectively.")
    extraction = never(document_from_text("t", text, kind="body"))
    RescoreLinker(switch_margin=0.0, switch_min=0.0)(extraction)
    layers = extraction.layers
    linked = {(layers.materials[r.tail].text, layers.quantities[r.head].value)
              for r in layers.relations if r.kind == RelationKind.VALUE_MATERIAL and r.primary}
    assert linked == {("SnTe", 2.1), ("Cu-doped", 1.4), ("Ag-doped", 1.1)}


def test_only_a_value_of_the_same_property_claims_a_material(never) -> None:
    from textmine.relations.rescore import RescoreLinker

    # a value bracketed with a material claims it for its own property only: a value of another property the
    # model is sure of may still move there ('PBTB: PC71BM (FF = 0.60) ... a PCE of 4.41%')
    text = ("The PSC based on PBTA: PC71BM reached a PCE of 3.12%, and the one based on PBTB: PC71BM (FF = 0.60) "
            "reached 4.41%.")
    extraction = never(document_from_text("t", text, kind="body"))
    layers = extraction.layers
    value = {q.text: i for i, q in enumerate(layers.quantities)}
    material = {m.text: i for i, m in enumerate(layers.materials)}
    links = {(layers.quantities[r.head].text, layers.materials[r.tail].text, r.pattern)
             for r in layers.relations if r.kind == RelationKind.VALUE_MATERIAL}
    assert ("0.60", "PBTB: PC71BM", "bracketed") in links and ("3.12%", "PBTA: PC71BM", "subject") in links
    # the model (scores set by hand) is sure 3.12% is PBTB's
    scores = {("material", value["3.12%"], material["PBTA: PC71BM"]): 0.05,
              ("material", value["3.12%"], material["PBTB: PC71BM"]): 0.95}
    linker = RescoreLinker(switch_margin=0.5, switch_min=0.8)
    linker._decide(extraction, scores)
    moved = {layers.materials[r.tail].text for r in layers.relations
             if r.kind == RelationKind.VALUE_MATERIAL and r.head == value["3.12%"]}
    assert moved == {"PBTB: PC71BM"}
