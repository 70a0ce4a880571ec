"""Property-based fuzzing of every operation of the OpenAPI schema (schemathesis on hypothesis)
against a real server: whatever the parameters and bodies, never a 5xx. Write operations are
called with the API key, so their handlers are fuzzed too (on a store of their own).

TEXTMINE_FUZZ_EXAMPLES sets the examples per operation (default 30); the status counts of the
run are written to test-artifacts/fuzz-summary.json.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter

import pytest

from tests.api.server import require  # noqa: E402

require("fastapi", "pip install -e '.[serving]'")
require("uvicorn", "pip install -e '.[serving]'")
schemathesis = require("schemathesis", "pip install -e '.[test]'")
from hypothesis import HealthCheck, settings  # noqa: E402

from tests.api.server import API_KEY, ROOT, serve  # noqa: E402

EXAMPLES = int(os.environ.get("TEXTMINE_FUZZ_EXAMPLES", "30"))
STATUSES: Counter = Counter()


@pytest.fixture(scope="session")
def fuzz_server(sqlite_corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "fuzz.db"
    shutil.copy(sqlite_corpus, db)
    with serve(str(db), write=True, log=folder / "serve.log") as base:
        yield base
    summary = ROOT / "test-artifacts" / "fuzz-summary.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps({"examples_per_operation": EXAMPLES, "calls": sum(STATUSES.values()),
                                   "by_status": dict(sorted(STATUSES.items()))}, indent=1))


def _schema():
    from textmine.api import ApiSettings, create_app

    # The schema the server serves (checked below), built here so tests can be collected per operation.
    return create_app(ApiSettings(store_url="unused.db", write=True)).openapi()


SCHEMA = schemathesis.openapi.from_dict(_schema())
OPERATIONS = {op.ok().label: op.ok() for op in SCHEMA.get_all_operations()}
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


def test_server_serves_this_schema(fuzz_server):
    from tests.api.server import http

    assert http.get(f"{fuzz_server}/v1/openapi.json").json() == _schema()
    assert len(OPERATIONS) >= 15


def _cases() -> list[tuple[str, object]]:
    """Every operation with valid data; those that take input also with invalid data."""
    cases = []
    for label, operation in sorted(OPERATIONS.items()):
        takes_input = bool(list(operation.iter_parameters())) or bool(operation.body)
        cases += [(label, mode) for mode in MODES if takes_input or mode is MODES[0]]
    return cases


@pytest.mark.parametrize("label,mode", _cases(), ids=[f"{label}-{mode.value}" for label, mode in _cases()])
def test_no_server_errors(fuzz_server, label, mode):
    from hypothesis import given

    operation = OPERATIONS[label]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def fuzz(case):
        response = case.call(base_url=fuzz_server, headers={"X-API-Key": API_KEY}, timeout=120)
        STATUSES[response.status_code] += 1
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.300} -> "
            f"{response.status_code} {response.text[:500]}")
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["status"] == response.status_code and error["message"]
            assert "Traceback" not in response.text

    fuzz()
