"""Readers for the payloads harvesting APIs return: arXiv Atom, OAI-PMH, Crossref works JSON,
Semantic Scholar Graph JSON and Europe PMC search JSON.

They are ordinary readers, registered in `textmine.readers.base.readers`, so a payload kept in the
raw store (or any file on disk) is detected and re-parsed like a JATS or USPTO file. Each format
also has a `parse_*` function returning the page's paging state (total, next cursor, resumption
token) that the source adapters need and a `Document` cannot carry.

Metadata APIs give abstracts, not full text: their documents hold a title and an abstract
section, with DOI / arXiv id / date so de-duplication and linking work across sources.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from lxml import etree

from textmine.document import Document, DocumentBuilder, content_hash
from textmine.readers.base import ReaderError, readers

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ARXIV_OAI = "{http://arxiv.org/OAI/arXiv/}"
ARXIV_RAW = "{http://arxiv.org/OAI/arXivRaw/}"

_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)", re.I)
_ARXIV_ABS = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", re.I)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_TAG = re.compile(r"<[^>]+>")

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


def _text(el: etree._Element | None) -> str:
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


def _date_parts(obj: dict[str, Any] | None) -> dt.date | None:
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


def _abstract_document(
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


# -- arXiv API (Atom) ----------------------------------------------------------------------------


@dataclass
class AtomPage:
    documents: list[Document]
    total: int
    start: int
    per_page: int
    entries: int


def parse_arxiv_atom(data: bytes, source: str) -> AtomPage:
    root = xml_payload(data, "arXiv Atom")
    if root.tag != f"{ATOM}feed":
        raise ReaderError(f"not an Atom feed (root element {root.tag!r})")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:  # the API reports bad queries as a feed with one 'Error' entry
        if "/api/errors" in (entry.findtext(f"{ATOM}id") or ""):
            raise ReaderError(f"arXiv API error: {_text(entry.find(f'{ATOM}summary')) or 'unknown'}")
    documents = []
    for entry in entries:
        abs_url = (entry.findtext(f"{ATOM}id") or "").strip()
        documents.append(
            _abstract_document(
                source=abs_url or source,
                format="arxiv-atom",
                title=_text(entry.find(f"{ATOM}title")),
                abstract=[_text(entry.find(f"{ATOM}summary"))],
                authors=[_text(a.find(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")],
                doi=(entry.findtext(f"{ARXIV}doi") or "").strip() or None,
                arxiv_id=arxiv_id_from(abs_url),
                date=parse_date(entry.findtext(f"{ATOM}published")),
                raw=etree.tostring(entry),
            )
        )
    return AtomPage(
        documents=documents,
        total=_int(root.findtext(f"{OPENSEARCH}totalResults"), len(entries)),
        start=_int(root.findtext(f"{OPENSEARCH}startIndex"), 0),
        per_page=_int(root.findtext(f"{OPENSEARCH}itemsPerPage"), len(entries)),
        entries=len(entries),
    )


@readers.register("arxiv-atom")
class ArxivAtomReader:
    name = "arxiv-atom"

    def sniff(self, head: bytes, filename: str) -> float:
        if b"http://www.w3.org/2005/Atom" in head and b"<feed" in head:
            return 0.95 if b"arxiv" in head.lower() else 0.4
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_arxiv_atom(data, source).documents


# -- OAI-PMH ---------------------------------------------------------------------------------------


class OaiError(ReaderError):
    """An OAI-PMH <error code="..."> response; `code` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"OAI-PMH error {code}: {message}" if message else f"OAI-PMH error {code}")
        self.code = code


@dataclass
class OaiPage:
    documents: list[Document]
    token: str | None
    complete_list_size: int | None
    records: int
    deleted: int
    max_datestamp: str | None
    identifiers: list[str] = field(default_factory=list)


def parse_oai(data: bytes, source: str) -> OaiPage:
    root = xml_payload(data, "OAI-PMH")
    if root.tag != f"{OAI}OAI-PMH":
        raise ReaderError(f"not an OAI-PMH response (root element {root.tag!r})")
    errors = root.findall(f"{OAI}error")
    if errors:
        raise OaiError(errors[0].get("code", "unknown"), _text(errors[0]))
    documents: list[Document] = []
    records = deleted = 0
    datestamps: list[str] = []
    identifiers: list[str] = []
    for header in root.iter(f"{OAI}header"):
        stamp = (header.findtext(f"{OAI}datestamp") or "").strip()
        if stamp:
            datestamps.append(stamp)
        ident = (header.findtext(f"{OAI}identifier") or "").strip()
        if ident:
            identifiers.append(ident)
    for record in root.iter(f"{OAI}record"):
        records += 1
        header = record.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            deleted += 1
            continue
        metadata = record.find(f"{OAI}metadata")
        if metadata is None or not len(metadata):
            continue
        ident = (header.findtext(f"{OAI}identifier") or "").strip() if header is not None else ""
        doc = _oai_document(metadata[0], ident or source, etree.tostring(record))
        if doc is not None:
            documents.append(doc)
    token_el = root.find(f".//{OAI}resumptionToken")
    token = (token_el.text or "").strip() if token_el is not None else ""
    size = token_el.get("completeListSize") if token_el is not None else None
    return OaiPage(
        documents=documents,
        token=token or None,  # an empty token marks the last page of a list
        complete_list_size=int(size) if size and size.isdigit() else None,
        records=records,
        deleted=deleted,
        max_datestamp=max(datestamps) if datestamps else None,
        identifiers=identifiers,
    )


def _oai_document(meta: etree._Element, source: str, raw: bytes) -> Document | None:
    tag = meta.tag
    if tag == f"{OAI_DC}dc":
        idents = [_text(i) for i in meta.findall(f"{DC}identifier")]
        doi = next((d for d in (doi_from(i) for i in idents if "doi" in i.lower() or i.startswith("10.")) if d), None)
        arxiv = next((arxiv_id_from(i) for i in idents if "arxiv.org/abs/" in i), None)
        dates = [_text(d) for d in meta.findall(f"{DC}date")]
        return _abstract_document(
            source=source, format="oai-pmh", raw=raw,
            title=_text(meta.find(f"{DC}title")),
            abstract=[_text(d) for d in meta.findall(f"{DC}description")],
            authors=[_text(c) for c in meta.findall(f"{DC}creator")],
            doi=doi, arxiv_id=arxiv, date=parse_date(dates[0]) if dates else None,
        )
    if tag == f"{ARXIV_OAI}arXiv":
        authors = []
        for author in meta.iter(f"{ARXIV_OAI}author"):
            parts = [author.findtext(f"{ARXIV_OAI}forenames"), author.findtext(f"{ARXIV_OAI}keyname"),
                     author.findtext(f"{ARXIV_OAI}suffix")]
            authors.append(" ".join(p.strip() for p in parts if p and p.strip()))
        return _abstract_document(
            source=source, format="oai-pmh", raw=raw,
            title=_text(meta.find(f"{ARXIV_OAI}title")),
            abstract=[_text(meta.find(f"{ARXIV_OAI}abstract"))],
            authors=authors,
            doi=(meta.findtext(f"{ARXIV_OAI}doi") or "").split()[0] if meta.findtext(f"{ARXIV_OAI}doi") else None,
            arxiv_id=arxiv_id_from(meta.findtext(f"{ARXIV_OAI}id")),
            date=parse_date(meta.findtext(f"{ARXIV_OAI}created")),
        )
    if tag == f"{ARXIV_RAW}arXivRaw":
        first_version = meta.find(f"{ARXIV_RAW}version/{ARXIV_RAW}date")
        authors = re.split(r",\s*|\s+and\s+", _text(meta.find(f"{ARXIV_RAW}authors")))
        return _abstract_document(
            source=source, format="oai-pmh", raw=raw,
            title=_text(meta.find(f"{ARXIV_RAW}title")),
            abstract=[_text(meta.find(f"{ARXIV_RAW}abstract"))],
            authors=authors,
            doi=(meta.findtext(f"{ARXIV_RAW}doi") or "").split()[0] if meta.findtext(f"{ARXIV_RAW}doi") else None,
            arxiv_id=arxiv_id_from(meta.findtext(f"{ARXIV_RAW}id")),
            date=parse_date(first_version.text if first_version is not None else None),
        )
    return None  # a metadata format we do not map; the record is still counted


@readers.register("oai-pmh")
class OaiPmhReader:
    name = "oai-pmh"

    def sniff(self, head: bytes, filename: str) -> float:
        return 0.95 if b"<OAI-PMH" in head and b"openarchives.org/OAI/2.0" in head else 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_oai(data, source).documents


# -- Crossref REST /works -----------------------------------------------------------------------------


@dataclass
class CrossrefPage:
    documents: list[Document]
    next_cursor: str | None
    total: int
    items: int


def parse_crossref(data: bytes, source: str) -> CrossrefPage:
    payload = json_payload(data, "Crossref")
    if not isinstance(payload, dict) or "message-type" not in payload:
        raise ReaderError("not a Crossref REST response (no 'message-type')")
    if payload.get("status") != "ok":
        raise ReaderError(f"Crossref error response: {str(payload.get('message'))[:300]}")
    kind = payload["message-type"]
    message = payload.get("message") or {}
    if kind == "work-list":
        items = message.get("items") or []
    elif kind == "work":
        items = [message]
    else:
        raise ReaderError(f"Crossref message-type {kind!r} holds no works")
    documents = [doc for doc in (crossref_work(item, source) for item in items) if doc is not None]
    return CrossrefPage(
        documents=documents,
        next_cursor=message.get("next-cursor"),
        total=int(message.get("total-results") or len(items)),
        items=len(items),
    )


def crossref_work(item: dict[str, Any], source: str) -> Document | None:
    doi = item.get("DOI")
    # Crossref titles carry JATS inline markup (<scp>, <i>, <sub>): keep the text only.
    title = html.unescape(_TAG.sub("", " ".join(item.get("title") or [])))
    if not doi and not title:
        return None
    authors = []
    for a in item.get("author") or []:
        name = " ".join(x for x in (a.get("given"), a.get("family")) if x) or a.get("name") or ""
        authors.append(name)
    date = None
    for field_name in ("published-print", "published-online", "published", "issued", "created"):
        if date := _date_parts(item.get(field_name)):
            break
    arxiv = None
    m = _ARXIV_DOI.match(doi or "")
    if m:
        arxiv = m.group(1)
    for rel in (item.get("relation") or {}).get("has-preprint") or []:
        ident, kind = str(rel.get("id", "")), rel.get("id-type")
        if kind == "arxiv":
            arxiv = arxiv_id_from(ident)
        elif kind == "doi" and (m := _ARXIV_DOI.match(ident)):
            arxiv = m.group(1)
    return _abstract_document(
        source=f"https://doi.org/{doi}" if doi else source,
        format="crossref-json",
        title=title,
        abstract=strip_markup(item.get("abstract") or ""),
        authors=authors,
        doi=doi,
        arxiv_id=arxiv,
        date=date,
        raw=json.dumps(item, sort_keys=True),
    )


@readers.register("crossref-json")
class CrossrefReader:
    name = "crossref-json"

    def sniff(self, head: bytes, filename: str) -> float:
        stripped = head.lstrip()
        if stripped[:1] == b"{" and b'"message-type"' in head and b'"work' in head:
            return 0.95
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_crossref(data, source).documents


# -- Semantic Scholar Graph API -------------------------------------------------------------------------


@dataclass
class S2Page:
    documents: list[Document]
    token: str | None
    next_offset: int | None
    total: int | None
    items: int
    missing: list[int] = field(default_factory=list)  # positions of requested ids a batch did not find


def parse_semantic_scholar(data: bytes, source: str) -> S2Page:
    payload = json_payload(data, "Semantic Scholar")
    if isinstance(payload, list):  # POST /paper/batch: one entry per requested id, null if unknown
        papers = [p for p in payload if isinstance(p, dict)]
        return S2Page(
            documents=[d for d in (s2_paper(p, source) for p in papers) if d],
            token=None, next_offset=None, total=len(payload), items=len(payload),
            missing=[i for i, p in enumerate(payload) if p is None],
        )
    if not isinstance(payload, dict):
        raise ReaderError("not a Semantic Scholar response")
    if "data" in payload:
        items = []
        for entry in payload.get("data") or []:
            if isinstance(entry, dict):
                items.append(entry.get("citedPaper") or entry.get("citingPaper") or entry)
        return S2Page(
            documents=[d for d in (s2_paper(p, source) for p in items) if d],
            token=payload.get("token"),
            next_offset=payload.get("next"),
            total=payload.get("total"),
            items=len(items),
        )
    if "paperId" in payload:
        doc = s2_paper(payload, source)
        return S2Page(documents=[doc] if doc else [], token=None, next_offset=None, total=1, items=1)
    message = payload.get("error") or payload.get("message")
    if message:
        raise ReaderError(f"Semantic Scholar error response: {str(message)[:300]}")
    raise ReaderError(f"not a Semantic Scholar paper response (keys: {', '.join(list(payload)[:8])})")


def s2_paper(paper: dict[str, Any], source: str) -> Document | None:
    title = paper.get("title") or ""
    abstract = paper.get("abstract") or ""
    if not title and not abstract:
        return None  # a paper asked for without text fields: nothing to mine
    ext = paper.get("externalIds") or {}
    date = parse_date(paper.get("publicationDate")) or (
        dt.date(int(paper["year"]), 1, 1) if str(paper.get("year") or "").isdigit() else None
    )
    pid = paper.get("paperId")
    return _abstract_document(
        source=paper.get("url") or (f"https://www.semanticscholar.org/paper/{pid}" if pid else source),
        format="semantic-scholar-json",
        title=title,
        abstract=[abstract],
        authors=[a.get("name", "") for a in paper.get("authors") or [] if isinstance(a, dict)],
        doi=ext.get("DOI"),
        arxiv_id=arxiv_id_from(ext.get("ArXiv")),
        date=date,
        raw=json.dumps({k: v for k, v in paper.items() if k not in ("citations", "references", "embedding")},
                       sort_keys=True),
    )


@readers.register("semantic-scholar-json")
class SemanticScholarReader:
    name = "semantic-scholar-json"

    def sniff(self, head: bytes, filename: str) -> float:
        stripped = head.lstrip()
        if stripped[:1] in (b"{", b"[") and b'"paperId"' in head:
            return 0.9
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_semantic_scholar(data, source).documents


# -- Europe PMC REST search ------------------------------------------------------------------------------


@dataclass
class EuropePmcPage:
    documents: list[Document]
    results: list[dict[str, Any]]
    next_cursor: str | None
    total: int


def parse_europepmc(data: bytes, source: str) -> EuropePmcPage:
    payload = json_payload(data, "Europe PMC")
    if not isinstance(payload, dict) or "resultList" not in payload:
        message = payload.get("errMsg") if isinstance(payload, dict) else None
        raise ReaderError(f"not a Europe PMC search response{': ' + str(message) if message else ''}")
    results = [r for r in (payload.get("resultList") or {}).get("result") or [] if isinstance(r, dict)]
    return EuropePmcPage(
        documents=[d for d in (europepmc_result(r, source) for r in results) if d],
        results=results,
        next_cursor=payload.get("nextCursorMark"),
        total=int(payload.get("hitCount") or 0),
    )


def europepmc_result(result: dict[str, Any], source: str) -> Document | None:
    title = result.get("title") or ""
    if not title and not result.get("abstractText"):
        return None
    authors = [a.get("fullName", "") for a in (result.get("authorList") or {}).get("author") or []]
    if not authors and result.get("authorString"):
        authors = [a.strip() for a in result["authorString"].rstrip(".").split(",")]
    pmcid = result.get("pmcid")
    return _abstract_document(
        source=f"https://europepmc.org/article/{result.get('source', 'MED')}/{result.get('id')}",
        format="europepmc-json",
        title=html.unescape(_TAG.sub("", title)),
        abstract=strip_markup(result.get("abstractText") or ""),
        authors=authors,
        doi=result.get("doi"),
        date=parse_date(result.get("firstPublicationDate")) or parse_date(result.get("pubYear")),
        raw=json.dumps(result, sort_keys=True) + (pmcid or ""),
    )


@readers.register("europepmc-json")
class EuropePmcReader:
    name = "europepmc-json"

    def sniff(self, head: bytes, filename: str) -> float:
        return 0.9 if head.lstrip()[:1] == b"{" and b'"resultList"' in head else 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_europepmc(data, source).documents


def _int(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


__all__ = [
    "AtomPage", "CrossrefPage", "MalformedPayload", "EuropePmcPage", "OaiError", "OaiPage", "S2Page",
    "parse_arxiv_atom", "parse_crossref", "parse_europepmc", "parse_oai", "parse_semantic_scholar",
    "content_hash",
]
