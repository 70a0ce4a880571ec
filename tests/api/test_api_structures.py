"""Structures through the API: the demo corpus with the TiO2 and ZnO reference structures added and
linked (`textmine structures add`, `textmine run` links), served by a real `textmine serve`: the
structure filters answer what `textmine search` answers, the material answer and page list the
linked structures."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.api.server import require  # noqa: E402

require("fastapi", "pip install -e '.[serving]'")
require("pymatgen.symmetry.analyzer", "pip install -e '.[structures]'")

from tests.api.server import ROOT, http, serve  # noqa: E402
from textmine.cli import main  # noqa: E402


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    from textmine.spectra.references import reference_entries

    tmp = tmp_path_factory.mktemp("api-structures")
    folder = tmp / "structures"
    folder.mkdir()
    for entry in reference_entries():
        if entry.reduced_formula in ("TiO2", "ZnO"):
            (folder / f"{entry.reduced_formula}_{entry.space_group_number}.json").write_text(
                json.dumps(entry.structure), encoding="utf-8")
    db = str(tmp / "linked.db")
    invoke("--db", db, "-q", "structures", "add", str(folder))
    invoke("--db", db, "-q", "run", str(ROOT / "corpora" / "demo"))
    with serve(db, write=False, log=tmp / "serve.log") as base:
        yield base, db


@pytest.mark.parametrize("cli_args,params", [
    (["--has-structure"], {"has-structure": "true"}),
    (["--no-structure"], {"has-structure": "false"}),
    (["--crystal-system", "tetragonal"], {"crystal-system": "tetragonal"}),
    (["--space-group", "P4_2/mnm", "--property", "band_gap"], {"space-group": "P4_2/mnm", "property": "band_gap"}),
    (["--space-group", "136"], {"space-group": "136"}),
])
def test_structure_filters_answer_as_the_cli(linked, cli_args, params):
    base, db = linked
    expected = json.loads(invoke("--db", db, "search", "--json", "--limit", "500", *cli_args))
    got = http.get(f"{base}/v1/records", params={"limit": 500, **params}).json()
    assert got["total"] == expected["total"] and got["records"] == expected["records"]
    assert got["facets"] == expected["facets"]


def test_structure_filters_select_the_linked_records(linked):
    base, _ = linked
    everything = http.get(f"{base}/v1/records", params={"limit": 0}).json()["total"]
    with_ = http.get(f"{base}/v1/records", params={"limit": 500, "has-structure": "true"}).json()
    without = http.get(f"{base}/v1/records", params={"limit": 0, "has-structure": "false"}).json()["total"]
    assert 0 < with_["total"] < everything and with_["total"] + without == everything
    assert {r["material"]["formula"] for r in with_["records"]} <= {"TiO2", "ZnO"}
    rutile = http.get(f"{base}/v1/records", params={"limit": 500, "space-group": "P4_2/mnm"}).json()
    assert rutile["total"] >= 1 and {r["material"]["formula"] for r in rutile["records"]} == {"TiO2"}


def test_material_lists_its_linked_structures(linked):
    base, _ = linked
    detail = http.get(f"{base}/v1/materials/TiO2").json()
    systems = {s["crystal_system"] for s in detail["structures"]}
    assert "tetragonal" in systems, detail["structures"]
    assert any(s["records_best"] > 0 and s["space_group_number"] == 136 for s in detail["structures"])
    page = http.get(f"{base}/materials/TiO2")
    assert page.status_code == 200 and "Crystal structures" in page.text and "P4_2/mnm" in page.text
    zno = http.get(f"{base}/v1/materials/ZnO").json()
    assert zno["structures"] and all(s.get("reduced_formula") in (None, "ZnO") for s in zno["structures"])
