"""Structure files in, `StructureEntry`s (or `Failure`s with the reason) out.

Formats, chosen by name and sniffed content:

- CIF (`.cif`, `.mcif`): every data block is one structure; partial occupancies are kept (a
  disordered structure); a block that does not parse is a `Failure` for `path#block` and the
  other blocks still load;
- POSCAR / CONTCAR (`POSCAR*`, `CONTCAR*`, `*.vasp`, `*.poscar`);
- extended XYZ (`.extxyz`, `.xyz` with a `Lattice=` comment), every frame (needs ASE);
- JSON: a pymatgen `Structure.as_dict()` (or a list of them), an ASE database JSON (needs ASE),
  or an OPTIMADE `/structures` response.

Reading is pure: the caller decides what to store. Names of 3DSC files
(`<SuperCon formula>-MP-<mp id>[-synth_doped].cif`) give the source id, the SuperCon name and the
`synth_doped` kind.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path
from typing import Any, Iterator

from textmine.records import Failure, FailureStage
from textmine.structures.model import StructureEntry, describe, source_id_from

CIF_SUFFIXES = (".cif", ".mcif")
JSON_SUFFIXES = (".json",)
XYZ_SUFFIXES = (".extxyz", ".xyz")
POSCAR_SUFFIXES = (".vasp", ".poscar")
OCCUPANCY_TOLERANCE = 1.05  # occupancies summing to <= 1.05 on a site are scaled to 1 (rounding in the CIF)

_BLOCK = re.compile(r"^data_(\S*)", re.M)
_3DSC = re.compile(r"^(?P<name>.+?)-MP-(?P<mp>mp-\d+|mvc-\d+)(?:-(?P<kind>[A-Za-z_]+))?$")
_CIF_IDS = [
    (re.compile(r"^_database_code_ICSD\s+'?(\d+)", re.M | re.I), "icsd:{}"),
    (re.compile(r"^_cod_database_code\s+'?(\d+)", re.M), "cod:{}"),
    (re.compile(r"^_database_code_amcsd\s+'?(\d+)", re.M), "amcsd:{}"),
]
_CIF_SG = re.compile(r"^(?:_symmetry_space_group_name_H-M|_space_group_name_H-M_alt)\s+['\"]?([^'\"\n]+?)['\"]?\s*$", re.M)


class StructureReadError(ValueError):
    """A file (or block) that is not a readable structure; the message is the stored reason."""


class ExtraMissing(ImportError):
    """A format that needs an optional dependency; the message says which pip install fixes it."""


def is_structure_file(path: Path) -> bool:
    name = path.name.lower()
    return (
        name.endswith(CIF_SUFFIXES + JSON_SUFFIXES + XYZ_SUFFIXES + POSCAR_SUFFIXES)
        or name.startswith(("poscar", "contcar"))
    )


def iter_structure_files(paths: list[Path]) -> Iterator[Path]:
    """Files given, and structure files under folders given (recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and is_structure_file(p))
        else:
            yield path


def read_structures(path: Path, **describe_kw: Any) -> Iterator[StructureEntry | Failure]:
    """Every structure in `path`, or a `Failure` per part that could not be read."""
    name = path.name.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield _failure(str(path), f"cannot read the file: {exc}")
        return
    try:
        if name.endswith(CIF_SUFFIXES):
            yield from read_cif(data.decode("utf-8", errors="replace"), str(path), **describe_kw)
        elif name.endswith(JSON_SUFFIXES):
            yield from read_json(data, str(path), **describe_kw)
        elif name.endswith(XYZ_SUFFIXES):
            yield from read_extxyz(data.decode("utf-8", errors="replace"), str(path), **describe_kw)
        elif name.startswith(("poscar", "contcar")) or name.endswith(POSCAR_SUFFIXES):
            yield read_poscar(data.decode("utf-8", errors="replace"), str(path), **describe_kw)
        else:
            yield _failure(str(path), "not a structure file (CIF, POSCAR/CONTCAR, extxyz or JSON)")
    except ExtraMissing as exc:  # recorded like any unreadable file: the reason says which install fixes it
        yield _failure(str(path), str(exc))
    except StructureReadError as exc:
        yield _failure(str(path), str(exc))


# ------------------------------------------------------------------------------------- CIF

def cif_blocks(text: str) -> list[tuple[str, str]]:
    """(block name, block text) for every `data_` block, in file order."""
    starts = [(m.start(), m.group(1)) for m in _BLOCK.finditer(text)]
    return [(name, text[at : starts[i + 1][0] if i + 1 < len(starts) else len(text)]) for i, (at, name) in enumerate(starts)]


def read_cif(text: str, source: str, **describe_kw: Any) -> Iterator[StructureEntry | Failure]:
    from pymatgen.io.cif import CifParser

    blocks = cif_blocks(text)
    if not blocks:
        yield _failure(source, "no data_ block: not a CIF file")
        return
    stem = Path(source).stem
    file_meta = _file_meta(stem)
    for index, (block, block_text) in enumerate(blocks):
        where = source if len(blocks) == 1 else f"{source}#{block or index + 1}"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                parser = CifParser.from_str(block_text, occupancy_tolerance=OCCUPANCY_TOLERANCE)
                structures = parser.parse_structures(primitive=False, on_error="raise")
            except Exception as exc:  # noqa: BLE001 - pymatgen raises ValueError, KeyError, IndexError... on bad CIFs
                notes = "; ".join(dict.fromkeys(str(w.message).split("\n")[0] for w in caught))
                yield _failure(where, f"CIF block {block!r} does not parse: {_short(exc)}" + (f" ({notes[:300]})" if notes else ""))
                continue
        if not structures:
            yield _failure(where, f"CIF block {block!r} has no atom sites")
            continue
        declared = m.group(1).strip() if (m := _CIF_SG.search(block_text)) else None
        source_id = _cif_source_id(block_text) or file_meta.get("source_id")
        for structure in structures:
            try:
                yield describe(structure, source=where, source_id=source_id, name=file_meta.get("name") or block or None,
                               declared_space_group=declared, kind=file_meta.get("kind", ""), **describe_kw)
            except Exception as exc:  # noqa: BLE001
                yield _failure(where, f"structure of block {block!r} cannot be analysed: {_short(exc)}")


def _cif_source_id(text: str) -> str | None:
    for pattern, template in _CIF_IDS:
        if m := pattern.search(text):
            return template.format(m.group(1))
    return None


def _file_meta(stem: str) -> dict[str, str]:
    """What a file name says: 3DSC names carry the SuperCon formula, the MP id and the kind."""
    if m := _3DSC.match(stem):
        return {"name": m.group("name"), "source_id": m.group("mp"), "kind": m.group("kind") or ""}
    found = source_id_from(stem)
    return {"source_id": found} if found else {}


# ---------------------------------------------------------------------------------- POSCAR

def read_poscar(text: str, source: str, **describe_kw: Any) -> StructureEntry:
    from pymatgen.io.vasp import Poscar

    try:
        poscar = Poscar.from_str(text)
    except Exception as exc:  # noqa: BLE001
        raise StructureReadError(f"POSCAR does not parse: {_short(exc)}") from None
    meta = _file_meta(Path(source).name)
    return describe(poscar.structure, source=source, source_id=meta.get("source_id") or source_id_from(poscar.comment or ""),
                    name=(poscar.comment or "").strip() or None, **describe_kw)


# ---------------------------------------------------------------------------------- extxyz

def _ase():
    try:
        import ase.io  # noqa: F401
        from pymatgen.io.ase import AseAtomsAdaptor
    except ImportError as exc:
        raise ExtraMissing("extxyz and ASE JSON need ASE: pip install 'textmine[structures]'") from exc
    import ase.io

    return ase.io, AseAtomsAdaptor


def read_extxyz(text: str, source: str, **describe_kw: Any) -> Iterator[StructureEntry | Failure]:
    ase_io, adaptor = _ase()
    try:
        frames = ase_io.read(io.StringIO(text), index=":", format="extxyz")
    except Exception as exc:  # noqa: BLE001
        raise StructureReadError(f"extxyz does not parse: {_short(exc)}") from None
    yield from _from_atoms(frames, source, adaptor, **describe_kw)


def _from_atoms(frames: list, source: str, adaptor, **describe_kw: Any) -> Iterator[StructureEntry | Failure]:
    for i, atoms in enumerate(frames):
        where = source if len(frames) == 1 else f"{source}#{i + 1}"
        if not all(atoms.pbc) or atoms.cell.rank < 3:
            yield _failure(where, "frame has no 3D periodic cell (a molecule, not a crystal): give Lattice= and pbc")
            continue
        try:
            structure = adaptor.get_structure(atoms)
            info = getattr(atoms, "info", {}) or {}
            sid = next((str(info[k]) for k in ("source_id", "material_id", "mp_id", "id") if k in info), None)
            yield describe(structure, source=where, source_id=sid, name=str(info.get("name")) if "name" in info else None,
                           **describe_kw)
        except Exception as exc:  # noqa: BLE001
            yield _failure(where, f"frame cannot be converted: {_short(exc)}")


# ------------------------------------------------------------------------------------ JSON

def read_json(data: bytes, source: str, **describe_kw: Any) -> Iterator[StructureEntry | Failure]:
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StructureReadError(f"not valid JSON: {exc}") from None
    if isinstance(obj, dict) and isinstance(obj.get("data"), (list, dict)) and ("meta" in obj or "links" in obj):
        from textmine.structures.optimade import entries_from_response

        yield from entries_from_response(obj, source, **describe_kw)
        return
    if isinstance(obj, dict) and "ids" in obj and "nextid" in obj:  # ASE database JSON (ase.io.write(..., format='json'))
        ase_io, adaptor = _ase()
        try:
            frames = ase_io.read(io.StringIO(data.decode("utf-8")), index=":", format="json")
        except Exception as exc:  # noqa: BLE001
            raise StructureReadError(f"ASE JSON does not parse: {_short(exc)}") from None
        yield from _from_atoms(frames, source, adaptor, **describe_kw)
        return
    items = obj if isinstance(obj, list) else [obj]
    for i, item in enumerate(items):
        where = source if len(items) == 1 else f"{source}#{i + 1}"
        yield from _from_pymatgen_dict(item, where, **describe_kw)


def _from_pymatgen_dict(item: Any, where: str, **describe_kw: Any) -> Iterator[StructureEntry | Failure]:
    from pymatgen.core import Structure

    if isinstance(item, dict) and "structure" in item and isinstance(item["structure"], dict):  # {"material_id":..., "structure": {...}}
        sid = item.get("material_id") or item.get("task_id")
        item = item["structure"]
    else:
        sid = None
    if not (isinstance(item, dict) and "lattice" in item and "sites" in item):
        yield _failure(where, "JSON is not a pymatgen Structure dict (needs 'lattice' and 'sites'), an ASE database "
                              "or an OPTIMADE response")
        return
    try:
        structure = Structure.from_dict(item)
    except Exception as exc:  # noqa: BLE001
        yield _failure(where, f"pymatgen Structure dict does not load: {_short(exc)}")
        return
    props = item.get("properties") or {}
    sid = sid or props.get("material_id") or source_id_from(Path(where).stem)
    yield describe(structure, source=where, source_id=str(sid) if sid else None, **describe_kw)


# ----------------------------------------------------------------------------------- common

def _failure(source: str, reason: str) -> Failure:
    return Failure(source=source, stage=FailureStage.READ, reason=reason)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().split("\n")[0] or type(exc).__name__
    return text[:300]


__all__ = ["read_structures", "iter_structure_files", "is_structure_file", "read_cif", "read_json", "read_poscar",
           "read_extxyz", "cif_blocks", "StructureReadError", "ExtraMissing"]
