"""Create the versioned indices behind their aliases, and move an alias to a new mapping version.

Elasticsearch cannot change a field's mapping in place, and the node we test on has no `reindex`
module (nor would every managed cluster let us rely on it), so the reindex happens here, on the
client: scroll the old index, rebuild each document with the current code (`IndexSpec.upgrade`,
from the `body` every document keeps), bulk it into `{alias}-v{N}`, then swap the alias in one
atomic `_aliases` call and drop the old index.

Readers never see a gap: the alias points at the complete old index until the swap. Writers get
a clear `cluster_block_exception` during the copy (the old index is write-blocked so no write can
be lost between copy and swap); a migration cut short is simply redone on the next open.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Iterator

from elasticsearch import ApiError, Elasticsearch, NotFoundError

from textmine.store.base import StoreUnavailable
from textmine.store.es_schema import IndexSpec
from textmine.store.es_transport import Retrying, chunks, send_bulk

log = logging.getLogger(__name__)

_VERSION = re.compile(r"-v(\d+)$")


def alias_targets(client: Elasticsearch, retry: Retrying, alias: str) -> list[str]:
    try:
        return sorted(retry(lambda: client.indices.get_alias(name=alias)).body)
    except NotFoundError:
        return []


def ensure_indices(
    client: Elasticsearch, retry: Retrying, prefix: str, specs: tuple[IndexSpec, ...], *, create: bool = True
) -> None:
    for spec in specs:
        ensure_index(client, retry, prefix, spec, create=create)


def ensure_index(client: Elasticsearch, retry: Retrying, prefix: str, spec: IndexSpec, *, create: bool = True) -> None:
    alias, target = spec.alias(prefix), spec.index_name(prefix)
    current = alias_targets(client, retry, alias)
    if current == [target]:
        return
    if not create:
        raise StoreUnavailable(f"{alias} is at {current or 'nothing'}, this textmine needs {target}; open it writable to migrate")
    if not current:
        if retry(lambda: client.indices.exists(index=alias)):
            raise StoreUnavailable(f"{alias} is a concrete index, not an alias: textmine did not create it; use another prefix")
        _create(client, retry, spec, target, aliases={alias: {}})
        return
    versions = [int(m.group(1)) if (m := _VERSION.search(name)) else -1 for name in current]
    if max(versions) > spec.version:
        raise StoreUnavailable(
            f"{alias} points to {current}, written by a newer textmine (this one knows v{spec.version}): upgrade textmine"
        )
    migrate(client, retry, spec, alias, current, target)


def _create(client: Elasticsearch, retry: Retrying, spec: IndexSpec, name: str, aliases: dict[str, Any] | None = None) -> None:
    try:
        retry(
            lambda: client.indices.create(
                index=name, mappings=spec.mappings, settings=spec.settings, aliases=aliases, wait_for_active_shards="1"
            )
        )
    except ApiError as exc:
        if exc.meta.status == 400 and "resource_already_exists" in str(exc):
            return  # another process created it first
        raise


def migrate(client: Elasticsearch, retry: Retrying, spec: IndexSpec, alias: str, sources: list[str], target: str) -> int:
    """Copy `sources` (the alias's current indices) into `target` with the current mapping and swap
    the alias to it. Returns the number of documents copied."""
    log.warning("migrating %s: %s -> %s", alias, sources, target)
    if retry(lambda: client.indices.exists(index=target)):
        retry(lambda: client.indices.delete(index=target))  # leftover of a migration cut short
    _create(client, retry, spec, target)
    for source in sources:
        retry(lambda source=source: client.indices.add_block(index=source, block="write"))
    try:
        copied = 0
        for lines in chunks(_upgraded(client, retry, spec, sources, target), 2000, 8 * 1024 * 1024):
            copied += send_bulk(client, retry, lines, retry.timeouts.bulk_request)
        retry(lambda: client.indices.refresh(index=target))
        expected = sum(retry(lambda s=s: client.count(index=s))["count"] for s in sources)
        got = retry(lambda: client.count(index=target))["count"]
        if got != expected:
            raise RuntimeError(f"migration of {alias} copied {got} of {expected} documents")
        actions = [{"remove": {"index": s, "alias": alias}} for s in sources]
        actions.append({"add": {"index": target, "alias": alias}})
        retry(lambda: client.indices.update_aliases(actions=actions))  # atomic: readers see old, then new
    except BaseException:
        for source in sources:
            retry(lambda source=source: client.indices.put_settings(index=source, settings={"index.blocks.write": None}))
        raise
    for source in sources:
        retry(lambda source=source: client.indices.delete(index=source))
    log.warning("migrated %s: %d documents now in %s", alias, copied, target)
    return copied


def _upgraded(
    client: Elasticsearch, retry: Retrying, spec: IndexSpec, sources: list[str], target: str
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    for source in sources:
        response = retry(lambda source=source: client.search(index=source, scroll="2m", size=1000, sort=["_doc"]))
        scroll_id = response.get("_scroll_id")
        try:
            while hits := response["hits"]["hits"]:
                for hit in hits:
                    body = spec.upgrade(hit["_source"]) if spec.upgrade else hit["_source"]
                    yield {"index": {"_index": target, "_id": hit["_id"]}}, body
                response = retry(lambda scroll_id=scroll_id: client.scroll(scroll_id=scroll_id, scroll="2m"))
                scroll_id = response.get("_scroll_id", scroll_id)
        finally:
            if scroll_id:
                try:
                    client.clear_scroll(scroll_id=scroll_id)
                except Exception:  # the scroll expires on its own
                    pass
