"""The FastAPI application: `/v1` JSON routes, `/health`, `/metrics`, and the web interface at `/`."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, Callable

from fastapi import FastAPI

from textmine import __version__
from textmine.api import errors
from textmine.api.metrics import Metrics
from textmine.api.middleware import LimitsMiddleware
from textmine.api.routes import root, router
from textmine.api.settings import ApiSettings
from textmine.api.state import AppState
from textmine.store import open_store

DESCRIPTION = """Search, read and curate the property records textmine extracted from papers and patents.

`GET /v1/records` takes the filters of `textmine search` (`q`, `property`, `min`, `max`, `unit`,
`elements`, `exclude`, `only`, `year-min`, `year-max`, `kind`, `extractor`, `min-confidence`) and
answers what `textmine search --json` answers, plus a `next` cursor. Read-only unless the server was
started with `--write`; writes need the `X-API-Key` header (the server's `TEXTMINE_API_KEY`).
Errors are `{"error": {"status", "code", "message"}}`."""


def create_app(settings: ApiSettings, *, opener: Callable[..., Any] = open_store) -> FastAPI:
    state = AppState(settings, opener)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _warm_up()
        _warm_facets(state)
        if settings.write and settings.extract_pipelines:  # warm up, so the first extract is not the slow one
            import threading

            threading.Thread(target=state.pipeline, args=(settings.extract_pipelines[0],), daemon=True).start()
        yield
        state.close()

    app = FastAPI(title="textmine", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/v1/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.textmine = state
    app.state.metrics = metrics
    errors.install(app)
    app.include_router(router)
    app.include_router(root)
    if settings.web:
        from textmine.web import mount

        mount(app)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["X-API-Key", "Content-Type"])
    app.add_middleware(LimitsMiddleware, max_body_bytes=settings.max_body_bytes, timeout_s=settings.request_timeout_s,
                       metrics=metrics)
    return app


def _warm_up() -> None:
    """Load the ontology and the unit registry (about a second) before the first request, not
    inside it: every search and record page needs them."""
    from textmine.normalise.units import registry
    from textmine.ontology import load_ontology

    load_ontology()
    registry()


def _warm_facets(state: AppState) -> None:
    """The embedded store builds its facet columns in memory in the background (one per file,
    shared by every worker's handle): the first faceted search is then as fast as the rest. A
    store that cannot open now says so on the first request instead."""
    try:
        warm = getattr(state.stores.store(), "warm_facets", None)
        if warm is not None:
            warm()
    except Exception:  # noqa: BLE001 - an optimisation; the request path reports the store's error
        pass


__all__ = ["create_app"]
