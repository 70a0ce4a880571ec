"""Full-text sources (Europe PMC, Elsevier, Springer Nature, USPTO bulk, EPO) from a loopback
server. Search pages are authored fixtures in the APIs' formats; the full-text bodies are the real
documents in ../shared/data/docs, served by path, and parsed by the project's readers (JATS,
Elsevier, USPTO, EPO)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from textmine.records import Failure
from textmine.sources import Harvester, HarvestQuery
from textmine.sources.europepmc import EuropePmc
from textmine.sources.patents import EpoPublicationServer, UsptoBulk
from textmine.sources.publishers import ElsevierArticles, SpringerOpenAccess

from tests.sources.conftest import FIXTURES
from tests.sources.replay import Reply, Request


def _run(source, state, query, **kw):
    harvester = Harvester(source, state, **kw)
    items = list(harvester.items(query))
    return harvester, [i for i in items if not isinstance(i, Failure)], [i for i in items if isinstance(i, Failure)]


# -- Europe PMC -------------------------------------------------------------------------------------


@pytest.fixture
def epmc(replay, docs, make_source):
    rest = "/europepmc/webservices/rest"
    replay.route(f"{rest}/search", Reply.file(FIXTURES / "europepmc_search_1.json", "application/json"),
                 params={"cursorMark": "*"})
    replay.route(f"{rest}/search", Reply.file(FIXTURES / "europepmc_search_2.json", "application/json"),
                 params={"cursorMark": "AoIIP4AAACgyOTUzNTgzNQ=="})
    replay.route(f"{rest}/search", Reply.file(FIXTURES / "europepmc_search_3.json", "application/json"),
                 params={"cursorMark": "AoIIP4AAACgzMDg0Njg5Mg=="})
    replay.route(f"{rest}/PMC5828200/fullTextXML", Reply.file(docs / "jats_pmc_xml" / "PMC5828200.nxml"))
    replay.route(f"{rest}/PMC6398430/fullTextXML", Reply(b"", status=404))
    return make_source(EuropePmc, rest, page_size=2)


def test_europepmc_cursor_paging_full_text_and_abstract_fallback(epmc, state, replay, docs):
    body = (docs / "jats_pmc_xml" / "PMC5828200.nxml").read_bytes()
    replay.fault("/europepmc/webservices/rest/PMC5828200/fullTextXML", Reply(body, truncate=4096))  # cut transfer
    harvester, got, failures = _run(epmc, state, HarvestQuery("crows OR curcumin", since=dt.date(2018, 1, 1)))
    searches = replay.requests("/europepmc/webservices/rest/search")
    assert [r.params["cursorMark"] for r in searches] == ["*", "AoIIP4AAACgyOTUzNTgzNQ==", "AoIIP4AAACgzMDg0Njg5Mg=="]
    assert searches[0].params["query"] == "(crows OR curcumin) AND FIRST_PDATE:[2018-01-01 TO 3000-12-31]"
    assert searches[0].params["resultType"] == "core" and searches[0].params["format"] == "json"
    fulltext_asked = [r.path for r in replay.requests() if r.path.endswith("/fullTextXML")]
    assert fulltext_asked == ["/europepmc/webservices/rest/PMC5828200/fullTextXML"] * 2 + [
        "/europepmc/webservices/rest/PMC6398430/fullTextXML"]  # the cut one refetched; never the closed record
    by_doi = {d.doi: d for d in got}
    assert set(by_doi) == {"10.18632/oncotarget.24369", "10.5555/textmine.epmc.0001", "10.1093/beheco/ary157"}
    crows = by_doi["10.1093/beheco/ary157"]  # full text 404: the abstract is kept, the failure recorded
    assert crows.format == "europepmc-json" and crows.title.startswith("Counting crows")
    assert any("PMC6398430" in f.source and "abstract kept" in f.reason and "HTTP 404" in f.reason for f in failures)
    curcumin = by_doi["10.18632/oncotarget.24369"]  # open access: the JATS full text, not the abstract
    assert curcumin.format == "jats" and len(curcumin.text) > 10_000 and len(curcumin.sections) > 3
    assert len(failures) == 1
    assert harvester.stats.complete and harvester.stats.total == 3


# -- Elsevier -----------------------------------------------------------------------------------------


@pytest.fixture
def elsevier(replay, docs, make_source):
    files = {"10.1016/j.est.2021.103685": docs / "elsevier_xml" / "bde_els_test1.xml",
             "10.1016/S0360-3199(00)00111-7": docs / "elsevier_xml" / "bde_els_test2.xml"}

    def article(request: Request) -> Reply:
        if request.headers.get("x-els-apikey") != "els-key":
            return Reply.file(FIXTURES / "elsevier_error_401.json", "application/json", status=401)
        doi = unquote(request.path.removeprefix("/content/article/doi/"))
        if doi not in files:
            return Reply.file(FIXTURES / "elsevier_error_401.json", "application/json", status=403)
        return Reply.file(files[doi], "text/xml")

    replay.route("/content/article/doi/*", article)
    return files


def test_elsevier_articles_with_key_entitlement_failures_recorded(elsevier, make_source, state, replay):
    source = make_source(ElsevierArticles, "/content", api_key="els-key")
    query = HarvestQuery("10.1016/j.est.2021.103685, 10.1016/j.notentitled.2020.1, 10.1016/S0360-3199(00)00111-7")
    harvester, got, failures = _run(source, state, query)
    asked = replay.requests()
    assert [unquote(r.path) for r in asked] == [
        "/content/article/doi/10.1016/j.est.2021.103685",
        "/content/article/doi/10.1016/j.notentitled.2020.1",
        "/content/article/doi/10.1016/S0360-3199(00)00111-7",
    ]
    assert all(r.params["view"] == "FULL" and r.headers["accept"] == "text/xml" for r in asked)
    assert any("notentitled" in f.source and "HTTP 403" in f.reason for f in failures)
    assert {d.doi for d in got} == {"10.1016/j.est.2021.103685", "10.1016/s0360-3199(00)00111-7"}
    assert all(d.format == "elsevier" and len(d.text) > 5_000 for d in got) and len(failures) == 1
    assert harvester.stats.complete


def test_elsevier_wrong_key_is_explained(elsevier, make_source, state):
    source = make_source(ElsevierArticles, "/content", api_key="wrong")
    _, got, failures = _run(source, state, HarvestQuery("10.1016/j.est.2021.103685"))
    assert got == [] and "HTTP 401" in failures[0].reason and "API key" in failures[0].reason


# -- Springer Nature -------------------------------------------------------------------------------------


def test_springer_openaccess_jats(replay, docs, make_source, state):
    response = docs / "springer_jats_xml" / "bde_spr_test3.xml"  # a recorded API response (<response> wrapper)
    replay.route("/openaccess/jats", Reply.file(response, "application/xml"), params={"q": "doi:10.1007/s12034-021-02591-3"})
    source = make_source(SpringerOpenAccess, api_key="spr-key")
    harvester, got, failures = _run(source, state, HarvestQuery("doi:10.1007/s12034-021-02591-3"))
    (request,) = replay.requests("/openaccess/jats")
    assert request.params["api_key"] == "spr-key" and request.params["s"] == "1" and request.params["p"] == "20"
    assert harvester.stats.total == 1 and harvester.stats.complete
    assert [d.doi for d in got] == ["10.1007/s12034-021-02591-3"] and not failures
    assert got[0].format == "jats" and got[0].source.endswith("#1")


def test_springer_response_missing_records_is_refetched_then_a_failure(replay, docs, make_source, state):
    body = (docs / "springer_jats_xml" / "bde_spr_test3.xml").read_bytes()
    cut = body[: body.index(b"<records>")] + b"<records></records></response>"  # says 1 record, holds none
    replay.route("/openaccess/jats", Reply(cut))
    source = make_source(SpringerOpenAccess, api_key="spr-key")
    harvester, got, failures = _run(source, state, HarvestQuery("keyword:battery"))
    starts = [r.params["s"] for r in replay.requests("/openaccess/jats")]
    assert starts == ["1"] * 3 + ["21"] * 3 + ["41"] * 3  # each page refetched (parse_attempts), then stepped over
    assert "lists 1 records but holds 0" in failures[0].reason and len(failures) == 3
    assert "3 pages in a row failed" in harvester.stats.stopped and not harvester.stats.complete


# -- USPTO bulk -----------------------------------------------------------------------------------------------

USPTO_SAMPLES = ["xml2014__US08930553.xml", "xml2014__US08926509.xml", "xml2006__US07272630B2.xml",
                 "xmlApp2004__US20050004437A1.xml"]


@pytest.fixture
def bulk_file(docs, tmp_path) -> Path:
    """A weekly bulk file in miniature: real patents concatenated, as USPTO ships them."""
    path = tmp_path / "ipg150106.xml"
    path.write_bytes(b"".join((docs / "uspto_xml" / name).read_bytes().rstrip() + b"\n" for name in USPTO_SAMPLES))
    return path


def test_uspto_bulk_local_and_downloaded_zip(bulk_file, replay, make_source, state, docs, raw):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(bulk_file, "ipg150106.xml")
    replay.route("/fulltext/2015/ipg150106.zip", Reply(archive.getvalue(), content_type="application/zip"))
    source = make_source(UsptoBulk, "/fulltext")
    harvester, got, failures = _run(source, state, HarvestQuery(f"{bulk_file},2015/ipg150106.zip"))
    assert len(replay.requests("/fulltext/2015/ipg150106.zip")) == 1
    (entry,) = raw.entries("uspto-bulk")  # the download was streamed into the raw store
    assert entry.url.endswith("/fulltext/2015/ipg150106.zip") and raw.get(entry.sha256) == archive.getvalue()
    # the zip holds the same four patents as the local file: de-duplicated by patent number
    assert sorted(d.patent_number for d in got) == ["US20050004437A1", "US7272630B2", "US8926509B2", "US8930553B2"]
    assert harvester.stats.duplicates == 4 and not failures and harvester.stats.complete
    assert all(d.kind == "patent" for d in got) and got[0].source == f"{bulk_file}#1"


def test_uspto_broken_patent_inside_a_bulk_file_is_a_failure_and_the_rest_are_read(docs, tmp_path, make_source,
                                                                                   state):
    parts = [(docs / "uspto_xml" / name).read_bytes().rstrip() + b"\n" for name in USPTO_SAMPLES]
    parts[1] = parts[1][: len(parts[1]) // 2] + b"\n"  # cut in the middle, as a damaged download would be
    path = tmp_path / "ipg150113.xml"
    path.write_bytes(b"".join(parts))
    harvester, got, failures = _run(make_source(UsptoBulk), state, HarvestQuery(str(path)))
    assert len(got) == 3 and len(failures) == 1 and failures[0].source == f"{path}#2"
    assert harvester.stats.complete


def test_uspto_missing_file_is_a_failure_and_the_next_file_is_read(bulk_file, replay, make_source, state):
    replay.route("/fulltext/2015/ipg150113.zip", Reply(b"PK\x03\x04 not really a zip", content_type="application/zip"))
    source = make_source(UsptoBulk, "/fulltext")
    harvester, got, failures = _run(source, state, HarvestQuery(f"2015/ipg150106.zip,2015/ipg150113.zip,{bulk_file}"))
    assert ["HTTP 404" in f.reason or "corrupt zip" in f.reason for f in failures] == [True] * 3
    assert len(got) == 4  # the third file was read
    # the missing file is final (404); the corrupt one is retried once at the end, then owed to a resume
    assert "corrupt zip" in failures[2].reason and "failed twice" in harvester.stats.stopped


# -- EPO publication server ----------------------------------------------------------------------------------------


def test_epo_publication_dates(replay, docs, make_source, state):
    base = "/publication-server/rest/v1.0"
    replay.route(f"{base}/publication-dates/20210630/patents",
                 Reply.file(FIXTURES / "epo_publication_dates_20210630.html", "text/html"))
    replay.route(f"{base}/publication-dates/20210630/patents/EP3404678NWB1/document.xml",
                 Reply.file(docs / "epo_xml" / "grant__v1-5-B1.xml"))
    replay.route(f"{base}/publication-dates/20210630/patents/EP3383757NWB1/document.xml",
                 Reply.file(docs / "epo_xml" / "grant__v1-5-1-B1.xml"))
    source = make_source(EpoPublicationServer, base)
    harvester, got, failures = _run(source, state, HarvestQuery(since=dt.date(2021, 6, 30), until=dt.date(2021, 7, 1)))
    listings = [r.path for r in replay.requests() if r.path.endswith("/patents")]
    assert listings == [f"{base}/publication-dates/20210630/patents", f"{base}/publication-dates/20210701/patents"]
    assert any("EP9999999NWA1" in f.source and "HTTP 404" in f.reason for f in failures)
    assert sorted(d.patent_number for d in got) == ["EP3383757B1", "EP3404678B1"]
    assert all(d.kind == "patent" for d in got) and len(failures) == 1
    assert harvester.stats.complete


def test_springer_pages_by_offset(replay, docs, make_source, state):
    """Two pages: the recorded response (its total raised to 2), then the second recorded article
    in the same <response> shell, as the API pages with s=2."""
    page_one = (docs / "springer_jats_xml" / "bde_spr_test3.xml").read_bytes().replace(b"<total>1</total>", b"<total>2</total>")
    shell = page_one[: page_one.index(b"<records>")].replace(b"<start>1</start>", b"<start>2</start>")
    article = (docs / "springer_jats_xml" / "bde_spr_test2.xml").read_bytes()
    page_two = shell + b"<records>" + article + b"</records></response>"
    replay.route("/openaccess/jats", Reply(page_one), params={"s": "1"})
    replay.route("/openaccess/jats", Reply(page_two), params={"s": "2"})
    source = make_source(SpringerOpenAccess, api_key="spr-key", page_size=1)
    harvester, got, failures = _run(source, state, HarvestQuery("keyword:battery", since=dt.date(2014, 1, 1)))
    assert [r.params["s"] for r in replay.requests("/openaccess/jats")] == ["1", "2"]
    assert replay.requests("/openaccess/jats")[0].params["q"] == "keyword:battery onlinedatefrom:2014-01-01"
    assert [d.doi for d in got] == ["10.1007/s12034-021-02591-3", "10.1007/s11581-014-1138-8"] and not failures
    assert harvester.stats.complete


def test_epo_by_publication_numbers(replay, docs, make_source, state, tmp_path):
    base = "/publication-server/rest/v1.0"
    replay.route(f"{base}/patents/EP3404678B1/document.xml", Reply.file(docs / "epo_xml" / "grant__v1-5-B1.xml"))
    replay.route(f"{base}/patents/EP1325900A1/document.xml", Reply.file(docs / "epo_xml" / "application__v1-0-A1.xml"))
    numbers = tmp_path / "ep.txt"
    numbers.write_text("# EP publications to fetch\nEP3404678B1\nEP1325900A1\n")
    source = make_source(EpoPublicationServer, base, page_size=1)
    harvester, got, failures = _run(source, state, HarvestQuery(f"@{numbers}"))
    assert sorted(d.patent_number for d in got) == ["EP1325900A1", "EP3404678B1"] and not failures
    assert harvester.stats.pages == 2 and harvester.stats.complete
