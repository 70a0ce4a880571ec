"""Texts kept out of training: the sources of a dev or test set annotated elsewhere.

The exclusion file is a JSON list or JSON lines. Each entry is a string (a source path) or an
object with any of:

- `source` (or `path`): a file under the shared data folder, e.g.
  `gold/measeval/data/train/text/S0006322312001096-1136.txt` or `docs/arxiv_atom/query_1.xml`
  (absolute paths and `../shared/data/...` paths are accepted: they match on their tail);
- `unit` (or `doc_id`, `id`): which part of that file: a unit id, a document id or a unit name;
  without it the whole file is excluded;
- `text`: a passage; any unit whose text contains it, or is contained in it, is excluded
  whatever its source (compared without spaces and case, so tokenised copies match too).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from textmine.relations.corpora.schema import Unit


class ExclusionError(ValueError):
    """The exclusion file cannot be read; the message says what to fix."""


@dataclass(frozen=True)
class _Entry:
    source: str | None
    unit: str | None
    text: str | None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _tail(path: str) -> str:
    """The path relative to the shared data folder: from its `gold/`, `docs/` or `materials/` folder on."""
    path = path.replace("\\", "/")
    match = re.search(r"(?:^|/)((?:gold|docs|materials)/.+)$", path)
    return match.group(1) if match else path.lstrip("./")


class Exclusions:
    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        self._texts = [_squash(e.text) for e in entries if e.text and len(_squash(e.text)) >= 20]
        self._sources: dict[str, set[str | None]] = {}
        for entry in entries:
            if entry.source:
                self._sources.setdefault(_tail(entry.source), set()).add(entry.unit)

    @classmethod
    def load(cls, path: Path) -> "Exclusions":
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ExclusionError(f"cannot read the exclusion file {path}: {error.strerror}") from None
        try:
            items = json.loads(raw) if raw.lstrip().startswith("[") else [
                json.loads(line) for line in raw.splitlines() if line.strip()
            ]
        except json.JSONDecodeError as error:
            raise ExclusionError(
                f"{path}: not a JSON list or JSON lines ({error.msg}, line {error.lineno}); see "
                "textmine/relations/corpora/exclude.py for the format"
            ) from None
        entries = []
        for number, item in enumerate(items, 1):
            if isinstance(item, str):
                entries.append(_Entry(item, None, None))
            elif isinstance(item, dict):
                source = item.get("source") or item.get("path")
                unit = item.get("unit") or item.get("doc_id") or item.get("id")
                text = item.get("text")
                if not (source or text):
                    raise ExclusionError(f"{path}: entry {number} has neither 'source' nor 'text'")
                entries.append(_Entry(str(source) if source else None, str(unit) if unit is not None else None,
                                      str(text) if text else None))
            else:
                raise ExclusionError(f"{path}: entry {number} is {type(item).__name__}, not a path or an object")
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def excludes(self, unit: Unit) -> bool:
        source = _tail(unit.source)
        for excluded, units in self._sources.items():
            if source == excluded or source.endswith("/" + excluded) or excluded.endswith("/" + source):
                name = unit.id.rsplit(":", 1)[1]
                if None in units or units & {unit.id, unit.doc_id, name, name.split(".")[0]}:
                    return True
        if self._texts:
            text = _squash(unit.text)
            return any(passage in text or (len(text) >= 20 and text in passage) for passage in self._texts)
        return False
