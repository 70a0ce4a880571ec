"""Reading the Matscholar CoNLL files ("token TAG" lines, blank lines between sentences)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textmine.ner.decode import LABELS


@dataclass
class TaggedSentence:
    tokens: list[str]
    tags: list[str]


def read_conll(path: str | Path, limit: int | None = None) -> list[TaggedSentence]:
    """Sentences of a CoNLL file. Lines with an empty tag count as 'O'; empty tokens are dropped;
    a tag outside the 7 Matscholar types becomes 'O'."""
    sentences: list[TaggedSentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    valid = set(LABELS)
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip():
                if tokens:
                    sentences.append(TaggedSentence(tokens, tags))
                    tokens, tags = [], []
                    if limit is not None and len(sentences) >= limit:
                        return sentences
                continue
            if " " in line:
                token, _, tag = line.rpartition(" ")
            else:  # a token without a tag
                token, tag = line, "O"
            token = token.strip().replace(" ", "_")
            if not token:
                continue
            tags.append(tag if tag in valid else "O")
            tokens.append(token)
    if tokens:
        sentences.append(TaggedSentence(tokens, tags))
    return sentences
