"""Relation training data: the common format, the loaders on the real corpora, exclusions, datasets round trip.

The loaders run once per session (one `build` into a temporary folder, about a minute on two busy
cores); the tests read the shards it wrote. Tests that need ../shared/data skip when it is absent.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from textmine.relations.corpora.build import LOADERS, SKIPPED, build, main, markdown_table
from textmine.relations.corpora.exclude import ExclusionError, Exclusions
from textmine.relations.corpora.schema import ENDPOINTS, MAX_UNIT_CHARS, Unit
from textmine.relations.corpora.units import HARD_MAX_CHARS, Draft, Tally, detokenise, dev_by_hash

# Lower bounds well under what the shared data gives today (docs/relation-data.md): a loader that
# silently loses most of a corpus fails here. Upper bounds catch runaway duplication.
BOUNDS = {  # corpus: (min units, max units, {relation type: min count})
    "measeval": (250, 600, {"value_material": 1000, "value_property": 650, "condition_value": 20}),
    "polyie": (900, 1600, {"value_material": 2200, "value_property": 2200, "condition_value": 200}),
    "sofc_exp": (650, 1000, {"value_material": 450, "condition_value": 500}),
    "bandgap_snowball": (380, 500, {"value_material": 550, "value_property": 520}),
    "curie_neel_snowball": (480, 650, {"value_material": 580, "value_property": 550}),
}


def _read(path: Path) -> list[Unit]:
    with path.open(encoding="utf-8") as handle:
        return [Unit.model_validate_json(line) for line in handle]


@pytest.fixture(scope="session")
def built(shared_data, tmp_path_factory) -> tuple[Path, dict]:
    if not (shared_data / "gold").is_dir():
        pytest.skip(f"no gold/ corpora in {shared_data}")
    out = tmp_path_factory.mktemp("relations")
    stats = build(out, list(LOADERS), shared_data, echo=lambda line: None)
    return out, stats


# --- the format -------------------------------------------------------------------------------

def _unit(**changes) -> dict:
    unit = {
        "id": "demo:train:d1:0", "corpus": "demo", "split": "train", "doc_id": "d1", "source": "gold/demo/a.txt",
        "text": "ZnO has a band gap of 3.3 eV at 300 K.",
        "entities": [
            {"id": "m", "type": "material", "start": 0, "end": 3, "text": "ZnO"},
            {"id": "p", "type": "property", "start": 10, "end": 18, "text": "band gap"},
            {"id": "v", "type": "value", "start": 22, "end": 28, "text": "3.3 eV", "family": "band_gap"},
            {"id": "c", "type": "condition", "start": 32, "end": 37, "text": "300 K"},
        ],
        "relations": [
            {"type": "value_material", "head": "v", "tail": "m"},
            {"type": "value_property", "head": "v", "tail": "p"},
            {"type": "condition_value", "head": "c", "tail": "v"},
        ],
        "silver": False,
    }
    unit.update(changes)
    return unit


def test_a_valid_unit_passes_and_serialises_every_field():
    unit = Unit.model_validate(_unit())
    row = json.loads(unit.model_dump_json())
    assert set(row) == {"id", "corpus", "split", "doc_id", "source", "text", "entities", "relations", "family", "silver"}
    assert set(row["entities"][0]) == {"id", "type", "start", "end", "text", "generic", "family"}


@pytest.mark.parametrize("change, message", [
    ({"text": "ZnS has a band gap of 3.3 eV at 300 K."}, "does not match"),
    ({"relations": [{"type": "value_material", "head": "m", "tail": "v"}]}, "head must be a value"),
    ({"relations": [{"type": "condition_value", "head": "c", "tail": "x"}]}, "not an entity"),
    ({"relations": [{"type": "value_material", "head": "v", "tail": "m"}] * 2}, "duplicate relation"),
    ({"id": "other:train:d1:0"}, "unit id"),
    ({"split": "validation"}, "split"),
])
def test_a_broken_unit_is_rejected(change, message):
    with pytest.raises(ValidationError, match=message):
        Unit.model_validate(_unit(**change))


def test_detokenise_gives_exact_offsets_and_natural_spacing():
    tokens = ["The", "band", "gap", "(", "Eg", ")", "of", "low", "-", "cost", "TiO2", "is", "∼", "3.2", "eV", ",",
              "0", ".", "1", "%", "lower", "."]
    text, spans = detokenise(tokens)
    assert text == "The band gap (Eg) of low-cost TiO2 is ∼3.2 eV, 0.1% lower."
    assert [text[a:b] for a, b in spans] == tokens


def test_a_long_text_is_cut_at_sentences_keeping_related_entities_together():
    sentence = "Filler words make this sentence long enough to matter, 1 K. "
    text = sentence * 40 + "The gap of ZnO is large. It is 3.3 eV. " + sentence * 40
    draft = Draft(text)
    draft.entity("value", 55, 58)  # '1 K' in the first sentence: a unit of its own
    material = draft.entity("material", text.index("ZnO"), text.index("ZnO") + 3)
    value = draft.entity("value", text.index("3.3 eV"), text.index("3.3 eV") + 6)
    draft.relate("value_material", value, material)
    far = text.rindex("1 K")  # 2,400 characters after ZnO: too far to keep in one unit
    draft.relate("value_material", draft.entity("value", far, far + 3), material)
    starts = [0]
    while (nxt := text.find(". ", starts[-1]) + 2) > 1:
        starts.append(nxt)
    spans = list(zip(starts, starts[1:]))
    tally = Tally()
    units = draft.units(corpus="demo", split="train", doc_id="d", source="x", silver=False, tally=tally,
                        sentences=lambda _: spans)
    assert len(units) == 3 and all(len(u.text) <= MAX_UNIT_CHARS for u in units)
    assert [len(u.relations) for u in units] == [0, 1, 0]
    assert "ZnO" in units[1].text and "3.3 eV" in units[1].text
    assert tally.lost_relations == {"entities fell into different units when a long paragraph was cut at sentences": 1}
    # pieces are named by their place in the text; the one without entities (0.2) is dropped
    assert [u.id for u in units] == ["demo:train:d:0.0", "demo:train:d:0.1", "demo:train:d:0.3"]
    assert tally.dropped_units == {"no entities": 1}


def test_the_dev_split_by_hash_ignores_tokenisation_and_takes_about_a_fifth():
    assert dev_by_hash("TiO2 , has a band gap of 3.2 eV .") == dev_by_hash("TiO2, has a band gap of 3.2 eV.")
    share = sum(dev_by_hash(f"sentence number {i}") for i in range(2000)) / 2000
    assert 0.17 < share < 0.23


# --- the loaders on the real corpora -------------------------------------------------------------

@pytest.mark.parametrize("corpus", sorted(LOADERS))
def test_each_loader_yields_valid_units_with_splits_and_sane_counts(built, corpus):
    out, stats = built
    low, high, minimum = BOUNDS[corpus]
    units = {split: _read(out / f"{corpus}-{split}.jsonl") for split in ("train", "dev")}
    assert units["train"] and units["dev"], f"{corpus}: a split is missing"
    assert not (out / f"{corpus}-test.jsonl").exists() or "test" in stats["corpora"][corpus]["units"]
    every = units["train"] + units["dev"]
    assert low <= len(every) <= high, f"{corpus}: {len(every)} units"
    assert len({u.id for u in every}) == len(every)
    relations: Counter = Counter()
    for unit in every:
        assert unit.corpus == corpus and unit.silver == (corpus.endswith("snowball"))
        assert len(unit.text) <= HARD_MAX_CHARS and unit.entities
        entities = {e.id: e for e in unit.entities}
        for entity in unit.entities:
            assert unit.text[entity.start : entity.end] == entity.text
            assert entity.text == entity.text.strip()
        for relation in unit.relations:
            head, tail = ENDPOINTS[relation.type]
            assert entities[relation.head].type == head and entities[relation.tail].type == tail
        relations.update(r.type for r in unit.relations)
    for kind, count in minimum.items():
        assert relations[kind] >= count, f"{corpus}: {relations[kind]} {kind}"
    assert dict(relations) == {k: v for k, v in stats["corpora"][corpus]["relations"].items() if v}
    long_units = sum(len(u.text) > MAX_UNIT_CHARS for u in every)
    assert long_units <= 0.02 * len(every), f"{corpus}: {long_units} units over {MAX_UNIT_CHARS} chars"


def test_snowball_dev_split_is_the_hashed_fifth_and_carries_the_family(built):
    out, _ = built
    sets = [("bandgap_snowball", {"band_gap"}), ("curie_neel_snowball", {"curie_temperature", "neel_temperature"})]
    for corpus, families in sets:
        train, dev = _read(out / f"{corpus}-train.jsonl"), _read(out / f"{corpus}-dev.jsonl")
        assert all(dev_by_hash(u.text) for u in dev) and not any(dev_by_hash(u.text) for u in train)
        assert 0.12 < len(dev) / (len(train) + len(dev)) < 0.28
        assert {u.family for u in train + dev} == families


def test_measeval_marks_measured_entities_that_are_not_materials_as_generic(built):
    out, stats = built
    units = _read(out / "measeval-train.jsonl") + _read(out / "measeval-dev.jsonl")
    materials = {e.text: e.generic for u in units for e in u.entities if e.type == "material"}
    assert materials["FeCl3"] is False and materials["SO2"] is False and materials["Zn"] is False
    assert materials["beach"] is True and materials["time period"] is True
    counts = stats["corpora"]["measeval"]
    assert 0.8 < counts["generic_materials"] / counts["entities"]["material"] < 1


def test_sofc_values_carry_their_slot_and_conditions_link_to_values(built):
    out, _ = built
    units = _read(out / "sofc_exp-train.jsonl")
    families = Counter(e.family for u in units for e in u.entities if e.type == "value")
    assert families["power_density"] > 50 and families["thickness"] > 30
    conditions = [e.text for u in units for e in u.entities if e.type == "condition"]
    numeric = sum(any(ch.isdigit() for ch in c) for c in conditions)  # the rest: 'room temperature'
    assert conditions and numeric >= 0.95 * len(conditions)


def test_skipped_corpora_and_losses_are_reported(built):
    _, stats = built
    assert set(SKIPPED) == {"mulms", "supermat", "llm_nerre"}
    table = markdown_table(stats)
    assert all(f"| {name} |" in table for name in LOADERS)
    dropped = stats["corpora"]["bandgap_snowball"]["dropped_units"]
    assert dropped["Special set sentences: changes and bounds, not band gaps (left out)"] > 100


def test_shards_round_trip_through_datasets(built, tmp_path):
    pytest.importorskip("datasets")
    from textmine.relations.corpora.dataset import load_relation_data

    out, stats = built
    data = load_relation_data(out, cache_dir=str(tmp_path / "cache"))
    assert set(data) == {"train", "dev"}
    assert len(data["train"]) == sum(c["units"]["train"] for c in stats["corpora"].values())
    by_id = {u.id: u for u in _read(out / "measeval-dev.jsonl") + _read(out / "polyie-train.jsonl")}
    rows = [row for row in data["dev"] if row["corpus"] == "measeval"][:20] + [data["train"][i] for i in range(0, 400, 40)]
    checked = 0
    for row in rows:
        if row["id"] in by_id:
            assert Unit.model_validate(row) == by_id[row["id"]]
            checked += 1
    assert checked >= 20
    gold_only = load_relation_data(out, silver=False, cache_dir=str(tmp_path / "cache"))
    assert not any(gold_only["train"]["silver"]) and len(gold_only["train"]) < len(data["train"])


def test_test_shards_are_never_loaded_by_default(tmp_path):
    from textmine.relations.corpora.dataset import shard_files

    for name in ("demo-train.jsonl", "demo-dev.jsonl", "demo-test.jsonl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert set(shard_files(tmp_path)) == {"train", "dev"}
    assert shard_files(tmp_path, splits=("test",)) == {"test": [str(tmp_path / "demo-test.jsonl")]}


# --- exclusions -------------------------------------------------------------------------------

def test_exclusion_by_source_unit_whole_file_and_text(shared_data, built, tmp_path):
    out, _ = built
    sofc = _read(out / "sofc_exp-train.jsonl")
    one_unit = sofc[0]
    whole_file = next(u.source for u in sofc if u.doc_id != one_unit.doc_id)
    curie = _read(out / "curie_neel_snowball-train.jsonl")[5]
    tokenised = " ".join(curie.text.replace(",", " ,").split())  # as the sentences file writes it
    entries = [
        {"source": f"../shared/data/{one_unit.source}", "unit": one_unit.id},
        {"path": whole_file},
        {"text": tokenised},
    ]
    exclude = tmp_path / "sources.jsonl"
    exclude.write_text("\n".join(json.dumps(e) for e in entries) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--out", str(tmp_path / "out"), "--exclude", str(exclude),
                                       "--data", str(shared_data), "--corpora", "sofc_exp,curie_neel_snowball"])
    assert result.exit_code == 0, result.output
    kept = [u for split in ("train", "dev") for name in ("sofc_exp", "curie_neel_snowball")
            for u in _read(tmp_path / "out" / f"{name}-{split}.jsonl")]
    ids = {u.id for u in kept}
    assert one_unit.id not in ids and curie.id not in ids
    assert not any(u.source == whole_file for u in kept)
    assert sum(u.doc_id == one_unit.doc_id for u in kept) >= 1  # only the one unit of that document went
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    excluded = sum(sum(c["excluded_units"].values()) for c in stats["corpora"].values())
    assert excluded >= 2 + sum(u.source == whole_file for u in sofc)
    before = sum(sum(built[1]["corpora"][name]["units"].values()) for name in ("sofc_exp", "curie_neel_snowball"))
    assert len(kept) + excluded == before


@pytest.mark.parametrize("content, message", [
    ("[1, 2]", "not a path or an object"),
    ('{"unit": "x"}\n', "neither 'source' nor 'text'"),
    ("{not json", "not a JSON list or JSON lines"),
])
def test_a_bad_exclusion_file_says_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExclusionError, match=message):
        Exclusions.load(path)
    result = CliRunner().invoke(main, ["--out", str(tmp_path / "o"), "--exclude", str(path), "--data", str(tmp_path)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_unknown_corpus_and_missing_data_are_clear_errors(tmp_path):
    result = CliRunner().invoke(main, ["--out", str(tmp_path), "--corpora", "nope"])
    assert result.exit_code == 2 and "unknown corpus nope" in result.output
    result = CliRunner().invoke(main, ["--out", str(tmp_path), "--data", str(tmp_path / "absent")])
    assert result.exit_code == 1 and "no gold/ folder" in result.output
