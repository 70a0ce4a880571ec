"""Features of a material: from its composition (element data from pymatgen) and, when one is
given, from its crystal structure.

Composition features follow the Magpie recipe (Ward et al., npj Comput. Mater. 2016) with the
element data pymatgen ships: for each element property the fraction-weighted mean, mean absolute
deviation, minimum, maximum, range and the value of the most abundant element; stoichiometric
Lp norms; valence-orbital fractions; ionic character; a metal/non-metal split (electronegativity
gap, cation ionisation energy, anion electron affinity); the atomic-orbital band edges of
pymatgen's `MolecularOrbitals` (HOMO, LUMO and their gap, as matminer's `AtomicOrbitals`); an
oxidation-state guess (common oxidation states that balance the charge, the d electrons the
transition-metal cations keep: d0 and d10 cations open gaps, partly filled d shells close them);
and the element fractions themselves.

Structure features are cheap geometric descriptors (volume per atom, density, packing fraction,
lattice shape, space group, nearest-neighbour distances and coordination). A row without a
structure gets NaN for them, which the gradient-boosted trees route on their own.

Everything here is a pure function of its input and the element table; `FEATURE_VERSION`
changes whenever a feature's meaning does, and a saved model refuses features of another version.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from textmine.dataset.groups import composition

FEATURE_VERSION = "composition-v4+structure-v1"

# Element properties (pymatgen `Element` attributes) used for the statistics.
ELEMENT_ATTRIBUTES = (
    "Z", "row", "group", "atomic_mass", "X", "atomic_radius", "atomic_radius_calculated", "mendeleev_no",
    "melting_point", "boiling_point", "molar_volume", "electron_affinity", "ionization_energy",
    "average_ionic_radius", "max_oxidation_state", "min_oxidation_state", "density_of_solid",
    "thermal_conductivity", "van_der_waals_radius",
)
# Derived from the electronic structure: valence electrons per orbital type and unfilled states.
VALENCE_COLUMNS = ("Ns", "Np", "Nd", "Nf", "N_valence", "Ns_unfilled", "Np_unfilled", "Nd_unfilled", "Nf_unfilled",
                   "N_unfilled", "is_metal")
# Second and third ionisation energies and the range of common oxidation states.
EXTRA_COLUMNS = ("ionization_energy_2", "ionization_energy_3", "common_oxidation_max", "common_oxidation_min")
ELEMENT_COLUMNS = ELEMENT_ATTRIBUTES + VALENCE_COLUMNS + EXTRA_COLUMNS
STATISTICS = ("mean", "avg_dev", "min", "max", "range", "mode")
MAX_Z = 103  # element fractions for H..Lr
_CAPACITY = {"s": 2, "p": 6, "d": 10, "f": 14}
_VALENCE_INDEX = [ELEMENT_COLUMNS.index(c) for c in ("Ns", "Np", "Nd", "Nf", "N_valence")]


@dataclass(frozen=True)
class ElementTable:
    symbols: tuple[str, ...]
    index: dict[str, int]
    values: np.ndarray  # [n_elements, n_columns], NaN where pymatgen has no value
    digest: str  # changes when pymatgen's element data does


@functools.lru_cache(maxsize=1)
def element_table() -> ElementTable:
    from pymatgen.core import Element

    symbols: list[str] = []
    rows: list[list[float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymatgen warns for every missing datum
        for z in range(1, MAX_Z + 1):
            element = Element.from_Z(z)
            symbols.append(element.symbol)
            rows.append([_attribute(element, name) for name in ELEMENT_ATTRIBUTES] + _valence(element) + _extra(element))
    values = np.asarray(rows, dtype=np.float64)
    digest = hashlib.sha256(np.nan_to_num(values, nan=-999.0).round(6).tobytes()).hexdigest()[:16]
    return ElementTable(tuple(symbols), {s: i for i, s in enumerate(symbols)}, values, digest)


def _attribute(element: Any, name: str) -> float:
    try:
        value = getattr(element, name)
    except Exception:  # noqa: BLE001 - pymatgen raises AttributeError/ValueError for absent data
        return math.nan
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def _extra(element: Any) -> list[float]:
    try:
        energies = list(element.ionization_energies or [])
    except Exception:  # noqa: BLE001
        energies = []
    second = [float(e) if e is not None else math.nan for e in (energies + [None, None, None])[1:3]]
    try:
        states = tuple(element.common_oxidation_states or ())
    except Exception:  # noqa: BLE001
        states = ()
    return second + ([float(max(states)), float(min(states))] if states else [math.nan, math.nan])


def _valence(element: Any) -> list[float]:
    """Magpie-style valence counts: outermost s and p, the d shell below, the f shell two below."""
    try:
        shells = element.full_electronic_structure
    except Exception:  # noqa: BLE001
        return [math.nan] * len(VALENCE_COLUMNS)
    outer = max(n for n, orbital, _ in shells if orbital == "s")
    count = {"s": 0.0, "p": 0.0, "d": 0.0, "f": 0.0}
    for n, orbital, electrons in shells:
        if (orbital, n) in (("s", outer), ("p", outer), ("d", outer - 1), ("f", outer - 2)):
            count[orbital] += electrons
    unfilled = {k: (_CAPACITY[k] - v if v > 0 else 0.0) for k, v in count.items()}
    return [count["s"], count["p"], count["d"], count["f"], sum(count.values()),
            unfilled["s"], unfilled["p"], unfilled["d"], unfilled["f"], sum(unfilled.values()),
            1.0 if element.is_metal else 0.0]


@functools.lru_cache(maxsize=1)
def composition_feature_names() -> tuple[str, ...]:
    names = [f"{column}_{stat}" for column in ELEMENT_COLUMNS for stat in STATISTICS]
    names += ["n_elements", "norm_2", "norm_3", "norm_5", "norm_7", "norm_10"]
    names += ["frac_s_valence", "frac_p_valence", "frac_d_valence", "frac_f_valence"]
    names += ["ionic_character_max", "ionic_character_mean"]
    names += ["metal_fraction", "X_nonmetal_minus_metal", "ionization_energy_metals", "electron_affinity_nonmetals"]
    names += ["ao_homo_eV", "ao_lumo_eV", "ao_gap_eV", "ao_metal"]
    names += list(OXIDATION_FEATURE_NAMES)
    names += [f"frac_{symbol}" for symbol in element_table().symbols]
    return tuple(names)


def composition_features(formula: str | None) -> np.ndarray | None:
    """One feature vector (see `composition_feature_names`), or None when the formula does not
    parse or holds an element beyond Lr."""
    amounts = composition(formula)
    if amounts is None:
        return None
    return _features_of(amounts)


@functools.lru_cache(maxsize=65536)
def _features_of(amounts: tuple[tuple[str, float], ...]) -> np.ndarray | None:
    table = element_table()
    try:
        rows = np.array([table.index[el] for el, _ in amounts])
    except KeyError:
        return None
    fractions = np.array([n for _, n in amounts], dtype=np.float64)
    fractions = fractions / fractions.sum()
    values = table.values[rows]  # [k, columns]
    known = ~np.isnan(values)
    weights = fractions[:, None] * known
    total_weight = weights.sum(axis=0)
    some = total_weight > 0
    weights = np.divide(weights, total_weight, out=np.zeros_like(weights), where=some)
    filled = np.where(known, values, 0.0)
    mean = (weights * filled).sum(axis=0)
    avg_dev = (weights * np.abs(filled - mean)).sum(axis=0)
    low = np.where(known, values, np.inf).min(axis=0)
    high = np.where(known, values, -np.inf).max(axis=0)
    mode_row = int(np.argmax(fractions))
    mode = np.where(known[mode_row], values[mode_row], mean)
    stats = np.stack([mean, avg_dev, low, high, high - low, mode], axis=1)  # [columns, STATISTICS]
    stats[~some] = np.nan
    out: list[float] = stats.ravel().tolist()
    out.append(float(len(amounts)))
    out += [float(np.sum(fractions**p) ** (1.0 / p)) for p in (2, 3, 5, 7, 10)]
    valence = fractions @ filled[:, _VALENCE_INDEX]  # Ns, Np, Nd, Nf, N_valence
    total = float(valence[4])
    out += (valence[:4] / total).tolist() if total > 0 else [math.nan] * 4
    x = values[:, ELEMENT_COLUMNS.index("X")]
    if len(amounts) > 1 and not np.isnan(x).all():
        xx = np.nan_to_num(x, nan=float(np.nanmean(x)))
        pair = 1.0 - np.exp(-0.25 * (xx[:, None] - xx[None, :]) ** 2)
        out += [float(pair.max()), float(fractions @ pair @ fractions)]
    else:
        out += [0.0, 0.0]
    metal = np.nan_to_num(values[:, ELEMENT_COLUMNS.index("is_metal")]) > 0.5
    out += _cation_anion(fractions, values, metal)
    out += _orbital_edges(amounts)
    out += _oxidation_states(amounts, fractions)
    element_fractions = np.zeros(len(table.symbols))
    element_fractions[rows] = fractions
    vector = np.concatenate([np.asarray(out, dtype=np.float64), element_fractions])
    vector.setflags(write=False)  # cached: callers must not modify it
    return vector


def _cation_anion(fractions: np.ndarray, values: np.ndarray, metal: np.ndarray) -> list[float]:
    """Metals as the likely cations, the rest as anions: the share of metal atoms, the
    electronegativity gap between the two groups, the metals' ionisation energy and the
    non-metals' electron affinity (what opens a gap in an ionic solid)."""

    def mean_of(column: str, mask: np.ndarray) -> float:
        v = values[mask, ELEMENT_COLUMNS.index(column)]
        w = fractions[mask]
        known = ~np.isnan(v)
        return float(np.dot(w[known], v[known]) / w[known].sum()) if known.any() and w[known].sum() > 0 else math.nan

    share = float(fractions[metal].sum())
    gap = mean_of("X", ~metal) - mean_of("X", metal) if metal.any() and (~metal).any() else math.nan
    return [share, gap, mean_of("ionization_energy", metal), mean_of("electron_affinity", ~metal)]


_HARTREE_EV = 27.211386245988


def _orbital_edges(amounts: tuple[tuple[str, float], ...]) -> list[float]:
    """HOMO and LUMO energies (eV) of the atomic orbitals filled by the composition's electrons,
    their gap, and whether the filling leaves a partly filled band (pymatgen `MolecularOrbitals`,
    on the composition scaled to small integers)."""
    try:
        from pymatgen.core import Composition
        from pymatgen.core.molecular_orbitals import MolecularOrbitals

        integer, _ = Composition(dict(amounts)).get_integer_formula_and_factor(max_denominator=20)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            edges = MolecularOrbitals(integer).band_edges
        homo, lumo = edges["HOMO"][2] * _HARTREE_EV, edges["LUMO"][2] * _HARTREE_EV
        return [homo, lumo, lumo - homo, 1.0 if edges["metal"] else 0.0]
    except Exception:  # noqa: BLE001 - elements without orbital data (heavy actinides), odd amounts
        return [math.nan] * 4


OXIDATION_FEATURE_NAMES = ("ox_charge_balanced", "ox_imbalance", "ox_cation_mean", "ox_anion_min", "ox_max",
                           "ox_d_electrons_mean", "ox_d_electrons_max", "ox_open_d_shell_fraction", "ox_cation_fraction",
                           "ox_balanced_any_state")
_MAX_OXIDATION_ASSIGNMENTS = 20000  # (states per element) multiplied out; beyond it the features are missing


@functools.lru_cache(maxsize=None)
def _oxidation_data(symbol: str) -> tuple[tuple[int, ...], tuple[int, ...], int | None]:
    """(common oxidation states, every known one, the group of a d-block element); (0,) for none."""
    from pymatgen.core import Element

    element = Element(symbol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        known = tuple(sorted(set(element.oxidation_states))) or (0,)
        common = tuple(sorted(set(element.common_oxidation_states))) or known
    return common, known, (element.group if element.block == "d" else None)


def _balance(choices: list[tuple[int, ...]], fractions: np.ndarray) -> tuple[float, np.ndarray] | None:
    """The assignment of one state per element with the smallest charge imbalance per atom (ties:
    the smaller mean |state|), or None when there are too many assignments to try."""
    if math.prod(len(states) for states in choices) > _MAX_OXIDATION_ASSIGNMENTS:
        return None
    best: tuple[tuple[float, float], np.ndarray] | None = None
    for combo in itertools.product(*choices):
        charges = np.asarray(combo, dtype=np.float64)
        key = (round(abs(float(fractions @ charges)), 6), float(fractions @ np.abs(charges)))
        if best is None or key < best[0]:
            best = (key, charges)
    return (best[0][0], best[1]) if best is not None else None


def _oxidation_states(amounts: tuple[tuple[str, float], ...], fractions: np.ndarray) -> list[float]:
    """One common oxidation state per element, chosen to balance the charge; from it: whether the
    charge balances, the remaining imbalance per atom, the cations' mean and the lowest (anion)
    state, the highest state, the d electrons left on the d-block cations (group − state: mean,
    max, and the atom share with a partly filled d shell), the share of atoms that are cations;
    and whether any known states balance it (Cu(I) in Cu2O, which pymatgen does not list as common)."""
    data = [_oxidation_data(el) for el, _ in amounts]
    found = _balance([common for common, _, _ in data], fractions)
    if found is None:
        return [math.nan] * len(OXIDATION_FEATURE_NAMES)
    imbalance, charges = found
    wider = _balance([known for _, known, _ in data], fractions) if imbalance > 1e-6 else found
    cation, anion = charges > 0, charges < 0
    d_block = np.array([group is not None for _, _, group in data]) & cation
    d_count = np.clip(np.array([(group or 0) - c for (_, _, group), c in zip(data, charges)]), 0, 10)
    d_weights = fractions[d_block]
    return [
        1.0 if imbalance < 1e-6 else 0.0,
        imbalance,
        float(fractions[cation] @ charges[cation] / fractions[cation].sum()) if cation.any() else math.nan,
        float(charges[anion].min()) if anion.any() else math.nan,
        float(charges.max()),
        float(d_weights @ d_count[d_block] / d_weights.sum()) if d_block.any() else math.nan,
        float(d_count[d_block].max()) if d_block.any() else math.nan,
        float(fractions[d_block & (d_count > 0) & (d_count < 10)].sum()),
        float(fractions[cation].sum()),
        math.nan if wider is None else (1.0 if wider[0] < 1e-6 else 0.0),
    ]


# --------------------------------------------------------------------------------- structures

STRUCTURE_FEATURE_NAMES = (
    "struct_volume_per_atom", "struct_density", "struct_packing_fraction", "struct_n_sites", "struct_ordered",
    "struct_spacegroup", "struct_crystal_system", "struct_b_over_a", "struct_c_over_a", "struct_alpha", "struct_beta",
    "struct_gamma", "struct_nn_min", "struct_nn_mean", "struct_nn_max", "struct_nn_over_radii", "struct_cn_mean",
    "struct_cn_std",
)
_MAX_SITES_FOR_SYMMETRY = 400
_NEIGHBOUR_CUTOFF = 6.0  # Å: every site of a real crystal has a neighbour closer than this


def read_structure(path: str | Path) -> Any:
    """A pymatgen Structure from a CIF (or any format pymatgen reads); raises ValueError with the
    file name when it cannot be read."""
    from pymatgen.core import Structure

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # CIF quirks (rounded occupancies, missing tags) are routine
            return Structure.from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - pymatgen raises many types on malformed CIFs
        raise ValueError(f"cannot read a crystal structure from {path}: {exc}") from exc


def structure_from_text(cif: str) -> Any:
    from pymatgen.core import Structure

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Structure.from_str(cif, fmt="cif")
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"cannot read a crystal structure from CIF text: {exc}") from exc


def structure_features(structure: Any) -> np.ndarray:
    """Geometric descriptors of one structure (see `STRUCTURE_FEATURE_NAMES`)."""
    table = element_table()
    n_sites = len(structure)
    volume = float(structure.volume)
    lattice = structure.lattice
    a, b, c = sorted(lattice.abc)
    radius = table.values[:, ELEMENT_COLUMNS.index("atomic_radius")]

    def site_radius(site: Any) -> float:
        r = [radius[table.index[str(sp.symbol)]] * occ for sp, occ in site.species.items() if str(sp.symbol) in table.index]
        total = sum(occ for _, occ in site.species.items())
        return float(np.nansum(r) / total) if r and total else math.nan

    radii = np.array([site_radius(site) for site in structure])
    occupancy = np.array([sum(site.species.values()) for site in structure])
    packing = float(np.nansum(occupancy * 4.0 / 3.0 * math.pi * radii**3) / volume) if volume > 0 else math.nan
    spacegroup = _spacegroup(structure) if structure.is_ordered and n_sites <= _MAX_SITES_FOR_SYMMETRY else math.nan
    nn_min, nn_mean, nn_max, nn_rel, cn_mean, cn_std = _neighbours(structure, radii)
    return np.array(
        [volume / n_sites, float(structure.density), packing, float(n_sites), 1.0 if structure.is_ordered else 0.0,
         spacegroup, _crystal_system(spacegroup), b / a, c / a, *lattice.angles,
         nn_min, nn_mean, nn_max, nn_rel, cn_mean, cn_std],
        dtype=np.float64,
    )


def _spacegroup(structure: Any) -> float:
    try:
        from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # spglib's deprecation notices about its error handling
            return float(SpacegroupAnalyzer(structure, symprec=0.1).get_space_group_number())
    except Exception:  # noqa: BLE001 - spglib fails on some cells; the feature is then missing
        return math.nan


def _crystal_system(number: float) -> float:
    if math.isnan(number):
        return math.nan
    for system, last in enumerate((2, 15, 74, 142, 167, 194, 230), start=1):
        if number <= last:
            return float(system)
    return math.nan


def _neighbours(structure: Any, radii: np.ndarray) -> tuple[float, ...]:
    try:
        centers, _, _, distances = structure.get_neighbor_list(_NEIGHBOUR_CUTOFF)
    except Exception:  # noqa: BLE001
        return (math.nan,) * 6
    keep = distances > 1e-6
    centers, distances = centers[keep], distances[keep]
    if not len(distances):
        return (math.nan,) * 6
    n_sites = len(structure)
    nearest = np.full(n_sites, np.inf)
    np.minimum.at(nearest, centers, distances)
    has = np.isfinite(nearest)
    nearest_known = nearest[has]
    # coordination: neighbours within 1.2 x the site's nearest-neighbour distance
    within = distances <= 1.2 * nearest[centers]
    cn = np.bincount(centers[within], minlength=n_sites)[has].astype(np.float64)
    mean_radius = float(np.nanmean(radii)) if not np.isnan(radii).all() else math.nan
    return (float(nearest_known.min()), float(nearest_known.mean()), float(nearest_known.max()),
            float(nearest_known.mean() / (2 * mean_radius)) if mean_radius and not math.isnan(mean_radius) else math.nan,
            float(cn.mean()), float(cn.std()))


# ------------------------------------------------------------------------------------ matrices

def feature_names(with_structure: bool) -> list[str]:
    return list(composition_feature_names()) + (list(STRUCTURE_FEATURE_NAMES) if with_structure else [])


def feature_matrix(formulas: Sequence[str | None], structures: Sequence[Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Features of many rows: (X [n, n_features] float32, ok [n] bool). A row whose formula does
    not parse is not ok (its features are NaN); a missing structure (None) only leaves the
    structure columns NaN. `structures` holds pymatgen Structures (or their `structure_features`
    vectors, computed before), or is None for no structure column."""
    n_comp = len(composition_feature_names())
    width = n_comp + (len(STRUCTURE_FEATURE_NAMES) if structures is not None else 0)
    X = np.full((len(formulas), width), np.nan, dtype=np.float32)
    ok = np.zeros(len(formulas), dtype=bool)
    for i, formula in enumerate(formulas):
        vector = composition_features(formula)
        if vector is not None:
            X[i, :n_comp] = vector
            ok[i] = True
    if structures is not None:
        for i, structure in enumerate(structures):
            if isinstance(structure, np.ndarray):  # features computed (and cached) before
                X[i, n_comp:] = structure
            elif structure is not None:
                X[i, n_comp:] = structure_features(structure)
    return X, ok


__all__ = [
    "FEATURE_VERSION", "element_table", "composition_features", "composition_feature_names", "structure_features",
    "STRUCTURE_FEATURE_NAMES", "read_structure", "structure_from_text", "feature_names", "feature_matrix",
]
