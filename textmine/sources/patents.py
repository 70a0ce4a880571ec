"""Patents: USPTO bulk full-text XML files (local or downloaded; zip or plain) and the EPO
publication server (EP A/B publications as XML, by publication date or number)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import IO, Iterator
from urllib.parse import urljoin

from lxml import html as lxml_html

from textmine.document import Document
from textmine.readers.base import ReaderError
from textmine.records import Failure
from textmine.sources.base import (
    Cursor, HarvestQuery, Page, PageError, Source, SourceConfigError, date_range, harvest_failure, sources,
)
from textmine.sources.fulltext import read_fulltext
from textmine.sources.http import FetchError, RateLimit

_XML_DECL = re.compile(rb"^\s*<\?xml\b")


@sources.register("uspto-bulk")
class UsptoBulk(Source):
    name = "uspto-bulk"
    description = "USPTO bulk full-text XML (grants ipgYYMMDD / applications ipaYYMMDD): local paths or URLs"
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
        data, where = self._load(files[index])  # a failed download fails the page: skip_page moves on
        return Page(items=self._documents(data, where), next_cursor=following, total=None)

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        following = int(cursor["file"]) + 1
        return {"file": following} if following < len(query.items()) else None

    def _documents(self, data: bytes, where: str) -> Iterator[Document | Failure]:
        for number, chunk in enumerate(split_concatenated(_xml_stream(data, where)), 1):
            source = f"{where}#{number}"
            try:
                yield from read_fulltext(chunk, source, filename=Path(where).name, prefer=("uspto",))
            except ReaderError as exc:
                yield harvest_failure(source, str(exc))

    def _load(self, ref: str) -> tuple[bytes, str]:
        path = Path(ref).expanduser()
        if path.is_file():
            data = path.read_bytes()
            if self.raw is not None:
                self.raw.put(data, source=self.name, url=path.resolve().as_uri())
            return data, str(path)
        url = ref if re.match(r"^https?://", ref) else self.url(ref)
        try:
            response = self.client.get(url)
        except FetchError as exc:
            raise PageError(exc.url, exc.reason) from exc
        if self.raw is not None:
            self.raw.put(response.content, source=self.name, url=url,
                         content_type=response.headers.get("content-type", ""))
        return response.content, url


def _xml_stream(data: bytes, where: str) -> IO[bytes]:
    """The XML inside a bulk file: a zip holds one concatenated .xml (sometimes more)."""
    if data[:2] == b"PK":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise PageError(where, f"corrupt zip: {exc}") from None
        members = [m for m in archive.namelist() if m.lower().endswith((".xml", ".sgm", ".txt"))]
        if not members:
            raise PageError(where, "zip holds no .xml file")
        return io.BytesIO(b"".join(archive.read(m) for m in members))
    return io.BytesIO(data)


def split_concatenated(stream: IO[bytes]) -> Iterator[bytes]:
    """USPTO bulk files are many XML documents back to back, each starting with `<?xml`; yield
    them one at a time so a 1 GB file never sits in memory as one tree."""
    chunk: list[bytes] = []
    for line in stream:
        if _XML_DECL.match(line) and any(part.strip() for part in chunk):
            yield b"".join(chunk)
            chunk = []
        chunk.append(line)
    if any(part.strip() for part in chunk):
        yield b"".join(chunk)


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
            raise PageError(exc.url, exc.reason) from exc
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


__all__ = ["EpoPublicationServer", "UsptoBulk", "date_range", "split_concatenated"]
