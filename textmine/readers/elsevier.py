"""Elsevier full-text XML, both forms: the Article Retrieval API (`<full-text-retrieval-response>`)
and the normalised OA-STM corpus files (`<xocs:doc>`). Both wrap the same `ce:`/`ja:` article."""

from __future__ import annotations

from typing import Iterator

from lxml import etree

from textmine.document import Document, DocumentBuilder
from textmine.readers._markup import (
    cals_table,
    children,
    clean,
    descendants,
    finish,
    first,
    parse_date,
    parse_xml,
    section_walk,
    strip_namespaces,
    text_of,
)
from textmine.readers.base import ReaderError, readers

_SKIP_IN_PARA = frozenset({"display", "float-anchor", "formula", "figure", "table", "e-component", "textbox"})
_BREAKS = frozenset({"list-item", "label", "br"})
_ARTICLE_TAGS = ("article", "converted-article", "simple-article", "book-review", "chapter", "simple-chapter")


@readers.register("elsevier")
class ElsevierReader:
    name = "elsevier"

    def sniff(self, head: bytes, filename: str) -> float:
        if b"<full-text-retrieval-response" in head or (b"<xocs:doc" in head and b"elsevier.com/xml" in head):
            return 0.95
        if b"http://www.elsevier.com/xml/ja/dtd" in head or b"http://www.elsevier.com/xml/common/dtd" in head:
            return 0.7
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        warnings: list[str] = []
        root = strip_namespaces(parse_xml(data, what="Elsevier XML", warnings=warnings))
        article = first(root, *_ARTICLE_TAGS)
        if article is None:
            raise ReaderError(
                f"no article element ({', '.join(_ARTICLE_TAGS)}) in Elsevier XML {root.tag!r}: "
                "the API response may be metadata-only (request view=FULL)"
            )
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        coredata = first(root, "coredata")
        head = first(article, "head")
        b.title = text_of(first(head, "title"), skip=frozenset({"cross-ref", "footnote"})) or text_of(first(coredata, "title"))
        for author in descendants(first(head, "author-group"), "author"):
            name = f"{text_of(first(author, 'given-name'))} {text_of(first(author, 'surname'))}".strip()
            if name:
                b.authors.append(name)
        if not b.authors and coredata is not None:
            b.authors = [text_of(c) for c in children(coredata, "creator")]
        b.doi = text_of(first(first(root, "item-info"), "doi")) or text_of(first(coredata, "doi")) or text_of(first(root, "doi"))
        b.date = (
            parse_date(text_of(first(coredata, "coverDate")))
            or parse_date(text_of(first(root, "cover-date-start")))
            or parse_date(text_of(first(root, "available-online-date")))
            or parse_date(text_of(first(root, "cover-date-text")))
        )
        for abstract in children(head, "abstract"):
            cls = abstract.get("class", "author")
            if cls == "graphical":
                continue
            title = "Highlights" if cls == "author-highlights" else text_of(first(abstract, "section-title")) or "Abstract"
            for sec in descendants(abstract, "abstract-sec"):
                self._add_paras(b, sec, title, "abstract")
        body = first(article, "body")
        sections = first(body, "sections")
        if sections is not None:
            self._add_sections(b, sections, "")
        elif body is not None:
            self._add_paras(b, body, "", "body")
        self._add_floats(b, article, warnings)
        yield finish(b, data, "Elsevier article", warnings)

    def _add_sections(self, b: DocumentBuilder, el: etree._Element, title: str) -> None:
        """Paragraphs of nested sections in reading order, each under its section's title."""
        for child, current in section_walk(el, title, _opens):
            if child.tag in ("para", "simple-para"):
                b.add_paragraph(text_of(child, skip=_SKIP_IN_PARA, breaks=_BREAKS), section=current, kind="body")

    def _add_paras(self, b: DocumentBuilder, el: etree._Element, title: str, kind: str) -> None:
        for para in descendants(el, "para", "simple-para"):
            # nested paras (list items) are part of their outer paragraph's text
            if any(a.tag in ("para", "simple-para") for a in para.iterancestors()):
                continue
            b.add_paragraph(text_of(para, skip=_SKIP_IN_PARA, breaks=_BREAKS), section=title, kind=kind)

    def _add_floats(self, b: DocumentBuilder, article: etree._Element, warnings: list[str]) -> None:
        for fig in descendants(article, "figure"):
            caption = " ".join(x for x in (text_of(first(fig, "label")), text_of(first(fig, "caption"))) if x)
            b.add_figure(caption, id=fig.get("id", ""))
        for table in descendants(article, "table"):
            caption = " ".join(x for x in (text_of(first(table, "label")), text_of(first(table, "caption"))) if x)
            if first(table, "tgroup") is not None:
                b.add_table(cals_table(table, id=table.get("id", ""), caption=caption, cell_skip=frozenset({"cross-ref"}),
                                       warnings=warnings))
            else:
                b.add_figure(clean(caption), id=table.get("id", ""))


def _opens(child: etree._Element, title: str) -> str | None:
    if child.tag != "section":
        return None
    return (text_of(first(child, "section-title")) if children(child, "section-title") else title) or title
