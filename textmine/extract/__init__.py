"""Extraction: a segmented Document in, Records and Mentions out.

`RulesExtractor` (registered as 'rules') is the baseline; `document_from_text` turns a plain text
such as an abstract into a one-section Document for the stateless `textmine extract --input` mode.
"""

from __future__ import annotations

from textmine.document import Document, DocumentBuilder


def document_from_text(id: str, text: str, *, section: str = "", kind: str = "abstract") -> Document:
    """A one-section Document of `text` (paragraphs split at blank lines), with `id` as its id.

    Sentences are not filled: run `textmine.nlp.segment` on it (extractors fall back to a simple
    splitter for unsegmented paragraphs).
    """
    builder = DocumentBuilder(source=f"text:{id}", format="text")
    for paragraph in text.split(DocumentBuilder.SEPARATOR):
        builder.add_paragraph(paragraph, section=section, kind=kind)
    document = builder.build()
    document.id = id
    return document


__all__ = ["document_from_text"]
