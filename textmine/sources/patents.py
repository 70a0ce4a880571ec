"""Patents: USPTO bulk full-text XML files (local or downloaded; zip or plain) and the EPO
publication server (EP A/B publications as XML, by publication date or number)."""

from __future__ import annotations

import datetime as dt
import tempfile
import re
import zipfile
from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin

from lxml import html as lxml_html

from textmine.document import Document
from textmine.records import Failure
from textmine.sources.base import (
    Cursor, HarvestQuery, Page, PageError, Source, SourceConfigError, harvest_failure, sources,
)
from textmine.sources.fulltext import read_fulltext
from textmine.sources.http import FetchError, RateLimit
from textmine.sources.rawstore import RawStore


@sources.register("uspto-bulk")
class UsptoBulk(Source):
    name = "uspto-bulk"
    description = "USPTO bulk full-text XML (ipg/ipa weekly files), local or downloaded, zip or plain"
    base_url = "https://bulkdata.uspto.gov/data/patent/grant/redbook/fulltext"
    rate = RateLimit(1, 1.0)
    rate_note = "bulk files are large: one download at a time, 1 req/s"
    paging = "one file per page; position inside the file is kept"
    page_size = 1

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.items():
            raise SourceConfigError(
                "uspto-bulk needs --query with files: local paths, URLs, or names under the base URL "
                "('2024/ipg240102.zip'), comma separated or @list.txt"
            )
        return {"file": 0}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        files = query.items()
        index = int(cursor["file"])
        following = {"file": index + 1} if index + 1 < len(files) else None
        path, where = self._load(files[index])  # a failed download fails the page: skip_page moves on
        members = _zip_members(path, where)
        return Page(items=self._documents(path, where, members), next_cursor=following, total=None)

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        following = int(cursor["file"]) + 1
        return {"file": following} if following < len(query.items()) else None

    def _documents(self, path: Path, where: str, members: list[str] | None) -> Iterator[Document | Failure]:
        """Every patent of the file, streamed by the USPTO reader: one document in memory at a
        time; a broken one is a Failure and the rest are still read."""
        from textmine.readers import DEFAULT_MAX_BYTES, get_reader

        reader = get_reader("uspto")
        if members is None:
            with path.open("rb") as handle:
                yield from reader.read_stream(handle, where, max_bytes=DEFAULT_MAX_BYTES)
            return
        with zipfile.ZipFile(path) as archive:
            for member in members:
                with archive.open(member) as handle:
                    yield from reader.read_stream(handle, f"{where}!{member}", max_bytes=DEFAULT_MAX_BYTES)

    def _load(self, ref: str) -> tuple[Path, str]:
        """A local file as it is; a remote one streamed into the raw store (bulk files are large)."""
        path = Path(ref).expanduser()
        if path.is_file():
            return path, str(path)
        url = ref if re.match(r"^https?://", ref) else self.url(ref)
        if self.raw is None:
            self.raw = RawStore(Path(tempfile.mkdtemp(prefix="textmine-uspto-")))
        raw = self.raw
        try:
            _, stored = self.client.stream(
                "GET", url,
                consume=lambda r: raw.put_stream(r.iter_bytes(), source=self.name, url=url,
                                                 content_type=r.headers.get("content-type", "")),
            )
        except FetchError as exc:
            raise PageError(exc.url, exc.reason, exc.status) from exc
        return stored, url


def _zip_members(path: Path, where: str) -> list[str] | None:
    """The XML members of a zipped bulk file, None for a plain one; a broken archive fails the page."""
    with path.open("rb") as handle:
        if handle.read(2) != b"PK":
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith((".xml", ".sgm", ".txt"))]
    except zipfile.BadZipFile as exc:
        raise PageError(where, f"corrupt zip: {exc}") from None
    if not members:
        raise PageError(where, "zip holds no .xml file")
    return members


@sources.register("epo")
class EpoPublicationServer(Source):
    name = "epo"
    description = "EPO publication server: EP A/B publications (XML) by --since/--until date or EP numbers"
    base_url = "https://data.epo.org/publication-server/rest/v1.0"
    rate = RateLimit(1, 2.0)
    rate_note = "no published limit (fair use); we send 1 request / 2 s"
    paging = "one publication date (or a batch of numbers) per page"
    page_size = 25

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if query.items():
            return {"offset": 0}
        if not query.since:
            raise SourceConfigError("epo needs --since (and --until) publication dates, or --query with EP numbers")
        return {"date": query.since.isoformat()}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        if "offset" in cursor:
            ids = query.items()
            offset = int(cursor["offset"])
            chunk = ids[offset: offset + self.settings.page_size]
            following = offset + len(chunk)
            urls = [self.url(f"patents/{ident.replace(' ', '')}/document.xml") for ident in chunk]
            return Page(items=self._documents(urls), next_cursor={"offset": following} if following < len(ids) else None,
                        total=len(ids))
        day = dt.date.fromisoformat(cursor["date"])
        urls = self._listing(day)
        following = day + dt.timedelta(days=1)
        done = following > (query.until or dt.date.today())
        return Page(items=self._documents(urls), next_cursor=None if done else {"date": following.isoformat()})

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        if "offset" in cursor:
            following = int(cursor["offset"]) + self.settings.page_size
            return {"offset": following} if following < len(query.items()) else None
        following = dt.date.fromisoformat(cursor["date"]) + dt.timedelta(days=1)
        return None if following > (query.until or dt.date.today()) else {"date": following.isoformat()}

    def _listing(self, day: dt.date) -> list[str]:
        """Links to the publications of one date; a day without publications is a 404."""
        url = self.url(f"publication-dates/{day:%Y%m%d}/patents")
        try:
            response = self.client.get(url, ok=(200, 404))
        except FetchError as exc:
            raise PageError(exc.url, exc.reason, exc.status) from exc
        if response.status_code == 404:
            return []
        if self.raw is not None:
            self.raw.put(response.content, source=self.name, url=url)
        tree = lxml_html.fromstring(response.content or b"<html/>")
        links = []
        for href in tree.xpath("//a/@href"):
            if "/patents/" in href:
                target = urljoin(url + "/", href).rstrip("/")
                links.append(target if target.endswith(".xml") else f"{target}/document.xml")
        return list(dict.fromkeys(links))

    def _documents(self, urls: list[str]) -> Iterator[Document | Failure]:
        for url in urls:
            try:
                documents = self.fetch(url, parse=lambda data, src: list(read_fulltext(data, src, prefer=("epo",))))
            except PageError as exc:
                yield harvest_failure(url, exc.reason)
                continue
            yield from documents


__all__ = ["EpoPublicationServer", "UsptoBulk"]
