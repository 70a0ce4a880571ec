"""Readers for the payloads harvesting APIs return: arXiv Atom, OAI-PMH, Crossref works JSON,
Semantic Scholar Graph JSON and Europe PMC search JSON.

They are ordinary readers, registered in `textmine.registry.readers` when `textmine.readers` is
imported, so a payload kept in the raw store (or any file on disk) is detected and re-parsed like
a JATS or USPTO file. Each format also has a `parse_*` function returning the page's paging state
(total, next cursor, resumption token) that the harvesters in `textmine.sources` need and a
`Document` cannot carry. They live here, below the harvesters: readers never import sources.

Metadata APIs give abstracts, not full text: their documents hold a title and an abstract
section, with DOI / arXiv id / date so de-duplication and linking work across sources.
"""

from __future__ import annotations

from textmine.document import content_hash
from textmine.readers.payloads._common import (
    MalformedPayload,
    arxiv_id_from,
    doi_from,
    json_payload,
    parse_date,
    strip_markup,
    xml_payload,
)
from textmine.readers.payloads.feeds import AtomPage, OaiError, OaiPage, parse_arxiv_atom, parse_oai
from textmine.readers.payloads.works import (
    CrossrefPage,
    EuropePmcPage,
    S2Page,
    crossref_work,
    europepmc_result,
    parse_crossref,
    parse_europepmc,
    parse_semantic_scholar,
    s2_paper,
)

__all__ = [
    "AtomPage", "CrossrefPage", "EuropePmcPage", "MalformedPayload", "OaiError", "OaiPage", "S2Page",
    "arxiv_id_from", "content_hash", "crossref_work", "doi_from", "europepmc_result", "json_payload",
    "parse_arxiv_atom", "parse_crossref", "parse_date", "parse_europepmc", "parse_oai", "parse_semantic_scholar",
    "s2_paper", "strip_markup", "xml_payload",
]
