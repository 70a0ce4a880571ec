"""The web interface: server-rendered pages (Jinja2, every value escaped) over the same service
functions as the JSON API, a little JavaScript for the element picker, the unit-aware range control,
keyboard shortcuts and the plots (Vega-Lite), all served from the package (`static/`, with the
vendored npm builds in `static/vendor/`, see VENDOR.md): no CDN, nothing fetched from outside.

Pages: `/` search, `/records/{id}` (with curation when the server is writable), `/documents/{id}`,
`/materials/{formula}`, `/properties`, `/properties/{name}` (histogram, value by year),
`/review` (the queue), `/documents`, `/stats`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

HERE = Path(__file__).parent


def mount(app: FastAPI) -> None:
    from textmine.web.pages import router

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


__all__ = ["mount"]
