"""JATS / NLM article XML: PMC OA `.nxml` and the Springer Nature API (JATS inside `<response>`)."""

from __future__ import annotations

import re
from typing import Iterator

from lxml import etree

from textmine.document import Document, DocumentBuilder
from textmine.readers._markup import (
    children,
    clean,
    descendants,
    finish,
    first,
    html_table,
    make_date,
    parse_xml,
    section_walk,
    strip_namespaces,
    text_of,
)
from textmine.readers.base import ReaderError, readers

# Inline material that is not prose: formulas, floats handled separately, supplementary links.
_SKIP_IN_PARAGRAPH = frozenset(
    {"table-wrap", "fig", "disp-formula", "supplementary-material", "fig-group", "table-wrap-group", "graphic", "media",
     "tex-math", "alternatives", "disp-quote-attrib"}
)
_BREAKS = frozenset({"list-item", "title", "label", "break"})
_PUB_TYPES = ("epub", "ppub", "pub", "collection", "epub-ppub", "")


@readers.register("jats")
class JatsReader:
    name = "jats"

    def sniff(self, head: bytes, filename: str) -> float:
        text = head[:8192]
        if b"<article" not in text or b"<html" in text.lower():
            return 0.0
        if b"JATS" in text or b"-//NLM//DTD" in text or b"<front>" in head or b"<article-meta" in head:
            return 0.95
        return 0.6 if filename.lower().endswith((".nxml", ".xml")) else 0.3

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        warnings: list[str] = []
        root = strip_namespaces(parse_xml(data, what="JATS XML", warnings=warnings))
        articles = [root] if root.tag == "article" else descendants(root, "article")
        if not articles:
            raise ReaderError(f"no <article> element in {root.tag!r} document: not JATS")
        for article in articles[:1] if root.tag == "article" else articles:
            yield self._read_article(article, data, source, warnings)

    def _read_article(self, article: etree._Element, data: bytes, source: str, warnings: list[str]) -> Document:
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        meta = first(article, "article-meta")
        if meta is not None:
            b.title = text_of(first(meta, "article-title"), skip=frozenset({"xref", "fn"}))
            for contrib in descendants(first(meta, "contrib-group"), "contrib"):
                if contrib.get("contrib-type", "author") != "author":
                    continue
                name = first(contrib, "name")
                if name is not None:
                    given = text_of(first(name, "given-names"))
                    surname = text_of(first(name, "surname"))
                    b.authors.append(f"{given} {surname}".strip())
                elif (collab := first(contrib, "collab")) is not None:
                    b.authors.append(text_of(collab))
            for aid in children(meta, "article-id"):
                if aid.get("pub-id-type") == "doi":
                    b.doi = clean(aid.text)
            b.date = _pub_date(meta)
            for abstract in children(meta, "abstract"):
                if abstract.get("abstract-type") in ("graphical", "teaser", "toc"):
                    continue
                self._add_block(b, abstract, "Abstract", "abstract")
        body = first(article, "body")
        if body is not None:
            self._add_block(b, body, "", "body")
        back = first(article, "back")
        for app in descendants(back, "app"):
            self._add_block(b, app, text_of(first(app, "title")) or "Appendix", "body")
        # floats, wherever they sit (body, floats-group, back)
        for wrap in descendants(article, "table-wrap"):
            caption = " ".join(x for x in (text_of(first(wrap, "label")), text_of(first(wrap, "caption"))) if x)
            table = first(wrap, "table")
            if table is not None:
                b.add_table(html_table(table, id=wrap.get("id", ""), caption=caption, warnings=warnings))
            elif caption:
                b.add_figure(caption, id=wrap.get("id", ""))
        for fig in descendants(article, "fig"):
            caption = " ".join(x for x in (text_of(first(fig, "label")), text_of(first(fig, "caption"))) if x)
            b.add_figure(caption, id=fig.get("id", ""))
        return finish(b, data, "JATS article", warnings)

    def _add_block(self, b: DocumentBuilder, el: etree._Element, section: str, kind: str) -> None:
        """Paragraphs of `el` in reading order; a nested <sec> names the section of its paragraphs."""
        for child, title in section_walk(el, section, _opens):
            if child.tag == "p":
                b.add_paragraph(text_of(child, skip=_SKIP_IN_PARAGRAPH, breaks=_BREAKS), section=title, kind=kind)
            elif child.tag == "list":
                for item in descendants(child, "list-item"):
                    b.add_paragraph(text_of(item, skip=_SKIP_IN_PARAGRAPH | {"list"}, breaks=_BREAKS), section=title, kind=kind)


def _opens(child: etree._Element, section: str) -> str | None:
    """The section title inside `child`: its own title for a <sec>, the current one for a block."""
    if child.tag == "sec":
        return (text_of(first(child, "title")) if children(child, "title") else section) or section
    return section if child.tag in ("def-list", "disp-quote", "boxed-text", "statement") else None


def _pub_date(meta: etree._Element) -> object:
    dates = children(meta, "pub-date")
    if not dates:
        return None

    def rank(el: etree._Element) -> int:
        kind = el.get("pub-type") or el.get("date-type") or ""
        return _PUB_TYPES.index(kind) if kind in _PUB_TYPES else len(_PUB_TYPES)

    for el in sorted(dates, key=rank):
        year = text_of(first(el, "year"))
        if re.fullmatch(r"\d{4}", year):
            return make_date(year, text_of(first(el, "month")) or 1, text_of(first(el, "day")) or 1)
    return None
