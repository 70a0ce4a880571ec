"""The API against a real uvicorn over real stores: the same answers as `textmine search --json`,
cursor pages, every read endpoint, streamed exports, errors as JSON."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tests.api.server import require  # noqa: E402

require("fastapi", "pip install -e '.[serving]'")
require("uvicorn", "pip install -e '.[serving]'")

from tests.api.server import http  # noqa: E402
from textmine.api.params import cli_filter_names  # noqa: E402
from textmine.cli import main  # noqa: E402
from textmine.export.documents import DocumentMeta  # noqa: E402
from textmine.store import open_store  # noqa: E402

# (CLI arguments of `textmine search`, the same question as API query parameters)
PARITY = [
    ([], {}),
    (["--property", "band gap", "--min", "1", "--max", "2", "--unit", "eV", "--elements", "Ti,O"],
     {"property": "band gap", "min": 1, "max": 2, "unit": "eV", "elements": "Ti,O"}),
    (["--property", "band_gap", "--min", "1000", "--max", "2000", "--unit", "meV"],
     {"property": "band_gap", "min": 1000, "max": 2000, "unit": "meV"}),
    (["--property", "curie_temperature", "--min", "50", "--unit", "degC"],
     {"property": "curie_temperature", "min": 50, "unit": "degC"}),
    (["band gap", "--exclude", "Ti", "--year-min", "2018"], {"q": "band gap", "exclude": "Ti", "year-min": 2018}),
    (["--elements", "Ba,Ti,O", "--only"], {"elements": "Ba,Ti,O", "only": "true"}),
    (["--kind", "patent", "--min-confidence", "0.5", "--facets", "property,formula,extractor"],
     {"kind": "patent", "min-confidence": 0.5, "facets": "property,formula,extractor"}),
    (["--formula", "TiO2", "--year-max", "2022"], {"formula": "TiO2", "year-max": 2022}),
    (["--material", "zno", "--extractor", "rules"], {"material": "zno", "extractor": "rules"}),
    (["--limit", "1000", "--facets", ""], {"limit": 1000, "facets": ""}),
    (["--limit", "5", "--offset", "3"], {"limit": 5, "offset": 3}),
    # structure filters (no structures linked in the demo corpus: linked -> none, not linked -> all)
    (["--has-structure"], {"has-structure": "true"}),
    (["--no-structure", "--property", "band_gap"], {"has-structure": "false", "property": "band_gap"}),
    (["--space-group", "136"], {"space-group": "136"}),
    (["--crystal-system", "cubic", "--elements", "Ti"], {"crystal-system": "cubic", "elements": "Ti"}),
]


def cli_search(store_url: str, args: list[str]) -> dict:
    result = CliRunner().invoke(main, ["-q", "--store", store_url, "search", "--json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_api_takes_the_cli_filter_names():
    from textmine.api.params import Filters
    import inspect

    api_names = set()
    for p in inspect.signature(Filters.__init__).parameters.values():
        if p.name != "self":
            api_names.add(getattr(p.default, "alias", None) or p.name)
    assert set(cli_filter_names()) == api_names - {"q"}, "the API's filters must be the CLI's, by name"


@pytest.mark.parametrize("cli_args,params", PARITY, ids=[" ".join(a) or "all" for a, _ in PARITY])
def test_same_answers_as_cli(api, backend, cli_args, params):
    _, store_url = backend
    expected = cli_search(store_url, cli_args)
    response = http.get(f"{api}/v1/records", params=params, timeout=60)
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["total"] == expected["total"]
    assert got["records"] == expected["records"]
    assert got["facets"] == expected["facets"]
    assert set(got["documents"]) == {r["doc_id"] for r in got["records"]}
    # The page reads its documents' metadata in one batched, text-free call: the same as citing
    # each document from its full stored form.
    store = open_store(store_url, readonly=True)
    try:
        assert got["documents"] == {doc_id: DocumentMeta.of(store.get_document(doc_id)).model_dump(mode="json")
                                    for doc_id in got["documents"]}
    finally:
        store.close()


def test_readme_query_finds_the_ti_o_band_gaps(api):
    got = http.get(f"{api}/v1/records", params={"property": "band gap", "min": 1, "max": 2, "unit": "eV",
                                                 "elements": "Ti,O"}).json()
    formulas = {r["material"]["formula"] for r in got["records"]}
    assert {"CoTiO3", "FeTiO3", "Fe2TiO5"} <= formulas
    assert not formulas & {"BaTiO3", "SrTiO3", "Ti2O3"}


def test_cursor_walks_every_record_once(api):
    everything = http.get(f"{api}/v1/records", params={"limit": 1000, "facets": ""}).json()
    assert everything["next"] is None and len(everything["records"]) == everything["total"] > 50
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 7, "facets": ""} | ({"cursor": cursor} if cursor else {})
        page = http.get(f"{api}/v1/records", params=params).json()
        seen += [r["record_id"] for r in page["records"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [r["record_id"] for r in everything["records"]]
    assert pages == -(-everything["total"] // 7)


def test_cursor_of_another_search_is_refused(api):
    page = http.get(f"{api}/v1/records", params={"limit": 2, "property": "band_gap"}).json()
    response = http.get(f"{api}/v1/records", params={"limit": 2, "property": "density", "cursor": page["next"]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"
    garbage = http.get(f"{api}/v1/records", params={"cursor": "not-a-cursor"})
    assert garbage.status_code == 400 and "cursor" in garbage.json()["error"]["message"]


@pytest.mark.parametrize("params,status,words", [
    ({"property": "band gapp"}, 422, "unknown property"),
    ({"property": "band_gap", "min": 1, "unit": "kg"}, 422, "kg"),
    ({"min": 1}, 422, "needs a property"),
    ({"limit": 20000}, 422, "limit"),
    ({"limit": -1}, 422, "limit"),
    ({"kind": "book"}, 422, "kind"),
    ({"facets": "colour"}, 422, "colour"),
    ({"min-confidence": 2}, 422, "min-confidence"),
    ({"min": "abc", "property": "band_gap"}, 422, "min"),
    # the Query's own checks (QueryError), passed on with their message
    ({"property": "band_gap", "min": 2, "max": 1}, 422, "above value max"),
    ({"year-min": 2020, "year-max": 2010}, 422, "above year max"),
    ({"elements": "Ti,Xx"}, 422, "unknown element symbol 'Xx'"),
    ({"property": "band_gap", "unit": "xyzzy"}, 422, "unknown unit 'xyzzy'"),
    ({"property": "band_gap", "unit": "K"}, 422, "does not fit band_gap"),
    ({"space-group": "Q99"}, 422, "unknown space group"),
    ({"space-group": "999"}, 422, "not in 1-230"),
    ({"crystal-system": "round"}, 422, "crystal-system"),
])
def test_bad_filters_are_clear_json_errors(api, params, status, words):
    response = http.get(f"{api}/v1/records", params=params)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and words in error["message"]
    assert "Traceback" not in response.text


def test_unknown_paths_and_methods(api):
    r = http.get(f"{api}/v1/nothing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = http.delete(f"{api}/v1/records")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    r = http.get(f"{api}/v1/records/0000000000deadbeef00")
    assert r.status_code == 404 and "no record" in r.json()["error"]["message"]
    r = http.get(f"{api}/v1/documents/doi:10.5555/none")
    assert r.status_code == 404


def test_record_detail_has_document_context_and_suspicion(api):
    hit = http.get(f"{api}/v1/records", params={"formula": "CoTiO3", "property": "band_gap"}).json()["records"][0]
    detail = http.get(f"{api}/v1/records/{hit['record_id']}").json()
    assert detail["record"] == hit and detail["extracted"] == hit and detail["history"] == []
    doc = detail["document"]
    assert doc["title"] and doc["authors"] and doc["year"] == 2019 and doc["source"].endswith("ilmenite_titanates_2019.txt")
    assert doc["doi"] is None and doc["url"] is None  # this demo file has no DOI
    assert "CoTiO3" in detail["context"]["sentence"] and detail["context"]["before"] + detail["context"]["after"]


def test_documents_materials_properties_stats(api):
    docs = http.get(f"{api}/v1/documents", params={"limit": 100}).json()
    assert len(docs["documents"]) == 15 and docs["next"] is None
    first = http.get(f"{api}/v1/documents", params={"limit": 10}).json()
    rest = http.get(f"{api}/v1/documents", params={"limit": 10, "cursor": first["next"]}).json()
    assert [d["doc_id"] for d in first["documents"] + rest["documents"]] == [d["doc_id"] for d in docs["documents"]]
    doi = next(d for d in docs["documents"] if d["doi"] == "10.5555/textmine.demo.2016.01")
    detail = http.get(f"{api}/v1/documents/{doi['doc_id']}").json()
    assert detail["document"]["year"] == 2016 and detail["total_records"] == len(detail["records"]) > 2
    assert detail["document"]["url"] == "https://doi.org/10.5555/textmine.demo.2016.01"
    assert all(item["context"]["sentence"] for item in detail["records"])

    material = http.get(f"{api}/v1/materials/TiO2").json()
    assert material["formula"] == "TiO2" and material["total"] >= 2
    assert len(material["materials"]) >= 2, "anatase and rutile TiO2 are different materials"
    band_gaps = [c for m in material["materials"] for c in m["consensus"] if c["property"] == "band_gap"]
    assert band_gaps and all(c["unit"] == "eV" and 0.5 < c["median"] < 4 for c in band_gaps)

    props = http.get(f"{api}/v1/properties").json()
    band_gap = next(p for p in props if p["name"] == "band_gap")
    assert band_gap["records"] >= 10 and {"eV", "meV", "J"} <= set(band_gap["units"])
    assert http.get(f"{api}/v1/properties/Eg").json()["name"] == "band_gap"
    values = http.get(f"{api}/v1/properties/band_gap/values", params={"in": "meV", "elements": "Ti"}).json()
    assert values["unit"] == "meV" and values["points"]
    # (Ti2O3's narrow gap of 0.1 eV is the lowest the demo states)
    assert all(50 < p["value"] < 5000 for p in values["points"]) and any(p["year"] for p in values["points"])
    assert http.get(f"{api}/v1/properties/band_gap/values", params={"in": "K"}).status_code == 422

    stats = http.get(f"{api}/v1/stats").json()
    assert stats["documents"] == 15 and stats["records"] > 50 and stats["reviewed"] == 0
    assert http.get(f"{api}/v1/failures").json() == []


def test_health_and_metrics(api):
    health = http.get(f"{api}/health").json()
    assert health["status"] == "ok" and health["write"] is True
    http.get(f"{api}/v1/records", params={"property": "nonsense"})
    text = http.get(f"{api}/metrics").text
    assert "# TYPE textmine_http_requests_total counter" in text
    assert 'route="/v1/records",status="422"' in text
    assert 'textmine_http_request_duration_seconds_bucket{route="/v1/records",le="+Inf"}' in text
    assert "textmine_store_records " in text


def test_export_streams_what_the_cli_exports(api, backend, tmp_path):
    _, store_url = backend
    for fmt in ("jsonl", "csv", "parquet"):
        target = tmp_path / f"cli.{fmt}"
        result = CliRunner().invoke(main, ["-q", "--store", store_url, "export", "--format", fmt, "-o", str(target),
                                           "--property", "band_gap"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        with http.stream("GET", f"{api}/v1/export", params={"format": fmt, "property": "band_gap"}, timeout=60) as r:
            assert r.status_code == 200
            body = r.read()
        if fmt == "parquet":  # the same rows; the writer's metadata may differ
            assert pq.read_table(io.BytesIO(body)).to_pylist() == pq.read_table(target).to_pylist()
        else:
            assert body == target.read_bytes(), fmt
    lines = [json.loads(line) for line in (tmp_path / "cli.jsonl").read_text().splitlines()]
    assert lines and all(line["property"] == "band_gap" and line["document"]["doc_id"] == line["doc_id"] for line in lines)
    assert any(line["document"]["doi"] and line["document"]["title"] for line in lines)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "cli.csv").read_text())))
    assert {"doc_title", "doc_doi", "doc_year", "doc_authors"} <= set(rows[0])


def test_limits_and_cors(api):
    r = http.post(f"{api}/v1/extract", content=b"x" * 2_000_000, headers={"X-API-Key": "k", "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = http.get(f"{api}/v1/records", headers={"Origin": "http://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    assert "default-src 'self'" in r.headers["content-security-policy"]
