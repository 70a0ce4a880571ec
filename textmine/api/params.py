"""Query parameters of `GET /v1/records` and friends: the CLI's filter names, turned into a `Query`
by the CLI's own `build_query`, so the API and `textmine search --json` cannot drift apart.

| CLI (`textmine search`)  | API query parameter |
|--------------------------|---------------------|
| TEXT                     | `q`                 |
| `--property`, `--min`, `--max`, `--unit`, `--formula`, `--material`, `--elements`, `--exclude`, `--only`, `--year-min`, `--year-max`, `--kind`, `--extractor`, `--min-confidence`, `--space-group`, `--crystal-system`, `--has-structure`, `--limit`, `--offset`, `--facets` | the same name without the dashes: `property`, `min`, ..., `year-min`, `min-confidence`, ... |
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
from typing import Any, Literal

import click
from fastapi import Query as Param

from textmine.api.errors import ApiProblem
from textmine.store.base import Query, QueryError

FACET_NAMES = ("property", "elements", "formula", "year", "kind", "extractor")
DEFAULT_FACETS = "property,elements,year,kind"  # the CLI's --facets default


CRYSTAL_SYSTEMS = Literal["triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"]


class Filters:
    """The record filters, as a FastAPI dependency (`Depends(Filters)`).

    They become a `textmine.store.base.Query`, which checks itself: its `QueryError` (unknown unit or
    element, a unit that does not fit the property, min above max ...) is a 422 with its message."""

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
        space_group: str | None = Param(None, alias="space-group", max_length=50,
                                        description="of the record's best linked structure: symbol or number (P4_2/mnm, 136)"),
        crystal_system: CRYSTAL_SYSTEMS | None = Param(None, alias="crystal-system",
                                                       description="of the record's best linked structure"),
        has_structure: bool | None = Param(None, alias="has-structure",
                                           description="true: only records linked to a crystal structure; false: only unlinked"),
    ) -> None:
        self.text = q or None
        self.kw: dict[str, Any] = dict(
            property_=property or None, value_min=min, value_max=max, unit=unit or None, formula=formula or None,
            material=material or None, elements=elements or None, exclude=exclude or None, only_elements=only,
            year_min=year_min, year_max=year_max, kind=kind, extractor=extractor or None, min_confidence=min_confidence,
            space_group=space_group or None, crystal_system=crystal_system, has_structure=has_structure,
        )

    def query(self, **extra: Any) -> Query:
        """The `Query` the CLI builds from the same filters (`textmine search`); a bad one is a 422."""
        from textmine.cli.search import resolve_property

        kw = dict(self.kw)
        property_, elements, exclude = kw.pop("property_"), kw.pop("elements"), kw.pop("exclude")
        try:
            prop = resolve_property(property_) if property_ else None
        except click.BadParameter as exc:
            raise ApiProblem(422, "invalid_filter", f"property: {exc.format_message()}") from exc
        if kw["space_group"]:
            from textmine.store.structures import space_group_number

            try:
                space_group_number(kw["space_group"])
            except ValueError as exc:
                raise ApiProblem(422, "invalid_filter", f"space-group: {exc}") from exc
        try:
            return Query(text=self.text, property=prop, include_elements=elements.split(",") if elements else [],
                         exclude_elements=exclude.split(",") if exclude else [], **kw, **extra)
        except QueryError as exc:
            raise ApiProblem(422, "invalid_filter", str(exc)) from exc

    def key(self) -> str:
        """A fingerprint of the filters, so a cursor cannot be replayed on another search."""
        data = json.dumps([self.text, sorted((k, v) for k, v in self.kw.items() if v not in (None, False))], default=str)
        return hashlib.sha1(data.encode()).hexdigest()[:12]


async def filters(**values: Any) -> Filters:
    """`Depends(filters)`: the same parameters as `Filters`, built on the event loop. FastAPI runs a
    class (or any sync function) given to `Depends` on its threadpool, one hop per request on top of
    the route's own; building `Filters` only stores its arguments."""
    return Filters(**values)


filters.__signature__ = inspect.signature(Filters).replace(return_annotation=Filters)  # type: ignore[attr-defined]


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


__all__ = ["CRYSTAL_SYSTEMS", "DEFAULT_FACETS", "FACET_NAMES", "Filters", "cli_filter_names", "decode_cursor", "encode_cursor",
           "filters", "parse_facets"]
