"""The shipped relation model as a pipeline component (`linker.model`, the `model` pipeline)."""

from __future__ import annotations

import pytest

from textmine.extract import document_from_text
from textmine.extract.pipeline import load_pipeline
from textmine.layers import RelationKind
from textmine.relations.model import MODELS

pytestmark = pytest.mark.skipif(not (MODELS / "fast" / "model.onnx").exists(), reason="no shipped relation model")


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline("model")


def facts(pipeline, text: str) -> set[tuple[str, str, float | None]]:
    extraction = pipeline(document_from_text("t", text, kind="body"))
    assert extraction.ok, extraction.failures
    return {(r.material.text, r.property, r.value) for r in extraction.records}


def test_records_name_the_model_and_carry_probabilities(pipeline) -> None:
    extraction = pipeline(document_from_text("t", "The band gap of ZnO is 3.37 eV at room temperature.", kind="body"))
    [record] = extraction.records
    assert (record.material.text, record.property, record.value) == ("ZnO", "band_gap", 3.37)
    assert record.extractor.startswith("model@") and 0 < record.confidence < 1
    links = [r for r in extraction.layers.relations if r.kind == RelationKind.VALUE_MATERIAL]
    assert links and all(r.component == "linker.model" for r in links)
    assert extraction.provenance.models["relations.fast"]


def test_each_value_of_a_list_goes_to_its_own_material(pipeline) -> None:
    got = facts(pipeline, "The band gaps are 2.1 eV for CdS and 3.4 eV for GaN.")
    assert ("CdS", "band_gap", 2.1) in got and ("GaN", "band_gap", 3.4) in got
    assert ("GaN", "band_gap", 2.1) not in got and ("CdS", "band_gap", 3.4) not in got


def test_a_substrate_does_not_take_the_films_value(pipeline) -> None:
    got = facts(pipeline, "Epitaxial La0.7Sr0.3MnO3 films grown on SrTiO3 substrates show a Curie temperature of 360 K.")
    assert ("La0.7Sr0.3MnO3", "curie_temperature", 360.0) in got
    assert not any(material == "SrTiO3" for material, _, _ in got)


def test_a_sentence_that_names_no_material_falls_back_to_the_main_one(pipeline) -> None:
    text = "We report single crystals of CrI3 grown by vapour transport. Its Curie temperature is 61 K."
    got = facts(pipeline, text)
    assert ("CrI3", "curie_temperature", 61.0) in got
