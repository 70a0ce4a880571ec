"""Resumability, at-least-once delivery, the identity index and the raw payload store."""

from __future__ import annotations

import hashlib

import pytest

from textmine.document import DocumentBuilder
from textmine.readers.base import readers
from textmine.sources import Harvester, HarvestQuery, HarvestState
from textmine.sources.arxiv import ArxivApi
from textmine.sources.state import Verdict

from tests.sources.conftest import FIXTURES
from tests.sources.replay import Reply

QUERY = HarvestQuery("au:del_maestro")


@pytest.fixture
def arxiv(make_source, replay, docs):
    atom = docs / "arxiv_atom"
    replay.route("/api/query", Reply.file(atom / "search_query=au_del_maestro.xml"), params={"start": "0"})
    replay.route("/api/query", Reply.file(atom / "id_1605.08386_s0_m100_199195aa31ad.body.derived.xml"),
                 params={"start": "10"})
    return make_source(ArxivApi, "/api/query", page_size=10)


@pytest.fixture
def all_ids(arxiv, tmp_path):
    """The ids a clean, uninterrupted harvest delivers (in its own state)."""
    clean = HarvestState(tmp_path / "clean.sqlite")
    ids = [d.id for d in Harvester(arxiv, clean).documents(QUERY)]
    clean.close()
    assert len(ids) == 11
    return ids


class Crash(Exception):
    pass


def test_max_then_resume_delivers_the_rest_exactly_once(arxiv, state, all_ids, replay):
    first = [d.id for d in Harvester(arxiv, state, max_documents=4).documents(QUERY)]
    assert first == all_ids[:4]
    resumed = Harvester(arxiv, state)
    rest = [d.id for d in resumed.documents(QUERY)]
    assert resumed.stats.resumed and resumed.stats.complete
    assert first + rest == all_ids  # nothing lost, nothing twice, same order


def test_a_consumer_crash_redelivers_only_the_document_in_flight(arxiv, state, all_ids):
    stored: list[str] = []
    with pytest.raises(Crash):
        for doc in Harvester(arxiv, state).documents(QUERY):
            if len(stored) == 6:
                raise Crash("store went away while writing the 7th document")
            stored.append(doc.id)
    again = [d.id for d in Harvester(arxiv, state).documents(QUERY)]
    assert again[0] == all_ids[6]  # the one in flight comes again: at least once
    assert stored + again == all_ids


def test_an_offset_page_that_fails_is_stepped_over_and_retried_at_the_end(arxiv, state, all_ids, replay):
    replay.route("/api/query", Reply.file(FIXTURES / "arxiv_empty_page.xml"), params={"start": "20"})
    replay.fault("/api/query", Reply(b"", status=503), params={"start": "10"}, times=4)
    harvester = Harvester(arxiv, state)
    got = [d.id for d in harvester.documents(QUERY)]
    starts = [r.params["start"] for r in replay.requests("/api/query")]
    # (the clean all_ids harvest: 0, 10) then: 0, four tries of 10, on to 20 (empty: the end), retry 10
    assert starts == ["0", "10", "0", "10", "10", "10", "10", "20", "10"]
    assert got == all_ids and harvester.stats.complete  # the owed page came on the retry pass
    assert len(harvester.failures) == 1 and "HTTP 503" in harvester.failures[0].reason


def test_a_page_failing_twice_is_left_for_the_resume(arxiv, state, all_ids, replay):
    replay.route("/api/query", Reply.file(FIXTURES / "arxiv_empty_page.xml"), params={"start": "20"})
    replay.fault("/api/query", Reply(b"", status=503), params={"start": "10"}, times=8)
    first = Harvester(arxiv, state)
    got = [d.id for d in first.documents(QUERY)]
    assert got == all_ids[:10] and not first.stats.complete and "failed twice" in first.stats.stopped
    assert len(first.failures) == 2
    n = len(replay.requests())
    resumed = Harvester(arxiv, state)
    rest = [d.id for d in resumed.documents(QUERY)]
    assert [r.params["start"] for r in replay.requests()[n:]] == ["10"]  # only the owed page
    assert got + rest == all_ids and resumed.stats.complete


def test_a_complete_harvest_is_not_repeated_and_no_resume_finds_nothing_new(arxiv, state, all_ids, replay):
    assert len(list(Harvester(arxiv, state).documents(QUERY))) == 11
    n = len(replay.requests())
    again = Harvester(arxiv, state)
    assert list(again.documents(QUERY)) == [] and "already complete" in again.stats.stopped
    assert len(replay.requests()) == n  # not even one request
    fresh = Harvester(arxiv, state, resume=False)
    assert list(fresh.documents(QUERY)) == []
    assert fresh.stats.duplicates == 11 and fresh.stats.complete
    cursors = list(state.cursors())
    # --no-resume reset the cursor row: this run emitted nothing new
    assert len(cursors) == 1 and cursors[0]["done"] and cursors[0]["emitted"] == 0


def test_another_query_has_its_own_cursor(arxiv, state):
    Harvester(arxiv, state, max_documents=2).documents(QUERY).__next__()
    other = HarvestQuery("au:del_maestro", since=__import__("datetime").date(2005, 1, 1))
    harvester = Harvester(arxiv, state)
    list(harvester.documents(other))
    assert not harvester.stats.resumed and len(list(state.cursors())) == 2


def _doc(text: str, doi: str | None = None, arxiv_id: str | None = None, source: str = "t"):
    builder = DocumentBuilder(source=source, format="text")
    builder.doi, builder.arxiv_id = doi, arxiv_id
    builder.add_paragraph(text)
    return builder.build()


def test_identity_index_verdicts(state):
    abstract = _doc("LaMnO3 band gap 1.1 eV.", doi="10.5555/A")
    assert state.classify(abstract) == (Verdict.NEW, None)
    state.record(abstract, Verdict.NEW, None)
    assert state.classify(abstract) == (Verdict.DUPLICATE, "doi:10.5555/a")
    full = _doc("LaMnO3 band gap 1.1 eV. " + "Methods and results. " * 20, doi="https://doi.org/10.5555/A")
    assert state.classify(full) == (Verdict.UPDATE, "doi:10.5555/a")  # full text after the abstract
    state.record(full, Verdict.UPDATE, "doi:10.5555/a")
    assert state.classify(abstract)[0] == Verdict.DUPLICATE  # a poorer copy never replaces it
    preprint = _doc("A preprint.", arxiv_id="2101.00001v2")
    state.record(preprint, *state.classify(preprint))
    published = _doc("The published version.", doi="10.5555/B", arxiv_id="2101.00001")
    verdict, known = state.classify(published)
    assert (verdict, known) == (Verdict.LINKED, "arxiv:2101.00001")
    state.record(published, verdict, known)
    assert state.related("doi:10.5555/b") == [("arxiv:2101.00001", "preprint")]
    assert state.related("arxiv:2101.00001") == [("doi:10.5555/b", "preprint")]


def test_raw_payloads_are_content_addressed_and_reparse_to_the_same_documents(arxiv, state, raw, all_ids):
    entries = list(raw.entries("arxiv"))
    assert len(entries) == 2  # the all_ids harvest
    list(Harvester(arxiv, state).documents(QUERY))
    entries = list(raw.entries("arxiv"))
    assert len(entries) == 4 and len({e.sha256 for e in entries}) == 2  # fetched twice, stored once
    reparsed = []
    for entry in entries[:2]:
        data = raw.get(entry.sha256)
        assert hashlib.sha256(data).hexdigest() == entry.sha256
        assert raw.path_for(entry.sha256).parts[-3:] == (entry.sha256[:2], entry.sha256[2:4], entry.sha256)
        name = max(readers.names(), key=lambda n: readers.get(n)().sniff(data[:65536], entry.url))
        assert name == "arxiv-atom"
        reparsed += [d.id for d in readers.get(name)().read(data, entry.url)]
    assert reparsed == all_ids
