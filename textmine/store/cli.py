"""`textmine migrate`: upgrade a store to the schema this textmine reads, in place.

A store opened for writing (`textmine run`) upgrades itself; a read-only command (`search`,
`export`, `stats`) never changes a file, so on an older store it says to run this once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import click


@click.command()
@click.pass_obj
def migrate(app: Any) -> None:
    """Upgrade the store (--db / --store) to this textmine's schema, in place."""
    from textmine.store import StoreUnavailable, open_store

    logging.getLogger("textmine.store").setLevel(logging.INFO)
    started = time.perf_counter()
    try:
        store = open_store(app.store_url)  # opening for writing upgrades it, step by step
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        stats = store.stats()
    finally:
        store.close()
    click.echo(f"{store.url}: up to date ({stats.documents} documents, {stats.records} records) "
               f"in {time.perf_counter() - started:.1f}s", err=True)
