"""What runs on a Dask worker: one shard, from input bytes to written (or returned) extractions.

The extraction pipeline (and its NER model) is built once per worker process and kept, keyed by
its spec, as are the store connections: a shard costs reading and extracting, never loading.

Two ways through a shard:
- normal: documents in batches through `ExtractionPipeline.process` (models batch across them);
- careful (a retry after the shard failed): one document at a time, telling the scheduler which
  one it is on before each, and catching any error of one document as that document's. A
  document that kills the worker process (native crash, out of memory) is then known to the
  client, which quarantines it and runs the shard again without it.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from typing import Any, Iterator

from textmine.document import Document
from textmine.extraction import Extraction
from textmine.iterate import batched
from textmine.records import Failure, FailureStage
from textmine.store.base import StoreUnavailable
from textmine.store.jobs import InputRef
from textmine.cluster.tasks import PipelineSpec, QuarantineNote, ShardResult, ShardTask, progress_key

EXTRACT_BATCH = 16   # documents per `process` call, as textmine.pipeline
WRITE_BATCH = 200    # documents per store write in direct mode

_lock = threading.Lock()
_pipelines: dict[str, Any] = {}
_stores: dict[str, Any] = {}
LOADS = {"pipelines": 0, "stores": 0}  # what this process built: tests check "once per process"


class ProvenanceMismatch(RuntimeError):
    """The worker's pipeline is not the client's (another textmine, ontology or model version)."""


def preload(spec: PipelineSpec, *, warm: bool = False) -> int:
    """Build the pipeline in this worker process now (`client.run(preload, spec, warm=True)`);
    `warm` also runs it once on a small text, so what loads lazily (spaCy) is loaded. Its pid."""
    with _lock:
        if spec.key not in _pipelines:
            _pipelines[spec.key] = spec.build()
            LOADS["pipelines"] += 1
        pipeline = _pipelines[spec.key]
    if warm:
        from textmine.extract import document_from_text

        pipeline.process([document_from_text("warm-up", "The band gap of ZnO is 3.3 eV at 300 K.", kind="body")])
    return os.getpid()


def worker_pipeline(task: ShardTask) -> Any:
    preload(task.pipeline)
    pipeline = _pipelines[task.pipeline.key]
    if pipeline.provenance.key != task.provenance:
        raise ProvenanceMismatch(
            f"worker {socket.gethostname()} (pid {os.getpid()}) builds pipeline {pipeline.provenance.key}, the job needs "
            f"{task.provenance}: install the same textmine, ontology and models on every worker"
        )
    return pipeline


def worker_store(url: str, *, readonly: bool) -> Any | None:
    """This process's store at `url`. Read-only, it is None when not reachable from this node (a
    SQLite file on the client's disk): the client then checks for unchanged documents itself."""
    key = f"{url}|{readonly}"
    with _lock:
        if key not in _stores:
            from textmine.store import open_store

            try:
                _stores[key] = open_store(url, readonly=readonly)
                LOADS["stores"] += 1
            except StoreUnavailable:
                if not readonly:
                    raise
                _stores[key] = None
        return _stores[key]


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


class _Marker:
    """Tells the scheduler which document a careful attempt is on (survives the worker's death)."""

    def __init__(self, task: ShardTask) -> None:
        self.key = progress_key(task.job_id, task.shard)
        self.token = task.token
        self.client = None
        if task.careful:
            from distributed import get_client

            self.client = get_client()

    def __call__(self, stage: str, source: str, doc: str = "") -> None:
        if self.client is not None:
            self.client.set_metadata(self.key, {"token": self.token, "stage": stage, "source": source, "doc": doc})


def _relabel(item: Document | Failure, ref: InputRef) -> Document | Failure:
    """Documents read from `ref.uri` carry `ref.source` (what a plain run names them), with the
    '#N' of a bulk file's parts kept."""
    if ref.uri == ref.source or not item.source.startswith(ref.uri):
        return item
    source = ref.source + item.source[len(ref.uri):]
    if isinstance(item, Failure):
        return item.model_copy(update={"source": source})
    item.source = source
    return item


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_input(ref: InputRef, max_bytes: int | None, hashes: dict[str, str]) -> Iterator[Document | Failure]:
    """The documents of one input, as `read_file` gives them for a local path; other URIs
    (s3://, https://, ...) through fsspec, with its protocol's package installed on the worker."""
    from textmine.readers import iter_read, read_file

    options = {} if max_bytes is None else {"max_bytes": max_bytes}
    if "://" not in ref.uri or ref.uri.startswith("file://"):
        path = ref.uri.removeprefix("file://")
        for item in read_file(path, **options):
            yield _relabel(item, ref)
        try:
            hashes[ref.source] = _sha256_file(path)
        except OSError:
            pass  # read_file already reported why it could not be read
        return
    try:
        import fsspec

        with fsspec.open(ref.uri, "rb") as handle:
            data = handle.read(options.get("max_bytes", 1 << 30) + 1)
    except Exception as exc:  # noqa: BLE001 - any fetch problem is this input's failure
        yield Failure(source=ref.source, stage=FailureStage.READ, reason=f"cannot open {ref.uri}: {type(exc).__name__}: {exc}")
        return
    if "max_bytes" in options and len(data) > options["max_bytes"]:
        yield Failure(source=ref.source, stage=FailureStage.READ, reason=f"over the {max_bytes} byte limit")
        return
    hashes[ref.source] = hashlib.sha256(data).hexdigest()
    yield from iter_read(data, ref.source)


def run_shard(task: ShardTask) -> ShardResult:
    """Process one shard on this worker; the client commits it once this returns."""
    started = time.time()
    pipeline = worker_pipeline(task)
    direct = worker_store(task.write_to, readonly=False) if task.write_to else None
    known_in = direct if direct is not None else (worker_store(task.check_known, readonly=True) if task.check_known else None)
    result = ShardResult(job_id=task.job_id, shard=task.shard, attempt=task.attempt, worker=_worker_name(),
                         started=started, checked_known=known_in is not None or task.reprocess)
    mark = _Marker(task)
    excluded = set(task.exclude)
    key = pipeline.provenance.key

    def documents() -> Iterator[Document]:
        for ref in task.inputs:
            if ref.source in excluded:
                continue
            mark("read", ref.source)
            for item in read_input(ref, task.max_bytes, result.input_hashes):
                if isinstance(item, Failure):
                    result.failures.append(item)
                elif item.id in excluded:
                    continue
                elif not task.reprocess and known_in is not None and known_in.known(item.id, item.content_hash, key):
                    result.skipped += 1
                else:
                    yield item

    pending: list[Extraction] = []

    def keep(extraction: Extraction) -> None:
        result.failures.extend(extraction.failures)
        if extraction.ok:
            pending.append(extraction)
            result.stored[extraction.doc_id] = len(extraction.records)

    def flush() -> None:
        if direct is not None:
            direct.put_many(pending)
        else:
            result.extractions.extend(e.model_dump_json() for e in pending)
        pending.clear()

    if not task.careful:
        for batch in batched(documents(), EXTRACT_BATCH):
            for extraction in pipeline.process(batch):
                keep(extraction)
            if direct is not None and len(pending) >= WRITE_BATCH:
                flush()
        flush()
    else:
        for document in documents():
            mark("extract", document.source, document.id)
            before = result.stored.get(document.id)  # a copy read earlier in this shard and written
            try:
                [extraction] = pipeline.process([document])
                keep(extraction)
                flush()  # one document per write (or serialisation): what fails there is this document's
            except StoreUnavailable:
                raise  # the store is down: not this document's fault; the shard is retried
            except Exception as exc:  # noqa: BLE001 - quarantine the document, not the shard
                if pending and pending[-1].doc_id == document.id:
                    pending.pop()
                    if before is None:
                        result.stored.pop(document.id, None)
                    else:
                        result.stored[document.id] = before
                result.quarantined.append(QuarantineNote(doc=document.id, source=document.source,
                                                         reason=f"{type(exc).__name__}: {exc}"[:500]))
        flush()
        mark("done", "")
    result.documents, result.records = len(result.stored), sum(result.stored.values())
    result.finished = time.time()
    return result


__all__ = ["LOADS", "ProvenanceMismatch", "preload", "read_input", "run_shard", "worker_pipeline", "worker_store"]
