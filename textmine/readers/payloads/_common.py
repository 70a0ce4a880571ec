"""What the API-payload readers share: strict XML/JSON loading that tells a truncated transfer
(`MalformedPayload`, worth refetching) from a wrong payload, abstract markup flattening, dates and
identifiers, and the title + abstract `Document` every metadata API maps to."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any, Iterable

from lxml import etree

from textmine.document import Document, DocumentBuilder
from textmine.readers.base import ReaderError

_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)", re.I)
_ARXIV_ABS = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", re.I)
ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
TAG = re.compile(r"<[^>]+>")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)


class MalformedPayload(ReaderError):
    """The bytes are not well-formed XML/JSON: often a truncated transfer, so worth refetching."""


def xml_payload(data: bytes, what: str) -> etree._Element:
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedPayload(f"malformed {what} XML: {exc}") from None
    if root is None:
        raise MalformedPayload(f"empty {what} payload")
    return root


def json_payload(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPayload(f"malformed {what} JSON: {exc}") from None


def element_text(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def parse_date(value: str | None) -> dt.date | None:
    """ISO dates and datetimes, 'YYYY-MM', 'YYYY', RFC-2822 ('Mon, 2 Apr 2007 19:18:42 GMT')."""
    if not value:
        return None
    value = value.strip()
    m = re.match(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        except ValueError:
            return None
    try:
        import email.utils

        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


def date_parts(obj: dict[str, Any] | None) -> dt.date | None:
    parts = (obj or {}).get("date-parts") or [[]]
    first = parts[0] if parts else []
    if not first or first[0] is None:
        return None
    year, month, day = (list(first) + [1, 1])[:3]
    try:
        return dt.date(int(year), int(month or 1), int(day or 1))
    except (TypeError, ValueError):
        return None


_HEADINGS = {"title", "h1", "h2", "h3", "h4", "h5", "h6", "label"}
_BLOCKS = {"p", "div", "sec", "br", "li", "para", "abstract"}
_BREAK = "\x00"


def strip_markup(fragment: str) -> list[str]:
    """Paragraphs of an abstract given as JATS or HTML markup (Crossref, Europe PMC).

    Headings ('Abstract', 'Background') are dropped; block elements (<p>, <sec>, <br>) separate
    paragraphs; inline markup (<sub>, <italic>) is removed without adding spaces, so
    'Cs<sub>2</sub>AgBiBr<sub>6</sub>' stays the formula 'Cs2AgBiBr6'.
    """
    if not fragment:
        return []
    if "<" not in fragment:
        text = " ".join(html.unescape(fragment).split())
        return [text] if text else []
    wrapped = (
        '<root xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1" xmlns:mml="http://www.w3.org/1998/Math/MathML" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">' + fragment + "</root>"
    )
    try:
        root = etree.fromstring(wrapped.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:  # HTML entities (&deg;), unclosed tags: the lenient HTML parser copes
        from lxml import html as lxml_html

        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    parts: list[str] = []
    _walk(root, parts)
    return [t for t in (" ".join(p.split()) for p in "".join(parts).split(_BREAK)) if t]


def _walk(el: etree._Element, parts: list[str]) -> None:
    name = etree.QName(el).localname.lower().split(":")[-1] if isinstance(el.tag, str) else ""
    if name in _HEADINGS:
        parts.append(_BREAK)
        return
    if name in _BLOCKS:
        parts.append(_BREAK)
    if isinstance(el.tag, str):
        parts.append(el.text or "")
        for child in el:
            _walk(child, parts)
            parts.append(child.tail or "")
    if name in _BLOCKS:
        parts.append(_BREAK)


def abstract_document(
    *, source: str, format: str, title: str, abstract: Iterable[str], authors: Iterable[str] = (),
    doi: str | None = None, arxiv_id: str | None = None, date: dt.date | None = None, raw: bytes | str,
) -> Document:
    builder = DocumentBuilder(source=source, format=format)
    builder.title = title
    builder.authors = [a for a in authors if a]
    builder.doi = doi
    builder.arxiv_id = arxiv_id
    builder.date = date
    builder.add_paragraph(title, section="Title", kind="title")
    for paragraph in abstract:
        builder.add_paragraph(paragraph, section="Abstract", kind="abstract")
    return builder.build(raw=raw)


def arxiv_id_from(value: str | None) -> str | None:
    """'http://arxiv.org/abs/cond-mat/0603029v1' -> 'cond-mat/0603029' (version dropped)."""
    if not value:
        return None
    value = value.strip()
    m = _ARXIV_ABS.search(value)
    ident = m.group(1) if m else re.sub(r"^arxiv:", "", value, flags=re.I)
    ident = re.sub(r"v\d+$", "", ident)
    return ident or None


def doi_from(value: str | None) -> str | None:
    if not value:
        return None
    m = _DOI.search(value)
    return m.group(1).rstrip(".,;") if m else None



def int_or(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default
