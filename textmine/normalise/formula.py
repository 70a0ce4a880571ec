"""Formula parsing, detection and material names now live in `textmine.chemistry`; this module
keeps the old import path (`from textmine.normalise.formula import parse_formula, ...`)."""

from __future__ import annotations

from textmine.chemistry.elements import element_symbols
from textmine.chemistry.find import FormulaMatch, find_formulas, looks_like_formula
from textmine.chemistry.formula import PLACEHOLDERS, FormulaError, ParsedFormula, parse_formula, variables_in_text
from textmine.chemistry.names import MATERIAL_NAMES_FILE, NameMatch, find_material_names, formula_for_name, material_names

__all__ = [
    "FormulaError",
    "FormulaMatch",
    "MATERIAL_NAMES_FILE",
    "NameMatch",
    "PLACEHOLDERS",
    "ParsedFormula",
    "element_symbols",
    "find_formulas",
    "find_material_names",
    "formula_for_name",
    "looks_like_formula",
    "material_names",
    "parse_formula",
    "variables_in_text",
]
