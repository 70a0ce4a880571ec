"""EPO publication-server patent XML (`<ep-patent-document>`, DTD v1.0 to v1.5.1; A and B documents).

The text comes in several languages: the English claims/abstract are preferred, then the
language of the proceedings (`lang` on the root), then whatever is first.
"""

from __future__ import annotations

from typing import Iterator

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
from textmine.readers.base import readers

_SKIP_IN_P = frozenset({"tables", "maths", "img", "chemistry", "figref-image"})
_BREAKS = frozenset({"li", "dt", "dd", "claim-text", "br"})


@readers.register("epo")
class EpoReader:
    name = "epo"

    def sniff(self, head: bytes, filename: str) -> float:
        return 0.95 if b"<ep-patent-document" in head else 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        warnings: list[str] = []
        root = strip_namespaces(parse_xml(data, what="EPO patent XML", warnings=warnings))
        b = DocumentBuilder(source=source, format=self.name, kind="patent")
        lang = root.get("lang", "en")
        biblio = first(root, "SDOBI")
        number = root.get("doc-number") or text_of(first(biblio, "B110"))
        kind = root.get("kind") or text_of(first(biblio, "B130"))
        b.patent_number = f"{root.get('country', 'EP')}{number}{kind}"
        b.date = parse_date(root.get("date-publ")) or parse_date(text_of(first(first(biblio, "B140"), "date")))
        titles: dict[str, str] = {}
        current = ""
        for el in children(first(biblio, "B540")):
            if el.tag == "B541":
                current = text_of(el)
            elif el.tag == "B542":
                titles.setdefault(current, text_of(el))
        b.title = titles.get("en") or titles.get(lang) or next(iter(titles.values()), "")
        for inventor in descendants(first(biblio, "B720"), "B721"):
            name = text_of(first(inventor, "snm"))
            if name:
                b.authors.append(name)

        abstract = _pick_language(children(root, "abstract"), lang)
        for p in descendants(abstract, "p"):
            b.add_paragraph(text_of(p, skip=_SKIP_IN_P, breaks=_BREAKS), section="Abstract", kind="abstract")
        heading = "Description"
        description = _pick_language(children(root, "description"), lang)
        for el in children(description):
            if el.tag == "heading":
                heading = text_of(el) or heading
            elif el.tag == "p":
                b.add_paragraph(text_of(el, skip=_SKIP_IN_P, breaks=_BREAKS), section=heading, kind="description")
                for table in descendants(el, "table"):
                    b.add_table(cals_table(table, id=table.get("id", ""), caption=text_of(first(table, "title")), warnings=warnings))
        claims = _pick_language(children(root, "claims"), lang)
        for claim in children(claims, "claim"):
            text = text_of(claim, skip=_SKIP_IN_P, breaks=_BREAKS)
            number_ = (claim.get("num") or "").lstrip("0")
            if number_ and not text[:6].strip().startswith(f"{number_}."):
                text = f"{number_}. {text}"
            b.add_paragraph(text, section="Claims", kind="claims")
        yield finish(b, data, f"EP patent {b.patent_number or '(no number)'}", warnings)


def _pick_language(elements: list[etree._Element], lang: str) -> etree._Element | None:
    for wanted in ("en", lang):
        for el in elements:
            if el.get("lang") == wanted:
                return el
    return elements[0] if elements else None
