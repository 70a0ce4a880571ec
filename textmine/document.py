"""The document model: one text, every annotation an offset into it.

Readers build a `Document` with `DocumentBuilder`; `textmine.nlp.segment` then fills the
sentences (and their tokens) of every paragraph. Later stages never copy or re-tokenise text:
they point back into `Document.text` by character span.
"""

from __future__ import annotations

import hashlib
import re
import datetime as dt
from typing import Iterator, Literal

from pydantic import BaseModel, Field

DocKind = Literal["paper", "patent"]


class Sentence(BaseModel):
    start: int
    end: int
    tokens: list[tuple[int, int]] = Field(default_factory=list, description="token spans, document offsets")


class Paragraph(BaseModel):
    start: int
    end: int
    sentences: list[Sentence] = Field(default_factory=list)


class Section(BaseModel):
    title: str = ""
    kind: str = "body"  # title | abstract | body | claims | description | caption
    paragraphs: list[Paragraph] = Field(default_factory=list)


class TableCell(BaseModel):
    row: int
    col: int
    text: str
    header: bool = False


class Table(BaseModel):
    id: str = ""
    caption: str = ""
    cells: list[TableCell] = Field(default_factory=list)

    def rows(self) -> list[list[str]]:
        """Cells as a dense row-major grid (missing cells are empty strings)."""
        if not self.cells:
            return []
        n_rows = max(c.row for c in self.cells) + 1
        n_cols = max(c.col for c in self.cells) + 1
        grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
        for c in self.cells:
            grid[c.row][c.col] = c.text
        return grid


class Figure(BaseModel):
    id: str = ""
    caption: str = ""


class Document(BaseModel):
    id: str
    source: str = Field(description="where it came from: a path, a URL or a harvester name")
    format: str = Field(default="text", description="reader that produced it, e.g. jats, uspto-grant")
    kind: DocKind = "paper"
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    doi: str | None = None
    arxiv_id: str | None = None
    patent_number: str | None = None
    date: dt.date | None = None
    text: str = ""
    sections: list[Section] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    content_hash: str = ""
    extractor: str | None = Field(default=None, description="name@version of the extractor that processed it")
    provenance: str | None = Field(default=None, description="provenance key of the pipeline that processed it")
    warnings: list[str] = Field(default_factory=list, description="what was repaired or capped while reading it")

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def span(self, start: int, end: int) -> str:
        return self.text[start:end]

    def paragraphs(self) -> Iterator[tuple[Section, Paragraph]]:
        for section in self.sections:
            for paragraph in section.paragraphs:
                yield section, paragraph

    def sentences(self) -> Iterator[tuple[Section, Sentence]]:
        for section, paragraph in self.paragraphs():
            for sentence in paragraph.sentences:
                yield section, sentence

    def section_of(self, offset: int) -> Section | None:
        for section, paragraph in self.paragraphs():
            if paragraph.start <= offset < paragraph.end:
                return section
        return None


def normalise_doi(doi: str | None) -> str | None:
    if not doi:
        return None
    doi = doi.strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    return doi.lower() or None


def normalise_patent_number(number: str | None) -> str | None:
    """'US 6,840,965 B2' -> 'US6840965B2'; leading zeros of the serial are dropped."""
    if not number:
        return None
    compact = re.sub(r"[\s,/-]", "", number.strip().upper())
    m = re.match(r"^([A-Z]{2})0*(\d+)([A-Z]\d?)?$", compact)
    if m:
        return f"{m.group(1)}{m.group(2)}{m.group(3) or ''}"
    return compact or None


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def make_doc_id(
    *,
    doi: str | None = None,
    patent_number: str | None = None,
    arxiv_id: str | None = None,
    text: str = "",
) -> str:
    """Stable id: DOI, else patent number, else arXiv id, else a hash of the text.

    Re-reading the same paper from another file or source gives the same id, so re-ingesting
    replaces rather than duplicates.
    """
    if doi := normalise_doi(doi):
        return f"doi:{doi}"
    if patent := normalise_patent_number(patent_number):
        return f"patent:{patent}"
    if arxiv_id:
        return "arxiv:" + _ARXIV_VERSION.sub("", arxiv_id.strip())
    return f"sha256:{content_hash(text)[:32]}"


class DocumentBuilder:
    """Assembles `Document.text` paragraph by paragraph, recording offsets as it goes.

    Readers call `add_paragraph(text, section=...)` in reading order; paragraphs are joined by a
    blank line so sentence splitting never runs across them.
    """

    SEPARATOR = "\n\n"

    def __init__(self, *, source: str, format: str, kind: DocKind = "paper") -> None:
        self.source = source
        self.format = format
        self.kind: DocKind = kind
        self.title = ""
        self.authors: list[str] = []
        self.doi: str | None = None
        self.arxiv_id: str | None = None
        self.patent_number: str | None = None
        self.date: dt.date | None = None
        self.tables: list[Table] = []
        self.figures: list[Figure] = []
        self._parts: list[str] = []
        self._length = 0
        self._sections: list[Section] = []

    def start_section(self, title: str = "", kind: str = "body") -> Section:
        section = Section(title=_clean(title), kind=kind)
        self._sections.append(section)
        return section

    def add_paragraph(self, text: str, *, section: str | None = None, kind: str | None = None) -> Paragraph | None:
        """Append one paragraph. Whitespace is collapsed; empty paragraphs are skipped.

        With `section`/`kind` given and different from the current section, a new section starts.
        """
        text = _clean(text)
        if not text:
            return None
        current = self._sections[-1] if self._sections else None
        if current is None or (section is not None and section != current.title) or (
            kind is not None and kind != current.kind
        ):
            current = self.start_section(section if section is not None else "", kind or "body")
        if self._parts:
            self._parts.append(self.SEPARATOR)
            self._length += len(self.SEPARATOR)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        paragraph = Paragraph(start=start, end=self._length)
        current.paragraphs.append(paragraph)
        return paragraph

    def add_table(self, table: Table) -> None:
        self.tables.append(table)

    def add_figure(self, caption: str, id: str = "") -> None:
        caption = _clean(caption)
        if caption:
            self.figures.append(Figure(id=id, caption=caption))

    def build(self, raw: bytes | str | None = None) -> Document:
        text = "".join(self._parts)
        digest = content_hash(raw if raw is not None else text)
        sections = [s for s in self._sections if s.paragraphs]
        return Document(
            id=make_doc_id(doi=self.doi, patent_number=self.patent_number, arxiv_id=self.arxiv_id, text=text),
            source=self.source,
            format=self.format,
            kind=self.kind,
            title=_clean(self.title),
            authors=[a for a in (_clean(a) for a in self.authors) if a],
            doi=normalise_doi(self.doi),
            arxiv_id=self.arxiv_id,
            patent_number=normalise_patent_number(self.patent_number),
            date=self.date,
            text=text,
            sections=sections,
            tables=self.tables,
            figures=self.figures,
            content_hash=digest,
        )


_WS = re.compile(r"\s+")
_ARXIV_VERSION = re.compile(r"v\d+$")


def _clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()
