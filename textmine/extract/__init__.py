"""Extraction: a Document in, an `Extraction` (layers, records, provenance) out.

An extraction pipeline (`textmine.extract.pipeline.load_pipeline("rules" | "ner" | FILE.toml)`)
is a list of components (`textmine.registry.components`) over the document's annotation layers
(`textmine.layers`). `document_from_text` turns a plain text such as an abstract into a
one-section Document for the stateless `textmine extract --input` mode.
"""

from __future__ import annotations

from textmine.document import Document, DocumentBuilder


def document_from_text(id: str, text: str, *, section: str = "", kind: str = "abstract", source: str | None = None) -> Document:
    """A one-section Document of `text` (paragraphs split at blank lines), with `id` as its id.

    Sentences are not filled: the pipeline's `sentences` component segments it.
    """
    builder = DocumentBuilder(source=source or f"text:{id}", format="text")
    for paragraph in text.split(DocumentBuilder.SEPARATOR):
        builder.add_paragraph(paragraph, section=section, kind=kind)
    document = builder.build()
    document.id = id
    return document


__all__ = ["document_from_text"]
