"""Query parameters of `GET /v1/records` and friends: the CLI's filter names, turned into a `Query`
by the CLI's own `build_query`, so the API and `textmine search --json` cannot drift apart.

| CLI (`textmine search`)  | API query parameter |
|--------------------------|---------------------|
| TEXT                     | `q`                 |
| `--property`, `--min`, `--max`, `--unit`, `--formula`, `--material`, `--elements`, `--exclude`, `--only`, `--year-min`, `--year-max`, `--kind`, `--extractor`, `--min-confidence`, `--limit`, `--offset`, `--facets` | the same name without the dashes: `property`, `min`, ..., `year-min`, `min-confidence`, ... |
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Literal

import click
from fastapi import Query as Param

from textmine.api.errors import ApiProblem
from textmine.store.base import Query

FACET_NAMES = ("property", "elements", "formula", "year", "kind", "extractor")
DEFAULT_FACETS = "property,elements,year,kind"  # the CLI's --facets default


class Filters:
    """The record filters, as a FastAPI dependency (`Depends(Filters)`)."""

    def __init__(
        self,
        q: str | None = Param(None, max_length=1000, description="full text over source sentences (the CLI's TEXT)"),
        property: str | None = Param(None, max_length=200, description="property name or a synonym: band_gap, 'band gap', Eg"),
        min: float | None = Param(None, allow_inf_nan=False, description="lowest value, in `unit`"),
        max: float | None = Param(None, allow_inf_nan=False, description="highest value, in `unit`"),
        unit: str | None = Param(None, max_length=50, description="unit of min/max: eV, meV, K, degC ... [the property's]"),
        formula: str | None = Param(None, max_length=200, description="exact normalised formula"),
        material: str | None = Param(None, max_length=300, description="material as written (case-insensitive)"),
        elements: str | None = Param(None, max_length=500, description="comma-separated elements the material must contain"),
        exclude: str | None = Param(None, max_length=500, description="comma-separated elements it must not contain"),
        only: bool = Param(False, description="material made of `elements` and nothing else"),
        year_min: int | None = Param(None, alias="year-min", ge=0, le=9999),
        year_max: int | None = Param(None, alias="year-max", ge=0, le=9999),
        kind: Literal["paper", "patent"] | None = Param(None),
        extractor: str | None = Param(None, max_length=100, description="only records of this pipeline (rules, ner)"),
        min_confidence: float | None = Param(None, alias="min-confidence", ge=0, le=1),
    ) -> None:
        self.text = q or None
        self.kw: dict[str, Any] = dict(
            property_=property or None, value_min=min, value_max=max, unit=unit or None, formula=formula or None,
            material=material or None, elements=elements or None, exclude=exclude or None, only_elements=only,
            year_min=year_min, year_max=year_max, kind=kind, extractor=extractor or None, min_confidence=min_confidence,
        )

    def query(self, **extra: Any) -> Query:
        from textmine.cli.search import build_query

        try:
            query = build_query(self.text, **dict(self.kw), **extra)
        except click.BadParameter as exc:
            raise ApiProblem(422, "invalid_filter", exc.format_message().replace("--", "")) from exc
        if query.unit and query.property:
            # Stricter than the stores (which would convert kg for a band gap into nonsense): say so.
            from textmine.ontology import load_ontology

            prop = load_ontology().get(query.property)
            if prop.si_unit_for(query.unit) is None:
                raise ApiProblem(422, "invalid_filter", f"unit: {query.unit!r} is not a unit of {prop.name} "
                                 f"(e.g. {prop.default_unit!r})")
        return query

    def key(self) -> str:
        """A fingerprint of the filters, so a cursor cannot be replayed on another search."""
        data = json.dumps([self.text, sorted((k, v) for k, v in self.kw.items() if v not in (None, False))], default=str)
        return hashlib.sha1(data.encode()).hexdigest()[:12]


def parse_facets(facets: str) -> list[str]:
    names = [f.strip() for f in facets.split(",") if f.strip()]
    unknown = [n for n in names if n not in FACET_NAMES]
    if unknown:
        raise ApiProblem(422, "invalid_facet", f"unknown facet {unknown[0]!r}; choose from {', '.join(FACET_NAMES)}")
    return list(dict.fromkeys(names))


def encode_cursor(offset: int, key: str) -> str:
    raw = json.dumps({"o": offset, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, cursor_key = int(data["o"]), str(data["k"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiProblem(400, "invalid_cursor", "cursor is not one this server gave; start again without it") from exc
    if cursor_key != key or offset < 0:
        raise ApiProblem(400, "invalid_cursor", "cursor belongs to another search: keep the filters of the page it came from")
    return offset


def cli_filter_names() -> list[str]:
    """The option names of the CLI's `query_options` (without dashes): what `Filters` must accept."""
    from textmine.cli.search import query_options

    @query_options
    def probe(**_: Any) -> None: ...

    names = []
    for param in getattr(probe, "__click_params__", []):
        if isinstance(param, click.Option) and param.name not in ("store", "db"):
            names.append(max(param.opts, key=len).lstrip("-"))
    return sorted(names)


__all__ = ["DEFAULT_FACETS", "FACET_NAMES", "Filters", "cli_filter_names", "decode_cursor", "encode_cursor",
           "parse_facets"]
