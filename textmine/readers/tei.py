"""GROBID TEI XML (`<TEI xmlns="http://www.tei-c.org/ns/1.0">`): the output of the GROBID PDF parser.

Users who already run GROBID over their PDFs get better structure from its TEI (real paragraphs,
section heads, table cells) than from our own PDF reader, so the TEI is a first-class input.
Only the header's own identifiers are read: the DOIs in <listBibl> belong to the references.
"""

from __future__ import annotations

from typing import Iterator

from lxml import etree

from textmine.document import Document, DocumentBuilder, Table
from textmine.readers._markup import (
    children,
    clean,
    descendants,
    finish,
    first,
    parse_date,
    parse_xml,
    strip_namespaces,
    table_from_rows,
    text_of,
)
from textmine.readers.base import ReaderError, readers


@readers.register("tei")
class TeiReader:
    name = "tei"

    def sniff(self, head: bytes, filename: str) -> float:
        if b"http://www.tei-c.org/ns/1.0" in head and b"<TEI" in head:
            return 0.95
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        warnings: list[str] = []
        root = strip_namespaces(parse_xml(data, what="TEI XML", warnings=warnings))
        if root.tag != "TEI":
            raise ReaderError(f"root element is <{root.tag}>, not <TEI>")
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        header = first(root, "teiHeader")
        bibl = first(first(header, "sourceDesc"), "biblStruct")
        b.title = text_of(first(first(header, "titleStmt"), "title")) or text_of(first(first(bibl, "analytic"), "title"))
        for author in descendants(first(bibl, "analytic"), "author"):
            name = first(author, "persName")
            if name is not None:
                b.authors.append(" ".join(x for x in (text_of(f) for f in descendants(name, "forename", "surname")) if x))
        for idno in descendants(bibl, "idno"):
            if (idno.get("type") or "").upper() == "DOI":
                b.doi = clean(idno.text)
        for date in descendants(first(header, "publicationStmt"), "date") + descendants(bibl, "date"):
            if b.date is None:
                b.date = parse_date(date.get("when") or text_of(date))
        for abstract in descendants(first(header, "profileDesc"), "abstract"):
            for p in descendants(abstract, "p"):
                b.add_paragraph(text_of(p, skip=frozenset({"formula"})), section="Abstract", kind="abstract")
        body = first(first(root, "text"), "body")
        for div in children(body, "div"):
            head = first(div, "head")
            title = " ".join(x for x in ((head.get("n") or "") if head is not None else "", text_of(head)) if x)
            for p in children(div, "p"):
                b.add_paragraph(text_of(p, skip=frozenset({"formula"})), section=title, kind="body")
        for figure in descendants(first(root, "text"), "figure"):
            caption = " ".join(x for x in (text_of(first(figure, "head")), text_of(first(figure, "figDesc"))) if x)
            table = first(figure, "table")
            if figure.get("type") == "table" and table is not None and len(table):
                b.add_table(_tei_table(table, figure.get("{http://www.w3.org/XML/1998/namespace}id", ""), caption, warnings))
            else:
                b.add_figure(caption, id=figure.get("{http://www.w3.org/XML/1998/namespace}id", ""))
        yield finish(b, data, "TEI document", warnings)


def _tei_table(table: etree._Element, id: str, caption: str, warnings: list[str]) -> Table:
    """TEI `row`/`cell`, spans in `cols`/`rows`, header rows and cells marked role="label"."""
    return table_from_rows(
        ((row, row.get("role") == "label") for row in children(table, "row")),
        lambda row: children(row, "cell"),
        colspan_of=lambda cell: _int(cell.get("cols")),
        rowspan_of=lambda cell: _int(cell.get("rows")),
        header_cell=lambda cell: cell.get("role") == "label",
        id=id,
        caption=caption,
        warnings=warnings,
    )


def _int(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1
