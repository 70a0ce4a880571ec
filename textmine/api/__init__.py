"""The REST API and the web interface over a store: `textmine serve` (needs the serving extra).

- `app.py`: `create_app(ApiSettings(...))`, the FastAPI application;
- `routes.py`: `/v1` (records, documents, materials, properties, stats, failures, export,
  extract, reviews), `/health`, `/metrics`; `service.py`: what they answer, shared with the web
  pages (`textmine/web/`); `params.py`: the CLI's filter names as query parameters;
- `middleware.py`, `errors.py`, `metrics.py`: limits, JSON errors, Prometheus metrics;
- `cli.py`: the `textmine serve` command.
"""

from textmine.api.settings import ApiSettings


def create_app(settings: ApiSettings, **kw):
    from textmine.api.app import create_app as _create

    return _create(settings, **kw)


__all__ = ["ApiSettings", "create_app"]
