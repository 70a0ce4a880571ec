"""The query compiler and the query's own checks (issue 12, item 9): a question that cannot be
answered as asked is a clear one-line `QueryError` (a ValueError), never an empty or swapped answer."""

from __future__ import annotations

import math

import pytest

from textmine.store.base import Query, QueryError
from textmine.store.query import (
    Between,
    ElementsAll,
    ElementsExactly,
    ElementsNone,
    Equals,
    MaterialIs,
    Overlap,
    Words,
    compile_query,
    text_phrases,
)

EV = 1.602176634e-19


def test_compiles_every_field_into_typed_predicates():
    q = Query(
        text="Band gap, UV-vis a_b", property="band_gap", formula="TiO2", material="TiO2 Anatase", material_id="abc",
        include_elements=["ti", " O "], exclude_elements=["Sr"], value_min=1, value_max=2000, unit="meV",
        year_min=2015, year_max=2020, kind="paper", doc_id="doi:1", extractor="rules@0.3", min_confidence=0.5,
        facets=["year"], limit=5, offset=10,
    )
    compiled = compile_query(q)
    assert compiled.predicates == (
        Words((("band",), ("gap",), ("uv",), ("vis",), ("a", "b"))),
        Equals("property", "band_gap"),
        Equals("formula", "TiO2"),
        Equals("material_id", "abc"),
        Equals("kind", "paper"),
        Equals("doc_id", "doi:1"),
        Equals("extractor", "rules"),
        MaterialIs("tio2 anatase"),
        ElementsAll(("O", "Ti")),
        ElementsNone(("Sr",)),
        Overlap(pytest.approx(1 * EV), pytest.approx(2 * EV)),
        Between("year", 2015, 2020),
        Between("confidence", 0.5, None),
    )
    assert (compiled.facets, compiled.limit, compiled.offset) == (("year",), 5, 10)


def test_only_elements_is_one_exact_set_predicate_and_open_ranges_stay_open():
    compiled = compile_query(Query(include_elements=["O", "Fe", "O"], only_elements=True, property="curie_temperature",
                                   value_min=27, unit="°C"))
    assert compiled.of(ElementsExactly) == [ElementsExactly(("Fe", "O"))]
    assert compiled.of(Overlap) == [Overlap(pytest.approx(300.15), None)]
    assert compile_query(Query()).predicates == ()
    assert compile_query(Query(text="-- !")).predicates == ()  # no word: no text filter


def test_text_phrases_are_fts5_tokens_of_each_word():
    assert text_phrases("Curie Temperature") == (("curie",), ("temperature",))
    assert text_phrases("3.2 eV") == (("3",), ("2",), ("ev",))
    assert text_phrases('"AND" NEAR(x*)') == (("and",), ("near",), ("x",))  # no FTS syntax leaks through
    assert text_phrases("Café_au") == (("cafe", "au"),)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: Query(facets=["bogus"]), "unknown facet 'bogus'; facets are: property, elements"),
        (lambda: Query(property="band_gap", value_min=1, unit="furlongs"), "unit 'furlongs' does not fit band_gap"),
        (lambda: Query(property="band_gap", value_min=1, unit="parsnips"), "unknown unit 'parsnips'"),
        (lambda: Query(property="band_gap", unit="K"), "unit 'K' does not fit band_gap (measured in eV)"),
        (lambda: Query(include_elements=["Ti", "Xx"]), "unknown element symbol 'Xx'"),
        (lambda: Query(exclude_elements=["Qq", "Zz"]), "unknown element symbols 'Qq', 'Zz'"),
        (lambda: Query(property="band_gap", value_min=math.nan), "value_min is NaN"),
        (lambda: Query(property="band_gap", value_max=float("nan")), "value_max is NaN"),
        (lambda: Query(property="band_gap", value_min=2, value_max=1), "value min 2 is above value max 1: swap them"),
        (lambda: Query(year_min=2020, year_max=2010), "year min 2020 is above year max 2010"),
        (lambda: Query(limit=-1), "limit must be between 0 and 10000 (got -1)"),
        (lambda: Query(offset=-5), "offset must be 0 or more"),
        (lambda: Query(min_confidence=1.5), "min_confidence must be between 0 and 1"),
        (lambda: Query(value_min=1, unit="eV"), "a value range needs a property"),
        (lambda: Query(property="no_such_property", value_min=1), "unknown property 'no_such_property'"),
    ],
)
def test_bad_queries_are_one_clear_line(make, message):
    with pytest.raises(QueryError) as caught:
        make()
    text = str(caught.value)
    assert message in text
    assert "\n" not in text and "pydantic" not in text and "input_value" not in text
    assert isinstance(caught.value, ValueError)


def test_setting_a_field_checks_it_too():
    """The CLI builds a query, then sets limit, offset and facets: those are checked as well
    (before, `--facets bogus` reached the store and ended in a KeyError traceback)."""
    query = Query(property="band_gap", value_min=1, value_max=2)
    for field, value, message in [("facets", ["property", "bogus"], "unknown facet 'bogus'"), ("limit", -1, "limit must"),
                                  ("unit", "K", "does not fit band_gap"), ("value_max", 0.5, "above value max")]:
        with pytest.raises(QueryError, match=message):
            setattr(query, field, value)
    query.facets = ["property", "elements"]
    query.limit = 0
    assert (query.facets, query.limit) == (["property", "elements"], 0)


def test_units_compatible_with_the_property_are_accepted_and_converted():
    for unit, low in [("eV", 1), ("meV", 1000), ("J", EV)]:
        assert compile_query(Query(property="band_gap", value_min=low, unit=unit)).of(Overlap)[0].low == pytest.approx(EV)
    kelvin = compile_query(Query(property="curie_temperature", value_min=0, value_max=100, unit="degC")).of(Overlap)[0]
    assert (kelvin.low, kelvin.high) == (pytest.approx(273.15), pytest.approx(373.15))
    # Infinite bounds are bounds, not errors; equal bounds are a point.
    assert compile_query(Query(property="band_gap", value_min=-math.inf, value_max=2)).of(Overlap)
    assert compile_query(Query(property="band_gap", value_min=2, value_max=2)).of(Overlap)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--facets", "bogus"], "unknown facet 'bogus'"),
        (["--property", "band_gap", "--min", "1", "--unit", "K"], "unit 'K' does not fit band_gap"),
        (["--property", "band_gap", "--min", "1", "--unit", "furlongs"], "unit 'furlongs' does not fit band_gap"),
        (["--elements", "Xx"], "unknown element symbol 'Xx'"),
        (["--property", "band_gap", "--min", "nan"], "value_min is NaN"),
        (["--property", "band_gap", "--min", "2", "--max", "1"], "value min 2 is above value max 1"),
        (["--limit", "-1"], "limit must be between 0 and 10000"),
    ],
)
def test_cli_search_rejects_bad_queries_with_exit_status_2(tmp_path, args, message):
    """Issue 12, item 9, end to end: a usage error (exit 2) with the query's own line, no traceback."""
    from click.testing import CliRunner
    from es_support import synthetic_corpus

    from textmine.cli import main
    from textmine.store.sqlite import SQLiteStore

    db = tmp_path / "t.db"
    with SQLiteStore(db) as store:
        store.put_many(synthetic_corpus(2))
    result = CliRunner().invoke(main, ["--db", str(db), "search", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
