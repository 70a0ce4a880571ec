"""Harvest throughput: documents per second parsed from replayed API responses.

A loopback server replays the recorded responses in ../shared/data/docs (the same server the
tests use); each source harvests PAGES pages through the full core (HTTP, retry layer, raw payload
store, parse, identity index, cursor saved per document), with the rate limit lifted so the
numbers measure textmine, not the APIs' politeness. `parse only` is the payload reader alone.

    PYTHONPATH=. python bench/bench_harvest.py [--pages 40]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.sources import Harvester, HarvestQuery, HarvestState, RawStore  # noqa: E402
from textmine.sources.arxiv import ArxivApi, ArxivOai  # noqa: E402
from textmine.sources.base import SourceSettings  # noqa: E402
from textmine.sources.crossref import Crossref  # noqa: E402
from textmine.sources.http import RateLimit, RetryPolicy  # noqa: E402
from textmine.sources.payloads import parse_arxiv_atom, parse_crossref, parse_oai, parse_semantic_scholar  # noqa: E402
from textmine.sources.semantic_scholar import SemanticScholarBulk  # noqa: E402
from tests.sources.replay import Reply, ReplayServer, Request  # noqa: E402

DOCS = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "docs"


def _arxiv(server: ReplayServer, pages: int):
    body = (DOCS / "arxiv_atom" / "search_query=au_del_maestro.xml").read_bytes()
    total = f"<opensearch:totalResults xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\">{pages * 10}".encode()
    body = body.replace(b'<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">31', total)
    server.route("/api/query", Reply(body))
    return ArxivApi, "/api/query", HarvestQuery("au:del_maestro"), lambda: parse_arxiv_atom(body, "x").documents


def _crossref(server: ReplayServer, pages: int):
    payload = json.loads((DOCS / "crossref_json" / "test_works_field_queries.response0.derived.json").read_bytes())

    def page(request: Request) -> Reply:
        n = 0 if request.params["cursor"] == "*" else int(request.params["cursor"])
        payload["message"]["next-cursor"] = str(n + 1)
        items = payload["message"]["items"] if n < pages else []
        return Reply(json.dumps({**payload, "message": {**payload["message"], "items": items}}).encode(),
                     content_type="application/json")

    server.route("/works", page)
    body = (DOCS / "crossref_json" / "test_works_field_queries.response0.derived.json").read_bytes()
    return Crossref, "", HarvestQuery("ecology"), lambda: parse_crossref(body, "x").documents


def _oai(server: ReplayServer, pages: int):
    body = (DOCS / "oai_pmh_xml" / "ListRecords.xml").read_bytes()

    def page(request: Request) -> Reply:
        n = int(request.params.get("resumptionToken") or 0) + 1
        token = str(n).encode() if n < pages else b""
        return Reply(body.replace(b">ListRecords2.xml<", b">" + token + b"<"))

    server.route("/oai", page)
    return ArxivOai, "/oai", HarvestQuery("set=x&metadataPrefix=oai_dc"), lambda: parse_oai(body, "x").documents


def _s2(server: ReplayServer, pages: int):
    raw = json.loads((DOCS / "semantic_scholar_json" / "test_search_paper.response0.derived.json").read_bytes())

    def page(request: Request) -> Reply:
        n = int(request.params.get("token") or 0) + 1
        body = {"total": raw["total"], "data": raw["data"], **({"token": str(n)} if n < pages else {})}
        return Reply(json.dumps(body).encode(), content_type="application/json")

    server.route("/graph/v1/paper/search/bulk", page)
    body = (DOCS / "semantic_scholar_json" / "test_search_paper.response0.derived.json").read_bytes()
    return SemanticScholarBulk, "/graph/v1", HarvestQuery("turing"), lambda: parse_semantic_scholar(body, "x").documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()
    if not DOCS.is_dir():
        sys.exit(f"shared data not found at {DOCS} (set TEXTMINE_SHARED_DATA)")
    print(f"{'source':<18}{'pages':>6}{'docs':>8}{'seconds':>9}{'docs/s':>9}{'parse only docs/s':>19}")
    for setup in (_arxiv, _oai, _crossref, _s2):
        with ReplayServer() as server, tempfile.TemporaryDirectory() as tmp:
            cls, path, query, parse_only = setup(server, args.pages)
            settings = SourceSettings(base_url=server.url + path, rate=RateLimit(1e6, 1.0, burst=1_000_000),
                                      retry=RetryPolicy(attempts=2, backoff_base=0.01), page_size=cls.page_size)
            source = cls(settings, raw=RawStore(Path(tmp) / "raw"))
            state = HarvestState(Path(tmp) / "state.sqlite")
            harvester = Harvester(source, state)
            started = time.perf_counter()
            for _ in harvester.items(query):
                pass
            seconds = time.perf_counter() - started
            seen = harvester.stats.seen
            t0, n = time.perf_counter(), 0
            while time.perf_counter() - t0 < 0.5:
                n += len(parse_only())
            parse_rate = n / (time.perf_counter() - t0)
            print(f"{cls.name:<18}{harvester.stats.pages:>6}{seen:>8}{seconds:>9.2f}{seen / seconds:>9.0f}{parse_rate:>19.0f}")
            source.close()
            state.close()


if __name__ == "__main__":
    main()
