"""Elasticsearch index layout: versioned mappings behind aliases, and how rows become ES documents.

Each logical index (`records`, `documents`, ...) is a concrete index `{prefix}-{name}-v{N}` behind
the alias `{prefix}-{name}`. The store only ever reads and writes through aliases, so a mapping
change is: bump `version`, and `ElasticsearchStore` rebuilds the new index from the old one's
`_source` (see `es_migrate.py`) and swaps the alias atomically.

Every ES document keeps the full model (`body`, not indexed) next to the flat fields that queries
use, so a new mapping can always be derived from the old index alone, without the sources.

Only core Elasticsearch features are used (keyword/numeric/range fields, the `standard` and
`whitespace` analyzers, terms aggregations, bulk, scroll): the node our tests run is the
`integ-test-zip` distribution, which has no analysis-common, painless or reindex modules.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

from textmine.document import Document
from textmine.records import Failure, Mention, Record
from textmine.store.query import ascii_lower, fts_tokens

# One shard: term statistics and terms-aggregation counts are then exact, which the parity with
# SQLite needs; a corpus that outgrows one shard should raise it here (and accept approximate
# facet counts beyond the top buckets).
_SETTINGS: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0, "max_result_window": 10_000}

_KEYWORD = {"type": "keyword"}
_BODY = {"type": "object", "enabled": False}  # the whole model, returned as-is, never indexed
# `*_terms` fields hold the text already split into the tokens SQLite FTS5 (unicode61) would make,
# joined by spaces: whitespace-analysed, a word query matches in both stores exactly alike.
_TERMS = {"type": "text", "analyzer": "whitespace"}


@dataclass(frozen=True)
class IndexSpec:
    name: str
    version: int
    mappings: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=lambda: dict(_SETTINGS))
    # Rebuild this index's ES document from a document of any older version (its `_source`).
    upgrade: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def index_name(self, prefix: str) -> str:
        return f"{prefix}-{self.name}-v{self.version}"

    def alias(self, prefix: str) -> str:
        return f"{prefix}-{self.name}"


def _strict(properties: dict[str, Any]) -> dict[str, Any]:
    # "strict": a field we forgot to map is an error at write time, not a silent dynamic mapping.
    return {"dynamic": "strict", "properties": properties}


RECORDS = IndexSpec(
    name="records",
    version=2,  # 2: material_id
    mappings=_strict(
        {
            "record_id": _KEYWORD,
            "doc_id": _KEYWORD,
            "property": _KEYWORD,
            "formula": _KEYWORD,
            "material": _KEYWORD,
            "material_lc": _KEYWORD,
            "material_id": _KEYWORD,
            "elements": _KEYWORD,
            "n_elements": {"type": "integer"},
            "value_si": {"type": "double"},
            "value_min_si": {"type": "double"},
            "value_max_si": {"type": "double"},
            "value_range_si": {"type": "double_range"},
            "unit_si": _KEYWORD,
            "confidence": {"type": "double"},
            "extractor": _KEYWORD,
            "year": {"type": "integer"},
            "kind": _KEYWORD,
            "sentence": {"type": "text", "analyzer": "standard"},
            "sentence_terms": _TERMS,
            "body": _BODY,
        }
    ),
    upgrade=lambda source: record_source(Record.model_validate(source["body"]), source.get("year"), source.get("kind")),
)

DOCUMENTS = IndexSpec(
    name="documents",
    version=1,
    mappings=_strict(
        {
            "id": _KEYWORD,
            "source": _KEYWORD,
            "format": _KEYWORD,
            "kind": _KEYWORD,
            "title": {"type": "text", "analyzer": "standard"},
            "doi": _KEYWORD,
            "arxiv_id": _KEYWORD,
            "patent_number": _KEYWORD,
            "year": {"type": "integer"},
            "content_hash": _KEYWORD,
            "extractor": _KEYWORD,
            # False while a document's sentences/mentions/records are being (re)written: `known`
            # ignores it, and the next `put` of the same id cleans up whatever the crash left.
            "complete": {"type": "boolean"},
            # What this document has stored, so a re-`put` deletes what the new version lacks
            # without a search (GET is real-time; search would first need a refresh). While
            # incomplete: the union of the old and the new version's children.
            "n_sentences": {"type": "integer", "index": False},
            "n_mentions": {"type": "integer", "index": False},
            "record_ids": {"type": "keyword", "index": False, "doc_values": False},
            "body": _BODY,
        }
    ),
)

SENTENCES = IndexSpec(
    name="sentences",
    version=1,
    mappings=_strict(
        {
            "doc_id": _KEYWORD,
            "char_start": {"type": "integer"},
            "char_end": {"type": "integer"},
            "section": _KEYWORD,
            "text": {"type": "text", "analyzer": "standard"},
            "text_terms": _TERMS,
        }
    ),
)

MENTIONS = IndexSpec(
    name="mentions",
    version=1,
    mappings=_strict(
        {
            "doc_id": _KEYWORD,
            "label": _KEYWORD,
            "text": _KEYWORD,
            "char_start": {"type": "integer"},
            "char_end": {"type": "integer"},
            "confidence": {"type": "double"},
            "extractor": _KEYWORD,
            "normalised": _KEYWORD,
        }
    ),
)

FAILURES = IndexSpec(
    name="failures",
    version=2,  # v2: fingerprint (v1 entries are copied as they are: no fingerprint, retried once)
    mappings=_strict(
        {"source": _KEYWORD, "stage": _KEYWORD, "reason": {"type": "text"}, "doc_id": _KEYWORD, "fingerprint": _KEYWORD}
    ),
)

SPECS: tuple[IndexSpec, ...] = (DOCUMENTS, SENTENCES, MENTIONS, RECORDS, FAILURES)


# ---------------------------------------------------------------------------------------- ids

def es_id(key: str) -> str:
    """Deterministic `_id` (ES caps ids at 512 bytes; long keys are hashed)."""
    return key if len(key.encode("utf-8")) <= 400 else "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()


def child_id(doc_id: str, kind: str, position: int) -> str:
    """Sentences and mentions have no identity of their own: the n-th of a document."""
    return es_id(f"{doc_id}#{kind}{position}")


# ------------------------------------------------------------------ rows -> ES documents

def record_source(record: Record, year: int | None, kind: str | None) -> dict[str, Any]:
    elements = sorted(set(record.material.elements))
    source: dict[str, Any] = {
        "record_id": record.record_id,
        "doc_id": record.doc_id,
        "property": record.property,
        "formula": record.material.formula,
        "material": record.material.text,
        "material_lc": ascii_lower(record.material.text),
        "material_id": record.material_id,
        "elements": elements,
        "n_elements": len(elements),
        "value_si": record.value_si,
        "value_min_si": record.value_min_si,
        "value_max_si": record.value_max_si,
        "unit_si": record.unit_si,
        "confidence": record.confidence,
        "extractor": record.extractor.split("@")[0],
        "year": year,
        "kind": kind,
        "sentence": record.sentence,
        "sentence_terms": " ".join(fts_tokens(record.sentence)),
        "body": record.model_dump(mode="json"),
    }
    low, high = record.value_min_si, record.value_max_si
    if low is not None and high is not None and low <= high:
        source["value_range_si"] = {"gte": low, "lte": high}
    return source


def document_source(
    document: Document, *, complete: bool, n_sentences: int, n_mentions: int, record_ids: list[str]
) -> dict[str, Any]:
    source: dict[str, Any] = {
        "id": document.id,
        "source": document.source,
        "format": document.format,
        "kind": document.kind,
        "title": document.title,
        "doi": document.doi,
        "arxiv_id": document.arxiv_id,
        "patent_number": document.patent_number,
        "year": document.year,
        "content_hash": document.content_hash,
        # what processed it: the pipeline's provenance key, compared by `known` (re-extract when stale)
        "extractor": document.provenance or document.extractor,
        "complete": complete,
        "n_sentences": n_sentences,
        "n_mentions": n_mentions,
        "record_ids": record_ids,
    }
    if complete:
        source["body"] = pack_document(document)
    return source


def pack_document(document: Document) -> dict[str, Any]:
    """Documents are kept whole, without tokens (which `segment` recomputes), like SQLite keeps them."""
    data = document.model_dump(mode="json")
    for section in data["sections"]:
        for paragraph in section["paragraphs"]:
            for sentence in paragraph["sentences"]:
                sentence["tokens"] = []
    return data


def sentence_sources(document: Document) -> list[dict[str, Any]]:
    rows = []
    for section, sentence in document.sentences():
        text = document.text[sentence.start : sentence.end]
        rows.append(
            {
                "doc_id": document.id,
                "char_start": sentence.start,
                "char_end": sentence.end,
                "section": section.title or section.kind,
                "text": text,
                "text_terms": " ".join(fts_tokens(text)),
            }
        )
    return rows


def mention_source(mention: Mention) -> dict[str, Any]:
    return mention.model_dump(mode="json")


def failure_source(failure: Failure) -> dict[str, Any]:
    return failure.model_dump(mode="json")
