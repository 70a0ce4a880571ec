"""Helpers shared by the XML and HTML readers: safe parsing, text of an element, tables, dates.

Kept in one module so every reader decodes, parses and flattens markup the same way (one place
to fix an entity or a whitespace rule).
"""

from __future__ import annotations

import datetime as dt
import html.entities
import re
from typing import Callable, Iterable, Iterator

from lxml import etree

from textmine.document import Document, DocumentBuilder, Table, TableCell
from textmine.readers._encoding import decode_text
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
_STRAY_LT = re.compile(rb"<(?![A-Za-z_:/!?])")  # '<5 ppm', '< 0.1', '<=': not the start of any markup
_XML_ENCODING = re.compile(r"(?<=<\?xml)([^>]*?)\s+encoding=[\"'][^\"']*[\"']")
_ROOT_CLOSED = re.compile(rb"</([A-Za-z_][\w.:-]*)\s*>\s*$")

_XML_PARSER_OPTIONS = dict(
    resolve_entities=False,  # never expand external entities (XXE) ...
    no_network=True,  # ... nor fetch a DTD over the network
    load_dtd=False,
    huge_tree=True,
    remove_comments=True,
    remove_pis=True,
)


def parse_xml(data: bytes, *, what: str = "XML", warnings: list[str] | None = None) -> etree._Element:
    """Parse `data`; repair what real publisher and patent XML gets wrong, and say so in `warnings`.

    Strict first. When that fails: a file declared UTF-8 but written in Windows-1252 is re-decoded;
    a bare '&' ("Kador & Partner") or a stray '<' ("impurities <5 ppm") is escaped; what is still
    broken is parsed in lxml's recovery mode. A truncated file (its root element never closed) or
    one nested deeper than libxml2 allows is an error, not a silently short document.
    """
    data = replace_named_entities(data)
    try:
        root = etree.fromstring(data, etree.XMLParser(**_XML_PARSER_OPTIONS))
    except etree.XMLSyntaxError as err:
        root = _repair_xml(data, err, what, warnings if warnings is not None else [])
    if root is None:
        raise ReaderError(f"{what} has no root element")
    return root


def _repair_xml(data: bytes, err: etree.XMLSyntaxError, what: str, warnings: list[str]) -> etree._Element:
    message = str(err)
    lowered = message.lower()
    if "depth" in lowered:
        raise ReaderError(f"{what} is nested too deeply to read ({message}); nothing was stored from it") from None
    closed = _ROOT_CLOSED.search(data[-4096:])
    if "end of data" in lowered or "premature end" in lowered or closed is None:
        hint = " (the file looks truncated)" if closed is None or "end of data" in lowered else ""
        raise ReaderError(f"{what} is not well-formed: {message}{hint}") from None
    fixes: list[str] = []
    strict = etree.XMLParser(**_XML_PARSER_OPTIONS)
    if "not proper utf-8" in lowered or "encoding" in lowered:
        # declared (or defaulted to) UTF-8 but written in Windows-1252/latin-1: re-decode and retry
        text = _XML_ENCODING.sub(r"\1", decode_text(data, what=what, warnings=warnings), count=1)
        data = text.encode("utf-8")
        try:
            return etree.fromstring(data, strict)
        except etree.XMLSyntaxError as again:
            message = str(again)
    data, amps = _BARE_AMPERSAND.subn(b"&amp;", data)
    data, lts = _STRAY_LT.subn(b"&lt;", data)
    fixes += [f"{n} {what_}" for n, what_ in ((amps, "bare '&'"), (lts, "stray '<'")) if n]
    try:
        root = etree.fromstring(data, strict)
        if fixes:
            warnings.append(f"{what} was not well-formed ({message}): escaped {' and '.join(fixes)}")
        return root
    except etree.XMLSyntaxError as again:
        message = str(again)
    parser = etree.XMLParser(**_XML_PARSER_OPTIONS, recover=True)
    root = etree.fromstring(data, parser)
    if root is None or not "".join(root.itertext()).strip():
        raise ReaderError(f"{what} is not well-formed and could not be recovered: {message}") from None
    errors = len(parser.error_log)
    repaired = f"escaped {' and '.join(fixes)}; " if fixes else ""
    warnings.append(
        f"{what} was not well-formed ({message}): {repaired}parsed in recovery mode, {errors} error(s) skipped; "
        "text near the damage may be incomplete"
    )
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
    children (list items, claim-texts, table cells) do not run into one another. Iterative, so
    any nesting depth libxml2 accepts is fine.
    """
    if el is None:
        return ""
    parts: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        if closing:  # every child of `node` is done
            if localname(node) in breaks:
                parts.append(" ")
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if not isinstance(node.tag, str) or localname(node) in skip:  # a comment, or a skipped subtree:
            if node is not el and node.tail:  # its tail is still text of the parent
                parts.append(node.tail)
            continue
        if localname(node) in breaks:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
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


def section_walk(
    el: etree._Element, section: str, opens: Callable[[etree._Element, str], str | None]
) -> Iterator[tuple[etree._Element, str]]:
    """(child, section title in force) for the children of `el` in reading order, descending into
    each child for which `opens(child, current title)` gives a title (a nested section, a block
    holding paragraphs). Iterative: sections nested thousands deep cost no recursion."""
    stack = [(iter(children(el)), section)]
    while stack:
        child = next(stack[-1][0], None)
        if child is None:
            stack.pop()
            continue
        current = stack[-1][1]
        title = opens(child, current)
        if title is not None:
            stack.append((iter(children(child)), title))
        else:
            yield child, current


def descendants(el: etree._Element | None, *names: str) -> list[etree._Element]:
    if el is None:
        return []
    return list(el.iter(*names))


# --- tables ---------------------------------------------------------------------------------


MAX_TABLE_CELLS = 50_000  # grid positions (rows x columns) of one table; real tables have a few thousand
MAX_SPAN = 100  # rows or columns one cell may span


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
    warnings: list[str] | None = None,
) -> Table:
    """Build a `Table` from (row element, is_header_row) pairs, honouring row/col spans.

    A spanning cell's text is stored once, at its top-left grid position; the positions it
    covers are left empty so columns of later cells stay aligned. Memory is bounded whatever the
    markup claims: spans are capped at `MAX_SPAN`, spans that would cover more than
    `MAX_TABLE_CELLS` positions in all count as one cell, and a table whose grid outgrows
    `MAX_TABLE_CELLS` is cut after the last row that fits; each cap is recorded in `warnings`.
    """
    cells: list[TableCell] = []
    covered: dict[int, set[int]] = {}  # row -> columns taken by row spans from the rows above
    covered_total = 0
    n_cols = 0
    flattened = 0
    name = f"table {id or repr(clean(caption)[:40]) or '(no id)'}"
    r = -1
    for r, (row, header_row) in enumerate(rows):
        taken = covered.pop(r, set())
        c = 0
        for cell in cells_of(row):
            while c in taken:
                c += 1
            span_c = max(1, min(colspan_of(cell), MAX_SPAN))
            span_r = max(1, min(rowspan_of(cell), MAX_SPAN))
            if span_c * span_r > 1 and covered_total + span_c * span_r > MAX_TABLE_CELLS:
                span_c = span_r = 1
                flattened += 1
            if (r + 1) * max(n_cols, c + span_c) > MAX_TABLE_CELLS:
                if warnings is not None:
                    warnings.append(f"{name}: cut after {r} of its rows, over {MAX_TABLE_CELLS} cells")
                return _capped(cells, id, caption, name, flattened, warnings)
            for dr in range(1, span_r):
                covered.setdefault(r + dr, set()).update(range(c, c + span_c))
            covered_total += span_c * span_r
            text = text_of(cell, skip=cell_skip, breaks=frozenset({"br", "p", "para"}))
            cells.append(TableCell(row=r, col=c, text=text, header=header_row or header_cell(cell)))
            c += span_c
            n_cols = max(n_cols, c)
    return _capped(cells, id, caption, name, flattened, warnings)


def _capped(cells: list[TableCell], id: str, caption: str, name: str, flattened: int, warnings: list[str] | None) -> Table:
    if flattened and warnings is not None:
        warnings.append(f"{name}: spans of {flattened} cell(s) ignored, they would cover over {MAX_TABLE_CELLS} cells")
    return Table(id=id, caption=clean(caption), cells=cells)


def _int_attr(el: etree._Element, name: str) -> int:
    try:
        return int(el.get(name) or 1)
    except ValueError:
        return 1


def html_table(table: etree._Element, *, id: str = "", caption: str = "", cell_skip: frozenset[str] = frozenset(),
               warnings: list[str] | None = None) -> Table:
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
        warnings=warnings,
    )


def cals_table(tgroup_parent: etree._Element, *, id: str = "", caption: str = "", cell_skip: frozenset[str] = frozenset(),
               warnings: list[str] | None = None) -> Table:
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
        warnings=warnings,
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


def finish(builder: DocumentBuilder, raw: bytes, what: str, warnings: list[str] | None = None) -> Document:
    """Add the caption section, build, attach what was repaired or capped while reading
    (`warnings`), and refuse a document without any text.

    A document with no paragraph at all is a reading failure (a stub, an index page, the wrong
    format), not an empty success that would silently vanish from every search.
    """
    add_caption_section(builder)
    doc = builder.build(raw)
    if not doc.text.strip():
        raise ReaderError(f"no text found in {what}; the file may be a stub, an index page or a different format")
    warnings = list(warnings or ())
    cap_text(doc, what, warnings)
    doc.warnings.extend(dict.fromkeys(warnings))  # each once, in order
    return doc


MAX_TEXT_CHARS = 4 * 2**20  # characters of one document: what segmentation and extraction hold in memory at once


def cap_text(doc: Document, what: str, warnings: list[str], limit: int = MAX_TEXT_CHARS) -> None:
    """Cut `doc` after the paragraph that crosses `limit` characters (that one cut at a space),
    with a warning: a 50 MB text is a corpus dump, not a paper, and would take gigabytes."""
    if len(doc.text) <= limit:
        return
    total = len(doc.text)
    end = 0
    for section in doc.sections:
        kept = []
        for paragraph in section.paragraphs:
            if paragraph.start >= limit:
                break
            if paragraph.end > limit:
                cut = doc.text.rfind(" ", paragraph.start, limit)
                paragraph.end = cut if cut > paragraph.start else limit
            kept.append(paragraph)
            end = paragraph.end
        section.paragraphs = kept
    doc.sections = [section for section in doc.sections if section.paragraphs]
    doc.text = doc.text[:end]
    warnings.append(
        f"{what}: text of {total:,} characters cut after {end:,} (the cap is {limit:,} per document); "
        "split the file to read the rest"
    )


def add_caption_section(builder: DocumentBuilder) -> None:
    """Figure and table captions, as paragraphs of one trailing 'caption' section.

    Captions carry property statements ("Table 1 Band gaps of ...") so extractors must see
    them; putting them after the body keeps the body sections contiguous in reading order.
    """
    for figure in builder.figures:
        builder.add_paragraph(figure.caption, section="Figure and table captions", kind="caption")
    for table in builder.tables:
        builder.add_paragraph(table.caption, section="Figure and table captions", kind="caption")


