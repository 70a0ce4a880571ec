"""Readers: file bytes in, `Document`s out, one reader per format, chosen by sniffing.

    from textmine.readers import read_file, iter_paths
    for path in iter_paths(["corpora/demo"]):
        for item in read_file(path):
            ...  # a Document, or a Failure(stage="read", reason=...) - never an exception

`read_file` never raises for bad input (empty, binary, truncated, too large, unknown format):
a bad file becomes a `Failure` that the pipeline stores and moves past. A bulk file (USPTO
weekly XML) yields every good document and one `Failure` per broken one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote, unquote_to_bytes

from textmine.document import Document
# API payloads kept by the harvesters (arXiv Atom, OAI-PMH, Crossref, Semantic Scholar, Europe PMC)
# are documents too: `payloads` registers their readers so `read_file` re-parses a raw store.
from textmine.readers import elsevier, epo, html, jats, payloads, pdf, s2orc, tei, text, uspto  # noqa: F401  (registration)
from textmine.readers.base import Reader, ReaderError, readers
from textmine.records import Failure

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Reader",
    "ReaderError",
    "detect_format",
    "get_reader",
    "iter_paths",
    "iter_read",
    "read_bytes",
    "read_file",
    "readers",
    "source_bytes",
    "source_of",
]

# Bounds a file's memory (bytes + parsed tree); one document's text is capped separately
# (`_markup.MAX_TEXT_CHARS`). Measured by bench/bench_memory.py: peak RSS of a run stays under 1.5 GB.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
MIN_CONFIDENCE = 0.3  # below this no reader is sure enough; guessing would produce junk documents

# Files that describe a folder rather than being documents in it
_NOT_DOCUMENTS = {"source.txt", "readme", "readme.md", "readme.txt", "readme.rst", "license", "license.txt", "licence", "licence.txt"}

_instances: dict[str, Reader] = {}


def get_reader(name: str) -> Reader:
    """The (stateless, cached) reader registered under `name`."""
    if name not in _instances:
        _instances[name] = readers.get(name)()
    return _instances[name]


# Containers no reader opens: say what they are and what to do, rather than "unknown format" or,
# worse, let a reader sniff the (stored, uncompressed) XML of a member and fail on zip framing.
_CONTAINERS = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)


def detect_format(head: bytes, filename: str = "") -> str:
    """Name of the reader most confident it can read a file starting with `head`."""
    if not head.strip():
        raise ReaderError("empty file: nothing to read")
    for magic, what in _CONTAINERS:
        if head.startswith(magic):
            raise ReaderError(
                f"{filename or 'input'!r} is {what}: textmine reads documents, not archives; unpack it and run on "
                "the folder (USPTO weekly bulk .zip files: `textmine harvest uspto-bulk FILE` reads them as they are)"
            )
    scores = sorted(((get_reader(name).sniff(head, filename), name) for name in readers.names()), reverse=True)
    best_score, best = scores[0]
    if best_score < MIN_CONFIDENCE:
        closest = f"closest: {best} at {best_score:.2f}" if best_score > 0 else "no reader recognises it"
        raise ReaderError(
            f"unknown format for {filename or 'input'!r} ({closest}); supported: {', '.join(readers.names())}"
        )
    return best


def iter_read(data: bytes, source: str, *, format: str | None = None) -> Iterator[Document | Failure]:
    """Documents of one file's bytes, with every problem turned into a `Failure` (stage='read').

    Readers that can lose part of a file (bulk USPTO) expose `read_all`, yielding Failures
    inline; for the others a ReaderError (or an unexpected crash) becomes one Failure.
    """
    try:
        name = format or detect_format(data[:SNIFF_BYTES], os.path.basename(source))
        reader = get_reader(name)
    except (ReaderError, KeyError) as err:
        yield Failure(source=source, stage="read", reason=_reason(err))
        return
    yield from _guarded(name, lambda: _read(reader, data, source), source)


def _read(reader: Reader, data: bytes, source: str) -> Iterable[Document | Failure]:
    return reader.read_all(data, source) if hasattr(reader, "read_all") else reader.read(data, source)


def _guarded(name: str, start: Callable[[], Iterable[Document | Failure]], source: str) -> Iterator[Document | Failure]:
    """Run a reader (`start` makes its iterator) so that any error, raised when it is called or
    while it yields, becomes a Failure after the documents it did produce."""
    produced = 0
    try:
        for item in start():
            produced += 1
            yield item
    except ReaderError as err:
        yield Failure(source=source, stage="read", reason=f"{name}: {err}")
    except RecursionError:
        yield Failure(source=source, stage="read", reason=f"{name}: the input is nested too deeply to read "
                      f"(over Python's recursion limit) after {produced} document(s); nothing more was read from it")
    except Exception as err:  # noqa: BLE001 - a reader bug must cost one file, never the whole run
        yield Failure(source=source, stage="read", reason=f"{name} reader crashed after {produced} document(s): {type(err).__name__}: {err}")


def read_bytes(data: bytes, source: str, *, format: str | None = None) -> list[Document]:
    """The documents of `data`, raising ReaderError on the first failure (for callers that want strictness)."""
    docs = []
    for item in iter_read(data, source, format=format):
        if isinstance(item, Failure):
            raise ReaderError(item.reason)
        docs.append(item)
    return docs


def read_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES, format: str | None = None) -> Iterator[Document | Failure]:
    """Documents of the file at `path`; bad input yields a `Failure`, never an exception.

    `max_bytes` bounds the file, except for formats read as a stream of documents (USPTO bulk
    files, often several hundred MB): there it bounds each document, and the file may be any size.
    """
    source = source_of(path)
    try:
        if not Path(path).is_file():
            yield Failure(source=source, stage="read", reason=_not_a_file(Path(path)))
            return
        size = os.stat(path).st_size
        if size == 0:
            yield Failure(source=source, stage="read", reason="empty file (0 bytes): nothing to read")
            return
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
            try:
                name = format or detect_format(head, os.path.basename(source))
                reader = get_reader(name)
            except (ReaderError, KeyError) as err:
                yield Failure(source=source, stage="read", reason=_reason(err))
                return
            if hasattr(reader, "read_stream"):
                handle.seek(0)
                yield from _guarded(name, lambda: reader.read_stream(handle, source, max_bytes=max_bytes), source)
                return
            if size > max_bytes:
                yield Failure(
                    source=source,
                    stage="read",
                    reason=f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit; "
                    "split it or raise max_bytes",
                )
                return
            data = head + handle.read(max_bytes + 1 - len(head))
    except OSError as err:
        yield Failure(source=source, stage="read", reason=f"cannot open: {err.strerror or err}")
        return
    if len(data) > max_bytes:  # grew while we read it
        yield Failure(source=source, stage="read", reason=f"file grew over the {max_bytes} byte limit while being read")
        return
    yield from _guarded(name, lambda: _read(reader, data, source), source)


def iter_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files under `paths` (files as given, folders walked recursively, sorted).

    Hidden files and folders, and files that describe a folder (SOURCE.txt, README, LICENSE),
    are skipped; a path that does not exist is passed through so `read_file` reports it, and so
    is a folder that cannot be listed (no permission): `read_file` then records why its files
    were not read, instead of the walk skipping them without a word. Symlinked folders are not
    followed. File names that are not valid UTF-8 are kept as they are (their `source` is a
    lossless `file://` URI: see `source_of`).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(_walk(path))
        else:
            yield path


def _walk(root: Path) -> Iterator[Path]:
    """Documents under `root`, and each folder that could not be listed."""
    unreadable: list[Path] = []

    def record(err: OSError) -> None:
        if err.filename is not None:
            unreadable.append(Path(os.fsdecode(err.filename)))

    for folder, dirs, files in os.walk(root, onerror=record):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            child = Path(folder, name)
            if not name.startswith(".") and name.lower() not in _NOT_DOCUMENTS and child.is_file():
                yield child
    yield from unreadable


def _not_a_file(path: Path) -> str:
    """Why `path` is not read: missing, a folder that cannot be listed, or not a regular file."""
    if not path.exists():
        return "cannot open: no such file"
    if path.is_dir():
        try:
            with os.scandir(path):
                pass
        except OSError as err:
            return (f"cannot list folder: {err.strerror or err}; the files in it were not read. "
                    "Fix its permissions (e.g. chmod u+rx) and re-run")
    return "not a regular file"


def source_of(path: str | os.PathLike[str]) -> str:
    """The `source` string of a file: its path as `str`, valid UTF-8 text for any file name.

    A name that is valid UTF-8 (all but a few) is its path as given, as it always was. A name that
    is not becomes a `file://` URI of its absolute path with every byte outside ASCII letters,
    digits and `/-._~` percent-encoded (RFC 8089): text every store, JSON and terminal takes, and
    lossless, `source_bytes(source_of(p)) == os.fsencode(os.path.abspath(p))`.
    """
    text = os.fsdecode(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _FILE_URI + quote(os.path.abspath(os.fsencode(path)), safe="/")


def source_bytes(source: str) -> bytes:
    """The file path a `source` string names, as the bytes `open` takes (inverse of `source_of`)."""
    if source.startswith(_FILE_URI):
        return unquote_to_bytes(source[len(_FILE_URI):])
    return os.fsencode(source)


_FILE_URI = "file://"


def _reason(err: Exception) -> str:
    return err.args[0] if isinstance(err, KeyError) and err.args else str(err)

