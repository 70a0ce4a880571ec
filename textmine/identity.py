"""Paper identity across formats (issue 12 item 4): which documents are the same paper.

The same paper often arrives more than once: publisher XML and its plain-text export, a PDF with
its GROBID TEI and an S2ORC line. Each read is a `Document` with its own id (DOI, else a content
hash), so without this module they would be stored, and their records counted, two or three times.

`evidence(document)` sums up what a document says about its identity (DOI, normalised title, first
author's surname, year, a MinHash signature of its text); `same_paper(a, b)` decides from two such
summaries, and says on what evidence; `lookup_keys` are the index keys a store finds candidates by.
Pure functions: the run (`textmine/pipeline.py`) decides what to keep, the stores keep `Member`s.

Rules (docs/hostile.md says why):
- Two different DOIs, patent numbers, arXiv ids, first authors, years or titles, a patent against a
  paper, or an erratum / correction / retraction against anything that is not one: never the same
  paper, unless the DOI is the same (a false merge loses a paper's records; a miss only repeats them).
- The same DOI: the same paper.
- The same normalised title (at least 3 words), with the same first author and year on both: the
  same paper. With the same title but author or year missing on one side: the shorter text must
  also be at least 80% contained in the longer (MinHash over word 5-shingles of the normalised text).
- No usable title on one side: near-duplicate text alone, 85% contained.
- Of the copies of one paper the richest format is kept (`FORMAT_RANK`), the others are aliases.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

import numpy as np
from pydantic import BaseModel, ConfigDict

from textmine.document import Document, normalise_doi

__all__ = ["Evidence", "Member", "FORMAT_RANK", "best", "conflict", "evidence", "lookup_keys", "same_paper", "similarity"]

# Richest first: publisher XML (structure, tables, metadata as published) > GROBID TEI (structure
# recovered from the PDF) > S2ORC JSON (the same GROBID parse, flattened) > publisher HTML > PDF
# text (layout only) > plain text. Unknown formats sit between HTML and PDF.
FORMAT_RANK: dict[str, int] = {
    "jats": 90, "elsevier": 90, "epo": 90, "uspto": 90,
    "tei": 80,
    "s2orc": 70,
    "rsc_html": 60, "acs_html": 60,
    "pdf": 30,
    "text": 10,
}
DEFAULT_RANK = 40

SHINGLE = 5  # words per shingle
PERMUTATIONS = 64
BAND = 2  # signature values per lookup key: 32 keys per document
MIN_SHINGLES = 50  # shorter texts give no text evidence (too little to tell two papers apart)
# Shares of the shorter text's 5-shingles found in the longer one. Copies of one paper measured on
# the shared documents: 0.92-1.0 (PDF / TEI / S2ORC of two papers, 15 Elsevier XML / text pairs);
# two papers written from one template with other materials and values: about 0.7.
# Two different titles are never merged on text alone: papers of one series or template differing
# in a few numbers share ~0.87, and 64-value MinHash estimates scatter by about 0.05.
CONTAINED = 0.85  # no usable title on one side
CONTAINED_SAME_TITLE = 0.8  # the titles agree but author or year is missing on one side
MIN_TITLE_WORDS = 3

_MASK64 = (1 << 64) - 1
_SEEDS = [int.from_bytes(hashlib.blake2b(b"textmine-minhash-%d" % i, digest_size=16).digest(), "little")
          for i in range(PERMUTATIONS)]
_A = np.array([(s & _MASK64) | 1 for s in _SEEDS], dtype=np.uint64)  # odd multipliers
_B = np.array([s >> 64 for s in _SEEDS], dtype=np.uint64)
_WORD = re.compile(r"[^\W_]+")
# A notice about another paper: it shares that paper's title and words but is not that paper.
_NOTICE = re.compile(r"^(erratum|errata|corrigendum|corrigenda|correction|retraction|retracted|addendum|"
                     r"expression of concern|comment on|reply to|response to)\b")


class Evidence(BaseModel):
    """What one read document says about which paper it is."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    source: str
    format: str
    kind: str = "paper"
    doi: str | None = None
    patent: str | None = None
    arxiv: str | None = None
    title: str = ""  # normalised; "" when too short to identify anything
    author: str = ""  # first author's surname, normalised
    year: int | None = None
    notice: bool = False  # an erratum, corrigendum, retraction ... of another paper
    shingles: int = 0
    signature: tuple[int, ...] = ()

    @property
    def rank(self) -> int:
        return FORMAT_RANK.get(self.format, DEFAULT_RANK)


class Member(BaseModel):
    """One read of a paper (a document id from a source), as a store keeps it: `canonical` is the id
    of the document kept for the paper, `kept` whether this read is that document (two reads may
    share an id: the same DOI in a PDF and in JATS), `reason` the evidence that joined it to the
    paper ("" for a paper's first read)."""

    model_config = ConfigDict(frozen=True)

    evidence: Evidence
    canonical: str
    kept: bool
    reason: str = ""

    @property
    def doc_id(self) -> str:
        return self.evidence.doc_id

    @property
    def source(self) -> str:
        return self.evidence.source


def normalise_text(text: str) -> list[str]:
    """Lower-case words without accents or punctuation (a PDF's ligatures and dashes compare equal)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _WORD.findall(text.casefold())


def surname(name: str) -> str:
    """'A. Cotton' / 'Cotton, A.' / 'Arman Cohan' -> 'cotton' / 'cotton' / 'cohan'."""
    name = name.strip()
    if "," in name:
        name = name.split(",", 1)[0]
        words = normalise_text(name)
        return words[-1] if words else ""
    words = [w for w in normalise_text(name) if len(w) > 1 or not w.isalpha()]
    return words[-1] if words else ""


def signature(words: list[str]) -> tuple[int, tuple[int, ...]]:
    """(number of distinct shingles, MinHash signature) of a word sequence; () when too short."""
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(0, len(words) - SHINGLE + 1))}
    if len(shingles) < MIN_SHINGLES:
        return len(shingles), ()
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little") for s in shingles),
        dtype=np.uint64, count=len(shingles),
    )
    with np.errstate(over="ignore"):
        # multiply-shift hashing (mod 2**64, high 32 bits): one independent-enough hash per permutation
        mixed = (hashes[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return len(shingles), tuple(int(v) for v in mixed.min(axis=0))


def evidence(document: Document) -> Evidence:
    title_words = normalise_text(document.title)
    title = " ".join(title_words) if len(title_words) >= MIN_TITLE_WORDS else ""
    opening = " ".join(title_words) or " ".join(normalise_text(document.text[:200]))
    n, sig = signature(normalise_text(document.text))
    return Evidence(
        doc_id=document.id,
        source=document.source,
        format=document.format,
        kind=document.kind,
        doi=normalise_doi(document.doi),
        patent=document.id if document.id.startswith("patent:") else None,
        arxiv=document.id if document.id.startswith("arxiv:") else None,
        title=title,
        author=surname(document.authors[0]) if document.authors else "",
        # a PDF's date is its file's CreationDate (when the file was made, often not the year of
        # publication): no evidence either way
        year=None if document.format == "pdf" else document.year,
        notice=bool(_NOTICE.match(opening)),
        shingles=n,
        signature=sig,
    )


def lookup_keys(ev: Evidence) -> list[str]:
    """Index keys: a document that may be the same paper shares at least one (then `same_paper` decides)."""
    keys = []
    if ev.doi:
        keys.append(f"doi:{ev.doi}")
    if ev.title:
        keys.append("title:" + hashlib.blake2b(ev.title.encode("utf-8"), digest_size=10).hexdigest())
    sig = ev.signature
    for band in range(0, len(sig), BAND):
        part = ",".join(str(v) for v in sig[band : band + BAND])
        keys.append(f"text:{band // BAND}:" + hashlib.blake2b(part.encode(), digest_size=8).hexdigest())
    return keys


def similarity(a: Evidence, b: Evidence) -> float:
    """Estimated share of the shorter text's shingles found in the longer (0 without signatures)."""
    if not a.signature or not b.signature:
        return 0.0
    jaccard = sum(x == y for x, y in zip(a.signature, b.signature)) / PERMUTATIONS
    common = jaccard * (a.shingles + b.shingles) / (1 + jaccard)
    return min(1.0, common / min(a.shingles, b.shingles))


def conflict(a: Evidence, b: Evidence) -> bool:
    """Two reads that can never be one paper, whatever else joins them."""
    def differ(x: object, y: object) -> bool:
        return bool(x and y and x != y)

    return (
        a.kind != b.kind
        or a.notice != b.notice
        or differ(a.doi, b.doi)
        or (not (a.doi and a.doi == b.doi) and (
            differ(a.patent, b.patent) or differ(a.arxiv, b.arxiv) or differ(a.author, b.author)
            or differ(a.year, b.year) or differ(a.title, b.title)))
    )


def same_paper(a: Evidence, b: Evidence) -> str | None:
    """The evidence that `a` and `b` are the same paper, or None when they are not (or may not be)."""
    if conflict(a, b):
        return None
    if a.doi and a.doi == b.doi:
        return "same DOI"
    contained = similarity(a, b)
    if a.title and a.title == b.title:
        if a.author and b.author and a.year and b.year:
            return "same title, first author and year"
        if contained >= CONTAINED_SAME_TITLE:
            return f"same title, text {contained:.0%} shared"
        return None
    if contained >= CONTAINED:  # a usable title on one side at most
        return f"near-duplicate text ({contained:.0%} shared)"
    return None


def best(candidates: Iterable[Evidence]) -> Evidence:
    """The copy kept: the richest format; among equals the smallest (doc id, source), so the choice
    never depends on the order files are read in."""
    return min(candidates, key=lambda e: (-e.rank, e.doc_id, e.source))
