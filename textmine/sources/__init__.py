"""Harvesting: papers and patents from remote sources, politely and resumably.

    source adapter (API shape)  ->  harvesting core (HTTP, rate limit, retry, raw store,
    cursor, de-duplication)     ->  Documents  ->  Pipeline

Importing this package registers every reader (the API-payload readers for arXiv Atom, OAI-PMH,
Crossref, Semantic Scholar and Europe PMC live in `textmine.readers.payloads`) and every source adapter in
`sources`.
"""

import textmine.readers  # noqa: F401  (registers every reader, the API-payload ones included)
from textmine.sources import arxiv, crossref, europepmc, optimade, patents, publishers, semantic_scholar  # noqa: F401
from textmine.sources.base import HarvestQuery, Page, PageError, Source, SourceConfigError, SourceSettings, sources
from textmine.sources.harvest import Harvester, HarvestStats
from textmine.sources.http import FetchError, HarvestClient, RateLimit, RetryPolicy, TokenBucket
from textmine.sources.rawstore import RawStore
from textmine.sources.state import HarvestState

__all__ = [
    "FetchError", "HarvestClient", "HarvestQuery", "HarvestState", "HarvestStats", "Harvester", "Page", "PageError",
    "RateLimit", "RawStore", "RetryPolicy", "Source", "SourceConfigError", "SourceSettings", "TokenBucket", "sources",
]
