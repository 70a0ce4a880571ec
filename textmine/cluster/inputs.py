"""A job's inputs -> `InputRef`s -> shards.

What `textmine run --cluster` takes as PATHS:
- files and folders, walked as a plain `textmine run` walks them (same order, same names);
- a harvest's raw store (a folder with `index.jsonl`, e.g. `corpus.harvest/raw`): each payload it
  keeps, once, however often it was fetched;
- a manifest (a file named `*.manifest` or `*.uris`): one input per line, a path (relative to the
  manifest's folder) or a URI; `file://` is read directly, others (`s3://`, `https://`, ...)
  through fsspec with the protocol's package installed on the workers. Blank lines and lines
  starting with `#` are ignored.

Workers open `uri` (an absolute path: on a cluster, the inputs must be on a file system every node
mounts at the same place) and label documents with `source`, the name a plain run would give.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from textmine.store.jobs import InputRef

MANIFEST_SUFFIXES = (".manifest", ".uris")
SHARD_FILES = 32                  # inputs per shard, at most
SHARD_BYTES = 64 * 1024 * 1024    # bytes per shard, at most (a bigger single input is a shard of its own)


class InputError(ValueError):
    """An input the job cannot use; the message says which and why."""


def is_raw_store(path: Path) -> bool:
    return path.is_dir() and (path / "index.jsonl").is_file()


def is_manifest(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES


def _file_ref(path: Path) -> InputRef:
    try:
        size = path.stat().st_size
    except OSError:
        size = None  # the worker reports it as read_file does
    return InputRef(uri=str(path.absolute()), source=str(path), size=size)


def raw_store_inputs(root: Path) -> Iterator[InputRef]:
    from textmine.sources.rawstore import RawStore

    raw = RawStore(root)
    seen: set[str] = set()
    for entry in raw.entries():
        if entry.sha256 in seen:
            continue
        seen.add(entry.sha256)
        path = raw.path_for(entry.sha256)
        yield InputRef(uri=str(path.absolute()), source=str(path), size=entry.size)


def manifest_inputs(manifest: Path) -> Iterator[InputRef]:
    base = manifest.parent
    with manifest.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            item = line.strip()
            if not item or item.startswith("#"):
                continue
            if "://" in item and not item.startswith("file://"):
                yield InputRef(uri=item, source=item)
                continue
            path = Path(item.removeprefix("file://"))
            if not path.is_absolute():
                path = base / path
            if path.is_dir():
                raise InputError(f"{manifest}:{number}: {item} is a folder; a manifest lists files (give the folder as a PATH)")
            yield _file_ref(path)


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> Iterator[InputRef]:
    plain: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if is_raw_store(path) or is_manifest(path):
            yield from _plain_refs(plain)
            plain = []
            yield from (raw_store_inputs(path) if path.is_dir() else manifest_inputs(path))
        else:
            plain.append(path)
    yield from _plain_refs(plain)


def _plain_refs(paths: list[Path]) -> Iterator[InputRef]:
    from textmine.readers import iter_paths

    for path in iter_paths(paths):
        yield _file_ref(path)


def plan_shards(refs: Iterable[InputRef], *, max_files: int = SHARD_FILES, max_bytes: int = SHARD_BYTES) -> Iterator[list[InputRef]]:
    """Consecutive inputs grouped into shards of at most `max_files` inputs and `max_bytes`."""
    shard: list[InputRef] = []
    size = 0
    for ref in refs:
        ref_size = ref.size or 0
        if shard and (len(shard) >= max_files or size + ref_size > max_bytes):
            yield shard
            shard, size = [], 0
        shard.append(ref)
        size += ref_size
    if shard:
        yield shard


__all__ = ["InputError", "MANIFEST_SUFFIXES", "expand_inputs", "is_manifest", "is_raw_store", "manifest_inputs",
           "plan_shards", "raw_store_inputs"]
