"""Pipelines as components over annotation layers: config, plugins through entry points,
provenance (stale documents are re-extracted), and the Extraction contract."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from textmine.extract import document_from_text
from textmine.extract.pipeline import PipelineError, load_pipeline, pipeline_config
from textmine.extraction import Extraction
from textmine.layers import RelationKind
from textmine.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SITE = ROOT / "tests" / "plugins" / "site"
TEXT = ("We grew single crystals of the new compound Unobtainium-7 by flux growth. "
        "The Curie temperature of Unobtainium-7 is 321 K, well above that of CrO2 (390 K).")


def textmine(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "textmine.cli", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=600)


def test_layers_relations_and_records_point_into_the_text() -> None:
    document = document_from_text("d1", "The band gap of ZnO is 3.37 eV at 300 K.", kind="body")
    extraction = load_pipeline("rules")(document)
    layers, text = extraction.layers, extraction.document.text
    for layer in ("quantities", "cues", "materials"):
        for span in getattr(layers, layer):
            assert text[span.start : span.end] == span.text
    kinds = {r.kind for r in layers.relations}
    assert kinds == {RelationKind.VALUE_PROPERTY, RelationKind.VALUE_MATERIAL, RelationKind.CONDITION_VALUE}
    [record] = extraction.records
    assert (record.material.text, record.value, record.conditions[0].value) == ("ZnO", 3.37, 300.0)
    assert record.extractor == extraction.provenance.extractor == "rules@0.7.10"
    assert record.schema_version == 2 and len(record.material_id) == 16
    with pytest.raises(Exception):
        record.value = 1.0  # records are frozen


def test_an_extraction_serialises_and_is_stored_elsewhere_unchanged(tmp_path: Path) -> None:
    extraction = load_pipeline("rules")(document_from_text("d2", TEXT, kind="body"))
    wire = extraction.model_dump_json()
    received = Extraction.model_validate_json(wire)
    assert received == extraction
    store = SQLiteStore(tmp_path / "other-machine.db")
    store.put_many([received])
    assert sorted(r.record_id for r in store.iter_records()) == sorted(r.record_id for r in extraction.records)
    store.close()


def test_pipeline_config_errors_are_caught_when_it_is_built(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="unknown pipeline"):
        load_pipeline("no-such-pipeline")
    bad = tmp_path / "bad.toml"
    bad.write_text('[pipeline]\ncomponents = ["sentences", "linker.rules", "quantities", "cues", "materials.rules"]\n')
    with pytest.raises(PipelineError, match="reads quantities, cues, materials, which no earlier component writes"):
        load_pipeline(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('[pipeline]\nextends = "rules"\ncomponents = ["sentences", "nope"]\n')
    with pytest.raises(PipelineError, match="unknown component 'nope'"):
        load_pipeline(unknown)
    other_parts = tmp_path / "other-parts.toml"  # the parent's version names components this file drops
    other_parts.write_text('[pipeline]\nextends = "model"\ncomponents = ["markup.tex", "sentences", "quantities", "cues", '
                           '"materials.rules", "linker.model", "mentions", "assemble"]\n')
    with pytest.raises(PipelineError, match=r"names linker.rescore, linker.rules, not among its components; set `version`"):
        load_pipeline(other_parts)
    result = textmine("--db", str(tmp_path / "x.db"), "run", "--pipeline", str(unknown), str(ROOT / "corpora" / "demo"))
    assert result.returncode == 2 and "unknown component 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_a_plugin_component_registered_by_entry_point_runs_in_a_pipeline(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "paper.txt").write_text("Unobtainium magnets\n\n" + TEXT + "\n", encoding="utf-8")
    config = tmp_path / "gazetteer.toml"
    config.write_text(
        '[pipeline]\nextends = "rules"\nversion = "1+{materials.gazetteer}"\n'
        'components = ["sentences", "abbreviations", "quantities", "cues", "materials.rules", "materials.gazetteer",\n'
        '              "linker.rules", "mentions", "assemble", "calibrate"]\n'
        '[pipeline.options."materials.gazetteer"]\nnames = { "Unobtainium-7" = "" }\n',
        encoding="utf-8",
    )
    env = {"PYTHONPATH": os.pathsep.join([str(PLUGIN_SITE), str(ROOT)])}
    listed = textmine("pipelines", env=env)
    assert listed.returncode == 0 and "materials.gazetteer" in listed.stdout
    db = tmp_path / "plugin.db"
    result = textmine("--db", str(db), "-q", "run", "--pipeline", str(config), str(corpus), env=env)
    assert result.returncode == 0, result.stderr
    found = json.loads(textmine("--db", str(db), "search", "--json", "--property", "curie_temperature", env=env).stdout)
    materials = {(r["material"]["text"], r["value"], r["extractor"]) for r in found["records"]}
    assert ("Unobtainium-7", 321.0, "gazetteer@1+0.1.0") in materials
    # without the plugin on the path the same config is refused with a clear message
    missing = textmine("--db", str(db), "run", "--pipeline", str(config), str(corpus))
    assert missing.returncode == 2 and "unknown component 'materials.gazetteer'" in missing.stderr


def test_changing_the_ontology_version_makes_run_re_extract_stale_documents(tmp_path: Path) -> None:
    demo = ROOT / "corpora" / "demo"
    db = tmp_path / "stale.db"
    first = textmine("--db", str(db), "-q", "run", str(demo / "ilmenite_titanates_2019.txt"))
    assert first.returncode == 0, first.stderr
    again = textmine("--db", str(db), "-q", "run", str(demo / "ilmenite_titanates_2019.txt"))
    assert "0 documents processed, 1 unchanged skipped" in again.stderr
    ontology = (ROOT / "textmine" / "ontology" / "properties.yaml").read_text(encoding="utf-8")
    version = re.search(r'^version: "([^"]+)"', ontology, re.M)
    assert version is not None
    bumped = tmp_path / "properties.yaml"
    bumped.write_text(ontology.replace(version.group(0), f'version: "{version.group(1)}.1"'), encoding="utf-8")
    env = {"TEXTMINE_ONTOLOGY": str(bumped)}
    stats = json.loads(textmine("--db", str(db), "stats", "--json", env=env).stdout)
    assert stats["stale"] == 1 and stats["documents"] == 1
    rerun = textmine("--db", str(db), "-q", "run", str(demo / "ilmenite_titanates_2019.txt"), env=env)
    assert "1 documents processed, 0 unchanged skipped" in rerun.stderr
    assert json.loads(textmine("--db", str(db), "stats", "--json", env=env).stdout)["stale"] == 0


def test_named_pipelines_are_data_and_extractor_is_an_alias(tmp_path: Path) -> None:
    assert pipeline_config("ner").components[:5] == ["markup.tex", "sentences", "abbreviations", "quantities", "entities.ner"]
    demo = ROOT / "corpora" / "demo" / "ilmenite_titanates_2019.txt"
    result = textmine("-q", "run", "--extractor", "rules", str(demo), "--db", str(tmp_path / "after.db"))
    assert result.returncode == 0, result.stderr  # --db accepted after the subcommand too
    assert (tmp_path / "after.db").exists()


@pytest.mark.parametrize("name", ["rules", "ner"])
def test_shipped_pipelines_map_their_scores_through_a_calibration_map(name: str) -> None:
    from textmine.extract.calibrate import Calibrate

    text = "The band gap of ZnO is 3.37 eV. A Curie temperature of 61 K is found for it."
    raw = load_pipeline(name, overrides={"calibrate": {"map": None}})(document_from_text("d", text))
    shipped = load_pipeline(name)(document_from_text("d", text))
    calibrate = Calibrate(f"pipeline:{name}")
    assert shipped.provenance.components["calibrate"] == calibrate.version != "identity"
    assert raw.provenance.components["calibrate"].endswith("identity")
    assert [r.record_id for r in shipped.records] == [r.record_id for r in raw.records] and raw.records
    for before, after in zip(raw.records, shipped.records):
        assert after.confidence == calibrate.apply(before.confidence)
    # a pipeline file's `map = ""` keeps the raw scores too
    empty = load_pipeline(name, overrides={"calibrate": {"map": ""}})(document_from_text("d", text))
    assert [r.confidence for r in empty.records] == [r.confidence for r in raw.records]
