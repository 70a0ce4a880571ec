"""The HTML pages. Each asks `textmine.api.service` what the matching `/v1` route answers and renders
it; a problem (bad filter, unknown record) is a page with the same status and message."""

from __future__ import annotations

import hmac
from typing import Any, Callable, get_args
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError

from textmine.api import service
from textmine.api.errors import ApiProblem
from textmine.api.params import CRYSTAL_SYSTEMS, DEFAULT_FACETS, Filters, parse_facets
from textmine.api.state import AppState
from textmine.curation.models import ReviewRequest
from textmine.web.highlight import format_value, highlight

router = APIRouter(include_in_schema=False)
MAX_CELLS = 6  # unit cells drawn on a material page (the table lists every structure)

_env = Environment(loader=PackageLoader("textmine.web", "templates"), autoescape=select_autoescape(default=True))
_env.globals.update(highlight=highlight, format_value=format_value)
templates = Jinja2Templates(env=_env)

FILTER_FIELDS = {  # web form field -> Filters argument and type
    "q": ("q", str), "property": ("property", str), "min": ("min", float), "max": ("max", float), "unit": ("unit", str),
    "formula": ("formula", str), "material": ("material", str), "elements": ("elements", str),
    "exclude": ("exclude", str), "only": ("only", bool), "year-min": ("year_min", int), "year-max": ("year_max", int),
    "kind": ("kind", str), "extractor": ("extractor", str), "min-confidence": ("min_confidence", float),
    "space-group": ("space_group", str), "crystal-system": ("crystal_system", str),
    "has-structure": ("has_structure", "tristate"),
}
PAGE_SIZES = (20, 50, 100)


def _state(request: Request) -> AppState:
    return request.app.state.textmine


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    state = _state(request)
    context.update(request=request, write=state.settings.write, store_url=state.stores.url)
    return templates.TemplateResponse(request, name, context, status_code=status)


def page(fn: Callable[..., Response]) -> Callable[..., Response]:
    """A page handler whose ApiProblem becomes an error page with the same status."""
    import functools

    @functools.wraps(fn)
    def wrapper(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return fn(request, *args, **kwargs)
        except ApiProblem as exc:
            return render(request, "error.html", status=exc.status, title="Not found" if exc.status == 404 else "Problem",
                          message=exc.message)

    return wrapper


def web_filters(params: dict[str, str]) -> Filters:
    kwargs: dict[str, Any] = {}
    for field, (name, kind) in FILTER_FIELDS.items():
        raw = params.get(field, "").strip()
        if not raw:
            continue
        try:
            if kind == "tristate":  # has-structure: yes / no / (absent: either)
                kwargs[name] = raw.lower() in ("1", "true", "on", "yes")
            else:
                kwargs[name] = raw.lower() in ("1", "true", "on", "yes") if kind is bool else kind(raw)
        except ValueError:
            raise ApiProblem(422, "invalid_filter", f"{field}: {raw!r} is not a number") from None
    if kwargs.get("kind") not in (None, "paper", "patent"):
        raise ApiProblem(422, "invalid_filter", "kind: paper or patent")
    if kwargs.get("crystal_system") not in (None, *get_args(CRYSTAL_SYSTEMS)):
        raise ApiProblem(422, "invalid_filter", f"crystal-system: one of {', '.join(get_args(CRYSTAL_SYSTEMS))}")
    defaults = {name: None for name, _ in FILTER_FIELDS.values()}
    defaults["only"] = False
    return Filters(**{**defaults, **kwargs})


@router.get("/", response_class=HTMLResponse)
@page
def search_page(request: Request) -> Response:
    params = {k: v for k, v in request.query_params.items()}
    cleaned = {k: v for k, v in params.items() if v.strip()}
    if cleaned != params:  # an empty form field: the same search without it, so URLs stay short
        return RedirectResponse(request.url.path + ("?" + urlencode(cleaned) if cleaned else ""), status_code=303)
    state = _state(request)
    try:
        limit = int(params.get("limit", PAGE_SIZES[0]))
    except ValueError:
        limit = PAGE_SIZES[0]
    limit = min(max(limit, 1), 500)
    problem = None
    result = None
    filters = None
    try:
        filters = web_filters(params)
        result = service.search(state, filters, limit=limit, offset=0, cursor=params.get("cursor"),
                                facets=parse_facets(DEFAULT_FACETS))
    except ApiProblem as exc:
        problem = exc.message
    properties = service.property_infos(state)
    selected = next((p for p in properties if p.name == (filters.kw["property_"] if filters else None)), None)
    if selected is None and params.get("property"):
        selected = next((p for p in properties if params["property"] in (p.name, *p.cues)), None)
    base = {k: v for k, v in params.items() if k != "cursor"}

    def with_params(**change: str | None) -> str:
        merged = {**base, **{k: v for k, v in change.items() if v is not None}}
        merged = {k: v for k, v in merged.items() if v and change.get(k, "x") is not None}
        return "/?" + urlencode(merged)

    return render(request, "search.html", status=422 if problem else 200, params=params, result=result, problem=problem,
                  properties=properties, selected=selected, with_params=with_params, limit=limit,
                  next_url=with_params(cursor=result.next) if result and result.next else None)


@router.get("/records/{record_id}", response_class=HTMLResponse)
@page
def record_page(request: Request, record_id: str) -> Response:
    detail = service.record_detail(_state(request), record_id)
    return render(request, "record.html", detail=detail, record=detail.record, saved=request.query_params.get("saved"),
                  error=None, properties=service.property_infos(_state(request)))


@router.post("/records/{record_id}/review", response_class=HTMLResponse)
async def review_form(request: Request, record_id: str) -> Response:
    """The record page's curation form (no JavaScript needed): checks the API key like the API."""
    state = _state(request)
    form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    from fastapi.concurrency import run_in_threadpool

    return await run_in_threadpool(_review, request, state, record_id, form)


def _review(request: Request, state: AppState, record_id: str, form: dict[str, str]) -> Response:
    settings = state.settings
    try:
        if not settings.write or not settings.api_key:
            raise ApiProblem(403, "read_only", "this server is read-only (start it with --write and TEXTMINE_API_KEY)")
        key = form.get("api_key", "")
        if not key or not hmac.compare_digest(key.encode(), settings.api_key.encode()):
            raise ApiProblem(401, "unauthorized", "wrong API key")
        action = form.get("action", "")
        edit = {k: form[k].strip() for k in ("material", "formula", "property", "value", "value_min", "value_max", "unit")
                if form.get(k, "").strip()} if action == "edit" else None
        try:
            request_ = ReviewRequest(action=action, reviewer=form.get("reviewer", ""), comment=form.get("comment", ""),
                                     edit=edit)
        except ValidationError as exc:
            raise ApiProblem(422, "invalid_review", "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())) from exc
        review = service.add_review(state, record_id, request_)
    except ApiProblem as exc:
        try:
            detail = service.record_detail(state, record_id)
        except ApiProblem:
            return render(request, "error.html", status=exc.status, title="Problem", message=exc.message)
        return render(request, "record.html", status=exc.status, detail=detail, record=detail.record, saved=None,
                      error=exc.message, form=form, properties=service.property_infos(state))
    return RedirectResponse(f"/records/{record_id}?saved={review.action.value}", status_code=303)


@router.get("/documents", response_class=HTMLResponse)
@page
def documents_page(request: Request) -> Response:
    page_ = service.list_documents(_state(request), 100, request.query_params.get("cursor"))
    return render(request, "documents.html", page=page_)


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
@page
def document_page(request: Request, doc_id: str) -> Response:
    return render(request, "document.html", detail=service.document_detail(_state(request), doc_id))


@router.get("/materials/{key:path}", response_class=HTMLResponse)
@page
def material_page(request: Request, key: str) -> Response:
    state = _state(request)
    detail = service.material_detail(state, key)
    cells, charts = _crystal(state, detail)
    return render(request, "material.html", detail=detail, cells=cells, charts=charts)


def _crystal(state: AppState, detail) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Unit-cell views of the material's structures and its XRD plots; none without structures."""
    if not detail.structures:
        return {}, []
    from textmine.store.structures import structure_store
    from textmine.web.crystal import unit_cell_views, xrd_charts

    try:
        companion = structure_store(state.stores.store())
    except TypeError:
        return {}, []
    cells = {}
    for row in detail.structures[:MAX_CELLS]:
        entry = companion.get_structure(row["structure_id"])
        if entry is not None:
            cells[row["structure_id"]] = unit_cell_views(entry)
    return cells, xrd_charts(companion, detail.structures, detail.spectra)


@router.get("/properties", response_class=HTMLResponse)
@page
def properties_page(request: Request) -> Response:
    return render(request, "properties.html", properties=service.property_infos(_state(request)))


@router.get("/properties/{name}", response_class=HTMLResponse)
@page
def property_page(request: Request, name: str) -> Response:
    state = _state(request)
    info = service.property_info(state, name)
    params = {k: v for k, v in request.query_params.items() if v.strip()}
    params.pop("property", None)
    web_filters(params)  # a bad filter is a page with its message, not a broken plot
    unit = params.pop("in", None) or info.default_unit
    query = urlencode({**params, "in": unit})
    return render(request, "property.html", info=info, params=params, unit=unit,
                  values_url=f"/v1/properties/{info.name}/values?{query}",
                  search_url="/?" + urlencode({**params, "property": info.name}))


@router.get("/review", response_class=HTMLResponse)
@page
def review_page(request: Request) -> Response:
    return render(request, "review.html", items=service.review_queue(_state(request), 50))


@router.get("/stats", response_class=HTMLResponse)
@page
def stats_page(request: Request) -> Response:
    state = _state(request)
    return render(request, "stats.html", stats=state.stores.store().stats(), failures=state.stores.store().failures()[:200])


__all__ = ["router"]
