"""S2ORC JSON (allenai/s2orc-doc2json output): `title`, `authors`, `abstract`, `pdf_parse.body_text`.

One JSON object per file. S2ORC *dataset* shards (JSON lines, one paper per line) are read too:
each line is one document.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from textmine.document import Document, DocumentBuilder
from textmine.readers._markup import clean, finish, make_date
from textmine.readers.base import ReaderError, readers


@readers.register("s2orc")
class S2orcReader:
    name = "s2orc"

    def sniff(self, head: bytes, filename: str) -> float:
        start = head.lstrip()[:1]
        if start == b"{" and b'"pdf_parse"' in head or (start == b"{" and b'"body_text"' in head and b'"paper_id"' in head):
            return 0.9
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        try:
            objects = [json.loads(data)]
        except json.JSONDecodeError:
            try:  # JSON lines
                objects = [json.loads(line) for line in data.splitlines() if line.strip()]
            except json.JSONDecodeError as err:
                raise ReaderError(f"S2ORC JSON is not valid JSON: {err}") from None
        for index, obj in enumerate(objects):
            if not isinstance(obj, dict):
                raise ReaderError(f"S2ORC record {index} is a {type(obj).__name__}, expected an object")
            yield self._read_one(obj, data if len(objects) == 1 else json.dumps(obj).encode(), source)

    def _read_one(self, obj: dict[str, Any], raw: bytes, source: str) -> Document:
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        b.title = clean(obj.get("title"))
        for author in obj.get("authors") or []:
            if isinstance(author, dict):
                b.authors.append(" ".join(x for x in [author.get("first", ""), *author.get("middle", []), author.get("last", "")] if x))
        b.doi = obj.get("doi") or (obj.get("metadata") or {}).get("doi")
        if str(obj.get("year") or "").isdigit():
            b.date = make_date(obj["year"])
        parse = obj.get("pdf_parse") or obj
        abstract = parse.get("abstract") or []
        if isinstance(abstract, list) and abstract:
            for para in abstract:
                b.add_paragraph(para.get("text", ""), section="Abstract", kind="abstract")
        elif isinstance(obj.get("abstract"), str):
            b.add_paragraph(obj["abstract"], section="Abstract", kind="abstract")
        for para in parse.get("body_text") or []:
            b.add_paragraph(para.get("text", ""), section=clean(para.get("section")), kind="body")
        for ref_id, ref in (parse.get("ref_entries") or {}).items():
            if isinstance(ref, dict) and ref.get("text"):
                b.add_figure(ref["text"], id=ref_id)
        return finish(b, raw, "S2ORC record")
