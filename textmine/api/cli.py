"""`textmine serve`: the API and web interface on uvicorn, over the global --db/--store."""

from __future__ import annotations

import click

from textmine.cli._common import AppContext, console, store_options


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (0.0.0.0: every interface)")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--write", is_flag=True, help="allow curation and POST /v1/extract (needs TEXTMINE_API_KEY in the environment)")
@click.option("--cors", "cors", default="", help="comma-separated origins allowed by CORS [default: none]")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="uvicorn worker processes")
@click.option("--no-web", is_flag=True, help="the API only, without the web interface at /")
@store_options
@click.pass_obj
def serve(app: AppContext, host: str, port: int, write: bool, cors: str, workers: int, no_web: bool) -> None:
    """Serve the REST API (/v1, /docs) and the web interface (/) over the store."""
    try:
        import uvicorn

        from textmine.api import ApiSettings
        from textmine.api.app import create_app
    except ImportError as exc:
        raise click.ClickException(f"serving needs its extra: pip install 'textmine[serving]' ({exc})") from exc
    settings = ApiSettings.from_env(app.store_url, write=write, web=not no_web,
                                    cors_origins=[o.strip() for o in cors.split(",") if o.strip()] or None)
    if write and not settings.api_key:
        raise click.UsageError("--write needs TEXTMINE_API_KEY set in the environment (the key clients send as X-API-Key)")
    store = app.open_store(readonly=True)  # fail now, with the store's own message, not on the first request
    store.close()
    mode = "read-write (X-API-Key)" if settings.write else "read-only"
    console.print(f"textmine serving {app.store_url} at http://{host}:{port}/ ({mode}); API docs at /docs")
    # Keep-alive longer than uvicorn's 5 s: a client reusing a connection the server is closing at
    # that moment gets a dropped request (seen once in 4,766 under 50 clients, bench/results/bench_api.md);
    # 75 s is what proxies in front usually keep, so the server is not the side that closes first.
    options = dict(host=host, port=port, log_level="warning", timeout_keep_alive=KEEP_ALIVE_S)
    if workers > 1:
        import os

        os.environ["TEXTMINE_SERVE_SETTINGS"] = settings.model_dump_json()
        uvicorn.run("textmine.api.cli:app_from_env", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(settings), **options)


KEEP_ALIVE_S = 75


def app_from_env():
    """Factory for uvicorn worker processes (`--workers N`): settings come through the environment."""
    import os

    from textmine.api import ApiSettings
    from textmine.api.app import create_app

    return create_app(ApiSettings.model_validate_json(os.environ["TEXTMINE_SERVE_SETTINGS"]))


__all__ = ["app_from_env", "serve"]
