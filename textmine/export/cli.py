"""`textmine documents`: the documents in the store, with what a citation needs."""

from __future__ import annotations

import json
from itertools import islice

import click
from rich.table import Table

from textmine.cli._common import AppContext, out, store_options
from textmine.export.documents import DocumentMeta


@click.group(invoke_without_command=True)
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True, help="documents to list (0: all)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per document, one per line")
@store_options
@click.pass_context
def documents(ctx: click.Context, limit: int, as_json: bool) -> None:
    """List documents (title, authors, year, venue, DOI, source, licence); `show DOC_ID` for one."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    store = app.open_store(readonly=True)
    found = store.iter_documents()
    metas = [DocumentMeta.of(d) for d in (islice(found, limit) if limit else found)]
    if as_json:
        for meta in metas:
            click.echo(meta.model_dump_json())
        return
    total = store.stats().documents
    table = Table("id", "year", "kind", "title", "authors", "DOI / source", title=f"{len(metas)} of {total} documents")
    for m in metas:
        authors = ", ".join(m.authors[:3]) + (" et al." if len(m.authors) > 3 else "")
        table.add_row(m.doc_id, str(m.year or ""), m.kind, m.title[:80], authors, m.doi or m.source)
    out.print(table)
    if limit and total > limit:
        out.print(f"[dim]--limit {total} (or 0) lists them all; `textmine documents show ID` shows one[/]")


@documents.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="the metadata and the records as JSON")
@store_options
@click.pass_obj
def show(app: AppContext, doc_id: str, as_json: bool) -> None:
    """One document: its metadata and the records found in it."""
    from textmine.papers import alternates
    from textmine.store import Query

    store = app.open_store(readonly=True)
    document = store.get_document(doc_id)
    if document is None:
        raise click.ClickException(f"no document {doc_id!r}; `textmine documents` lists them")
    meta = DocumentMeta.of(document)
    records = store.search(Query(doc_id=doc_id, limit=10_000)).records
    others = alternates(store, doc_id)  # the same paper read from other files or formats
    if as_json:
        data = {"document": meta.model_dump(mode="json"), "records": [r.model_dump(mode="json") for r in records],
                "alternates": [{"doc_id": m.doc_id, "source": m.source, "format": m.evidence.format, "reason": m.reason}
                               for m in others]}
        out.print_json(json.dumps(data))
        return
    table = Table(show_header=False, title=meta.title or doc_id)
    for name, value in meta.model_dump().items():
        if value not in (None, "", []):
            table.add_row(name, "; ".join(value) if isinstance(value, list) else str(value))
    table.add_row("records", str(len(records)))
    for m in others:
        table.add_row("also read from", f"{m.source} ({m.evidence.format}: {m.reason})")
    out.print(table)
    for r in sorted(records, key=lambda r: r.char_start):
        value = f"{r.value:g}" if r.value is not None else f"{r.value_min:g}–{r.value_max:g}" if r.value_min is not None else ""
        out.print(f"  {r.material.text} · {r.property} = {value} {r.unit or ''}  [dim]{r.sentence[:120]}[/]")


__all__ = ["documents"]
