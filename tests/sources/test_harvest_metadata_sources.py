"""arXiv API, arXiv OAI-PMH, Crossref and Semantic Scholar harvested from a loopback server that
replays the recorded responses in ../shared/data/docs, with faults injected."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from textmine.readers.payloads import parse_arxiv_atom
from textmine.records import Failure
from textmine.retry import RetryPolicy
from textmine.sources import Harvester, HarvestQuery
from textmine.sources.arxiv import ArxivApi, ArxivOai
from textmine.sources.crossref import Crossref
from textmine.sources.semantic_scholar import SemanticScholarBatch, SemanticScholarBulk

from tests.sources.conftest import FIXTURES
from tests.sources.replay import Reply


def _run(source, state, query, **kw):
    harvester = Harvester(source, state, **kw)
    items = list(harvester.items(query))
    docs = [i for i in items if not isinstance(i, Failure)]
    return harvester, docs, [i for i in items if isinstance(i, Failure)]


def _ids(docs):
    return [d.id for d in docs]


# -- arXiv API ---------------------------------------------------------------------------------


@pytest.fixture
def arxiv_routes(replay, docs):
    atom = docs / "arxiv_atom"
    replay.route("/api/query", Reply.file(atom / "search_query=au_del_maestro.xml"), params={"start": "0"})
    replay.route("/api/query", Reply.file(atom / "id_1605.08386_s0_m100_199195aa31ad.body.derived.xml"),
                 params={"start": "10"})
    return atom


def test_arxiv_pages_through_all_entries_once(make_source, state, replay, arxiv_routes, raw):
    source = make_source(ArxivApi, "/api/query", page_size=10)
    harvester, docs, failures = _run(source, state, HarvestQuery("au:del_maestro", since=dt.date(2004, 1, 1)))
    expected = parse_arxiv_atom((arxiv_routes / "search_query=au_del_maestro.xml").read_bytes(), "x").documents
    assert _ids(docs) == [d.id for d in expected] + ["arxiv:1605.08386"]
    assert len(set(_ids(docs))) == 11 and not failures
    assert harvester.stats.complete and harvester.stats.total == 1  # the last page's own total
    first = replay.requests("/api/query")[0].params
    assert first["search_query"] == "(au:del_maestro) AND submittedDate:[200401010000 TO 999912312359]"
    assert first["max_results"] == "10" and first["sortBy"] == "submittedDate"
    checker = next(d for d in docs if d.arxiv_id == "cond-mat/0603029")
    assert checker.doi == "10.1103/physrevb.74.024520" and checker.date == dt.date(2006, 3, 2)
    assert checker.authors == ["Adrian Del Maestro", "Bernd Rosenow", "Subir Sachdev"]
    assert [s.kind for s in checker.sections] == ["title", "abstract"]
    assert len(list(raw.entries("arxiv"))) == 2  # every payload kept for re-parsing


def test_arxiv_duplicate_entry_on_a_later_page_is_not_emitted_twice(make_source, state, replay, docs):
    atom = docs / "arxiv_atom"
    replay.route("/api/query", Reply.file(atom / "search_query=au_del_maestro.xml"), params={"start": "0"})
    # the checkerboard query returns cond-mat/0603029 again, already on page one
    replay.route("/api/query", Reply.file(atom / "search_query=au_del_maestro+AND+ti_checkerboard.xml"),
                 params={"start": "10"})
    source = make_source(ArxivApi, "/api/query", page_size=10)
    harvester, docs_out, _ = _run(source, state, HarvestQuery("au:del_maestro"))
    assert len(docs_out) == 10 == len(set(_ids(docs_out)))
    assert harvester.stats.duplicates == 1


def test_arxiv_error_feed_is_a_failure_and_the_offset_harvest_goes_on(make_source, state, replay, arxiv_routes):
    error_feed = (
        b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>ArXiv Query: error</title><id>http://arxiv.org/api/errors</id>"
        b"<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v</id><title>Error</title>"
        b"<summary>incorrect id format for 1234.1234v</summary></entry></feed>"
    )
    replay.fault("/api/query", Reply(error_feed, status=200), params={"start": "0"})
    source = make_source(ArxivApi, "/api/query", page_size=10)
    harvester, docs_out, failures = _run(source, state, HarvestQuery("au:del_maestro"))
    assert [f.stage for f in failures] == ["harvest"]
    assert "arXiv API error: incorrect id format" in failures[0].reason
    # the harvest went on to the next page (start=10), then retried the failed one at the end
    assert _ids(docs_out)[0] == "arxiv:1605.08386" and len(docs_out) == 11 and harvester.stats.complete


# -- arXiv OAI-PMH ------------------------------------------------------------------------------


@pytest.fixture
def oai_routes(replay, docs):
    oai = docs / "oai_pmh_xml"
    replay.route("/oai", Reply.file(oai / "ListRecords.xml"), params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    replay.route("/oai", Reply.file(oai / "ListRecords2.xml"), params={"resumptionToken": "ListRecords2.xml"})
    # ListRecords3.xml is not staged; its token is answered with ListRecords4.xml, the list's last page
    replay.route("/oai", Reply.file(oai / "ListRecords4.xml"), params={"resumptionToken": "ListRecords3.xml"})
    return oai


def test_oai_follows_resumption_tokens_and_drops_deleted_and_repeated_records(make_source, state, replay, oai_routes):
    source = make_source(ArxivOai, "/oai")
    query = HarvestQuery("set=physics&metadataPrefix=oai_dc", since=dt.date(2011, 1, 1), until=dt.date(2011, 12, 31))
    harvester, docs_out, failures = _run(source, state, query)
    tokens = [r.params.get("resumptionToken") for r in replay.requests("/oai")]
    assert tokens == [None, "ListRecords2.xml", "ListRecords3.xml"]
    first = replay.requests("/oai")[0].params
    assert first["from"] == "2011-01-01" and first["until"] == "2011-12-31" and first["set"] == "physics"
    # the three pages repeat one live record (and one deleted): it is emitted exactly once
    assert len(docs_out) == 1 and harvester.stats.duplicates == 2 and not failures
    doc = docs_out[0]
    assert doc.source == "oai:test.example.com:1585322" and doc.title == "Sample Title"
    assert doc.date == dt.date(2010, 1, 1) and doc.authors == ["John Doe"] * 4
    assert harvester.stats.complete


def test_oai_page_failing_for_good_stops_and_resume_continues_from_its_token(make_source, state, replay, oai_routes):
    replay.fault("/oai", Reply(b"overloaded", status=503), params={"resumptionToken": "ListRecords2.xml"}, times=4)
    source = make_source(ArxivOai, "/oai")
    query = HarvestQuery("set=physics&metadataPrefix=oai_dc")
    harvester, docs_out, failures = _run(source, state, query)
    assert len(docs_out) == 1 and len(failures) == 1
    assert failures[0].stage == "harvest" and "HTTP 503" in failures[0].reason
    assert not harvester.stats.complete and "resume" in harvester.stats.stopped
    before = len(replay.requests("/oai"))
    resumed, more, failures2 = _run(source, state, query)
    asked = [r.params.get("resumptionToken") for r in replay.requests("/oai")[before:]]
    assert asked == ["ListRecords2.xml", "ListRecords3.xml"]  # not the first page again
    assert resumed.stats.resumed and resumed.stats.complete and not failures2
    assert more == []  # the remaining pages only repeat the record already delivered


def test_oai_malformed_page_is_refetched_then_recorded(make_source, state, replay, oai_routes, docs):
    broken = Reply.file(docs / "oai_pmh_xml" / "ListRecordsBroken.xml")
    replay.fault("/oai", broken, params={"resumptionToken": "ListRecords2.xml"}, times=1)
    source = make_source(ArxivOai, "/oai")
    harvester, docs_out, failures = _run(source, state, HarvestQuery("set=physics&metadataPrefix=oai_dc"))
    assert not failures and harvester.stats.complete  # a transient bad body: refetched, harvest complete

    replay.fault("/oai", broken, params={"resumptionToken": "ListRecords2.xml"}, times=3)
    harvester, docs_out, failures = _run(source, state, HarvestQuery("set=physics&metadataPrefix=oai_dc"), resume=False)
    assert len(failures) == 1 and "malformed OAI-PMH XML" in failures[0].reason


def test_oai_bad_resumption_token_restarts_from_the_last_datestamp(make_source, state, replay, oai_routes, docs):
    replay.fault("/oai", Reply.file(docs / "oai_pmh_xml" / "badResumptionToken.xml"),
                 params={"resumptionToken": "ListRecords2.xml"})
    source = make_source(ArxivOai, "/oai")
    harvester, docs_out, failures = _run(source, state, HarvestQuery("set=physics&metadataPrefix=oai_dc"))
    assert len(failures) == 1 and "badResumptionToken" in failures[0].reason
    restart = replay.requests("/oai")[2].params
    assert restart.get("resumptionToken") is None and restart["from"] == "2011-07-18"
    assert harvester.stats.complete and len(docs_out) == 1  # nothing delivered twice


def test_oai_no_records_match_is_an_empty_harvest(make_source, state, replay, docs):
    replay.route("/oai", Reply.file(docs / "oai_pmh_xml" / "noRecordsMatch.xml"))
    source = make_source(ArxivOai, "/oai")
    harvester, docs_out, failures = _run(source, state, HarvestQuery("physics:cond-mat"))
    assert docs_out == [] and failures == [] and harvester.stats.complete
    assert replay.requests("/oai")[0].params["set"] == "physics:cond-mat"
    assert replay.requests("/oai")[0].params["metadataPrefix"] == "arXiv"


# -- Crossref -------------------------------------------------------------------------------------


def _with_cursor(path: Path, next_cursor: str) -> Reply:
    """The recorded responses were made without deep paging; with `cursor=` Crossref adds
    `next-cursor` to the message, which is all this changes."""
    payload = json.loads(path.read_bytes())
    payload["message"]["next-cursor"] = next_cursor
    return Reply(json.dumps(payload).encode(), content_type="application/json")


@pytest.fixture
def crossref_routes(replay, docs):
    cr = docs / "crossref_json"
    replay.route("/works", _with_cursor(cr / "test_works_field_queries.response0.derived.json", "c1"), params={"cursor": "*"})
    replay.route("/works", _with_cursor(cr / "test_works_query.response0.derived.json", "c2"), params={"cursor": "c1"})
    replay.route("/works", Reply.file(FIXTURES / "crossref_works_last_page.json", "application/json"),
                 params={"cursor": "c2"})
    return cr


def test_crossref_deep_paging_polite_pool_and_429(make_source, state, replay, crossref_routes, sleeps):
    replay.fault("/works", Reply(b'{"status":"error"}', status=429, headers={"Retry-After": "3"},
                                 content_type="application/json"), params={"cursor": "c1"})
    source = make_source(Crossref, mailto="lab@example.org", page_size=20)
    harvester, docs_out, failures = _run(source, state, HarvestQuery("ecology", since=dt.date(2010, 1, 1)))
    assert len(docs_out) == 22 == len(set(_ids(docs_out))) and not failures
    assert 3.0 in sleeps.calls
    cursors = [r.params["cursor"] for r in replay.requests("/works")]
    assert cursors == ["*", "c1", "c1", "c2"]
    first = replay.requests("/works")[0]
    assert first.params["mailto"] == "lab@example.org" and first.params["filter"] == "from-pub-date:2010-01-01"
    assert "mailto:lab@example.org" in first.headers["user-agent"]
    forecast = next(d for d in docs_out if d.doi == "10.1111/ele.14024")
    assert forecast.title == "The forecast trap" and not forecast.text.count("<jats:")
    assert [s.kind for s in forecast.sections] == ["title", "abstract"]


def test_crossref_malformed_json_is_recorded_and_resume_continues_from_the_cursor(
        make_source, state, replay, crossref_routes):
    body = (crossref_routes / "test_works_query.response0.derived.json").read_bytes()
    replay.fault("/works", Reply(body[: len(body) // 2], content_type="application/json"), params={"cursor": "c1"},
                 times=3)
    source = make_source(Crossref, page_size=20)
    harvester, docs_out, failures = _run(source, state, HarvestQuery("ecology"))
    assert len(docs_out) == 20 and len(failures) == 1
    assert "malformed Crossref JSON" in failures[0].reason and failures[0].stage == "harvest"
    n = len(replay.requests("/works"))
    resumed, more, _ = _run(source, state, HarvestQuery("ecology"))
    assert [r.params["cursor"] for r in replay.requests("/works")[n:]] == ["c1", "c2"]
    assert len(more) == 2 and not set(_ids(more)) & set(_ids(docs_out))


# -- Semantic Scholar ---------------------------------------------------------------------------------


def test_semantic_scholar_bulk_links_preprints_and_drops_duplicates(make_source, state, replay, arxiv_routes):
    arxiv = make_source(ArxivApi, "/api/query", page_size=10)
    _, arxiv_docs, _ = _run(arxiv, state, HarvestQuery("au:del_maestro"))
    replay.route("/graph/v1/paper/search/bulk", Reply.file(FIXTURES / "s2_bulk_2.json", "application/json"),
                 params={"token": "PCOA3RZZB2ADADAEYCX2BLJJRSEUXOA"})
    replay.route("/graph/v1/paper/search/bulk", Reply.file(FIXTURES / "s2_bulk_1.json", "application/json"))
    # the second page is slower than the read timeout once: retried, nothing lost
    replay.fault("/graph/v1/paper/search/bulk", Reply(b"{}", delay=2.0, content_type="application/json"),
                 params={"token": "PCOA3RZZB2ADADAEYCX2BLJJRSEUXOA"})
    s2 = make_source(SemanticScholarBulk, "/graph/v1", api_key="s2-test-key", timeout=httpx.Timeout(1.0))
    harvester, docs_out, failures = _run(s2, state, HarvestQuery("perovskite"))
    assert s2.client.stats.retries == 1 and not failures
    requests = replay.requests("/graph/v1/paper/search/bulk")
    assert [r.params.get("token") for r in requests] == [None] + ["PCOA3RZZB2ADADAEYCX2BLJJRSEUXOA"] * 2
    assert requests[0].headers["x-api-key"] == "s2-test-key"
    assert "externalIds" in requests[0].params["fields"]
    # paper 1 is the published version of arXiv:1605.08386 (harvested above without a DOI): linked
    # paper 2 is PhysRevB.74.024520, already harvested from arXiv under its DOI: a duplicate
    assert harvester.stats.linked == 1 and harvester.stats.duplicates == 1
    assert [d.title for d in docs_out] == ["Thermal conductivity of Bi2Te3 nanowires between 100 and 300 K",
                                           "Magnetic ordering in La0.7Sr0.3MnO3 films"]
    assert state.related("doi:10.5555/textmine.s2.heatbath") == [("arxiv:1605.08386", "preprint")]
    assert state.resolve("arxiv:1605.08386") == "arxiv:1605.08386"
    assert state.resolve("doi:10.5555/textmine.s2.heatbath") == "arxiv:1605.08386"
    assert docs_out[0].date == dt.date(2015, 1, 1)  # year only


def test_semantic_scholar_batch_posts_ids_and_records_unknown_ones(make_source, state, replay):
    replay.route("/graph/v1/paper/batch", Reply.file(FIXTURES / "s2_batch.json", "application/json"), method="POST")
    s2 = make_source(SemanticScholarBatch, "/graph/v1")
    ids = "DOI:10.5555/textmine.s2.0003, DOI:10.5555/unknown, ARXIV:1707.08567"
    harvester, docs_out, failures = _run(s2, state, HarvestQuery(ids))
    request = replay.requests("/graph/v1/paper/batch")[0]
    assert json.loads(request.body) == {"ids": ["DOI:10.5555/textmine.s2.0003", "DOI:10.5555/unknown", "ARXIV:1707.08567"]}
    assert "x-api-key" not in request.headers
    assert _ids(docs_out) == ["doi:10.5555/textmine.s2.0003", "arxiv:1707.08567"]
    assert len(failures) == 1 and failures[0].source.endswith("#DOI:10.5555/unknown")


def test_semantic_scholar_error_body_is_a_failure(make_source, state, replay):
    replay.route("/graph/v1/paper/search/bulk",
                 Reply(b'{"message": "Too Many Requests. Please wait and try again"}', content_type="application/json"))
    s2 = make_source(SemanticScholarBulk, "/graph/v1")
    harvester, docs_out, failures = _run(s2, state, HarvestQuery("x"))
    assert docs_out == [] and "Too Many Requests" in failures[0].reason


def test_crossref_expired_cursor_restarts_the_query_without_duplicates(make_source, state, replay, crossref_routes):
    source = make_source(Crossref, page_size=20)
    first = Harvester(source, state, max_documents=21)
    delivered = list(first.documents(HarvestQuery("ecology")))
    assert len(delivered) == 21
    # five idle minutes later the saved cursor is gone
    replay.fault("/works", Reply(b'{"status":"failed","message-type":"validation-failure"}', status=400,
                                 content_type="application/json"), params={"cursor": "c1"})
    harvester, docs_out, failures = _run(source, state, HarvestQuery("ecology"))
    assert "cursor expired" in failures[0].reason
    assert [r.params["cursor"] for r in replay.requests("/works")][-4:] == ["c1", "*", "c1", "c2"]
    assert len(docs_out) == 1 and docs_out[0].id not in {d.id for d in delivered}
    assert harvester.stats.duplicates == 21 and harvester.stats.complete


def test_crossref_without_mailto_uses_the_public_pool_rate():
    from textmine.sources.crossref import POLITE_RATE, PUBLIC_RATE

    assert Crossref(Crossref.default_settings()).settings.rate == PUBLIC_RATE
    polite = Crossref(Crossref.default_settings(mailto="lab@example.org"))
    assert polite.settings.rate == POLITE_RATE and polite.client.rate.requests <= 50


def test_semantic_scholar_date_filter(make_source, state, replay):
    replay.route("/graph/v1/paper/search/bulk", Reply.file(FIXTURES / "s2_bulk_2.json", "application/json"))
    s2 = make_source(SemanticScholarBulk, "/graph/v1")
    _run(s2, state, HarvestQuery("perovskite", since=dt.date(2015, 1, 1), until=dt.date(2016, 6, 30)))
    assert replay.requests()[0].params["publicationDateOrYear"] == "2015-01-01:2016-06-30"


def test_an_offline_harvest_stops_at_once_on_a_host_that_does_not_resolve(make_source, state, sleeps):
    """Issue 12: offline, a harvest spent ~50 s retrying DNS failures page after page. A name that
    does not resolve is not retried, and the harvest stops at the first page (resume goes on)."""
    import time

    source = make_source(ArxivApi, page_size=10, base_url="http://export.no-such-host.invalid/api/query",
                         retry=RetryPolicy(attempts=5, backoff_base=1.0, backoff_max=8.0))
    started = time.monotonic()
    harvester, docs, failures = _run(source, state, HarvestQuery("au:del_maestro", since=dt.date(2004, 1, 1)))
    assert time.monotonic() - started < 10 and sleeps.calls == []  # no backoff at all
    assert docs == [] and len(failures) == 1
    assert "cannot resolve the host 'export.no-such-host.invalid'" in failures[0].reason
    assert "cannot resolve" in harvester.stats.stopped and not harvester.stats.complete
