"""Writes: curation (accept, reject, edit; audit trail; the queue; reviews surviving re-extraction;
training data) and extraction, behind the API key; a read-only server refuses them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.api.server import require  # noqa: E402

require("fastapi", "pip install -e '.[serving]'")
require("uvicorn", "pip install -e '.[serving]'")

from tests.api.conftest import CORPUS  # noqa: E402
from tests.api.server import API_KEY, http, load_corpus  # noqa: E402
from textmine.cli import main  # noqa: E402

KEY = {"X-API-Key": API_KEY}


def _band_gap(base: str, formula: str) -> dict:
    return http.get(f"{base}/v1/records", params={"formula": formula, "property": "band_gap"}).json()["records"][0]


def test_read_only_server_refuses_writes(readonly_api):
    record = _band_gap(readonly_api, "CoTiO3")
    r = http.post(f"{readonly_api}/v1/records/{record['record_id']}/reviews", headers=KEY,
                   json={"action": "accept", "reviewer": "ana"})
    assert r.status_code == 403 and "read-only" in r.json()["error"]["message"]
    r = http.post(f"{readonly_api}/v1/extract", headers=KEY, json={"text": "ZnO has a band gap of 3.3 eV."})
    assert r.status_code == 403


def test_write_needs_the_key(api):
    record = _band_gap(api, "CoTiO3")
    url = f"{api}/v1/records/{record['record_id']}/reviews"
    for headers in ({}, {"X-API-Key": "wrong"}):
        r = http.post(url, headers=headers, json={"action": "accept", "reviewer": "ana"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = http.post(f"{api}/v1/extract", json={"text": "ZnO has a band gap of 3.3 eV."})
    assert r.status_code == 401


def test_web_curation_form_needs_write_and_the_key(readonly_api, api):
    """The record page's form (no JavaScript) is held to the same rules as the API: a read-only
    server refuses it even with the right key; a write server wants the key; nothing is recorded."""
    assert http.get(f"{readonly_api}/health").json()["write"] is False
    form = {"action": "accept", "reviewer": "mallory", "api_key": API_KEY}
    record = _band_gap(readonly_api, "CoTiO3")
    r = http.post(f"{readonly_api}/records/{record['record_id']}/review", data=form)
    assert r.status_code == 403 and "read-only" in r.text and "Traceback" not in r.text
    assert http.get(f"{readonly_api}/v1/records/{record['record_id']}/reviews").json() == []

    record = _band_gap(api, "FeTiO3")
    for key in ("", "wrong key", API_KEY + "x"):
        r = http.post(f"{api}/records/{record['record_id']}/review", data=form | {"api_key": key})
        assert r.status_code == 401 and "wrong API key" in r.text
    assert http.get(f"{api}/v1/records/{record['record_id']}/reviews").json() == []
    assert http.get(f"{api}/v1/records/{record['record_id']}").json()["review"] is None


def test_curation_edit_reject_accept_and_audit_trail(fresh_api):
    base, store_url = fresh_api
    record = _band_gap(base, "CoTiO3")
    rid = record["record_id"]
    url = f"{base}/v1/records/{rid}/reviews"

    bad = http.post(url, headers=KEY, json={"action": "edit", "reviewer": "ana", "edit": {"unit": "kg"}})
    assert bad.status_code == 422 and "kg" in bad.json()["error"]["message"]
    bad = http.post(url, headers=KEY, json={"action": "reject", "reviewer": "ana", "edit": {"value": 1}})
    assert bad.status_code == 422
    bad = http.post(url, headers=KEY, json={"action": "accept", "reviewer": "  "})
    assert bad.status_code == 422

    edit = http.post(url, headers=KEY, json={"action": "edit", "reviewer": "ana", "comment": "Tauc fit redone",
                                              "edit": {"value": 2050, "unit": "meV"}})
    assert edit.status_code == 201, edit.text
    review = edit.json()
    assert review["corrected"]["value"] == 2050 and review["corrected"]["unit"] == "meV"
    assert review["original"] == record and review["reviewer"] == "ana" and review["reviewed_at"]
    assert abs(review["corrected"]["value_si"] - 2.05 * 1.602176634e-19) < 1e-25

    detail = http.get(f"{base}/v1/records/{rid}").json()
    assert detail["record"]["value"] == 2050 and detail["extracted"] == record
    assert detail["review"]["action"] == "edit"
    page = http.get(f"{base}/v1/records", params={"formula": "CoTiO3", "property": "band_gap"}).json()
    assert page["records"][0]["value"] == 2050 and page["reviews"][rid]["reviewer"] == "ana"

    assert http.post(url, headers=KEY, json={"action": "reject", "reviewer": "ben"}).status_code == 201
    history = http.get(url).json()
    assert [h["action"] for h in history] == ["edit", "reject"] and [h["reviewer"] for h in history] == ["ana", "ben"]
    exported = http.get(f"{base}/v1/export", params={"formula": "CoTiO3", "property": "band_gap"}).text
    assert rid not in exported, "a rejected record is left out of exports"
    assert http.get(f"{base}/v1/stats").json()["reviewed"] == 1

    # re-extracting the corpus replaces the records, never the reviews: the review still wins
    load_corpus(store_url, CORPUS)
    runner = CliRunner()
    result = runner.invoke(main, ["-q", "--store", store_url, "run", "--pipeline", "rules", "--reprocess", str(CORPUS[0])],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    detail = http.get(f"{base}/v1/records/{rid}").json()
    assert detail["review"]["action"] == "reject" and len(detail["history"]) == 2
    assert detail["extracted"]["record_id"] == rid

    # the queue: unreviewed only, suspect first
    queue = http.get(f"{base}/v1/reviews/queue", params={"limit": 30}).json()
    ids = [item["record"]["record_id"] for item in queue]
    assert rid not in ids and len(ids) == len(set(ids)) > 5
    suspect = [bool(item["reasons"]) for item in queue]
    assert suspect == sorted(suspect, reverse=True), "suspect records come first"
    plain = [item["record"]["confidence"] for item in queue if not item["reasons"]]
    assert plain == sorted(plain)


def test_training_data_from_reviews(fresh_api, tmp_path):
    base, store_url = fresh_api
    zno = _band_gap(base, "ZnO")
    cds = _band_gap(base, "CdS")
    assert http.post(f"{base}/v1/records/{zno['record_id']}/reviews", headers=KEY,
                      json={"action": "accept", "reviewer": "ana"}).status_code == 201
    assert http.post(f"{base}/v1/records/{cds['record_id']}/reviews", headers=KEY,
                      json={"action": "edit", "reviewer": "ana", "edit": {"material": "CdSe", "value": 1.7}}).status_code == 201
    out = tmp_path / "reviews.jsonl"
    result = CliRunner().invoke(main, ["-q", "--store", store_url, "export", "--reviews", "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    examples = {e["record_id"]: e for e in map(json.loads, out.read_text().splitlines())}
    assert set(examples) == {zno["record_id"], cds["record_id"]}
    accepted = examples[zno["record_id"]]
    s, e, label = accepted["entities"][0]
    assert accepted["sentence"][s:e] == "ZnO" and label == "MAT"
    assert accepted["relations"] == [accepted["relations"][0]] and accepted["relations"][0]["label"] is True
    edited = examples[cds["record_id"]]
    assert [r["label"] for r in edited["relations"]] == [False, True]
    assert edited["corrected"]["material"]["formula"] == "CdSe" and edited["corrected"]["value"] == 1.7
    over_http = [json.loads(line) for line in http.get(f"{base}/v1/reviews/export").text.splitlines()]
    assert {e["record_id"] for e in over_http} == set(examples)


def test_extract_endpoint(api):
    text = "CrO2 is ferromagnetic with a Curie temperature of 390 K. The band gap of ZnO is 3.3 eV."
    r = http.post(f"{api}/v1/extract", headers=KEY, json={"text": text, "id": "t1"}, timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    got = {(x["material"]["formula"], x["property"], x["value"]) for x in body["records"]}
    assert {("CrO2", "curie_temperature", 390.0), ("ZnO", "band_gap", 3.3)} <= got
    assert body["pipeline"].startswith("rules@")
    r = http.post(f"{api}/v1/extract", headers=KEY, json={"text": "x" * 100_001})
    assert r.status_code == 413
    r = http.post(f"{api}/v1/extract", headers=KEY, json={"text": "x", "pipeline": "ner"})
    assert r.status_code == 422 and "not offered" in r.json()["error"]["message"]
    r = http.post(f"{api}/v1/extract", headers=KEY, content=b"{not json", timeout=30)
    assert r.status_code == 422
