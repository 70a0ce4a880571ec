"""Words -> subword chunks for the encoder, shared by training and inference.

A sentence whose subwords do not fit in `max_length` is split into consecutive word chunks,
so every word gets a prediction (nothing is truncated). Each word is represented by its first
subword; every subword carries the shape id of its word.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from textmine.ner.features import word_shapes

_PLACEHOLDER = "-"


@dataclass
class Chunk:
    sentence: int                  # index of the sentence in the batch given to `encode`
    word_start: int                # index of the chunk's first word in the sentence
    input_ids: list[int]
    shape_ids: list[int]
    first_subword: list[int] = field(default_factory=list)  # per word of the chunk

    @property
    def n_words(self) -> int:
        return len(self.first_subword)


def _encode_words(tokenizer, batch: list[list[str]]):
    return tokenizer.encode_batch(batch, is_pretokenized=True, add_special_tokens=True)


def encode(tokenizer, sentences: list[list[str]], max_length: int) -> list[Chunk]:
    """Chunks for a batch of (normalised) word lists. `tokenizer` is a `tokenizers.Tokenizer`."""
    chunks: list[Chunk] = []
    safe = [[w if w.strip() else _PLACEHOLDER for w in words] for words in sentences]
    encodings = _encode_words(tokenizer, [s for s in safe if s]) if any(safe) else []
    enc_iter = iter(encodings)
    budget = max_length - 2
    for si, words in enumerate(safe):
        if not words:
            continue
        enc = next(enc_iter)
        counts = _subword_counts(enc.word_ids, len(words))
        if any(c == 0 for c in counts):  # a word the tokenizer drops entirely (control chars)
            words = [w if c else _PLACEHOLDER for w, c in zip(words, counts)]
            enc = _encode_words(tokenizer, [words])[0]
            counts = _subword_counts(enc.word_ids, len(words))
        shapes = word_shapes(sentences[si])
        ids = enc.ids
        # ids = [CLS] subwords... [SEP]; subword j of the sentence is ids[1 + j]
        cls_id, sep_id = ids[0], ids[-1]
        sub_start = np.concatenate([[0], np.cumsum(counts)]).astype(int)
        w = 0
        while w < len(words):
            end = w
            used = 0
            while end < len(words) and (used + min(counts[end], budget) <= budget or end == w):
                used += min(counts[end], budget)
                end += 1
            chunk_ids = [cls_id]
            chunk_shapes = [0]
            firsts = []
            for k in range(w, end):
                sub = ids[1 + sub_start[k]: 1 + sub_start[k] + min(counts[k], budget)]
                firsts.append(len(chunk_ids))
                chunk_ids.extend(sub)
                chunk_shapes.extend([shapes[k]] * len(sub))
            chunk_ids.append(sep_id)
            chunk_shapes.append(0)
            chunks.append(Chunk(si, w, chunk_ids, chunk_shapes, firsts))
            w = end
    return chunks


def _subword_counts(word_ids: list[int | None], n_words: int) -> list[int]:
    counts = [0] * n_words
    for wid in word_ids:
        if wid is not None:
            counts[wid] += 1
    return counts


def pad_batch(chunks: list[Chunk], pad_id: int = 0) -> dict[str, np.ndarray]:
    """int64 arrays input_ids, attention_mask, shape_ids of shape [batch, longest]."""
    longest = max(len(c.input_ids) for c in chunks)
    n = len(chunks)
    input_ids = np.full((n, longest), pad_id, dtype=np.int64)
    mask = np.zeros((n, longest), dtype=np.int64)
    shapes = np.zeros((n, longest), dtype=np.int64)
    for i, c in enumerate(chunks):
        L = len(c.input_ids)
        input_ids[i, :L] = c.input_ids
        mask[i, :L] = 1
        shapes[i, :L] = c.shape_ids
    return {"input_ids": input_ids, "attention_mask": mask, "shape_ids": shapes}
