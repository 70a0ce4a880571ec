"""The `/v1` routes (JSON), `/health` and `/metrics`."""

from __future__ import annotations

import hmac
import time
from typing import Literal

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi import Query as Param
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel

from textmine.api import service
from textmine.api.errors import ERROR_RESPONSES, WRITE_RESPONSES, ApiProblem, ErrorResponse
from textmine.api.metrics import CONTENT_TYPE
from textmine.api.models import (
    DocumentDetail, DocumentsPage, ExtractRequest, ExtractResponse, Health, MaterialDetail, PropertyInfo, PropertyValues,
    QueueItem, RecordDetail, RecordsPage, Stats,
)
from textmine.api.params import DEFAULT_FACETS, Filters, filters as query_filters, parse_facets
from textmine.api.state import AppState
from textmine.curation.models import Review, ReviewRequest
from textmine.records import Failure
from textmine.store import StoreUnavailable

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
root = APIRouter()

RECORD_ID = Path(..., min_length=1, max_length=100, description="the record's `record_id`")


def app_state(request: Request) -> AppState:
    return request.app.state.textmine


async def current_state(request: Request) -> AppState:
    """`Depends(current_state)`: async, so FastAPI answers it on the event loop; it runs every sync
    dependency on its threadpool (a thread hand-off per request for a dictionary lookup)."""
    return app_state(request)


def require_write(request: Request, x_api_key: str | None = Header(None, description="the server's TEXTMINE_API_KEY")) -> None:
    settings = app_state(request).settings
    if not settings.write:
        raise ApiProblem(403, "read_only", "this server is read-only: start it with `textmine serve --write` "
                         "and TEXTMINE_API_KEY set")
    if not settings.api_key:
        raise ApiProblem(403, "read_only", "writing needs TEXTMINE_API_KEY set where the server starts")
    if not x_api_key or not hmac.compare_digest(x_api_key.encode(), settings.api_key.encode()):
        raise ApiProblem(401, "unauthorized", "missing or wrong X-API-Key header", headers={"WWW-Authenticate": "ApiKey"})


def as_json(model: BaseModel) -> Response:
    """A route's answer, serialised once. Returning the model itself makes FastAPI dump it, check
    the dump against the response model again and encode it (several times the cost of one dump on
    a page of records); the model here was already built and checked by the service. The route's
    `response_model` still documents it in the OpenAPI schema."""
    return Response(model.model_dump_json(), media_type="application/json")


# ---------------------------------------------------------------------------------- records

@router.get("/records", response_model=RecordsPage, summary="Search records (the filters of `textmine search`)")
def search_records(
    state: AppState = Depends(current_state),
    filters: Filters = Depends(query_filters),
    limit: int = Param(20, ge=0, le=10_000, description="records per page (at most the server's max_limit)"),
    offset: int = Param(0, ge=0, le=10_000_000, description="skip this many (prefer `cursor`)"),
    cursor: str | None = Param(None, max_length=200, description="`next` of the previous page"),
    facets: str = Param(DEFAULT_FACETS, max_length=200, description="comma-separated: property, elements, formula, "
                        "year, kind, extractor; empty for none"),
) -> Response:
    return as_json(service.search(state, filters, limit=limit, offset=offset, cursor=cursor, facets=parse_facets(facets)))


@router.get("/records/{record_id}", response_model=RecordDetail, summary="One record, its document, context and reviews")
def get_record(record_id: str = RECORD_ID, state: AppState = Depends(current_state)) -> Response:
    return as_json(service.record_detail(state, record_id))


@router.get("/records/{record_id}/reviews", response_model=list[Review], summary="A record's audit trail")
def record_reviews(record_id: str = RECORD_ID, state: AppState = Depends(current_state)) -> list[Review]:
    return service.reviews_store(state).history(record_id)


@router.post("/records/{record_id}/reviews", response_model=Review, status_code=201, responses=WRITE_RESPONSES,
             dependencies=[Depends(require_write)], summary="Accept, reject or edit a record")
def review_record(body: ReviewRequest, record_id: str = RECORD_ID, state: AppState = Depends(current_state)) -> Review:
    return service.add_review(state, record_id, body)


@router.get("/reviews/queue", response_model=list[QueueItem], summary="Records to review next: suspect, then least confident")
def review_queue(limit: int = Param(20, ge=1, le=500), state: AppState = Depends(current_state)) -> list[QueueItem]:
    return service.review_queue(state, limit)


@router.get("/reviews/export", summary="Reviews as training data (JSONL), as `textmine export --reviews`",
            response_class=StreamingResponse, responses={200: {"content": {"application/x-ndjson": {}}}})
def export_reviews(state: AppState = Depends(current_state)) -> StreamingResponse:
    from textmine.curation.training import training_lines

    reviews = service.reviews_store(state)
    return StreamingResponse((line.encode() for line in training_lines(reviews.iter_latest())),
                             media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="reviews.jsonl"'})


# -------------------------------------------------------------------------------- documents

@router.get("/documents", response_model=DocumentsPage, summary="Documents and their metadata")
def list_documents(limit: int = Param(50, ge=1, le=1000), cursor: str | None = Param(None, max_length=200),
                   state: AppState = Depends(current_state)) -> DocumentsPage:
    return service.list_documents(state, limit, cursor)


@router.get("/documents/{doc_id:path}", response_model=DocumentDetail,
            summary="A document: metadata, and each record with the text around it")
def get_document(doc_id: str = Path(..., min_length=1, max_length=500), state: AppState = Depends(current_state)) -> Response:
    return as_json(service.document_detail(state, doc_id))


# ------------------------------------------------------------------ materials and properties

@router.get("/materials/{key:path}", response_model=MaterialDetail,
            summary="A material by formula (or name): its records by property, with consensus")
def get_material(key: str = Path(..., min_length=1, max_length=300), state: AppState = Depends(current_state)) -> Response:
    return as_json(service.material_detail(state, key))


@router.get("/properties", response_model=list[PropertyInfo], summary="The property ontology, with record counts")
def list_properties(state: AppState = Depends(current_state)) -> list[PropertyInfo]:
    return service.property_infos(state)


@router.get("/properties/{name}", response_model=PropertyInfo, summary="One property")
def get_property(name: str = Path(..., min_length=1, max_length=200), state: AppState = Depends(current_state)) -> PropertyInfo:
    return service.property_info(state, name)


@router.get("/properties/{name}/values", response_model=PropertyValues,
            summary="Values (and document years) of a property, for histograms and value-by-year plots")
def property_values(name: str = Path(..., min_length=1, max_length=200), filters: Filters = Depends(query_filters),
                    unit: str | None = Param(None, max_length=50, alias="in", description="unit of the values [the property's]"),
                    sample: int = Param(2000, ge=1, le=20_000), state: AppState = Depends(current_state)) -> Response:
    return as_json(service.property_values(state, name, filters, unit, sample))


# ------------------------------------------------------------------- stats, failures, export

@router.get("/stats", response_model=Stats, summary="Counts of documents, sentences, records, failures, reviews")
def stats(state: AppState = Depends(current_state)) -> Stats:
    from textmine.store.reviews import CurationUnavailable

    s = state.stores.store().stats()
    try:
        reviewed = state.stores.reviews(readonly=not state.settings.write).count()
    except CurationUnavailable:
        reviewed = 0
    return Stats(**s.model_dump(), reviewed=reviewed)


@router.get("/failures", response_model=list[Failure], summary="Documents that could not be read or processed, and why")
def failures(state: AppState = Depends(current_state)) -> list[Failure]:
    return state.stores.store().failures()


@router.get("/export", summary="Stream the matching records (reviews applied, rejected left out) as JSONL, CSV or Parquet",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}, "application/vnd.apache.parquet": {}}}})
def export(format: Literal["jsonl", "csv", "parquet"] = Param("jsonl"), filters: Filters = Depends(query_filters),
           state: AppState = Depends(current_state)) -> StreamingResponse:
    from textmine.curation.export import reviewed_records
    from textmine.export import STREAMS, DocumentIndex

    chunks, media_type, suffix = STREAMS[format]
    query = filters.query()
    store = state.stores.store()
    try:
        store.search(query.model_copy(update={"limit": 0}))  # a bad filter fails here, before streaming starts
    except ValueError as exc:
        raise ApiProblem(422, "invalid_filter", str(exc)) from exc
    # The stream outlives this request's thread: give it its own handles.
    from textmine.store import open_store
    from textmine.store.reviews import CurationUnavailable, open_reviews

    own = open_store(state.settings.store_url, readonly=True)
    try:
        reviews = open_reviews(own, readonly=True)
    except CurationUnavailable:
        reviews = None

    def body():
        try:
            yield from chunks(reviewed_records(own.iter_records(query), reviews), DocumentIndex(own))
        finally:
            if reviews is not None:
                reviews.close()
            own.close()

    return StreamingResponse(body(), media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="records.{suffix}"'})


# ---------------------------------------------------------------------------------- extract

@router.post("/extract", response_model=ExtractResponse, responses=WRITE_RESPONSES | {
    504: {"model": ErrorResponse, "description": "extraction took longer than the server's limit"}},
    dependencies=[Depends(require_write)], summary="Extract records from a text (nothing is stored)")
async def extract(body: ExtractRequest, state: AppState = Depends(current_state)) -> ExtractResponse:
    import asyncio

    settings = state.settings
    if len(body.text) > settings.extract_max_chars:
        raise ApiProblem(413, "too_large", f"text over {settings.extract_max_chars} characters; split it")
    if body.pipeline not in settings.extract_pipelines:
        raise ApiProblem(422, "invalid_pipeline", f"pipeline {body.pipeline!r} is not offered here; "
                         f"choose {', '.join(settings.extract_pipelines)}")
    # Loading the pipeline (spaCy, the ontology; once per process) does not count against the limit.
    pipeline = await run_in_threadpool(state.pipeline, body.pipeline)
    if not state.extract_slots.acquire(blocking=False):
        raise ApiProblem(429, "too_many_requests", "an extraction is running; retry in a moment",
                         headers={"Retry-After": "2"})

    def work() -> ExtractResponse:
        try:
            from textmine.cli.run import distinct_statements
            from textmine.extract import document_from_text

            started = time.perf_counter()
            document = document_from_text(body.id, body.text, kind="body", source=f"api:{body.id}")
            result = pipeline(document)
            return ExtractResponse(records=distinct_statements(result.records),
                                   failures=[f.model_dump(mode="json") for f in result.failures],
                                   pipeline=pipeline.extractor, seconds=round(time.perf_counter() - started, 4))
        finally:
            state.extract_slots.release()

    try:
        return await asyncio.wait_for(run_in_threadpool(work), timeout=settings.extract_timeout_s)
    except asyncio.TimeoutError as exc:
        raise ApiProblem(504, "timeout", f"extraction took longer than {settings.extract_timeout_s:g} s; "
                         "send a shorter text") from exc


# ----------------------------------------------------------------------------- health, metrics

@root.get("/health", response_model=Health, responses={503: {"model": ErrorResponse}}, summary="200 when the store answers")
def health(state: AppState = Depends(current_state)) -> Health:
    try:
        state.stores.store().search(service.Query(limit=0))
    except StoreUnavailable as exc:
        raise ApiProblem(503, "store_unavailable", str(exc)) from exc
    return Health(status="ok", store=state.stores.url, write=state.settings.write)


@root.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics (text format 0.0.4)")
def metrics(request: Request, state: AppState = Depends(current_state)) -> PlainTextResponse:
    gauges = {}
    try:
        s = state.stores.store().stats()
        gauges = {"textmine_store_records": ("Records in the store.", s.records),
                  "textmine_store_documents": ("Documents in the store.", s.documents),
                  "textmine_store_failures": ("Failures recorded in the store.", s.failures)}
    except StoreUnavailable:
        gauges = {"textmine_store_up": ("1 when the store answers.", 0)}
    return PlainTextResponse(request.app.state.metrics.render(gauges), media_type=CONTENT_TYPE)


__all__ = ["root", "router"]
