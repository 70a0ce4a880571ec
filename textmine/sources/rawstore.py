"""Every payload a harvest downloads, kept content-addressed on disk so documents can be
re-parsed (a better reader, a fixed bug) without asking the API again.

Layout: `<root>/ab/cd/abcd…<64 hex>` holds the bytes; `<root>/index.jsonl` appends one line per
fetch (sha256, source, url, content type, time), so the same bytes fetched twice are stored once
but both fetches are remembered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Iterable, Iterator

from pydantic import BaseModel


class RawEntry(BaseModel):
    sha256: str
    source: str
    url: str
    content_type: str = ""
    size: int
    fetched_at: str


class RawStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._index = self.root / "index.jsonl"
        self._lock = threading.Lock()

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, *, source: str, url: str, content_type: str = "") -> str:
        """Store `data` (once per content) and log the fetch; returns its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}.{threading.get_ident()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # atomic: a crash never leaves a half-written payload under its hash
        self._log(RawEntry(sha256=digest, source=source, url=url, content_type=content_type, size=len(data),
                           fetched_at=_now()))
        return digest

    def _log(self, entry: RawEntry) -> None:
        with self._lock, self._index.open("a", encoding="utf-8") as fh:
            fh.write(entry.model_dump_json() + "\n")

    def put_stream(self, chunks: Iterable[bytes], *, source: str, url: str, content_type: str = "") -> tuple[str, Path]:
        """Store a body arriving in chunks (a bulk file) without holding it in memory."""
        digest = hashlib.sha256()
        size = 0
        tmp = self.root / f".incoming.{os.getpid()}.{threading.get_ident()}"
        with tmp.open("wb") as fh:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        sha = digest.hexdigest()
        path = self.path_for(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, path)
        self._log(RawEntry(sha256=sha, source=source, url=url, content_type=content_type, size=size, fetched_at=_now()))
        return sha, path

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def __contains__(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def entries(self, source: str | None = None) -> Iterator[RawEntry]:
        """Logged fetches, oldest first (a payload fetched twice appears twice)."""
        if not self._index.exists():
            return
        with self._index.open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    entry = RawEntry.model_validate(json.loads(line))
                except ValueError:
                    continue  # a line cut by a crash mid-write
                if source is None or entry.source == source:
                    yield entry


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
