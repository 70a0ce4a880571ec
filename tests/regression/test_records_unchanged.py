"""Golden records: every record of the demo corpus and of every document under ../shared/data/docs,
per pipeline, fingerprinted (record id + SHA-1 of its canonical JSON without its confidence and
without the fields added since: `material_id`, `schema_version`; then the confidence). A change
that moves a record fails here; an intended change regenerates the fingerprints and says why in
its commit:

    PYTHONPATH=. python tests/regression/test_records_unchanged.py --update rules   # or ner

Everything but the confidence must be identical. The rules pipeline's confidence must be too; the
`ner` pipeline's may move by up to `CONFIDENCE_DRIFT['ner']`: its spans' scores come from an int8
ONNX model whose quantised kernels differ by CPU (with and without AVX-512 VNNI the same records
came out with confidences up to 0.17 apart, every other field equal), so its exact confidences are
a property of the machine, not of the code.

The files hold hashes and numbers only: no text of the shared documents is copied into the repository.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ADDED_FIELDS = ("material_id", "schema_version")
CONFIDENCE_DRIFT = {"rules": 0.0, "ner": 0.2}  # how far a record's confidence may move (see above)


def fingerprints(records) -> list[str]:
    lines = []
    for record in records:
        data = json.loads(record.model_dump_json())
        for field in ADDED_FIELDS:
            data.pop(field, None)
        confidence = data.pop("confidence")
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        lines.append(f"{data['record_id']} {hashlib.sha1(canonical.encode('utf-8')).hexdigest()} {confidence!r}")
    return sorted(lines)


def extract_all(pipeline: str, shared: Path, db: Path) -> list[str]:
    from textmine.pipeline import Pipeline
    from textmine.store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    # Every document's records, copies of one paper in other formats included (one_per_paper=False):
    # this test is about extraction; tests/hostile/test_same_paper.py is about which copy is stored.
    Pipeline(store, pipeline, one_per_paper=False).run_paths([ROOT / "corpora" / "demo", shared / "docs"])
    found = fingerprints(store.iter_records())
    store.close()
    return found


def compare(pipeline: str, shared: Path, db: Path) -> None:
    expected, expected_conf = parse((HERE / f"{pipeline}.sha1").read_text(encoding="utf-8").split("\n"))
    got, got_conf = parse(extract_all(pipeline, shared, db))
    missing = sorted(set(expected.items()) - set(got.items()))
    extra = sorted(set(got.items()) - set(expected.items()))
    assert not missing and not extra, (
        f"{len(missing)} golden records changed or lost, {len(extra)} new; first: {missing[:3]} / {extra[:3]}"
    )
    drift = CONFIDENCE_DRIFT[pipeline]
    moved = [(k, expected_conf[k], got_conf[k]) for k in expected if abs(expected_conf[k] - got_conf[k]) > drift + 1e-9]
    assert not moved, f"{len(moved)} records' confidence moved by more than {drift}; first: {moved[:3]}"


def parse(lines: list[str]) -> tuple[dict[str, str], dict[str, float]]:
    """Fingerprint lines -> (record id -> content hash, record id -> confidence)."""
    digests, confidences = {}, {}
    for line in lines:
        if line:
            record_id, digest, confidence = line.split()
            digests[record_id], confidences[record_id] = digest, float(confidence)
    return digests, confidences


def test_rules_pipeline_records_unchanged(shared_data: Path, tmp_path: Path) -> None:
    compare("rules", shared_data, tmp_path / "rules.db")


@pytest.mark.slow
def test_ner_pipeline_records_unchanged(shared_data: Path, tmp_path: Path) -> None:
    compare("ner", shared_data, tmp_path / "ner.db")


if __name__ == "__main__":  # pragma: no cover - regenerate after an intended change
    if len(sys.argv) != 3 or sys.argv[1] != "--update":
        sys.exit("usage: test_records_unchanged.py --update rules|ner")
    import tempfile

    from tests.conftest import SHARED_DATA

    with tempfile.TemporaryDirectory() as tmp:
        lines = extract_all(sys.argv[2], SHARED_DATA, Path(tmp) / "golden.db")
    (HERE / f"{sys.argv[2]}.sha1").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} fingerprints -> {HERE / (sys.argv[2] + '.sha1')}")
