"""Helpers shared by the XML and HTML readers: safe parsing, text of an element, tables, dates.

Kept in one module so every reader decodes, parses and flattens markup the same way (one place
to fix an entity or a whitespace rule).
"""

from __future__ import annotations

import datetime as dt
import html.entities
import re
from typing import Callable, Iterable

from lxml import etree

from textmine.document import Document, DocumentBuilder, Table, TableCell
from textmine.readers.base import ReaderError

# Named entities that the (never fetched) DTDs of patent and publisher XML define: &lsqb;, &rdquo; ...
# The five XML entities are left alone so the parser handles them.
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")


def _entity_to_utf8(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES:
        return match.group(0)
    char = html.entities.html5.get(name + ";")
    if char is None:
        return match.group(0)
    return char.encode("utf-8")


def replace_named_entities(data: bytes) -> bytes:
    if b"&" not in data:
        return data
    return _ENTITY.sub(_entity_to_utf8, data)


_BARE_AMPERSAND = re.compile(rb"&(?!#?[A-Za-z0-9]{1,32};)")
_XML_ENCODING = re.compile(r"(?<=<\?xml)([^>]*?)\s+encoding=[\"'][^\"']*[\"']")

_XML_PARSER_OPTIONS = dict(
    resolve_entities=False,  # never expand external entities (XXE) ...
    no_network=True,  # ... nor fetch a DTD over the network
    load_dtd=False,
    huge_tree=True,
    remove_comments=True,
    remove_pis=True,
    recover=False,
)


def parse_xml(data: bytes, *, what: str = "XML") -> etree._Element:
    """Parse `data` strictly (a truncated or broken file is an error, not a silently short document)."""
    data = replace_named_entities(data)
    parser = etree.XMLParser(**_XML_PARSER_OPTIONS)
    try:
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as err:
            message = str(err)
            if "EntityRef" in message:
                # a bare '&' ("Kador & Partner") is the commonest defect of real patent XML: escape and retry
                root = etree.fromstring(_BARE_AMPERSAND.sub(b"&amp;", data), parser)
            elif "not proper UTF-8" in message or "encoding" in message.lower():
                # declared (or defaulted to) UTF-8 but written in Windows-1252/latin-1: re-encode and retry
                text = _XML_ENCODING.sub(r"\1", decode_text(data, what=what), count=1)
                root = etree.fromstring(text.encode("utf-8"), parser)
            else:
                raise
    except etree.XMLSyntaxError as err:
        hint = " (the file looks truncated)" if "end of data" in str(err).lower() or "premature end" in str(err).lower() else ""
        raise ReaderError(f"{what} is not well-formed: {err}{hint}") from None
    if root is None:
        raise ReaderError(f"{what} has no root element")
    return root


def strip_namespaces(root: etree._Element) -> etree._Element:
    """Rename every element to its local name so readers can say `first(el, 'title')` across
    namespaces (and fast: the helpers below then match tags in C via `iter(*tags)`)."""
    for el in root.iter(etree.Element):
        tag = el.tag
        if tag[0] == "{":
            el.tag = tag.split("}", 1)[1]
        elif ":" in tag:  # a prefix without a namespace declaration
            el.tag = tag.rsplit(":", 1)[1]
    return root


def localname(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if tag[0] == "{":
        return tag.split("}", 1)[1]
    return tag.rsplit(":", 1)[-1] if ":" in tag else tag


def text_of(
    el: etree._Element | None,
    *,
    skip: frozenset[str] | set[str] = frozenset(),
    breaks: frozenset[str] | set[str] = frozenset(),
) -> str:
    """All text under `el` in document order, without the subtrees named in `skip`.

    Elements named in `breaks` are separated from their neighbours by a space, so block-ish
    children (list items, claim-texts, table cells) do not run into one another.
    """
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        name = localname(node)
        if name in skip:
            return
        spaced = name in breaks
        if spaced:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)
        if spaced:
            parts.append(" ")

    walk(el)
    return clean("".join(parts))


def clean(text: str | None) -> str:
    """Collapse whitespace and drop soft hyphens (split/join: several times faster than a regex)."""
    return " ".join((text or "").replace("\u00ad", "").split())


def first(el: etree._Element | None, *names: str) -> etree._Element | None:
    """First element (document order, `el` included) named one of `names`; trees are namespace-stripped."""
    if el is None:
        return None
    return next(el.iter(*names), None)


def children(el: etree._Element | None, *names: str) -> list[etree._Element]:
    if el is None:
        return []
    if names:
        return list(el.iterchildren(*names))
    return [c for c in el if isinstance(c.tag, str)]


def descendants(el: etree._Element | None, *names: str) -> list[etree._Element]:
    if el is None:
        return []
    return list(el.iter(*names))


# --- tables ---------------------------------------------------------------------------------


def table_from_rows(
    rows: Iterable[tuple[etree._Element, bool]],
    cells_of: Callable[[etree._Element], list[etree._Element]],
    *,
    colspan_of: Callable[[etree._Element], int] = lambda c: 1,
    rowspan_of: Callable[[etree._Element], int] = lambda c: 1,
    header_cell: Callable[[etree._Element], bool] = lambda c: False,
    cell_skip: frozenset[str] = frozenset(),
    id: str = "",
    caption: str = "",
) -> Table:
    """Build a `Table` from (row element, is_header_row) pairs, honouring row/col spans.

    A spanning cell's text is stored once, at its top-left grid position; the positions it
    covers are left empty so columns of later cells stay aligned.
    """
    cells: list[TableCell] = []
    occupied: set[tuple[int, int]] = set()
    for r, (row, header_row) in enumerate(rows):
        c = 0
        for cell in cells_of(row):
            while (r, c) in occupied:
                c += 1
            span_c = max(1, min(colspan_of(cell), 100))
            span_r = max(1, min(rowspan_of(cell), 100))
            for dr in range(span_r):
                for dc in range(span_c):
                    occupied.add((r + dr, c + dc))
            text = text_of(cell, skip=cell_skip, breaks=frozenset({"br", "p", "para"}))
            cells.append(TableCell(row=r, col=c, text=text, header=header_row or header_cell(cell)))
            c += span_c
    return Table(id=id, caption=clean(caption), cells=cells)


def _int_attr(el: etree._Element, name: str) -> int:
    try:
        return int(el.get(name) or 1)
    except ValueError:
        return 1


def html_table(table: etree._Element, *, id: str = "", caption: str = "", cell_skip: frozenset[str] = frozenset()) -> Table:
    """An HTML-model table (JATS, RSC, ACS): tr / th / td, thead rows are headers."""
    rows: list[tuple[etree._Element, bool]] = []
    for tr in descendants(table, "tr"):
        in_head = any(localname(a) == "thead" for a in tr.iterancestors())
        rows.append((tr, in_head))
    return table_from_rows(
        rows,
        lambda tr: children(tr, "td", "th"),
        colspan_of=lambda c: _int_attr(c, "colspan"),
        rowspan_of=lambda c: _int_attr(c, "rowspan"),
        header_cell=lambda c: localname(c) == "th",
        cell_skip=cell_skip,
        id=id,
        caption=caption,
    )


def cals_table(tgroup_parent: etree._Element, *, id: str = "", caption: str = "", cell_skip: frozenset[str] = frozenset()) -> Table:
    """A CALS table (Elsevier, USPTO, EPO): tgroup / thead|tbody / row / entry.

    Column spans are given by namest/nameend against colspec names; row spans by morerows.
    """
    rows: list[tuple[etree._Element, bool]] = []
    colnames: dict[str, int] = {}
    for tgroup in descendants(tgroup_parent, "tgroup"):
        for i, spec in enumerate(children(tgroup, "colspec")):
            name = spec.get("colname")
            if name:
                colnames[name] = i
        for part in children(tgroup, "thead", "tbody", "tfoot"):
            for row in children(part, "row"):
                rows.append((row, localname(part) == "thead"))

    def colspan(entry: etree._Element) -> int:
        start, end = entry.get("namest"), entry.get("nameend")
        if start in colnames and end in colnames:
            return colnames[end] - colnames[start] + 1
        return 1

    def rowspan(entry: etree._Element) -> int:
        try:
            return int(entry.get("morerows") or 0) + 1
        except ValueError:
            return 1

    return table_from_rows(
        rows,
        lambda row: children(row, "entry"),
        colspan_of=colspan,
        rowspan_of=rowspan,
        cell_skip=cell_skip,
        id=id,
        caption=caption,
    )


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"], 1
)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9


def make_date(year: object, month: object = 1, day: object = 1) -> dt.date | None:
    try:
        y = int(str(year).strip())
        m_raw = str(month or 1).strip().lower().rstrip(".")
        m = int(m_raw) if m_raw.isdigit() else _MONTHS.get(m_raw, 1)
        d_raw = str(day or 1).strip()
        d = int(d_raw) if d_raw.isdigit() else 1
    except (TypeError, ValueError):
        return None
    if not 1000 <= y <= 2999:
        return None
    for day_try in (d, 1):
        try:
            return dt.date(y, m if 1 <= m <= 12 else 1, day_try)
        except ValueError:
            continue
    return None


_ISO = re.compile(r"(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})")
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")
_MDY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")
_MY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{4})")
_Y = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")


def parse_date(text: str | None) -> dt.date | None:
    """'20050111', '2012/02/21', '2014-05-01', '20th August 2008', 'September 10, 2016', '2016'."""
    if not text:
        return None
    text = text.strip()
    if m := _ISO.search(text):
        if date := make_date(m.group(1), m.group(2), m.group(3)):
            return date
    if (m := _DMY.search(text)) and m.group(2).lower() in _MONTHS:
        return make_date(m.group(3), m.group(2), m.group(1))
    if (m := _MDY.search(text)) and m.group(1).lower() in _MONTHS:
        return make_date(m.group(3), m.group(1), m.group(2))
    if (m := _MY.search(text)) and m.group(1).lower() in _MONTHS:
        return make_date(m.group(2), m.group(1))
    if m := _Y.search(text):
        return make_date(m.group(1))
    return None


# --- text decoding --------------------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes, *, what: str = "file") -> str:
    """Bytes of a text file to str: BOM, then UTF-8, then cp1252, then latin-1.

    Real-world "text" is often Windows-1252 or latin-1: decode it rather than reject it. What
    is refused is binary (NUL bytes or many control characters), with a reason saying so.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                break
    sample = data[:65536]
    if b"\x00" in sample:
        raise ReaderError(f"{what} looks binary (contains NUL bytes), not text; pass a supported format")
    for codec in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > max(8, len(text[:65536]) // 100):
        raise ReaderError(f"{what} looks binary ({controls} control characters in the first 64 KiB), not text")
    return text


def add_caption_section(builder: DocumentBuilder) -> None:
    """Figure and table captions, as paragraphs of one trailing 'caption' section.

    Captions carry property statements ("Table 1 Band gaps of ...") so extractors must see
    them; putting them after the body keeps the body sections contiguous in reading order.
    """
    for figure in builder.figures:
        builder.add_paragraph(figure.caption, section="Figure and table captions", kind="caption")
    for table in builder.tables:
        builder.add_paragraph(table.caption, section="Figure and table captions", kind="caption")


def finish(builder: DocumentBuilder, raw: bytes, what: str) -> Document:
    """Add the caption section, build, and refuse a document without any text.

    A document with no paragraph at all is a reading failure (a stub, an index page, the wrong
    format), not an empty success that would silently vanish from every search.
    """
    add_caption_section(builder)
    doc = builder.build(raw)
    if not doc.text.strip():
        raise ReaderError(f"no text found in {what}; the file may be a stub, an index page or a different format")
    return doc
