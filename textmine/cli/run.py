"""`textmine run`, `ingest` and `extract` (from the store, or stateless over a JSONL of texts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator

import click

from textmine.cli import main
from textmine.cli._common import (
    AppContext,
    console,
    finish,
    load_extraction,
    pipeline_options,
    progress_bar,
    store_errors,
    store_options,
)


def _count_documents(paths: tuple[str, ...]) -> int:
    from textmine.readers import iter_paths

    return sum(1 for _ in iter_paths([Path(p) for p in paths]))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@pipeline_options
@click.option("--reprocess", is_flag=True, help="redo documents already stored unchanged by the same pipeline")
@click.option("--retry-failed", is_flag=True,
              help="read again files that failed to read before even if they did not change (default: skip them)")
@click.option("--max-bytes", type=int, default=None, help="skip (and record) files larger than this")
@click.option("--workers", "-j", type=int, default=1, show_default=True, help="extraction processes (0: one per core)")
@click.option("--cluster", default=None, metavar="local[:N]|tcp://HOST:8786",
              help="run as a resumable Dask job (`textmine jobs`); PATHS may also be raw stores and *.manifest files")
@click.option("--shard-size", type=click.IntRange(min=1), default=32, show_default=True, help="with --cluster: files per shard")
@store_options
@click.pass_obj
def run(app: AppContext, paths: tuple[str, ...], pipeline: str, ner_model: str, reprocess: bool, retry_failed: bool,
        max_bytes: int | None, workers: int, cluster: str | None, shard_size: int) -> None:
    """Read, extract and index PATHS (files or folders) in one go.

    Documents stored unchanged by the same pipeline (same versions of its components, models and
    ontology) are skipped; documents processed by another version are re-extracted. A file is one
    input whatever its content: an edited file's new version replaces what it gave before. Files
    that failed to read and have not changed since are not read again unless --retry-failed.
    """
    if cluster:
        from textmine.cluster.cli import run_job

        return run_job(app, paths, cluster, pipeline=pipeline, ner_model=ner_model, reprocess=reprocess,
                       max_bytes=max_bytes, shard_size=shard_size)
    from textmine.pipeline import Pipeline

    extraction = load_extraction(pipeline, ner_model)
    store = app.open_store()
    runner = Pipeline(store, extraction, reprocess=reprocess, retry_failed=retry_failed, max_bytes=max_bytes,
                      workers=workers)
    with store_errors(), progress_bar(app.quiet, _count_documents(paths), "run") as advance:
        summary = runner.run_paths(paths, progress=advance)
    with store_errors():
        link_new_records(store, summary, app.quiet)
    finish(summary, store, app.quiet)


def link_new_records(store, summary, quiet: bool) -> None:
    """When the store holds crystal structures, the records just written get their links too."""
    if not summary.stored:
        return
    try:
        from textmine.store.structures import structure_store

        companion = structure_store(store)
        if not companion.counts().get("structures"):
            return
        from textmine.link.records import link_records
    except (ImportError, TypeError):
        return  # no structures extra, or a store without structures: nothing to link to
    linked = link_records(store, list(summary.stored))
    if not quiet:
        console.print(f"linked {linked.linked} of {linked.records} records to stored structures ({linked.links} links)")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--max-bytes", type=int, default=None)
@store_options
@click.pass_obj
def ingest(app: AppContext, paths: tuple[str, ...], max_bytes: int | None) -> None:
    """Read and store documents without extracting records (run `textmine extract` later)."""
    from textmine.pipeline import Pipeline

    store = app.open_store()
    runner = Pipeline(store, load_extraction("none"), reprocess=True, max_bytes=max_bytes)
    with store_errors(), progress_bar(app.quiet, _count_documents(paths), "ingest") as advance:
        summary = runner.run_paths(paths, progress=advance)
    finish(summary, store, app.quiet)


@main.command()
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help='stateless mode: JSONL of {"id", "text"}; no database involved')
@click.option("--output", "output_path", type=click.Path(dir_okay=False), default=None, help="stateless mode: records as JSONL")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False), default=None,
              help="stateless mode: where bad input lines are written [default: OUTPUT.rejects.jsonl]")
@pipeline_options
@store_options
@click.pass_obj
def extract(app: AppContext, input_path: str | None, output_path: str | None, rejects_path: str | None, pipeline: str,
            ner_model: str) -> None:
    """Extract records from the documents in the store, or (with --input/--output) from a JSONL of texts."""
    if input_path or output_path:
        if not (input_path and output_path):
            raise click.UsageError("stateless mode needs both --input and --output")
        extraction = load_extraction(pipeline, ner_model)
        rejects = Path(rejects_path) if rejects_path else Path(output_path + ".rejects.jsonl")
        _extract_jsonl(extraction, Path(input_path), Path(output_path), rejects, app.quiet)
        return
    from textmine.pipeline import Pipeline

    extraction = load_extraction(pipeline, ner_model)
    store = app.open_store()
    with store_errors():
        total = store.stats().documents
    runner = Pipeline(store, extraction, reprocess=True)
    with store_errors(), progress_bar(app.quiet, total, "extract") as advance:
        summary = runner.process(store.iter_documents(), progress=advance)
    finish(summary, store, app.quiet)


def distinct_statements(records):
    """One record per (material, property, value) statement: a text that states the same value for
    the same material twice (abstract and conclusion) yields it once, with the best confidence."""
    best: dict[tuple, object] = {}
    for record in records:
        material = record.material.formula or record.material.text.lower()
        key = (material, record.property, record.value, record.value_min, record.value_max, record.unit)
        if key not in best or record.confidence > best[key].confidence:
            best[key] = record
    return sorted(best.values(), key=lambda r: (r.char_start, r.value_start or 0))


class BadLine(ValueError):
    """An input line that is not a {"id", "text"} object; the message says why."""


def parse_text_line(raw: bytes, number: int) -> tuple[str, str]:
    """(id, text) of one JSONL line, or BadLine with a reason a person can act on."""
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(f"not valid UTF-8 (byte {exc.start} of the line is {raw[exc.start:exc.start + 1]!r}); "
                      "save the file as UTF-8") from None
    try:
        item = json.loads(line)
    except RecursionError:
        raise BadLine("JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BadLine(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(item, dict):
        raise BadLine(f'expected a JSON object {{"id", "text"}}, got {type(item).__name__}')
    missing = [k for k in ("id", "text") if k not in item]
    if missing:
        raise BadLine(f"missing {' and '.join(repr(k) for k in missing)}; each line needs \"id\" and \"text\"")
    doc_id, text = item["id"], item["text"]
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        raise BadLine(f'"id" must be a string or an integer, got {type(doc_id).__name__}')
    if not isinstance(text, str):
        raise BadLine(f'"text" must be a string, got {"null" if text is None else type(text).__name__}')
    for value, name in ((str(doc_id), "id"), (text, "text")):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadLine(f'"{name}" holds an invalid character {value[exc.start]!r} at {exc.start} '
                          "(a lone surrogate: the text was mis-encoded)") from None
    return str(doc_id), text


def _documents(input_path: Path, rejects: list[dict]) -> Iterator:
    from textmine.extract import document_from_text

    with open(input_path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                doc_id, text = parse_text_line(raw.rstrip(b"\r\n"), number)
            except BadLine as exc:
                rejects.append({"line": number, "reason": str(exc)})
                continue
            document = document_from_text(doc_id, text, kind="body", source=f"{input_path}:{number}")
            yield document


def _extract_jsonl(extraction, input_path: Path, output_path: Path, rejects_path: Path, quiet: bool) -> None:
    with open(input_path, "rb") as handle:
        total = sum(1 for line in handle if line.strip())
    rejects: list[dict] = []
    reported = 0
    written = texts = 0
    with open(output_path, "w", encoding="utf-8") as sink, progress_bar(quiet, total, "extract") as advance:
        for result in extraction.pipe(_documents(input_path, rejects)):
            texts += 1
            if not result.ok:
                line = int(result.document.source.rsplit(":", 1)[1])
                rejects.append({"line": line, "id": result.doc_id, "reason": "; ".join(f.reason for f in result.failures)})
            for record in distinct_statements(result.records):
                sink.write(record.model_dump_json() + "\n")
                written += 1
            for reject in rejects[reported:]:
                console.print(f"[red]line {reject['line']}: skipped: {reject['reason']}")
            reported = len(rejects)
            advance(result.doc_id)
    for reject in rejects[reported:]:
        console.print(f"[red]line {reject['line']}: skipped: {reject['reason']}")
    if rejects:
        with open(rejects_path, "w", encoding="utf-8") as out:
            for reject in sorted(rejects, key=lambda r: r["line"]):
                out.write(json.dumps(reject, ensure_ascii=False) + "\n")
    failed = len(rejects)
    console.print(f"{written} records from {texts - sum(1 for r in rejects if 'id' in r)} texts -> {output_path}"
                  + (f"; {failed} lines failed -> {rejects_path}" if failed else ""))
    if failed:
        sys.exit(1)


__all__ = ["distinct_statements", "extract", "ingest", "parse_text_line", "run"]
