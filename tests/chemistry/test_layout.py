"""One chemistry package: the old import paths still give the same objects, the element tables
agree with pymatgen, and the stdlib-only recognisers stay free of pymatgen."""

from __future__ import annotations

import json
import subprocess
import sys


def test_old_import_paths_are_the_chemistry_objects():
    import textmine.ner.normalise as ner_normalise
    import textmine.nlp.tokenizer as tokenizer
    import textmine.normalise.formula as old_formula
    from textmine.chemistry import elements, find, formula, names, tokens

    assert old_formula.parse_formula is formula.parse_formula
    assert old_formula.find_formulas is find.find_formulas
    assert old_formula.find_material_names is names.find_material_names
    assert old_formula.element_symbols is elements.element_symbols
    assert tokenizer.is_formula is tokens.is_formula and tokenizer.FORMULA is tokens.FORMULA
    assert ner_normalise.is_simple_formula is tokens.is_simple_formula
    assert ner_normalise.normalise_formula is tokens.normalise_formula
    assert ner_normalise.parse_formula is tokens.parse_simple_formula
    assert ner_normalise.ELEMENTS is elements.ELEMENTS


def test_element_table_agrees_with_pymatgen():
    from pymatgen.core import Element

    from textmine.chemistry.elements import ELEMENTS, element_symbols

    by_z = [e.symbol for e in sorted(Element, key=lambda e: e.Z) if e.symbol not in ("D", "T")]
    assert list(ELEMENTS) == by_z[: len(ELEMENTS)] and len(ELEMENTS) == 118
    expected = {e.symbol for e in Element if e.symbol not in ("D", "T") and (e.Z <= 83 or e.symbol in ("Th", "U", "Pu"))}
    assert element_symbols() == expected


def test_the_three_recognisers_answer_their_own_questions():
    from textmine.chemistry.find import find_formulas
    from textmine.chemistry.tokens import is_formula, is_simple_formula, normalise_formula

    # the tokenizer keeps a variable formula whole; mat2vec leaves it alone; the finder reads it
    assert is_formula("Ba1-xSrxTiO3") and not is_simple_formula("Ba1-xSrxTiO3")
    assert [m.text for m in find_formulas("films of Ba1-xSrxTiO3 (x = 0.3)", {"x": 0.3})] == ["Ba1-xSrxTiO3"]
    # mat2vec rewrites simple formulas in alphabetical order with integer amounts
    assert normalise_formula("SiO2") == "O2Si" and normalise_formula("Ni0.5Fe0.5") == "FeNi"
    assert is_simple_formula("IrMn") and not is_simple_formula("BN") and not is_simple_formula("Fe(II)")


def test_token_recognisers_load_no_pymatgen():
    code = ("import sys; import textmine.chemistry.tokens, textmine.ner.normalise, textmine.chemistry.formula; "
            "textmine.chemistry.formula.parse_formula('SiO2'); print('pymatgen' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.strip().lower()) is False, out.stderr[-2000:]
