"""Predictions and audit flags beside the records, in SQLite and on a real Elasticsearch node:
the same writes must give the same answers, and never appear among the records."""

from __future__ import annotations

import pytest
from es_support import drop_prefix, node_health, require_es, synthetic_corpus, unique_prefix

from textmine.store import Query
from textmine.store.predictions import AuditFlag, Prediction, predictions_for
from textmine.store.sqlite import SQLiteStore

EV = 1.602176634e-19


def prediction(formula: str, elements: list[str], value: float, model_id: str = "m1", prop: str = "band_gap",
               structure_id: str | None = None) -> Prediction:
    return Prediction(property=prop, material_id=f"id-{formula}", formula=formula, elements=elements, value=value,
                      lower=value - 0.5, upper=value + 0.5, coverage=0.9, unit="eV", value_si=value * EV,
                      lower_si=(value - 0.5) * EV, upper_si=(value + 0.5) * EV, unit_si="J", model_id=model_id,
                      model=f"{prop}-lightgbm@{model_id}", structure_id=structure_id)


PREDICTIONS = [
    prediction("ZnO", ["O", "Zn"], 3.1),
    prediction("TiO2", ["O", "Ti"], 2.9),
    prediction("GaN", ["Ga", "N"], 3.3),
    prediction("GaAs", ["As", "Ga"], 1.5),
    prediction("SrTiO3", ["O", "Sr", "Ti"], 3.0),
    prediction("ZnO", ["O", "Zn"], 3.2, structure_id="zno-wurtzite"),
    prediction("ZnO", ["O", "Zn"], 3.4, model_id="m2"),
    prediction("Fe", ["Fe"], 1043.0, prop="curie_temperature"),
]
QUERIES = [
    Query(),
    Query(property="band_gap"),
    Query(property="band_gap", include_elements=["Ti"]),
    Query(property="band_gap", include_elements=["Ti", "O"], only_elements=True),
    Query(property="band_gap", exclude_elements=["O"]),
    Query(property="band_gap", value_min=3.0, value_max=3.25, unit="eV"),
    Query(property="band_gap", value_min=3000, unit="meV"),
    Query(formula="ZnO"),
    Query(property="band_gap", limit=2, offset=1),
    Query(property="band_gap", text="band gap"),  # only records have sentences: no predictions
    Query(property="band_gap", min_confidence=0.5),
]
FLAGS = [
    AuditFlag(record_id="r1", doc_id="d1", property="band_gap", material_id="id-ZnO", formula="ZnO", status="suspect",
              value=3300.0, prediction=3.1, lower=1.0, upper=5.0, coverage=0.99, unit="eV", reason="above", model_id="m1"),
    AuditFlag(record_id="r2", doc_id="d1", property="band_gap", material_id="id-ZnO", formula="ZnO", status="consistent",
              value=3.3, prediction=3.1, lower=1.0, upper=5.0, coverage=0.99, unit="eV", model_id="m1"),
    AuditFlag(record_id="r3", doc_id="d2", property="curie_temperature", material_id="id-Fe", formula="Fe",
              status="suspect", value=1.0, prediction=1043.0, lower=500.0, upper=1500.0, coverage=0.99, unit="K", model_id="m3"),
]


def answers(ps) -> dict:
    out = {}
    for i, q in enumerate(QUERIES):
        result = ps.search_predictions(q)
        out[i] = (result.total, [(p.formula, p.value, p.structure_id, p.model_id) for p in result.predictions])
    out["materials"] = {k: sorted(p.value for p in v) for k, v in ps.predictions_for_materials(["id-ZnO", "id-Fe"], "band_gap").items()}
    out["flags"] = {k: v.status for k, v in ps.audit_flags(["r1", "r2", "r3", "unknown"]).items()}
    out["suspects"] = sorted(ps.suspect_record_ids())
    out["suspects_band_gap"] = sorted(ps.suspect_record_ids("band_gap"))
    by_id = ps.search_predictions(Query(material_id="id-ZnO"))
    out["by_material_id"] = (by_id.total, sorted({p.formula for p in by_id.predictions}))
    out["structure_filter"] = ps.search_predictions(Query(property="band_gap", crystal_system="cubic")).total
    return out


def fill(ps) -> None:
    assert ps.put_predictions(PREDICTIONS) == len(PREDICTIONS)
    assert ps.put_predictions(PREDICTIONS[:2]) == 2  # idempotent: replaced, not duplicated
    assert ps.put_audit(FLAGS) == 3


def check(found: dict) -> None:
    total, rows = found[0]
    assert total == 8 and [r[0] for r in rows] == ["Fe", "GaAs", "GaN", "SrTiO3", "TiO2", "ZnO", "ZnO", "ZnO"]
    assert found[1][0] == 7
    assert {r[0] for r in found[2][1]} == {"TiO2", "SrTiO3"}
    assert [r[0] for r in found[3][1]] == ["TiO2"]
    assert {r[0] for r in found[4][1]} == {"GaAs", "GaN"}
    assert sorted(r[1] for r in found[5][1]) == [3.0, 3.1, 3.2]
    assert sorted(r[1] for r in found[6][1]) == [3.0, 3.1, 3.2, 3.3, 3.4]
    assert found[7][0] == 3
    assert found[8][0] == 7 and len(found[8][1]) == 2
    assert found[9] == (0, []) and found[10] == (0, [])
    assert found["materials"] == {"id-ZnO": [3.1, 3.2, 3.4]}
    assert found["flags"] == {"r1": "suspect", "r2": "consistent", "r3": "suspect"}
    assert found["suspects"] == ["r1", "r3"] and found["suspects_band_gap"] == ["r1"]
    assert found["by_material_id"] == (3, ["ZnO"])
    assert found["structure_filter"] == 0  # predictions have no linked structure to filter on


def test_sqlite_keeps_predictions_and_flags_apart_from_records(tmp_path):
    store = SQLiteStore(tmp_path / "tm.db")
    store.put_many(synthetic_corpus(3))
    records_before = store.stats().records
    ps = predictions_for(store)
    fill(ps)
    check(answers(ps))
    assert store.stats().records == records_before
    assert all(r.property in ("band_gap", "curie_temperature") for r in store.iter_records())
    # a fresh audit of a property replaces its verdicts, and only its own
    ps.put_audit([FLAGS[1]], replace_property="band_gap")
    assert sorted(ps.suspect_record_ids()) == ["r3"]
    assert ps.delete_predictions(model_id="m2") == 1
    assert ps.search_predictions(Query(formula="ZnO")).total == 2
    ps.close()
    store.close()
    # and they are still there for the next process
    reopened = predictions_for(SQLiteStore(tmp_path / "tm.db"))
    assert reopened.search_predictions(Query(property="band_gap")).total == 6


@pytest.mark.es
def test_elasticsearch_answers_as_sqlite(tmp_path):
    url = require_es()
    prefix = unique_prefix("pred")
    try:
        from textmine.store.elasticsearch import ElasticsearchStore

        es_store = ElasticsearchStore(url.replace("http://", "es://") + "/" + prefix)
        es_store.put_many(synthetic_corpus(3))
        es_ps = predictions_for(es_store)
        fill(es_ps)
        sqlite_store = SQLiteStore(tmp_path / "tm.db")
        sqlite_store.put_many(synthetic_corpus(3))
        sqlite_ps = predictions_for(sqlite_store)
        fill(sqlite_ps)
        es_answers = answers(es_ps)
        check(es_answers)
        assert es_answers == answers(sqlite_ps)
        # the records index holds no prediction
        assert es_store.stats().records == sqlite_store.stats().records == 12
        es_ps.put_audit([FLAGS[1]], replace_property="band_gap")
        assert sorted(es_ps.suspect_record_ids()) == ["r3"]
        assert es_ps.delete_predictions(model_id="m2") == 1
        assert es_ps.search_predictions(Query(formula="ZnO")).total == 2
        es_ps.close()
        es_store.close()
    finally:
        if node_health(url):
            drop_prefix(url, prefix)


def test_prediction_tables_come_with_a_fresh_store_and_with_migrate(tmp_path):
    """A new store file has the prediction tables from its first open; a v1 file gets them from
    `textmine migrate`; a read-only open (search) of a file without them answers empty and leaves
    the file byte for byte as it was."""
    import hashlib
    import sqlite3

    from click.testing import CliRunner
    from es_support import build_corpus
    from sqlite_v1 import write_v1

    from textmine.cli import main
    from textmine.store import StoreUnavailable

    def tables(path):
        db = sqlite3.connect(path)
        try:
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
            version = db.execute("SELECT value FROM meta WHERE key='predictions_schema_version'").fetchone()
        finally:
            db.close()
        return {"predictions", "prediction_elements", "audit_flags"} <= names, version

    fresh = SQLiteStore(tmp_path / "fresh.db")
    fresh.close()
    assert tables(tmp_path / "fresh.db") == (True, ("1",))

    corpus = list(build_corpus())[:10]
    v1 = write_v1(tmp_path / "v1.db", corpus)
    db = sqlite3.connect(v1)  # a v1 file from before predictions existed
    for table in ("prediction_elements", "predictions", "audit_flags"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DELETE FROM meta WHERE key='predictions_schema_version'")
    db.commit()
    db.close()
    assert tables(v1)[0] is False
    before = hashlib.sha256(v1.read_bytes()).hexdigest()
    with pytest.raises(StoreUnavailable, match="migrate"):
        SQLiteStore(v1, readonly=True)
    assert hashlib.sha256(v1.read_bytes()).hexdigest() == before

    result = CliRunner().invoke(main, ["--db", str(v1), "migrate"])
    assert result.exit_code == 0, result.output
    assert tables(v1) == (True, ("1",))
    with SQLiteStore(v1) as store:
        ps = predictions_for(store)
        fill(ps)
        ps.close()
    with SQLiteStore(v1, readonly=True) as reader:
        ps = predictions_for(reader)
        check(answers(ps))
        with pytest.raises(StoreUnavailable, match="read-only"):
            ps.put_predictions(PREDICTIONS[:1])
        ps.close()


def test_read_only_open_without_prediction_tables_answers_empty_and_writes_nothing(tmp_path):
    import hashlib
    import sqlite3

    path = tmp_path / "tm.db"
    with SQLiteStore(path) as store:
        store.put_many(synthetic_corpus(2))
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")
    for table in ("prediction_elements", "predictions", "audit_flags"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DELETE FROM meta WHERE key='predictions_schema_version'")
    db.commit()
    db.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with SQLiteStore(path, readonly=True) as reader:
        ps = predictions_for(reader)
        assert ps.search_predictions(Query(property="band_gap")).total == 0
        assert ps.suspect_record_ids() == set()
        assert ps.audit_flags(["r1"]) == {} and ps.predictions_for_materials(["id-ZnO"]) == {}
        ps.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
