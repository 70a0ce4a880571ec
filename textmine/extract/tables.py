"""Records from tables: a header cell naming a property (and often its unit), a column of
materials, one record per (row, property column).

Table cells are not part of `Document.text`: a table record's `sentence` is the row as read
("caption | material | header: cell"), its section "table <id>", and its sentence span (0, 0).
"""

from __future__ import annotations

import re

from textmine.document import Document, Table
from textmine.extract.association import fits, resolve_property
from textmine.extract.components import CONTEXT_WINDOW
from textmine.extract.materials import MaterialMention, find_material_mentions, formula_and_elements
from textmine.extract.quantities import Quantity, parse_quantities
from textmine.normalise.formula import formula_for_name
from textmine.normalise.units import UnitError, parse_unit
from textmine.ontology import CueMatch, Ontology
from textmine.records import Material, Record


def table_records(document: Document, ontology: Ontology, extractor: str) -> list[Record]:
    """Records from tables: header cells naming a property (and unit), a column of materials."""
    records: list[Record] = []
    for table in document.tables:
        records.extend(_records_from_table(document, table, ontology, extractor))
    return records


def _records_from_table(document: Document, table: Table, ontology: Ontology, extractor: str) -> list[Record]:
    grid = table.rows()
    if len(grid) < 2:
        return []
    header_rows = sorted({c.row for c in table.cells if c.header}) or [0]
    n_header = max(header_rows) + 1
    headers = [" ".join(grid[r][col] for r in range(n_header)).strip() for col in range(len(grid[0]))]
    body = grid[n_header:]
    material_col = _material_column(body)
    if material_col is None:
        return []
    records = []
    for col, header in enumerate(headers):
        if col == material_col:
            continue
        cues = ontology.find_cues(header)
        if not cues:
            continue
        header_unit = _unit_in_header(header)
        for row in body:
            material_text = row[material_col].strip()
            cell = row[col].strip()
            if not material_text or not cell:
                continue
            material = _material_from_cell(material_text)
            if material is None:
                continue
            record = _table_record(document, table, header, header_unit, cues, cell, material, ontology, extractor)
            if record is not None:
                records.append(record)
    return records


def _table_record(
    document: Document,
    table: Table,
    header: str,
    header_unit: str,
    cues: list[CueMatch],
    cell: str,
    material: MaterialMention,
    ontology: Ontology,
    extractor: str,
) -> Record | None:
    quantities = parse_quantities(cell if not header_unit else f"{cell} {header_unit}")
    if not quantities:
        return None
    q = quantities[0]
    if header_unit and q.end > len(cell):
        q = Quantity(cell, 0, len(cell), q.value, q.value_min, q.value_max, q.uncertainty, q.unit, q.comparator)
    for cue in cues:
        for prop in resolve_property(cue, header + " " + table.caption, document.text[:CONTEXT_WINDOW], ontology):
            si_unit = fits(prop, q)
            if si_unit is None:
                continue
            try:
                values = value_fields(q, si_unit)
            except UnitError:
                return None
            return Record(
                doc_id=document.id,
                material=Material(text=material.text, formula=material.formula, elements=material.elements),
                property=prop.name,
                **values,
                # Table cells are not part of Document.text: the 'sentence' is the row as read,
                # and the sentence span is empty at 0.
                sentence=f"{table.caption} | {material.text} | {header}: {cell}".strip(" |"),
                char_start=0,
                char_end=0,
                section=f"table {table.id}".strip(),
                confidence=0.8 if not cue.is_symbol else 0.7,
                extractor=extractor,
            )
    return None


def value_fields(q: Quantity, si_unit: str | None) -> dict[str, object]:
    """The Record fields of a quantity: as written, and in SI (raises UnitError)."""
    value_si, min_si, max_si, unit_si = q.si(si_unit or None)
    return {
        "value": q.value,
        "value_min": q.value_min if q.is_range else q.value,
        "value_max": q.value_max if q.is_range else q.value,
        "uncertainty": q.uncertainty,
        "unit": q.unit or None,
        "value_si": value_si,
        "value_min_si": min_si,
        "value_max_si": max_si,
        "unit_si": unit_si or None,
    }


def _material_from_cell(text: str) -> MaterialMention | None:
    cleaned = re.sub(r"\s*\[\d+\]$|\s*\(ref\.?\s*\d+\)$|[*†‡§]+$", "", text).strip()
    found = find_material_mentions(cleaned, {})
    if found:
        first = found[0]
        return MaterialMention(0, len(cleaned), cleaned, first.formula, first.elements, first.confidence)
    formula = formula_for_name(cleaned)
    if formula:
        parsed_formula, elements = formula_and_elements(formula)
        return MaterialMention(0, len(cleaned), cleaned, parsed_formula, elements, 0.7)
    return None


def _material_column(body: list[list[str]]) -> int | None:
    if not body:
        return None
    best, best_hits = None, 0
    for col in range(len(body[0])):
        hits = sum(1 for row in body if row[col].strip() and _material_from_cell(row[col].strip()) is not None)
        if hits > best_hits and hits >= max(1, len(body) // 2):
            best, best_hits = col, hits
    return best


_HEADER_UNIT = re.compile(r"(?:\(([^()]*(?:\([^()]*\)[^()]*)*)\)|\[([^\[\]]+)\]|[/,]\s*([^/,()]+))\s*$")


def _unit_in_header(header: str) -> str:
    m = _HEADER_UNIT.search(header)
    if not m:
        return ""
    unit = (m.group(1) or m.group(2) or m.group(3) or "").strip()
    try:
        parse_unit(unit)
    except UnitError:
        return ""
    return unit
