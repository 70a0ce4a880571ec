"""Structure readers: CIF (several blocks, a bad one, partial occupancies), POSCAR, extxyz, JSON
(pymatgen, ASE, OPTIMADE), the content id, and the shared 3DSC / OBELiX files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from textmine.records import Failure
from textmine.structures.model import canonical_id
from textmine.structures.readers import read_structures

FIXTURES = Path(__file__).parent / "fixtures"


def _split(items):
    items = list(items)
    return [i for i in items if not isinstance(i, Failure)], [i for i in items if isinstance(i, Failure)]


def test_cif_every_block_is_a_structure_and_a_bad_block_is_a_failure():
    good, bad = _split(read_structures(FIXTURES / "two_blocks_one_bad.cif"))
    assert [e.name for e in good] == ["NaCl", "disordered_LiFePO4"]
    nacl = good[0]
    assert nacl.reduced_formula == "NaCl" and nacl.space_group == "Fm-3m" and nacl.space_group_number == 225
    assert nacl.crystal_system == "cubic" and nacl.symprec == 0.1 and nacl.angle_tolerance == 5.0
    assert nacl.source_id == "icsd:240598" and nacl.declared_space_group == "F m -3 m"
    assert nacl.nsites == 8 and nacl.ordered and abs(nacl.lattice.a - 5.6402) < 1e-6
    assert abs(nacl.density - 2.165) < 0.01  # g/cm3 of rock salt
    assert nacl.source.endswith("two_blocks_one_bad.cif#NaCl")
    assert len(bad) == 1 and bad[0].source.endswith("#broken") and "broken" in bad[0].reason
    assert str(bad[0].stage) == "read"


def test_partial_occupancies_are_kept():
    good, _ = _split(read_structures(FIXTURES / "two_blocks_one_bad.cif"))
    disordered = good[1]
    assert not disordered.ordered
    structure = disordered.to_pymatgen()
    occupancies = {str(sp): occ for site in structure for sp, occ in site.species.items()}
    assert occupancies == {"Li": 0.6, "Na": 0.4, "O": 1.0}
    assert disordered.reduced_formula == structure.composition.reduced_formula


def test_structure_id_is_content_only():
    from pymatgen.core import Lattice, Structure

    a = Structure(Lattice.cubic(4.2), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    b = Structure(Lattice.cubic(4.2), ["O", "Mg"], [[0.5, 0.5, 0.5], [1.0, 0, 0]])  # other order, 1.0 == 0.0
    c = Structure(Lattice.cubic(4.3), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    assert canonical_id(a) == canonical_id(b) != canonical_id(c)
    assert canonical_id(a).startswith("st-") and len(canonical_id(a)) == 19


def test_poscar(tmp_path):
    (entry,) = read_structures(FIXTURES / "POSCAR_GaAs")
    assert entry.reduced_formula == "GaAs" and entry.space_group_number == 216 and entry.source_id == "mp-2534"


def test_extxyz_frames_and_a_molecule_refused():
    pytest.importorskip("ase", reason="extxyz needs the structures extra (ASE)")
    good, bad = _split(read_structures(FIXTURES / "two_frames.extxyz"))
    assert len(good) == 1 and good[0].reduced_formula == "Si" and good[0].space_group_number == 227
    assert good[0].name == "Si-diamond"
    assert len(bad) == 1 and "no 3D periodic cell" in bad[0].reason and bad[0].source.endswith("#2")


def test_pymatgen_and_ase_json(tmp_path):
    from pymatgen.core import Lattice, Structure

    s = Structure(Lattice.cubic(4.2), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    path = tmp_path / "mgo.json"
    path.write_text(json.dumps({"material_id": "mp-1265", "structure": s.as_dict()}))
    (entry,) = read_structures(path)
    assert entry.reduced_formula == "MgO" and entry.source_id == "mp-1265"
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([s.as_dict(), {"not": "a structure"}]))
    good, bad = _split(read_structures(listed))
    assert len(good) == 1 and len(bad) == 1 and "pymatgen Structure dict" in bad[0].reason
    ase = pytest.importorskip("ase", reason="ASE JSON needs the structures extra")
    import ase.io
    from pymatgen.io.ase import AseAtomsAdaptor

    ase_path = tmp_path / "atoms.json"
    ase.io.write(ase_path, [AseAtomsAdaptor.get_atoms(s)], format="json")
    (from_ase,) = read_structures(ase_path)
    assert from_ase.structure_id == entry.structure_id


def test_not_json_and_unknown_suffix(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{nope")
    (failure,) = read_structures(bad)
    assert isinstance(failure, Failure) and "not valid JSON" in failure.reason


def test_optimade_response_file(tmp_path):
    from tests.structures.optimade_fixtures import page

    path = tmp_path / "optimade.json"
    path.write_text(json.dumps(page(["TiO2-rutile", "NaCl", "vacancy-disordered", "molecule"], next_url=None)))
    good, bad = _split(read_structures(path))
    assert [e.reduced_formula for e in good[:2]] == ["TiO2", "NaCl"]
    assert good[2].to_pymatgen().composition.get_el_amt_dict() == {"Li": 0.5, "Na": 0.25, "O": 1.0}
    assert good[0].space_group_number == 136 and good[0].source_id == "exmpl:TiO2-rutile"
    assert not good[2].ordered  # a species with a vacancy concentration stays partial
    assert len(bad) == 1 and "dimension_types" in bad[0].reason


# ---- shared data: the real 3DSC and OBELiX files (the full load is bench/bench_structures.py)

def test_3dsc_file_names_give_supercon_name_mp_id_and_kind(shared_data):
    folder = shared_data / "materials" / "supercon_3dsc" / "cifs"
    (doped,) = read_structures(folder / "Ag0.1In0.9Te1-MP-mp-2597-synth_doped.cif")
    assert doped.source_id == "mp-2597" and doped.kind == "synth_doped" and doped.name == "Ag0.1In0.9Te1"
    assert set(doped.elements) == {"Ag", "In", "Te"} and doped.space_group is not None


def test_obelix_partial_occupancies_load(shared_data):
    folder = shared_data / "materials" / "obelix" / "cifs"
    files = sorted(folder.glob("*.cif"))[:12]
    entries, failures = _split(item for f in files for item in read_structures(f))
    assert not failures
    assert any(not e.ordered for e in entries), "OBELiX CIFs carry partial occupancies"
    assert all(e.space_group_number for e in entries)
