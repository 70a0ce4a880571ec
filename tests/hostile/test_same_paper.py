"""Issue 12 item 4, across formats: the same paper read as JATS XML, plain text and PDF (or PDF, GROBID
TEI and S2ORC JSON) is one document with one set of records, in any order of the files, twice in a
row, on a real SQLite file and on a real Elasticsearch node alike; different papers that look alike
(the same generic title, another author or year, an erratum, another DOI) are never merged."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from textmine.extract.pipeline import load_pipeline
from textmine.identity import evidence, same_paper
from textmine.pipeline import Pipeline
from textmine.readers import read_file
from textmine.store.sqlite import SQLiteStore

from tests.hostile import inputs as H
from tests.store.es_support import drop_prefix, require_es, unique_prefix

TITLE = "Optical band gaps of sputtered oxide films"


@pytest.fixture(scope="module")
def rules():
    return load_pipeline("rules")


@pytest.fixture(params=["sqlite", "elasticsearch"])
def new_store(request, tmp_path):
    """A factory of empty stores of one kind (a fresh SQLite file or a fresh ES prefix each call)."""
    made = []

    def make():
        if request.param == "sqlite":
            store = SQLiteStore(tmp_path / f"store{len(made)}.db")
        else:
            from textmine.store.elasticsearch import ElasticsearchStore

            url = require_es()
            store = ElasticsearchStore(url, index_prefix=unique_prefix("same"))
            store.drop = lambda url=url, prefix=store.prefix: drop_prefix(url, prefix)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()
        getattr(store, "drop", lambda: None)()


def state(store) -> tuple[list[tuple[str, str]], list[str]]:
    """(id and format of every stored document, every record id)."""
    documents = sorted((d.id, d.format) for d in store.iter_documents())
    return documents, sorted(r.record_id for r in store.iter_records())


def members(store, papers: list[str]) -> list[tuple[str, str, bool]]:
    return [(Path(m.source).name, m.canonical, m.kept) for m in store.find_members(canonicals=papers)]


def test_three_formats_are_one_document_in_any_order_and_twice(tmp_path, new_store, rules):
    files = H.same_paper_in_three_formats(tmp_path / "paper", TITLE)
    xml = files[0]
    alone = new_store()
    Pipeline(alone, rules).run_paths([xml])
    expected = state(alone)
    assert len(expected[0]) == 1 and expected[0][0][1] == "jats" and expected[1], expected

    for order in itertools.permutations(files):
        # one file per run (they arrive one by one), then all three together twice
        store = new_store()
        for path in order:
            Pipeline(store, rules).run_paths([path])
        assert state(store) == expected, [p.name for p in order]
        for _ in range(2):
            summary = Pipeline(store, rules).run_paths(list(order))
            assert state(store) == expected, [p.name for p in order]
            assert (summary.documents, summary.skipped, summary.merged) == (0, 1, 2)
        doc_id = expected[0][0][0]
        assert sorted(members(store, [doc_id])) == [
            ("paper.pdf", doc_id, False), ("paper.txt", doc_id, False), ("paper.xml", doc_id, True)]

    # all three in one run, the richest read last: the other two were stored first, then dropped
    store = new_store()
    summary = Pipeline(store, rules).run_paths([files[1], files[2], files[0]])
    assert state(store) == expected
    assert summary.documents == 1 and summary.records == len(expected[1])


def test_an_edited_kept_copy_hands_the_paper_to_the_next_best(tmp_path, new_store, rules):
    xml, txt, pdf = H.same_paper_in_three_formats(tmp_path / "paper", TITLE)
    store = new_store()
    Pipeline(store, rules).run_paths([tmp_path / "paper"])
    assert [f for _, f in state(store)[0]] == ["jats"]
    kept = state(store)

    # an edited alias is judged again: still a copy (its earlier read is forgotten, not left behind)
    txt.write_text(txt.read_text(encoding="utf-8") + "\nFunding: none.\n", encoding="utf-8")
    Pipeline(store, rules).run_paths([txt])
    assert state(store) == kept
    assert sorted(m[0] for m in members(store, [kept[0][0][0]])) == ["paper.pdf", "paper.txt", "paper.xml"]

    # the XML becomes another paper: its old document goes, the PDF (next richest) is kept for the first
    H.jats_paper(xml, "Thermal conductivity of boron arsenide crystals", H.paper_body(3),
                 authors=[("Alan", "Turing")], year=2022)
    Pipeline(store, rules).run_paths([xml])
    documents = state(store)[0]
    assert sorted(f for _, f in documents) == ["jats", "pdf"], documents
    pdf_id = next(d for d, f in documents if f == "pdf")
    assert sorted(members(store, [pdf_id])) == [("paper.pdf", pdf_id, True), ("paper.txt", pdf_id, False)]

    # deleting the kept file's copy on disk changes nothing stored (a run reads what it is given)
    pdf.unlink()
    Pipeline(store, rules).run_paths([tmp_path / "paper"])
    assert state(store)[0] == documents


def test_real_pdf_tei_and_s2orc_of_one_paper_are_one_tei_document(shared_data, new_store, rules, tmp_path):
    folder = tmp_path / "n18"
    folder.mkdir()
    for name in ("N18-3011.pdf", "N18-3011.tei.xml", "N18-3011.json"):
        shutil.copy(shared_data / "docs" / "pdf" / name, folder / name)  # into tmp: not the repository
    store = new_store()
    for _ in range(2):
        Pipeline(store, rules).run_paths([folder])
        assert [f for _, f in state(store)[0]] == ["tei"]


# --- near misses: never merged ----------------------------------------------------------------------

GENERIC = "Band gap of titanium dioxide"


def read_one(path: Path):
    [document] = list(read_file(path))
    return document


# Two papers' own closing paragraphs, after text they share (a template, a quoted abstract)
OWN_A = "In a follow-up we will report the electrical conductivity of the same films measured at low temperature."
OWN_B = "The films of the second group were also tested as gas sensors for carbon monoxide in humid air."


@pytest.mark.parametrize("case", ["other author", "other year", "erratum", "other DOI", "other text"])
def test_look_alike_papers_are_not_merged(tmp_path, new_store, rules, case):
    body = H.paper_body(0)
    a = H.jats_paper(tmp_path / "a.xml", GENERIC, [*body, OWN_A], authors=[("Ada", "Lovelace")], year=2020,
                     doi="10.1000/a" if case == "other DOI" else None)
    if case == "other author":  # the same generic title and mostly the same text, another group
        b = H.jats_paper(tmp_path / "b.xml", GENERIC, [*body, OWN_B], authors=[("Grace", "Hopper")], year=2020)
    elif case == "other year":  # the same group's next paper under the same title
        b = H.jats_paper(tmp_path / "b.xml", GENERIC, [*body, OWN_B], authors=[("Ada", "Lovelace")], year=2021)
    elif case == "erratum":  # the corrected text repeats the whole paper
        b = H.text_paper(tmp_path / "b.txt", "Erratum: " + GENERIC, [*body, OWN_A])
    elif case == "other DOI":
        b = H.jats_paper(tmp_path / "b.xml", GENERIC, [*body, OWN_A], authors=[("Ada", "Lovelace")], year=2020,
                         doi="10.1000/b")
    else:  # plain text under the same generic title (no author, no year) from the same template, another oxide
        b = H.text_paper(tmp_path / "b.txt", GENERIC, H.paper_body(1))
    assert same_paper(evidence(read_one(a)), evidence(read_one(b))) is None
    store = new_store()
    Pipeline(store, rules).run_paths([a, b])
    assert len(state(store)[0]) == 2


def test_a_bridge_between_two_different_papers_merges_neither(tmp_path, new_store, rules):
    """A title-only text copy that could join two papers of different authors joins none of them."""
    body = H.paper_body(0)
    a = H.jats_paper(tmp_path / "a.xml", GENERIC, [*body, OWN_A], authors=[("Ada", "Lovelace")], year=2020)
    b = H.jats_paper(tmp_path / "b.xml", GENERIC, [*body, OWN_B], authors=[("Grace", "Hopper")], year=2020)
    c = H.text_paper(tmp_path / "c.txt", GENERIC, body)  # contained in both
    for order in itertools.permutations([a, b, c]):
        store = new_store()
        for path in order:  # one by one: c may meet one paper before the other exists
            Pipeline(store, rules).run_paths([path])
        assert sorted(f for _, f in state(store)[0]) == ["jats", "jats", "text"], [p.name for p in order]


def test_a_series_from_one_template_is_one_document_per_part(tmp_path, new_store, rules):
    """Parts of a series (titles differ by a number, texts by a few numbers, same authors and year):
    each part's three formats are one document, and no two parts are merged."""
    folder = tmp_path / "series"
    for i in range(9):  # parts 0, 4 and 8 share the oxide: their texts differ in three numbers only
        H.same_paper_in_three_formats(folder, title=f"{TITLE}, part {i}", seed=i, stem=f"part{i}")
    store = new_store()
    Pipeline(store, rules).run_paths([folder])
    assert [f for _, f in state(store)[0]] == ["jats"] * 9


# --- evidence on real documents -----------------------------------------------------------------------


def test_real_xml_and_text_exports_pair_up_and_nothing_else(shared_data):
    """Every Elsevier article of the shared set is merged with its own plain-text export, and with no
    other article (the figure of docs/hostile.md)."""
    folder = shared_data / "docs" / "elsevier_xml_oa_stm_ccby"
    reads = [(p.stem, evidence(read_one(p))) for p in sorted(folder.glob("*.norm-xml")) + sorted(folder.glob("S*.txt"))]
    assert len(reads) >= 30
    merged = {(a, b) for (a, ea), (b, eb) in itertools.combinations(reads, 2) if same_paper(ea, eb)}
    assert merged == {(s, s) for s, _ in reads[: len(reads) // 2]}


# --- through the command line ---------------------------------------------------------------------


def test_textmine_run_twice_over_three_formats(tmp_path):
    from tests.hostile.test_rerun import query, textmine

    H.same_paper_in_three_formats(tmp_path / "c", TITLE)
    first = textmine("--db", "t.db", "run", "c", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    records = query(tmp_path / "t.db", "SELECT record_id FROM records ORDER BY 1")
    second = textmine("--db", "t.db", "run", "c", cwd=tmp_path)
    said = " ".join((second.stdout + second.stderr).split())
    assert second.returncode == 0 and "0 documents processed, 1 unchanged skipped" in said, said
    assert "2 copies of papers kept in a richer format not stored again" in said
    assert query(tmp_path / "t.db", "SELECT format FROM documents") == [("jats",)]
    assert query(tmp_path / "t.db", "SELECT record_id FROM records ORDER BY 1") == records != []
    assert query(tmp_path / "t.db", "SELECT count(*), sum(kept) FROM members") == [(3, 1)]
    shown = textmine("--db", "t.db", "documents", "show", query(tmp_path / "t.db", "SELECT id FROM documents")[0][0],
                     "--json", cwd=tmp_path)
    alternates = json.loads(shown.stdout)["alternates"]
    assert sorted((Path(a["source"]).name, a["format"]) for a in alternates) == [("paper.pdf", "pdf"), ("paper.txt", "text")]
    assert all(a["reason"].startswith("same title") for a in alternates), alternates


def test_identifiers_decide_before_text():
    """Patent continuations (another number, nearly the same text) stay apart; one DOI under two
    titles (a PDF whose layout title is wrong) is one paper."""
    from textmine.identity import Evidence, signature, normalise_text

    words = normalise_text(" ".join(H.paper_body(0)))
    n, sig = signature(words)
    text = {"shingles": n, "signature": sig}
    a = Evidence(doc_id="patent:US1B2", source="a.xml", format="uspto", kind="patent", patent="patent:US1B2", **text)
    b = a.model_copy(update={"doc_id": "patent:US2B2", "source": "b.xml", "patent": "patent:US2B2"})
    assert same_paper(a, b) is None and same_paper(a, a.model_copy(update={"source": "c.xml"})) is not None
    x = Evidence(doc_id="doi:10.1/x", source="x.xml", format="jats", doi="10.1/x", title="a study of films", **text)
    y = x.model_copy(update={"source": "x.pdf", "format": "pdf", "title": "journal of films volume 3"})
    assert same_paper(x, y) == "same DOI"
    assert same_paper(x, y.model_copy(update={"doi": None})) is None  # two titles, no DOI: never on text
