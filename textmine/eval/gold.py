"""Gold rows and records, as the record scorers read them.

A gold file is a CSV with the columns `compound,value,source` (and optionally `property`):

    compound,value,source
    TiO2 | titania,3.2 eV,paper-17
    LaMnO3,250 K | -23 °C,paper-18

- `source` is the document the statement is in: a record of that document (`doc_id`, which
  `textmine extract --input` sets to the input line's `id`) may match the row.
- A `compound` or `value` cell may hold alternatives separated by ` | `; any one may match.
- A value is a number or a range (`2.1-2.3`, `2.1 to 2.3`), optionally with `~`, an uncertainty
  (`3.1 ± 0.2`, ignored) and a unit (`3.2 eV`, `490 °C`, `1.2e-4 S/cm`, `1.2 × 10^-4 S/cm`).
  A value WITHOUT a unit is the number as the paper writes it, in whatever unit the paper gives:
  it is compared with the record's value as written (`value`/`value_min`/`value_max`), unconverted.
- Without a `property` column, the file's rows belong to one property: the `--property` given,
  or, in a folder of gold files, the `<property>` of its name `gold-<property>.csv`.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from textmine.normalise.units import UnitError, parse_unit

ALTERNATIVES = " | "
COLUMNS = ("compound", "value", "source")
GOLD_FILE = re.compile(r"^gold-(?P<property>.+)\.csv$")


class GoldError(ValueError):
    """A gold or records file that cannot be read; the message says where and what to fix."""


@dataclass(frozen=True)
class GoldValue:
    low: float
    high: float
    unit: str | None  # None: the number as written, compared with the record's value as written


@dataclass(frozen=True)
class GoldRow:
    compounds: tuple[str, ...]
    values: tuple[GoldValue, ...]  # the alternatives that parse
    source: str
    property: str
    raw_value: str
    where: str  # file:line, for error listings

    @property
    def parsed(self) -> bool:
        return bool(self.values)


@dataclass(frozen=True)
class RecordView:
    """The fields of a record that scoring reads (records are read as JSON, not as `Record`s, so
    files written by older or newer schema versions score the same)."""

    index: int
    doc_id: str
    property: str
    text: str
    formula: str | None
    value_min: float | None
    value_max: float | None
    unit: str | None
    value_min_si: float | None
    value_max_si: float | None
    unit_si: str | None
    confidence: float


# --- values ------------------------------------------------------------------------------------

_NUMBER = r"[-+−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)(?:\s*[eE][-+−]?\d+|\s*[×x]\s*10\s*\^?\s*[-+−]?\d+)?"
_VALUE = re.compile(
    # a bound is compared by its number, as docs/annotation.md writes it ('>3.4 eV' as 3.4 eV)
    rf"^(?:[~∼≈]|[<>≤≥]=?)?\s*(?P<low>{_NUMBER})"
    rf"(?:\s*(?:-|–|—|to)\s*[~∼≈]?\s*(?P<high>{_NUMBER}))?"
    rf"(?:\s*(?:±|\+/-|\+-)\s*{_NUMBER})?"
    r"\s*(?P<unit>.*?)\s*$"
)


_TIMES_TEN = re.compile(r"[×x]10\^?")


def _number(text: str) -> float:
    text = re.sub(r"\s+", "", text.replace("−", "-").replace(",", ""))
    mantissa, *exponent = _TIMES_TEN.split(text, maxsplit=1)
    return float(mantissa) * 10.0 ** int(exponent[0]) if exponent else float(mantissa)


def parse_value(text: str) -> GoldValue | None:
    """A gold value cell alternative ('3.2 eV', '2.1-2.3', '490 °C'); None when it does not parse."""
    m = _VALUE.match(text.strip())
    if not m:
        return None
    try:
        low = _number(m.group("low"))
        high = _number(m.group("high")) if m.group("high") else low
    except (ValueError, OverflowError):
        return None
    unit = m.group("unit").strip() or None
    if unit is not None:
        try:
            parse_unit(unit)
        except UnitError:
            return None
    return GoldValue(min(low, high), max(low, high), unit)


# --- gold files --------------------------------------------------------------------------------


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(ALTERNATIVES.strip()) if part.strip())


def read_gold_file(path: Path, default_property: str | None) -> list[GoldRow]:
    """The rows of one gold CSV; `default_property` applies when the file has no `property` column."""
    try:
        handle = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise GoldError(f"{path}: cannot read ({exc.strerror})") from None
    rows: list[GoldRow] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise GoldError(f"{path}: missing column(s) {', '.join(missing)}; the header must be compound,value,source")
        has_property = "property" in header
        if not has_property and not default_property:
            raise GoldError(f"{path}: no property column; name the property with --property "
                            "(or name the file gold-<property>.csv in a gold folder)")
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            where = f"{path.name}:{number}"
            if not any(row.values()):
                continue
            compounds, values, source = _split(row["compound"]), _split(row["value"]), row["source"]
            if not compounds or not values or not source:
                raise GoldError(f"{where}: compound, value and source must all be filled")
            prop = (row.get("property") if has_property else None) or default_property
            if not prop:
                raise GoldError(f"{where}: empty property")
            parsed = tuple(v for v in (parse_value(text) for text in values) if v is not None)
            rows.append(GoldRow(compounds, parsed, source, prop, row["value"], where))
    return rows


def read_gold(path: str | Path, properties: Iterable[str] = ()) -> list[GoldRow]:
    """Gold rows of a CSV file or of a folder of `gold-<property>.csv` files, for `properties`
    (all when empty). A single file without a `property` column needs exactly one property."""
    path = Path(path)
    wanted = list(properties)
    if path.is_dir():
        files = {m.group("property"): p for p in sorted(path.iterdir()) if (m := GOLD_FILE.match(p.name))}
        if not files:
            raise GoldError(f"{path}: no gold-<property>.csv files in this folder")
        unknown = [p for p in wanted if p not in files]
        if unknown:
            raise GoldError(f"{path}: no gold file for {', '.join(unknown)}; there are: {', '.join(files)}")
        rows: list[GoldRow] = []
        for prop, file in files.items():
            if not wanted or prop in wanted:
                rows.extend(read_gold_file(file, prop))
        return rows
    if not path.is_file():
        raise GoldError(f"{path}: no such gold file or folder")
    if len(wanted) > 1:
        rows = read_gold_file(path, "\0")  # needs a property column: each row names its property
        if any(r.property == "\0" for r in rows):
            raise GoldError(f"{path}: a file without a property column holds one property; give one --property")
    else:
        rows = read_gold_file(path, wanted[0] if wanted else None)
    return [r for r in rows if not wanted or r.property in wanted]


def write_gold(path: str | Path, rows: Iterable[tuple[str, str, str]]) -> int:
    """Write (compound, value, source) rows as a gold CSV; returns the number written."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


# --- records -----------------------------------------------------------------------------------


def read_records(path: str | Path) -> list[RecordView]:
    """Records of a JSONL file as written by `textmine extract --output` or `textmine export --format jsonl`."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read ({exc.strerror})") from None
    records: list[RecordView] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            material = item.get("material") or {}
            value = item.get("value")
            low = value if item.get("value_min") is None else item["value_min"]
            high = value if item.get("value_max") is None else item["value_max"]
            records.append(RecordView(
                index=len(records), doc_id=str(item["doc_id"]), property=str(item["property"]),
                text=str(material.get("text") or ""), formula=material.get("formula"),
                value_min=_float(low), value_max=_float(high), unit=item.get("unit"),
                value_min_si=_float(item.get("value_min_si")), value_max_si=_float(item.get("value_max_si")),
                unit_si=item.get("unit_si"), confidence=float(item.get("confidence", 0.0)),
            ))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GoldError(f"{path}:{number}: not a record ({type(exc).__name__}: {exc}); "
                            "expected the JSON lines `textmine extract --output` writes") from None
    return records


def _float(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


__all__ = ["GoldError", "GoldRow", "GoldValue", "RecordView", "parse_value", "read_gold", "read_gold_file",
           "read_records", "write_gold"]
