"""The API-payload readers on the recorded responses in ../shared/data/docs: registered, detected
by sniffing, and mapping the fields that de-duplication and search rely on."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from textmine.readers.base import ReaderError, readers
from textmine.readers.payloads import (
    MalformedPayload, OaiError, parse_crossref, parse_europepmc, parse_oai, parse_semantic_scholar, strip_markup,
)

from tests.sources.conftest import FIXTURES


def _detect(path):
    head = path.read_bytes()[:65536]
    scores = {name: readers.get(name)().sniff(head, path.name) for name in readers.names()}
    return max(scores, key=scores.get), scores


@pytest.mark.parametrize("folder, pattern, reader", [
    ("arxiv_atom", "*.xml", "arxiv-atom"),
    ("oai_pmh_xml", "*.xml", "oai-pmh"),
    ("crossref_json", "*.json", "crossref-json"),
    ("semantic_scholar_json", "test_*.json", "semantic-scholar-json"),
])
def test_every_recorded_payload_is_detected_as_its_format(docs, folder, pattern, reader):
    paths = [p for p in sorted((docs / folder).glob(pattern)) if p.name != "ListRecordsBroken.xml"]
    assert paths
    for path in paths:
        best, scores = _detect(path)
        assert best == reader and scores[best] >= 0.9, (path.name, scores)


def test_the_registry_lists_the_payload_readers():
    assert {"arxiv-atom", "oai-pmh", "crossref-json", "semantic-scholar-json", "europepmc-json"} <= set(readers.names())


def test_arxiv_atom_entries(docs):
    reader = readers.get("arxiv-atom")()
    path = docs / "arxiv_atom" / "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.body.derived.xml"
    (doc,) = list(reader.read(path.read_bytes(), str(path)))
    assert doc.id == "arxiv:1707.08567" and doc.arxiv_id == "1707.08567" and doc.doi is None
    assert doc.title.startswith("Proceedings of Workshop AEW10") and len(doc.authors) == 34
    assert doc.source == "http://arxiv.org/abs/1707.08567v1" and doc.format == "arxiv-atom"
    abstract = next(s for s in doc.sections if s.kind == "abstract")
    assert doc.span(abstract.paragraphs[0].start, abstract.paragraphs[0].end).startswith("The 10th Asia-Europe")
    old_style = list(reader.read((docs / "arxiv_atom" / "id_astro-ph_0601001_s0_m100_3150dca9dc76.body.derived.xml")
                                 .read_bytes(), "x"))
    assert old_style[0].arxiv_id == "astro-ph/0601001" and old_style[0].date == dt.date(2006, 1, 2)


def test_oai_error_responses_carry_the_protocol_code(docs):
    for name, code in [("badResumptionToken.xml", "badResumptionToken"), ("badArgument.xml", "badArgument"),
                       ("idDoesNotExist.xml", "idDoesNotExist"), ("noRecordsMatch.xml", "noRecordsMatch"),
                       ("undefinedError.xml", "undefinedError")]:
        with pytest.raises(OaiError) as info:
            parse_oai((docs / "oai_pmh_xml" / name).read_bytes(), name)
        assert info.value.code == code and code in str(info.value)
        assert isinstance(info.value, ReaderError)
    with pytest.raises(MalformedPayload):
        parse_oai((docs / "oai_pmh_xml" / "ListRecordsBroken.xml").read_bytes(), "x")


def test_oai_records_tokens_and_datestamps(docs):
    page = parse_oai((docs / "oai_pmh_xml" / "ListRecords.xml").read_bytes(), "x")
    assert page.token == "ListRecords2.xml" and page.complete_list_size == 8
    assert page.records == 2 and page.deleted == 1 and len(page.documents) == 1
    assert page.max_datestamp == "2011-07-18T16:31:00Z"
    last = parse_oai((docs / "oai_pmh_xml" / "ListRecords4.xml").read_bytes(), "x")
    assert last.token is None  # no token: the list is complete
    utf8 = parse_oai((docs / "oai_pmh_xml" / "GetRecord_utf8test.xml").read_bytes(), "x")
    assert utf8.documents[0].authors == ["某人"]
    ids = parse_oai((docs / "oai_pmh_xml" / "ListIdentifiers.xml").read_bytes(), "x")
    assert ids.documents == [] and ids.token == "ListIdentifiers2.xml" and len(ids.identifiers) == 2


def test_oai_arxiv_metadata_formats():
    arxiv = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="arXiv">http://export.arxiv.org/oai2</request>
<ListRecords><record><header><identifier>oai:arXiv.org:0704.0001</identifier><datestamp>2008-11-13</datestamp>
<setSpec>physics:hep-ph</setSpec></header><metadata>
<arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>0704.0001</id><created>2007-04-02</created>
<authors><author><keyname>Bal\xc3\xa1zs</keyname><forenames>C.</forenames></author>
<author><keyname>Berger</keyname><forenames>E. L.</forenames></author></authors>
<title>Calculation of prompt diphoton production cross sections at Tevatron and LHC energies</title>
<doi>10.1103/PhysRevD.76.013009</doi><abstract>  A fully differential calculation in perturbative quantum chromodynamics is presented.</abstract>
</arXiv></metadata></record>
<record><header><identifier>oai:arXiv.org:0704.0002</identifier><datestamp>2008-12-13</datestamp></header><metadata>
<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>0704.0002</id><submitter>Louis Theran</submitter>
<version version="v1"><date>Sat, 31 Mar 2007 02:26:18 GMT</date></version>
<title>Sparsity-certifying Graph Decompositions</title><authors>Ileana Streinu and Louis Theran</authors>
<abstract>We describe a new algorithm.</abstract></arXivRaw></metadata></record>
<resumptionToken cursor="0" completeListSize="2"></resumptionToken></ListRecords></OAI-PMH>"""
    page = parse_oai(arxiv, "x")
    first, second = page.documents
    assert first.id == "doi:10.1103/physrevd.76.013009" and first.arxiv_id == "0704.0001"
    assert first.authors == ["C. Bal\u00e1zs", "E. L. Berger"] and first.date == dt.date(2007, 4, 2)
    assert second.id == "arxiv:0704.0002" and second.authors == ["Ileana Streinu", "Louis Theran"]
    assert second.date == dt.date(2007, 3, 31)
    assert page.token is None  # an empty token closes the list


def test_crossref_works_and_single_work(docs):
    page = parse_crossref((docs / "crossref_json" / "test_works_field_queries.response0.derived.json").read_bytes(), "x")
    assert page.items == 20 == len(page.documents) and page.total == 1253
    noise = next(d for d in page.documents if d.doi == "10.1111/ele.13085")
    abstract = [noise.span(p.start, p.end) for s in noise.sections if s.kind == "abstract" for p in s.paragraphs]
    assert abstract and abstract[0].startswith("Noise, as the term itself suggests")
    assert "Abstract" not in abstract[0][:20] and "<" not in "".join(abstract)
    assert noise.source == "https://doi.org/10.1111/ele.13085" and noise.date == dt.date(2018, 8, 1)
    assert all(a and "None" not in a for a in noise.authors)
    single = parse_crossref((docs / "crossref_json" / "test_works_with_one_id.response0.derived.json").read_bytes(), "x")
    assert [d.id for d in single.documents] == ["doi:10.1371/journal.pone.0033693"]
    with pytest.raises(ReaderError):
        parse_crossref(b'{"status":"failed","message-type":"validation-failure","message":[]}', "x")


def test_crossref_relation_links_a_preprint():
    work = {"DOI": "10.5555/published", "title": ["Published"], "relation": {
        "has-preprint": [{"id-type": "doi", "id": "10.48550/arXiv.2101.00001", "asserted-by": "subject"}]}}
    payload = {"status": "ok", "message-type": "work", "message": work}
    (doc,) = parse_crossref(json.dumps(payload).encode(), "x").documents
    assert doc.doi == "10.5555/published" and doc.arxiv_id == "2101.00001"


def test_semantic_scholar_shapes(docs):
    paper = parse_semantic_scholar((docs / "semantic_scholar_json" / "Paper.json").read_bytes(), "x")
    (doc,) = paper.documents
    assert doc.id == "doi:10.1093/mind/lix.236.433" and doc.title == "Computing Machinery and Intelligence"
    assert doc.date == dt.date(1950, 10, 1) and doc.authors == ["A. Turing"]
    search = parse_semantic_scholar((docs / "semantic_scholar_json" / "test_search_paper.response0.derived.json")
                                    .read_bytes(), "x")
    assert search.total == 70499 and search.next_offset == 100 and len(search.documents) == 100
    refs = parse_semantic_scholar((docs / "semantic_scholar_json" / "test_get_paper_references.response0.derived.json")
                                  .read_bytes(), "x")
    assert refs.documents[0].title.startswith("Group lending or individual lending")
    pdf_only = parse_semantic_scholar((docs / "semantic_scholar_json" /
                                       "test_search_paper_open_access_pdf.response0.derived.json").read_bytes(), "x")
    assert pdf_only.items == 100 and pdf_only.documents == []  # no text fields asked for: nothing to mine
    bulk = parse_semantic_scholar((FIXTURES / "s2_bulk_1.json").read_bytes(), "x")
    assert bulk.token == "PCOA3RZZB2ADADAEYCX2BLJJRSEUXOA"
    batch = parse_semantic_scholar((FIXTURES / "s2_batch.json").read_bytes(), "x")
    assert batch.missing == [1] and len(batch.documents) == 2
    with pytest.raises(ReaderError, match="not a Semantic Scholar paper response"):
        parse_semantic_scholar((docs / "semantic_scholar_json" / "Author.json").read_bytes(), "x")


def test_europepmc_search_json():
    page = parse_europepmc((FIXTURES / "europepmc_search_1.json").read_bytes(), "x")
    assert page.total == 3 and page.next_cursor == "AoIIP4AAACgyOTUzNTgzNQ==" and len(page.results) == 2
    perovskite = page.documents[1]
    assert perovskite.title == "Band gap of Cs2AgBiBr6 thin films annealed in air"
    assert perovskite.text.endswith("Annealing at 250 °C in air lowers it to 1.87 eV.")
    assert "Background" not in perovskite.text and perovskite.date == dt.date(2020, 1, 28)


def test_strip_markup_handles_jats_html_and_broken_markup():
    assert strip_markup("<jats:title>Abstract</jats:title><jats:p>One.</jats:p><jats:p>Two <jats:italic>x</jats:italic>.</jats:p>") == ["One.", "Two x."]
    assert strip_markup("plain &amp; simple") == ["plain & simple"]
    assert strip_markup("<p>unclosed <b>tag</p>") == ["unclosed tag"]
