"""OPTIMADE harvested from a loopback server replaying v1 responses written to the spec: paging by
`links.next`, the filter and response fields sent, raw payloads kept, a failing page stepped over
(offset paging) or stopped at (cursor paging) and resumed, and `textmine harvest optimade` end to end."""

from __future__ import annotations

import json

from click.testing import CliRunner

from textmine.records import Failure
from textmine.sources import Harvester, HarvestQuery
from textmine.sources.optimade import Optimade
from textmine.structures.model import StructureEntry

from tests.sources.replay import Reply
from tests.structures.optimade_fixtures import error, page

FILTER = 'elements HAS ANY "Ti","Na" AND nelements=2'


def _json(obj) -> Reply:
    return Reply(body=json.dumps(obj).encode(), content_type="application/vnd.api+json")


def _serve_offset_pages(replay):
    base = replay.url + "/optimade/v1/structures"
    replay.route("/optimade/v1/structures", _json(page(["NaCl"], f"{base}?page_offset=2&page_limit=1", returned=3)),
                 params={"page_offset": "1"})
    replay.route("/optimade/v1/structures", _json(page(["molecule"], None, returned=3)), params={"page_offset": "2"})
    replay.route("/optimade/v1/structures", _json(page(["TiO2-rutile"], f"{base}?page_offset=1&page_limit=1", returned=3)),
                 params={"page_limit": "1"})  # the first page: routes match in order


def _items(source, state, query, **kw):
    harvester = Harvester(source, state, **kw)
    items = list(harvester.items(query))
    return harvester, [i for i in items if isinstance(i, StructureEntry)], [i for i in items if isinstance(i, Failure)]


def test_pages_follow_links_next_and_keep_raw_payloads(make_source, state, replay, raw):
    _serve_offset_pages(replay)
    source = make_source(Optimade, "/optimade", page_size=1)
    harvester, entries, failures = _items(source, state, HarvestQuery(FILTER))
    assert [e.reduced_formula for e in entries] == ["TiO2", "NaCl"]
    assert entries[0].source_id == "exmpl:TiO2-rutile" and entries[0].space_group_number == 136
    assert entries[0].source.endswith("/structures/TiO2-rutile")
    assert len(failures) == 1 and "not periodic" in failures[0].reason  # the molecule entry
    assert harvester.stats.complete and harvester.stats.pages == 3 and harvester.stats.total == 3
    first = replay.requests("/optimade/v1/structures")[0].params
    assert first["filter"] == FILTER and "lattice_vectors" in first["response_fields"].split(",")
    assert len(list(raw.entries("optimade"))) == 3  # every page kept for re-parsing


def test_a_failed_offset_page_is_stepped_over_and_retried(make_source, state, replay):
    _serve_offset_pages(replay)
    replay.fault("/optimade/v1/structures", Reply(b"boom", status=500, content_type="text/plain"),
                 params={"page_offset": "1"}, times=4)  # all retries of the first try fail
    source = make_source(Optimade, "/optimade", page_size=1)
    harvester, entries, failures = _items(source, state, HarvestQuery(FILTER))
    assert [e.reduced_formula for e in entries] == ["TiO2", "NaCl"]  # NaCl came with the retry at the end
    assert any("500" in f.reason for f in failures)
    assert harvester.stats.complete


def test_cursor_paging_stops_at_a_failed_page_and_resumes(make_source, state, replay):
    base = replay.url + "/optimade/v1/structures"
    replay.route("/optimade/v1/structures", _json(page(["NaCl"], None)), params={"page_above": "abc"})
    replay.route("/optimade/v1/structures", _json(page(["TiO2-rutile"], f"{base}?page_above=abc")), params={"page_limit": "1"})
    replay.fault("/optimade/v1/structures", _json(error(400, "page_above expired")), params={"page_above": "abc"})
    source = make_source(Optimade, "/optimade", page_size=1)
    harvester, entries, failures = _items(source, state, HarvestQuery(FILTER))
    assert [e.reduced_formula for e in entries] == ["TiO2"] and "page_above expired" in failures[0].reason
    assert not harvester.stats.complete and "resume" in harvester.stats.stopped
    resumed, entries, failures = _items(make_source(Optimade, "/optimade", page_size=1), state, HarvestQuery(FILTER))
    assert resumed.stats.resumed and [e.reduced_formula for e in entries] == ["NaCl"] and resumed.stats.complete


def test_filter_is_required(make_source):
    import pytest

    from textmine.sources.base import SourceConfigError

    with pytest.raises(SourceConfigError, match="OPTIMADE filter"):
        make_source(Optimade).first_cursor(HarvestQuery(None))


def test_harvest_command_stores_structures(replay, tmp_path):
    from textmine.cli import main

    _serve_offset_pages(replay)
    db = tmp_path / "h.db"
    args = ["--db", str(db), "-q", "harvest", "optimade", "--base-url", replay.url + "/optimade", "--query", FILTER,
            "--page-size", "1", "--state-dir", str(tmp_path / "state")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output  # the molecule entry is a recorded failure
    stats = CliRunner().invoke(main, ["--db", str(db), "stats", "--json"])
    counts = json.loads(stats.output)
    assert counts["structures"] == 2 and counts["failures"] == 1 and counts["documents"] == 0
    again = CliRunner().invoke(main, args + ["--no-resume"])
    assert json.loads(CliRunner().invoke(main, ["--db", str(db), "stats", "--json"]).output)["structures"] == 2, again.output
