"""Sentences and tokens: the one segmentation every later stage (rules, NER) works on.

Memory and time are bounded whatever the text: spaCy sees a paragraph in chunks of at most
`MAX_CHUNK_CHARS` (cut at a sentence end or a space), a run of more than `MAX_TOKEN_CHARS`
characters without a space (a base64 blob, a 2 MB "word") is not tokenised, and a sentence of more
than `MAX_SENTENCE_TOKENS` tokens is cut into pieces. Each cap applied is recorded in
`Document.warnings`.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from textmine.document import Document, Paragraph, Sentence
from textmine.nlp.tokenizer import ABBREVIATIONS, is_formula, load_nlp

__all__ = [
    "MAX_CHUNK_CHARS", "MAX_SENTENCE_TOKENS", "MAX_TOKEN_CHARS", "ABBREVIATIONS",
    "is_formula", "load_nlp", "segment", "segment_many", "split_sentences", "tokenize",
]

Span = tuple[int, int]

MAX_CHUNK_CHARS = 100_000  # text handed to spaCy at once
MAX_TOKEN_CHARS = 1_000  # longer runs without whitespace are not language: left untokenised
MAX_SENTENCE_TOKENS = 5_000  # longer "sentences" (run-on lists, flattened tables) are cut; real ones stay near 1,000

_LONG_RUN = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")
_CHUNK_END = re.compile(r"[.!?]\s+(?=\S)")
_SOFT_CUT = frozenset({";", ",", ":"})


class _Caps:
    """What segmentation had to cap in one document, for its warnings."""

    def __init__(self) -> None:
        self.runs: list[int] = []  # offsets of untokenised long runs
        self.cut_sentences: list[int] = []  # offsets of sentences cut into pieces
        self.chunked: list[int] = []  # offsets of paragraphs split into chunks

    def warnings(self) -> list[str]:
        out = []
        if self.chunked:
            out.append(f"segmentation: {len(self.chunked)} paragraph(s) over {MAX_CHUNK_CHARS} characters read in chunks "
                       f"(first at offset {self.chunked[0]}); a sentence may be split at a chunk boundary")
        if self.runs:
            out.append(f"segmentation: {len(self.runs)} run(s) of over {MAX_TOKEN_CHARS} characters without a space "
                       f"left untokenised (first at offset {self.runs[0]})")
        if self.cut_sentences:
            out.append(f"segmentation: {len(self.cut_sentences)} sentence(s) over {MAX_SENTENCE_TOKENS} tokens cut into "
                       f"pieces (first at offset {self.cut_sentences[0]})")
        return out


def _chunks(text: str, offset: int, caps: _Caps) -> Iterator[tuple[int, str]]:
    """(document offset, text) pieces of at most MAX_CHUNK_CHARS, long runs blanked out.

    Blanking keeps every offset valid: spaCy sees spaces where the run was, so it makes no token there.
    """
    start = 0
    if len(text) > MAX_CHUNK_CHARS:
        caps.chunked.append(offset)
    while start < len(text):
        end = min(len(text), start + MAX_CHUNK_CHARS)
        if end < len(text):
            window = text[start:end]
            cut = max((m.end() for m in _CHUNK_END.finditer(window, len(window) // 2)), default=-1)
            if cut < 0:
                cut = window.rfind(" ") + 1
            if cut > 0:
                end = start + cut
        piece = text[start:end]
        if len(piece) > MAX_TOKEN_CHARS and _LONG_RUN.search(piece):
            runs = list(_LONG_RUN.finditer(piece))
            caps.runs.extend(offset + start + m.start() for m in runs)
            piece = _LONG_RUN.sub(lambda m: " " * len(m.group(0)), piece)
        yield offset + start, piece
        start = end


def _add_sentences(spacy_doc, text: str, offset: int, sentences: list[Sentence], caps: _Caps) -> None:
    """Sentences of one chunk (`text`, at document `offset`) appended to `sentences`.
    (`text` is passed along: spaCy rebuilds `Doc.text` from its tokens at every access.)"""
    for sent in spacy_doc.sents:
        tokens = [(offset + t.idx, offset + t.idx + len(t.text)) for t in sent if not t.is_space]
        if not tokens:
            continue
        first = sent[0].text
        # The sentencizer splits at every full stop; a sentence that starts in lower case (or with
        # a closing bracket) continues the previous one ("... in the U.S. we ...").
        if sentences and (first[:1].islower() or first[:1] in ")]},;") and len(sentences[-1].tokens) < MAX_SENTENCE_TOKENS:
            previous = sentences[-1]
            previous.end = tokens[-1][1]
            previous.tokens.extend(tokens)
            _cut(previous, sentences, caps, text, offset)
            continue
        sentence = Sentence(start=tokens[0][0], end=tokens[-1][1], tokens=tokens)
        sentences.append(sentence)
        _cut(sentence, sentences, caps, text, offset)


def _cut(sentence: Sentence, sentences: list[Sentence], caps: _Caps, text: str, offset: int) -> None:
    """Cut the last sentence of `sentences` into pieces of at most MAX_SENTENCE_TOKENS tokens,
    at a ';', ',' or ':' in the last quarter of each piece when there is one."""
    if len(sentence.tokens) <= MAX_SENTENCE_TOKENS:
        return
    caps.cut_sentences.append(sentence.start)
    tokens = sentence.tokens
    sentences.pop()
    while tokens:
        size = len(tokens)
        if size > MAX_SENTENCE_TOKENS:
            size = MAX_SENTENCE_TOKENS
            for i in range(MAX_SENTENCE_TOKENS - 1, (3 * MAX_SENTENCE_TOKENS) // 4, -1):
                start, end = tokens[i][0] - offset, tokens[i][1] - offset
                if 0 <= start and text[start:end] in _SOFT_CUT:  # tokens of an earlier chunk: no cut there
                    size = i + 1
                    break
        piece, tokens = tokens[:size], tokens[size:]
        sentences.append(Sentence(start=piece[0][0], end=piece[-1][1], tokens=piece))


def _segment_texts(items: Iterable[tuple[int, str]], caps: _Caps) -> Iterator[tuple[int, list[Sentence]]]:
    """For each (offset, text) item: (its index, its sentences), segmented chunk by chunk."""
    chunks = (
        (chunk, (index, chunk_offset, chunk))
        for index, (offset, text) in enumerate(items)
        for chunk_offset, chunk in _chunks(text, offset, caps)
    )
    current: int | None = None
    sentences: list[Sentence] = []
    for spacy_doc, (index, chunk_offset, chunk) in load_nlp().pipe(chunks, as_tuples=True, batch_size=64):
        if index != current:
            if current is not None:
                yield current, sentences
            current, sentences = index, []
        _add_sentences(spacy_doc, chunk, chunk_offset, sentences, caps)
    if current is not None:
        yield current, sentences


def tokenize(text: str) -> list[Span]:
    """Token spans (start, end) of `text` with the chemistry-aware tokenizer (caps as in `segment`)."""
    return [token for _, sentences in _segment_texts([(0, text)], _Caps()) for s in sentences for token in s.tokens]


def split_sentences(text: str) -> list[Sentence]:
    """Sentences (with tokens) of a plain text, offsets into `text`."""
    return next((sentences for _, sentences in _segment_texts([(0, text)], _Caps())), [])


def segment(document: Document) -> Document:
    """Fill the sentences and tokens of every paragraph of `document` (in place; returned for
    chaining), recording in `document.warnings` any cap that had to be applied."""
    paragraphs: list[Paragraph] = [p for _, p in document.paragraphs()]
    caps = _Caps()
    for paragraph in paragraphs:
        paragraph.sentences = []
    items = ((p.start, document.text[p.start : p.end]) for p in paragraphs)
    for index, sentences in _segment_texts(items, caps):
        paragraphs[index].sentences = sentences
    for warning in caps.warnings():
        if warning not in document.warnings:
            document.warnings.append(warning)
    return document


def segment_many(documents: Iterable[Document]) -> Iterator[Document]:
    for document in documents:
        yield segment(document)
