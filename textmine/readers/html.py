"""Publisher article web pages: RSC (pubs.rsc.org) and ACS (pubs.acs.org, Atypon platform).

Each page is mostly navigation; only the article container is read. A page from the same site
that is not an article (a search result list, a table of contents) is refused with a
ReaderError saying so, rather than turned into a bogus document of menu text.
"""

from __future__ import annotations

import re
from typing import Iterator

import lxml.html
from lxml import etree

from textmine.document import Document, DocumentBuilder
from textmine.readers._encoding import decode_text
from textmine.readers._markup import clean, finish, html_table, parse_date, text_of
from textmine.readers.base import ReaderError, readers

_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)
_REFERENCES = re.compile(r"^\s*(notes and )?references?(\s+and notes)?\s*$", re.I)
_INLINE = {"span", "a", "i", "b", "em", "strong", "sub", "sup", "small", "big", "u", "font", "img", "text", "abbr", "cite", "code"}


def parse_html(data: bytes, source: str, warnings: list[str] | None = None) -> etree._Element:
    """Decode with the page's declared charset (UTF-8 otherwise), then parse leniently as HTML."""
    declared = _CHARSET.search(data[:4096])
    text = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text = decode_text(data, what="HTML page", warnings=warnings)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as err:
        raise ReaderError(f"HTML page cannot be parsed: {err}") from None
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return root


def _meta(root: etree._Element, *names: str) -> list[str]:
    wanted = {n.lower() for n in names}
    return [clean(m.get("content")) for m in root.iter("meta") if (m.get("name") or "").lower() in wanted and clean(m.get("content"))]


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el: etree._Element) -> str:
    return text_of(el, skip=frozenset({"script", "style"}), breaks=frozenset({"br", "p", "div", "li", "td", "th"}))


@readers.register("rsc_html")
class RscHtmlReader:
    name = "rsc_html"

    def sniff(self, head: bytes, filename: str) -> float:
        lower = head.lower()
        if b"<html" not in lower and b"<!doctype html" not in lower:
            return 0.0
        if b"rsc publishing" in lower or b"pubs.rsc.org" in lower:
            return 0.95
        if b"royal society of chemistry" in lower:
            return 0.6
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        warnings: list[str] = []
        root = parse_html(data, source, warnings)
        wrapper = root.get_element_by_id("wrapper", None)
        if wrapper is None or not wrapper.xpath(".//p[contains(@class,'abstract') or contains(@class,'otherpara')]"):
            page_title = clean(root.findtext(".//title") or "")
            raise ReaderError(
                "RSC page has no article text (no abstract or body paragraphs"
                f"{'; page title ' + repr(page_title[:80]) if page_title else ''}): "
                "it looks like a search-results or listing page, not an article; fetch the article's HTML instead"
            )
        for ref in wrapper.xpath(".//span[contains(@class,'sup_ref')]"):
            ref.drop_tree()  # citation numbers would glue onto the words and numbers they follow
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        # the page heading keeps formulas intact ("Ni<sub>12</sub>P<sub>5</sub>" -> "Ni12P5"); the
        # meta tag has them spaced out ("Ni 12 P 5"), so it is only the fallback
        h1 = wrapper.find(".//h1")
        heading = _text(h1).rstrip("†‡*§ ") if h1 is not None else ""
        b.title = heading or next(iter(_meta(root, "citation_title", "DC.title")), "")
        b.authors = [a.replace("\xa0", " ") for a in _meta(root, "citation_author")] or [
            a.replace("\xa0", " ") for a in _meta(root, "DC.Creator")
        ]
        b.doi = next(iter(_meta(root, "citation_doi", "DC.Identifier")), None)
        b.date = parse_date(next(iter(_meta(root, "DC.Date", "citation_publication_date", "citation_online_date")), ""))
        if b.date is None:
            published = wrapper.xpath(".//p[contains(., 'First published')]")
            b.date = parse_date(_text(published[0])) if published else parse_date(next(iter(_meta(root, "citation_date")), ""))
        self._read_wrapper(b, wrapper, warnings)
        yield finish(b, data, "RSC article", warnings)

    def _read_wrapper(self, b: DocumentBuilder, wrapper: etree._Element, warnings: list[str]) -> None:
        """The RSC article is a flat run of siblings: headings, paragraphs (p, bare spans and
        text), figure holders, table captions followed by their table."""
        section, kind = "", "body"
        running: list[str] = []  # inline pieces of a paragraph that is not wrapped in a <p>
        pending_caption: str | None = None

        def flush() -> None:
            if running:
                b.add_paragraph("".join(running), section=section, kind=kind)
                running.clear()

        for el in wrapper:
            if not isinstance(el.tag, str):
                continue
            tag, cls = el.tag, _classes(el)
            if tag in ("h2", "h3", "h4", "h5"):
                flush()
                title = _text(el)
                if _REFERENCES.match(title) or title.lower() in ("footnote", "footnotes"):
                    break
                section, kind = title, "body"
            elif tag == "h1":
                flush()
            elif tag == "p":
                flush()
                if "abstract" in cls:
                    b.add_paragraph(_text(el), section="Abstract", kind="abstract")
                elif "otherpara" in cls or not cls:
                    b.add_paragraph(_text(el), section=section, kind=kind)
            elif tag == "div" and "image_table" in cls:
                flush()
                for caption in el.xpath(".//td[contains(@class,'image_title')]"):
                    b.add_figure(_text(caption))
            elif tag == "div" and "table_caption" in cls:
                flush()
                pending_caption = _text(el)
            elif (tag == "table" or (tag == "div" and "rtable__wrapper" in cls)) and pending_caption is not None:
                flush()
                table = el if tag == "table" else el.find(".//table")
                if table is not None:
                    b.add_table(html_table(table, caption=pending_caption, cell_skip=frozenset({"a"}), warnings=warnings))
                pending_caption = None
            elif tag == "div" and not cls and el.get("id") is None:
                flush()  # old-style RSC experimental sub-paragraphs ("Magnetic measurements. The ...")
                b.add_paragraph(_text(el), section=section, kind=kind)
            elif tag == "span" and any(_REFERENCES.match(_text(h)) for h in el.iter("h2", "h3")):
                break  # the reference list, wrapped in a span with its heading
            elif tag == "span" and not cls:  # new-style RSC: a bare <span> is one paragraph
                flush()
                running.append(el.text_content())
            elif tag in _INLINE:  # old-style RSC: inline runs (and tails) between blocks are prose
                running.append(el.text_content())
            else:
                flush()
            if el.tail and (el.tail.strip() or running):
                running.append(el.tail)
        flush()


@readers.register("acs_html")
class AcsHtmlReader:
    name = "acs_html"

    def sniff(self, head: bytes, filename: str) -> float:
        lower = head.lower()
        if b"<html" not in lower and b"<!doctype html" not in lower:
            return 0.0
        if b"pubs.acs.org" in lower or b"achs/journals" in lower:
            return 0.9
        if b"american chemical society" in lower:  # also cited in other publishers' pages: weaker
            return 0.5
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        warnings: list[str] = []
        root = parse_html(data, source, warnings)
        fulltext = root.xpath("//div[contains(concat(' ', @class, ' '), ' hlFld-Fulltext ')]")
        abstract = root.xpath("//div[@id='abstractBox']")
        if not fulltext and not abstract:
            raise ReaderError(
                "ACS page has no article text (no abstract or full-text container): "
                "it is not an article page, or only the abstract page was saved"
            )
        for ref in root.xpath("//a[contains(concat(' ', @class, ' '), ' ref ')][contains(@onclick, 'showRef') or starts-with(@href, '#ref')]"):
            ref.drop_tree()  # "(5)" citation markers; links to schemes and figures keep their text
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        title = root.xpath("//h1[contains(@class,'articleTitle')]")
        b.title = _text(title[0]) if title else next(iter(_meta(root, "dc.Title", "citation_title")), "")
        b.authors = _meta(root, "dc.Creator", "citation_author")
        b.doi = next(iter(_meta(root, "dc.Identifier", "citation_doi")), None)
        b.date = parse_date(next(iter(_meta(root, "dc.Date", "citation_publication_date")), ""))
        for box in abstract[:1]:
            paras = box.xpath(".//p") or [box]
            for p in paras:
                b.add_paragraph(_text(p), section="Abstract", kind="abstract")
        for container in fulltext[:1]:
            self._read_sections(b, container, "", warnings)
        yield finish(b, data, "ACS article", warnings)

    def _read_sections(self, b: DocumentBuilder, el: etree._Element, section: str, warnings: list[str]) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            cls = _classes(child)
            if "NLM_back" in cls:  # acknowledgments, abbreviations, references
                continue
            if "NLM_sec" in cls:
                heading = child.find("h2")
                if heading is None:
                    heading = next((c for c in child if "title2" in _classes(c) or c.tag in ("h3", "h4")), None)
                title = _text(heading) if heading is not None else section
                if _REFERENCES.match(title):
                    continue
                self._read_sections(b, child, title, warnings)
            elif "NLM_p" in cls:
                b.add_paragraph(self._paragraph_text(child), section=section, kind="body")
                self._read_floats(b, child, warnings)
            elif "figure" in cls or "NLM_table-wrap" in cls:
                self._read_floats(b, child, warnings, include_self=True)
            elif child.tag == "div" and not cls & {"anchors", "hlFld-FigureCaption"}:
                self._read_sections(b, child, section, warnings)

    @staticmethod
    def _paragraph_text(p: etree._Element) -> str:
        clone = lxml.html.fromstring(lxml.html.tostring(p))
        for float_ in clone.xpath(".//div[contains(@class,'figure') or contains(@class,'NLM_table-wrap')]"):
            float_.drop_tree()
        return _text(clone)

    def _read_floats(self, b: DocumentBuilder, el: etree._Element, warnings: list[str], include_self: bool = False) -> None:
        candidates = ([el] if include_self else []) + el.xpath(
            ".//div[contains(concat(' ', @class, ' '), ' figure ') or contains(@class,'NLM_table-wrap')]"
        )
        for node in candidates:
            caption_el = node.xpath(".//div[contains(@class,'hlFld-FigureCaption')]")
            caption = _text(caption_el[0]) if caption_el else ""
            table = node.find(".//table")
            if "NLM_table-wrap" in _classes(node) and table is not None:
                b.add_table(html_table(table, id=node.get("id", ""), caption=caption, cell_skip=frozenset({"a"}), warnings=warnings))
            elif caption:
                b.add_figure(caption, id=node.get("id", ""))
