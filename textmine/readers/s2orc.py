"""S2ORC JSON (allenai/s2orc-doc2json output): `title`, `authors`, `abstract`, `pdf_parse.body_text`.

One JSON object per file. S2ORC *dataset* shards (JSON lines, one paper per line) are read too:
each line is one document.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from textmine.document import Document, DocumentBuilder
from textmine.readers._markup import clean, finish, make_date
from textmine.readers.base import ReaderError, documents_or_raise, readers
from textmine.records import Failure


def _loads(data: bytes | str) -> object:
    try:
        return json.loads(data)
    except RecursionError:
        raise ReaderError("S2ORC JSON is nested too deeply to read (over Python's recursion limit)") from None


def _is_json_lines(lines: list[tuple[int, bytes]]) -> bool:
    """A shard: some of its first lines are each a whole JSON object (a pretty-printed single
    object has none)."""
    if len(lines) < 2:
        return False
    for _, line in lines[:5]:
        try:
            if isinstance(json.loads(line), dict):
                return True
        except (ValueError, RecursionError):
            continue
    return False


@readers.register("s2orc")
class S2orcReader:
    name = "s2orc"

    def sniff(self, head: bytes, filename: str) -> float:
        start = head.lstrip()[:1]
        if start == b"{" and b'"pdf_parse"' in head or (start == b"{" and b'"body_text"' in head and b'"paper_id"' in head):
            return 0.9
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        """The papers of the file; when some lines of a shard are broken, the good papers are
        yielded first and a ReaderError then lists the bad lines (`read_all` yields them inline)."""
        yield from documents_or_raise(self.read_all(data, source), "record(s)")

    def read_all(self, data: bytes, source: str) -> Iterator[Document | Failure]:
        """One JSON object, or a JSON-lines shard: every good paper, and one `Failure` (source
        `path#LINE`) per line that is not a readable record, so one bad line costs one paper."""
        lines = [(n, line) for n, line in enumerate(data.splitlines(), 1) if line.strip()]
        if not _is_json_lines(lines):
            try:
                obj = _loads(data)
            except json.JSONDecodeError as err:
                raise ReaderError(f"S2ORC JSON is not valid JSON: {err}") from None
            if not isinstance(obj, dict):
                raise ReaderError(f"S2ORC file holds a JSON {type(obj).__name__}, expected an object per paper")
            yield self._read_one(obj, data, source)
            return
        good = 0
        for number, line in lines:
            try:
                record = _loads(line)
                if not isinstance(record, dict):
                    raise ReaderError(f"a JSON {type(record).__name__}, expected an object")
                raw = data if len(lines) == 1 else json.dumps(record).encode()
                yield self._read_one(record, raw, source)
                good += 1
            except Exception as err:  # noqa: BLE001 - one bad record costs that record, not the shard
                reason = str(err) if isinstance(err, (ReaderError, ValueError)) else f"{type(err).__name__}: {err}"
                yield Failure(source=f"{source}#{number}", stage="read", reason=f"s2orc: line {number} is not a readable record: {reason}")
        if not good:
            raise ReaderError(f"none of the {len(lines)} lines is a readable S2ORC record")

    def _read_one(self, obj: dict[str, Any], raw: bytes, source: str) -> Document:
        """One paper; fields of the wrong JSON type are ignored, not trusted."""
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        b.title = clean(_str(obj.get("title")))
        for author in _list(obj.get("authors")):
            if isinstance(author, dict):
                names = [author.get("first"), *_list(author.get("middle")), author.get("last")]
                b.authors.append(" ".join(x for x in names if isinstance(x, str) and x))
        metadata = obj.get("metadata")
        b.doi = _str(obj.get("doi")) or (_str(metadata.get("doi")) if isinstance(metadata, dict) else "") or None
        if str(obj.get("year") or "").isdigit():
            b.date = make_date(obj["year"])
        parse = obj.get("pdf_parse") if isinstance(obj.get("pdf_parse"), dict) else obj
        abstract = parse.get("abstract") or []
        if isinstance(abstract, list) and abstract:
            for para in abstract:
                if isinstance(para, dict):
                    b.add_paragraph(_str(para.get("text")), section="Abstract", kind="abstract")
        elif isinstance(obj.get("abstract"), str):
            b.add_paragraph(obj["abstract"], section="Abstract", kind="abstract")
        for para in _list(parse.get("body_text")):
            if isinstance(para, dict):
                b.add_paragraph(_str(para.get("text")), section=clean(_str(para.get("section"))), kind="body")
        refs = parse.get("ref_entries")
        for ref_id, ref in (refs.items() if isinstance(refs, dict) else ()):
            if isinstance(ref, dict) and isinstance(ref.get("text"), str) and ref["text"]:
                b.add_figure(ref["text"], id=ref_id)
        return finish(b, raw, "S2ORC record")


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
