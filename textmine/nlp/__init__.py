"""Sentences and tokens: the one segmentation every later stage (rules, NER) works on."""

from __future__ import annotations

from typing import Iterable, Iterator

from textmine.document import Document, Sentence
from textmine.nlp.tokenizer import ABBREVIATIONS, is_formula, load_nlp

__all__ = ["segment", "segment_many", "tokenize", "split_sentences", "is_formula", "load_nlp", "ABBREVIATIONS"]

Span = tuple[int, int]


def tokenize(text: str) -> list[Span]:
    """Token spans (start, end) of `text` with the chemistry-aware tokenizer."""
    doc = load_nlp().tokenizer(text)
    return [(t.idx, t.idx + len(t.text)) for t in doc]


def _sentences(spacy_doc, offset: int) -> list[Sentence]:
    sentences: list[Sentence] = []
    for sent in spacy_doc.sents:
        tokens = [(offset + t.idx, offset + t.idx + len(t.text)) for t in sent if not t.is_space]
        if not tokens:
            continue
        first = sent[0].text
        # The sentencizer splits at every full stop; a sentence that starts in lower case (or with
        # a closing bracket) continues the previous one ("... in the U.S. we ...").
        if sentences and (first[:1].islower() or first[:1] in ")]},;"):
            previous = sentences[-1]
            previous.end = tokens[-1][1]
            previous.tokens.extend(tokens)
            continue
        sentences.append(Sentence(start=tokens[0][0], end=tokens[-1][1], tokens=tokens))
    return sentences


def split_sentences(text: str) -> list[Sentence]:
    """Sentences (with tokens) of a plain text, offsets into `text`."""
    return _sentences(load_nlp()(text), 0)


def segment(document: Document) -> Document:
    """Fill the sentences and tokens of every paragraph of `document` (in place; returned for chaining)."""
    nlp = load_nlp()
    paragraphs = [p for _, p in document.paragraphs()]
    texts = (document.text[p.start : p.end] for p in paragraphs)
    for paragraph, spacy_doc in zip(paragraphs, nlp.pipe(texts, batch_size=64)):
        paragraph.sentences = _sentences(spacy_doc, paragraph.start)
    return document


def segment_many(documents: Iterable[Document]) -> Iterator[Document]:
    for document in documents:
        yield segment(document)
