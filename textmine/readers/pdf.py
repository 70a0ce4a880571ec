"""PDF via pypdfium2 (Apache-2.0/BSD; PyMuPDF would make the package AGPL).

PDF has no paragraphs, only positioned text. pdfium gives text segments with their boxes in
content-stream order (column by column for typical two-column papers); segments on one
baseline are merged into lines, and a new paragraph starts where the vertical gap to the
previous line is clearly larger than the line spacing, where the text jumps to another column,
or after a short line that ends a sentence. Line-end hyphenation is undone where pdfium marks
it (soft hyphen), words split across lines are joined with a space otherwise.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Iterator

from textmine.document import Document, DocumentBuilder
from textmine.readers._markup import clean, finish, parse_date
from textmine.readers.base import ReaderError, readers

_SOFT_HYPHENS = ("\ufffe", "\u00ad", "\x02")
_SECTION = re.compile(
    r"^(?:(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+)?(abstract|introduction|background|related work|methods?|materials and methods|"
    r"experimental(?: section| details| methods)?|results(?: and discussion)?|discussion|conclusions?|summary|"
    r"acknowledge?ments?|references|bibliography|appendix)\b\.?$",
    re.I,
)
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?|[IVX]+\.)\s+[A-Z][^.,;]{2,70}$")
_STOP = re.compile(r"^(?:\d+\.?\s+)?(references|bibliography)$", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # bullets and footnote marks mapped to control codes
_MAX_PAGES = 500  # beyond this a "paper" is a book or a scan dump; read the first pages only


@dataclass
class _Line:
    text: str
    left: float
    right: float
    top: float
    bottom: float  # baseline-ish bottom of the FIRST character
    page: int
    size: float = 0.0  # font size in points (largest of the sampled characters)
    end_bottom: float = 0.0  # bottom of the LAST character: pdfium may join hyphenated visual lines


@readers.register("pdf")
class PdfReader:
    name = "pdf"

    def sniff(self, head: bytes, filename: str) -> float:
        return 1.0 if b"%PDF-" in head[:1024] else 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        import pypdfium2 as pdfium  # imported here: loading pdfium costs time that text-only runs never need

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:
            raise ReaderError(f"PDF cannot be opened: {err} (damaged, truncated or encrypted)") from None
        warnings: list[str] = []
        try:
            lines = []
            if len(pdf) > _MAX_PAGES:
                warnings.append(f"PDF has {len(pdf)} pages: only the first {_MAX_PAGES} were read "
                                f"(pages {_MAX_PAGES + 1}-{len(pdf)} skipped; split the file to read them)")
            for index in range(min(len(pdf), _MAX_PAGES)):
                lines.extend(_page_lines(pdf[index], index))
            metadata = pdf.get_metadata_dict(skip_empty=True)
        finally:
            pdf.close()
        if not lines:
            raise ReaderError("PDF has no text layer (a scanned image?); run OCR first")
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        b.title = _title(lines, metadata.get("Title", ""))
        if author := metadata.get("Author", ""):
            b.authors = [a.strip() for a in re.split(r"\s*[;,]\s*|\s+and\s+", author) if a.strip()]
        b.date = parse_date(metadata.get("CreationDate", "")[2:10]) if metadata.get("CreationDate", "").startswith("D:") else None
        first_page = " ".join(line.text for line in lines if line.page == 0)
        if doi := _DOI.search(first_page):
            b.doi = doi.group(1).rstrip(".,;)")
        section, kind = "", "body"
        title_lines = set(_title_lines(lines)) if b.title else set()
        for para in _paragraphs([line for i, line in enumerate(lines) if i not in title_lines]):
            if sum(c.isalpha() for c in para) < 0.5 * len(para.replace(" ", "")):
                continue  # axis ticks and numbers of a figure drawn as text, table debris
            heading = para if len(para) < 80 else ""
            if heading and (_SECTION.match(heading) or _NUMBERED_HEADING.match(heading)):
                if _STOP.match(heading):
                    break
                section = heading
                kind = "abstract" if heading.lower().startswith("abstract") else "body"
                continue
            if para.lower().startswith("abstract") and not section:
                b.add_paragraph(para[len("abstract"):].lstrip(" .:—-"), section="Abstract", kind="abstract")
                continue
            b.add_paragraph(para, section=section, kind=kind)
        yield finish(b, data, "PDF", warnings)


def _page_lines(page: object, index: int) -> list[_Line]:
    import pypdfium2.raw as pdfium_c

    """pdfium's own text lines (it inserts CR LF between them), each with a box built from the
    boxes of a few of its characters (text index == char index: generated chars are counted)."""
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count > 0 else ""
        aligned = len(text) == count
        lines: list[_Line] = []
        pos = 0
        for raw in text.split("\n"):
            start, pos = pos, pos + len(raw) + 1
            line = raw.replace("\r", "")
            if not line.strip():
                continue
            if not aligned:
                lines.append(_Line(line, 0.0, 0.0, 0.0, 0.0, index))
                continue
            first = start + (len(raw) - len(raw.lstrip()))
            last = start + len(raw.rstrip()) - 1
            probes = sorted({first, last, (first + last) // 2, (3 * first + last) // 4, (first + 3 * last) // 4})
            boxes = [textpage.get_charbox(i, loose=True) for i in probes if 0 <= i < count]
            boxes = [b for b in boxes if b[3] > b[1]] or [(0.0, 0.0, 0.0, 0.0)]
            sizes = [pdfium_c.FPDFText_GetFontSize(textpage.raw, i) for i in probes if 0 <= i < count]
            lines.append(
                _Line(
                    line,
                    left=boxes[0][0],
                    right=boxes[-1][2],
                    top=boxes[0][3],
                    bottom=boxes[0][1],
                    page=index,
                    size=round(max(sizes, default=0.0), 1),
                    end_bottom=boxes[-1][1],
                )
            )
    finally:
        textpage.close()
    return lines


def _paragraphs(lines: list[_Line]) -> Iterator[str]:
    if not lines:
        return
    sizes = [line.size for line in lines if line.size > 0]
    body_size = statistics.median(sizes) if sizes else 10.0
    pitches = [
        prev.end_bottom - cur.bottom
        for prev, cur in zip(lines, lines[1:])
        if cur.page == prev.page and 0 < prev.end_bottom - cur.bottom < 2.5 * body_size and abs(cur.size - body_size) < 0.5
    ]
    pitch = statistics.median(pitches) if pitches else body_size * 1.2
    current: list[str] = []
    prev: _Line | None = None
    for line in lines:
        if line.text.strip().isdigit():  # page numbers, line numbers
            continue
        if prev is not None and current and _breaks(prev, line, pitch):
            yield _join(current)
            current = []
        current.append(line.text.strip())
        prev = line
    if current:
        yield _join(current)


def _is_heading(text: str) -> bool:
    text = text.strip()
    return len(text) < 80 and bool(_SECTION.match(text) or _NUMBERED_HEADING.match(text))


def _ends_sentence(line: _Line) -> bool:
    return line.text.rstrip().endswith((".", ":", "?", "!"))


def _breaks(prev: _Line, line: _Line, pitch: float) -> bool:
    if _is_heading(prev.text) or _is_heading(line.text):
        return True
    if abs(line.size - prev.size) > 0.12 * max(prev.size, 1):  # font size change: title, heading, caption, footnote
        return True
    if line.page != prev.page:
        return _ends_sentence(prev)
    step = prev.end_bottom - line.bottom
    if step <= 0 or step > 4 * pitch:
        # moved up (or far down): a new column or a float; the sentence goes on unless it ended
        return _ends_sentence(prev)
    if step > 1.35 * pitch:  # extra spacing between paragraphs
        return True
    indent = line.left - prev.left
    if _ends_sentence(prev) and (prev.right < line.right - 0.1 * (line.right - line.left) or indent > 0.8 * prev.size):
        return True  # short last line of a paragraph, or an indented first line
    return False


def _join(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if not out:
            out = line
        elif out.endswith(_SOFT_HYPHENS):
            out = out.rstrip("".join(_SOFT_HYPHENS)) + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out + line  # a real hyphen at a line end ("self-\nassembled") stays, without a space
        else:
            out = f"{out} {line}"
    for mark in _SOFT_HYPHENS:
        out = out.replace(mark, "")
    return clean(_CONTROL.sub("", out))


def _title_lines(lines: list[_Line]) -> list[int]:
    """Indices of the consecutive largest-font lines near the top of page 1 (the title block)."""
    candidates = [(i, line) for i, line in enumerate(lines[:40]) if line.page == 0 and len(line.text.strip()) > 3]
    if not candidates:
        return []
    biggest = max(line.size for _, line in candidates)
    picked: list[int] = []
    for i, line in candidates:
        if line.size >= biggest * 0.95:
            if picked and i != picked[-1] + 1:
                break
            picked.append(i)
    return picked if len(picked) <= 4 else []


def _title(lines: list[_Line], metadata_title: str) -> str:
    from_layout = clean(" ".join(lines[i].text for i in _title_lines(lines)))
    metadata_title = clean(metadata_title)
    # Word processors put file names ("Microsoft Word - draft3.doc") in the metadata title
    if metadata_title and len(metadata_title.split()) >= 3 and not re.search(r"\.(docx?|tex|dvi|pdf)\b|^untitled", metadata_title, re.I):
        return metadata_title
    if len(from_layout.split()) >= 2:
        return from_layout
    if metadata_title:
        return metadata_title
    # last resort: the first line of page 1 that reads like words (not a page header number)
    for line in lines[:30]:
        text = clean(line.text)
        if line.page == 0 and len(text.split()) >= 3 and sum(c.isalpha() for c in text) > 0.6 * len(text.replace(" ", "")):
            return text[:300]
    return ""
