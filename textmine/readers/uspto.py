"""USPTO full-text patent XML, every generation the bulk-data products have used:

- ICE v4.x grants (`<us-patent-grant>`, 2005-) and applications (`<us-patent-application>`);
- the 2001-2004 pre-grant publication DTD (`<patent-application-publication>`, pap-v1x);
- ST.32 "SGML as XML" grants (`<PATDOC>`, 2001-2004: B110 number, SDOAB abstract, SDOCL claims).

Bulk files concatenate thousands of such documents, each with its own `<?xml` declaration.
`read_all` splits them and yields a `Failure` for a broken one instead of losing the rest.
"""

from __future__ import annotations

import re
from typing import BinaryIO, Iterator

from lxml import etree

from textmine.document import Document, DocumentBuilder
from textmine.readers._markup import (
    cals_table,
    children,
    descendants,
    finish,
    first,
    parse_date,
    parse_xml,
    strip_namespaces,
    text_of,
)
from textmine.readers.base import ReaderError, documents_or_raise, readers
from textmine.records import Failure

_ROOTS = (b"<us-patent-grant", b"<us-patent-application", b"<patent-application-publication", b"<PATDOC")
_XML_DECL = re.compile(rb"<\?xml[\s?]")  # the start of a declaration is enough: a cut-off one still splits
_SKIP_IN_P = frozenset({"tables", "table", "maths", "math", "img", "figref-image", "number", "chemistry", "in-line-formulae", "CHEM-US", "EMI", "MATH-US"})
_BREAKS = frozenset({"li", "claim-text", "br", "CLMSTEP", "PARA", "PTEXT"})
_DOC_NUMBER = re.compile(rb"<(?:doc-number|DNUM><PDAT)>([^<]{3,20})<")


@readers.register("uspto")
class UsptoReader:
    name = "uspto"

    def sniff(self, head: bytes, filename: str) -> float:
        return 0.95 if any(root in head for root in _ROOTS) else 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        """The documents of the file; when some parts of a bulk file are broken, the good ones
        are yielded first and a ReaderError then lists the bad ones (use `read_all` to get them
        as `Failure`s inline instead)."""
        yield from documents_or_raise(self.read_all(data, source))

    def read_all(self, data: bytes, source: str) -> Iterator[Document | Failure]:
        parts = split_concatenated_xml(data)
        if len(parts) == 1:  # a single patent keeps its file as its source
            for item in self._read_part(parts[0], 1, source):
                item.source = source
                yield item
            return
        for index, part in enumerate(parts, 1):
            yield from self._read_part(part, index, source)

    def read_stream(self, handle: BinaryIO, source: str, *, max_bytes: int) -> Iterator[Document | Failure]:
        """Like `read_all`, but over an open file, one document in memory at a time.

        Weekly bulk files are larger than any sensible whole-file limit, so `max_bytes` bounds each
        document instead: one over it becomes a Failure and reading goes on.
        """
        parts = iter_xml_parts(handle, max_bytes=max_bytes)
        first = next(parts, None)
        if first is None:
            yield Failure(source=source, stage="read", reason="empty file: nothing to read")
            return
        second = next(parts, None)
        if second is None:  # a single patent keeps its file as its source
            for item in self._read_part(first, 1, source):
                item.source = source
                yield item
            return
        yield from self._read_part(first, 1, source)
        yield from self._read_part(second, 2, source)
        for index, part in enumerate(parts, 3):
            yield from self._read_part(part, index, source)

    def _read_part(self, part: bytes | _Oversized, index: int, source: str) -> Iterator[Document | Failure]:
        part_source = f"{source}#{index}"
        if isinstance(part, _Oversized):
            yield Failure(source=part_source, stage="read", reason=f"{self.name}: document is over the {part.limit} byte limit; raise max_bytes")
            return
        try:
            yield self._read_one(part, part_source)
        except ReaderError as err:
            number = _DOC_NUMBER.search(part[:20000])
            label = f" (document {number.group(1).decode('ascii', 'replace')})" if number else ""
            yield Failure(source=part_source, stage="read", reason=f"{self.name}: {err}{label}")

    def _read_one(self, data: bytes, source: str) -> Document:
        warnings: list[str] = []
        root = strip_namespaces(parse_xml(data, what="USPTO patent XML", warnings=warnings))
        tag = root.tag
        if tag in ("us-patent-grant", "us-patent-application"):
            return self._read_v4(root, data, source, warnings)
        if tag == "patent-application-publication":
            return self._read_pap(root, data, source, warnings)
        if tag == "PATDOC":
            return self._read_st32(root, data, source, warnings)
        raise ReaderError(f"unsupported USPTO document root <{tag}>: expected us-patent-grant, us-patent-application, "
                          "patent-application-publication or PATDOC")

    # --- ICE v4.x ---------------------------------------------------------------------------
    def _read_v4(self, root: etree._Element, data: bytes, source: str, warnings: list[str]) -> Document:
        b = DocumentBuilder(source=source, format=self.name, kind="patent")
        biblio = first(root, "us-bibliographic-data-grant", "us-bibliographic-data-application")
        pub = first(first(biblio, "publication-reference"), "document-id")
        country = text_of(first(pub, "country")) or "US"
        b.patent_number = f"{country}{text_of(first(pub, 'doc-number'))}{text_of(first(pub, 'kind'))}"
        b.date = parse_date(text_of(first(pub, "date"))) or parse_date(root.get("date-publ"))
        b.title = text_of(first(biblio, "invention-title"))
        inventors = descendants(first(biblio, "inventors"), "inventor") or [
            a for a in descendants(biblio, "applicant", "us-applicant") if "inventor" in (a.get("app-type") or "")
        ]
        for person in inventors:
            book = first(person, "addressbook")
            name = f"{text_of(first(book, 'first-name'))} {text_of(first(book, 'last-name'))}".strip() or text_of(first(book, "orgname"))
            if name:
                b.authors.append(name)
        for abstract in children(root, "abstract"):
            for p in descendants(abstract, "p"):
                b.add_paragraph(text_of(p, skip=_SKIP_IN_P, breaks=_BREAKS), section="Abstract", kind="abstract")
        self._add_description(b, first(root, "description"), warnings)
        for claims in children(root, "claims"):
            for claim in children(claims, "claim"):
                self._add_claim(b, claim, text_of(claim, skip=_SKIP_IN_P, breaks=_BREAKS))
        return finish(b, data, f"USPTO patent {b.patent_number or '(no number)'}", warnings)

    def _add_description(self, b: DocumentBuilder, description: etree._Element | None, warnings: list[str]) -> None:
        heading = "Description"
        for el in (description.iter() if description is not None else ()):
            tag = el.tag
            if tag == "heading":
                heading = text_of(el) or heading
            elif tag == "p" and not any(a.tag == "p" for a in el.iterancestors()):
                b.add_paragraph(text_of(el, skip=_SKIP_IN_P, breaks=_BREAKS), section=heading, kind="description")
                for table in descendants(el, "table"):
                    b.add_table(cals_table(table, id=table.get("id", ""), caption=text_of(first(table, "title")), warnings=warnings))

    def _add_claim(self, b: DocumentBuilder, claim: etree._Element, text: str) -> None:
        number = claim.get("num", "").lstrip("0")
        if number and not re.match(r"^\d+\s*\.", text):
            text = f"{number}. {text}"
        b.add_paragraph(text, section="Claims", kind="claims")

    # --- 2001 pre-grant publications (pap) --------------------------------------------------
    def _read_pap(self, root: etree._Element, data: bytes, source: str, warnings: list[str]) -> Document:
        b = DocumentBuilder(source=source, format=self.name, kind="patent")
        biblio = first(root, "subdoc-bibliographic-information")
        doc_id = first(biblio, "document-id")
        b.patent_number = f"US{text_of(first(doc_id, 'doc-number'))}{text_of(first(doc_id, 'kind-code'))}"
        b.date = parse_date(text_of(first(doc_id, "document-date")))
        b.title = text_of(first(biblio, "title-of-invention"))
        for name in descendants(first(biblio, "inventors"), "name"):
            given = " ".join(x for x in (text_of(first(name, "given-name")), text_of(first(name, "middle-name"))) if x)
            b.authors.append(f"{given} {text_of(first(name, 'family-name'))}".strip())
        for p in descendants(first(root, "subdoc-abstract"), "paragraph"):
            b.add_paragraph(text_of(p, skip=_SKIP_IN_P, breaks=_BREAKS), section="Abstract", kind="abstract")
        heading = "Description"
        for el in (first(root, "subdoc-description").iter() if first(root, "subdoc-description") is not None else ()):
            if el.tag == "heading":
                heading = text_of(el) or heading
            elif el.tag == "paragraph":
                b.add_paragraph(text_of(el, skip=_SKIP_IN_P, breaks=_BREAKS), section=heading, kind="description")
                for table in descendants(el, "table"):
                    b.add_table(cals_table(table, id=table.get("id", ""), caption=text_of(first(table, "title")), warnings=warnings))
        for claim in descendants(first(root, "subdoc-claims"), "claim"):
            self._add_claim(b, claim, text_of(claim, skip=_SKIP_IN_P, breaks=_BREAKS))
        return finish(b, data, f"USPTO application {b.patent_number or '(no number)'}", warnings)

    # --- ST.32 SGML-as-XML grants ------------------------------------------------------------
    def _read_st32(self, root: etree._Element, data: bytes, source: str, warnings: list[str]) -> Document:
        b = DocumentBuilder(source=source, format=self.name, kind="patent")
        biblio = first(root, "SDOBI")
        number = text_of(first(first(biblio, "B110"), "DNUM"))
        kind = text_of(first(biblio, "B130"))
        country = text_of(first(biblio, "B190")) or "US"
        b.patent_number = f"{country}{number}{kind}"
        b.date = parse_date(text_of(first(first(biblio, "B140"), "DATE")))
        b.title = text_of(first(biblio, "B540"))
        for party in descendants(first(biblio, "B720"), "NAM"):
            b.authors.append(f"{text_of(first(party, 'FNM'))} {text_of(first(party, 'SNM'))}".strip())
        for para in descendants(first(root, "SDOAB"), "PARA"):
            b.add_paragraph(text_of(para, skip=_SKIP_IN_P, breaks=_BREAKS), section="Abstract", kind="abstract")
        heading = "Description"
        description = first(root, "SDODE")
        for el in (description.iter() if description is not None else ()):
            if el.tag == "H":
                heading = text_of(el) or heading
            elif el.tag == "PARA" and not any(a.tag == "PARA" for a in el.iterancestors()):
                b.add_paragraph(text_of(el, skip=_SKIP_IN_P, breaks=_BREAKS), section=heading, kind="description")
        for number_, claim in enumerate(descendants(first(root, "SDOCL"), "CLM"), 1):
            text = text_of(claim, skip=_SKIP_IN_P, breaks=_BREAKS)
            claim.set("num", claim.get("ID", "").replace("CLM-", "") or str(number_))
            self._add_claim(b, claim, text)
        return finish(b, data, f"USPTO grant {b.patent_number or '(no number)'}", warnings)


class _Oversized:
    """Stands in for a document of a bulk file that was too large to hold (its bytes are skipped)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit


def iter_xml_parts(handle: BinaryIO, *, max_bytes: int, chunk_size: int = 1 << 20) -> Iterator[bytes | _Oversized]:
    """Stream the documents of a concatenated-XML file, split as `split_concatenated_xml` splits.

    Only the document being assembled is held in memory. One that grows past `max_bytes` is
    reported as `_Oversized` and its bytes are dropped until the next declaration.
    """
    buffer = b""
    skipping = False  # inside an oversized document
    before_first = True  # text before the first declaration is a part of its own (as in split_...)
    while True:
        block = handle.read(chunk_size)
        eof = not block
        buffer += block
        starts = [m.start() for m in _XML_DECL.finditer(buffer)]
        if skipping:
            if not starts:
                if eof:
                    return
                buffer = buffer[-16:]  # may hold the beginning of the next declaration
                continue
            skipping = False
        if starts and starts[0] > 0:
            head = buffer[: starts[0]]
            if before_first and head.strip():
                yield head if len(head) <= max_bytes else _Oversized(max_bytes)
            buffer = buffer[starts[0] :]
            starts = [x - starts[0] for x in starts]
        if starts:
            before_first = False
        for a, b in zip(starts, starts[1:]):
            yield buffer[a:b] if b - a <= max_bytes else _Oversized(max_bytes)
        if starts:
            buffer = buffer[starts[-1] :]
        if eof:
            if buffer.strip():
                yield buffer if len(buffer) <= max_bytes else _Oversized(max_bytes)
            return
        if len(buffer) > max_bytes:
            yield _Oversized(max_bytes)
            skipping, before_first = True, False
            buffer = buffer[-16:]


def split_concatenated_xml(data: bytes) -> list[bytes]:
    """Split a bulk file at each `<?xml ...?>` declaration (one per patent).

    A declaration cannot occur inside a well-formed document (the `xml` target is reserved), so
    every one starts a new document, even right after a document cut off mid-line. Text before
    the first declaration is kept as a part of its own, so junk there is reported, not dropped.
    A file without declarations is one document.
    """
    starts = [m.start() for m in _XML_DECL.finditer(data)]
    if len(starts) <= 1:
        return [data]
    parts = []
    if data[: starts[0]].strip():  # e.g. a bare document without a declaration before the others
        parts.append(data[: starts[0]])
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        parts.append(data[start:end])
    return parts

