"""`markup.tex` and the normalised views the span-finding components read.

arXiv and preprint abstracts carry TeX: `MoS_2`, `Cr_{2}Ge_{2}Te_{6}`, `$T_C$`, `300~K`, `\\sim`,
`\\pm`, `^{\\circ}C`, `\\AA`. The `markup.tex` component writes the edits that turn it into plain
text as the `markup` layer (textmine.normalise.markup, document offsets). A component that finds
spans reads a sentence through `sentence_view`: it searches the view's plain `text` and stores
the raw document span of what it found (`view.to_document`), so a layer keeps its invariant
`document.text[start:end] == span.text` and a record points at the text as written (`MoS_2`)
while its formula is parsed from what it means (`MoS2`). The linker works in view coordinates
(`view.to_view`). A sentence without markup is its own view: no map, no cost.
"""

from __future__ import annotations

import bisect

from textmine.extraction import Extraction
from textmine.layers import MarkupEdit
from textmine.normalise.markup import Edit, TextView, glyph_edits, tex_edits

MARKUP_VERSION = "0.4.0"


class TexMarkup:
    """TeX in the text (`$T_C$`, `MoS_2`, `300~K`, `\\pm`) and glyphs PDF extraction split ('A ̊' for Å)
    as edits to plain text, with exact offsets."""

    name, version = "markup.tex", MARKUP_VERSION
    reads: tuple[str, ...] = ()
    writes = "markup"

    def __call__(self, extraction: Extraction) -> None:
        text = extraction.document.text
        edits = tex_edits(text)
        glyphs = [g for g in glyph_edits(text) if not any(e.start < g.end and g.start < e.end for e in edits)]
        extraction.layers.markup = [MarkupEdit(start=e.start, end=e.end, replacement=e.replacement, bracket=e.bracket)
                                    for e in sorted(edits + glyphs, key=lambda e: e.start)]


class View:
    """The plain text of `document.text[start:end]` with the markup edits inside it applied.

    `text` is what rules search; `to_document(a, b)` maps a span of `text` to document offsets,
    `to_view(a, b)` maps a document span to offsets into `text`, `raw(a, b)` is the document's
    text of a document span.
    """

    __slots__ = ("document_text", "start", "end", "text", "_view")

    def __init__(self, document_text: str, start: int, end: int, edits: list[Edit]) -> None:
        self.document_text, self.start, self.end = document_text, start, end
        raw = document_text[start:end]
        self._view = TextView.of(raw, edits, base=start) if edits else None
        self.text = self._view.text if self._view is not None else raw

    @property
    def edited(self) -> bool:
        return self._view is not None

    def to_document(self, start: int, end: int) -> tuple[int, int]:
        """Document offsets of the view span [start, end)."""
        if self._view is None:
            return self.start + start, self.start + end
        raw_start, raw_end = self._view.span_to_raw(start, end)
        return self.start + raw_start, self.start + max(raw_end, raw_start)

    def to_view(self, start: int, end: int) -> tuple[int, int]:
        """View offsets of the document span [start, end) (which lies in this view)."""
        if self._view is None:
            return start - self.start, end - self.start
        return self._view.to_view(start - self.start), self._view.to_view(end - self.start)

    def raw(self, start: int, end: int) -> str:
        return self.document_text[start:end]


def edits_within(extraction: Extraction, start: int, end: int) -> list[Edit]:
    """The markup edits that lie wholly inside [start, end) of the document."""
    markup = extraction.layers.markup
    if not markup:
        return []
    starts = [e.start for e in markup]
    first = bisect.bisect_left(starts, start)
    last = bisect.bisect_left(starts, end)
    return [Edit(e.start, e.end, e.replacement, e.bracket) for e in markup[first:last] if e.end <= end]


def text_view(extraction: Extraction, start: int, end: int) -> View:
    return View(extraction.document.text, start, end, edits_within(extraction, start, end))


def sentence_view(extraction: Extraction, index: int) -> View:
    """The view of sentence `index` of the sentences layer."""
    sentence = extraction.layers.sentences[index]
    return text_view(extraction, sentence.start, sentence.end)


__all__ = ["MARKUP_VERSION", "TexMarkup", "View", "edits_within", "sentence_view", "text_view"]
