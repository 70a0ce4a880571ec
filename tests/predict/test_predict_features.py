from __future__ import annotations

import numpy as np
import pytest

from textmine.dataset.groups import chemical_system, composition, group_folds, split_of
from textmine.predict.features import (
    STRUCTURE_FEATURE_NAMES,
    composition_feature_names,
    composition_features,
    feature_matrix,
    structure_features,
)


def feature(vector: np.ndarray, name: str) -> float:
    return float(vector[composition_feature_names().index(name)])


def test_composition_features_follow_the_fractions():
    v = composition_features("Fe2O3")
    assert feature(v, "n_elements") == 2
    assert feature(v, "frac_Fe") == pytest.approx(0.4)
    assert feature(v, "frac_O") == pytest.approx(0.6)
    assert feature(v, "X_mean") == pytest.approx(0.4 * 1.83 + 0.6 * 3.44)
    assert feature(v, "X_range") == pytest.approx(3.44 - 1.83)
    assert feature(v, "Z_mode") == 8  # oxygen is the most abundant
    # the same composition written differently gives the same features
    assert np.array_equal(v, composition_features("Fe4O6"))
    assert np.array_equal(composition_features("CuSO4·5H2O"), composition_features("CuH10SO9"))


def test_formulas_that_are_not_compositions_give_no_features():
    X, ok = feature_matrix(["GaAs", "xyz", "", "Ba1-xSrxTiO3", "Xx2O"])
    assert ok.tolist() == [True, False, False, False, False]
    assert np.isnan(X[1]).all() and not np.isnan(X[0, :10]).any()


def test_chemical_systems_and_stable_splits():
    assert chemical_system("La0.7Sr0.3MnO3") == "La-Mn-O-Sr"
    assert chemical_system(["O", "Fe", "O"]) == "Fe-O"
    assert chemical_system("Fe2O3") == chemical_system("Fe3O4")
    assert composition("YBa2Cu3O6.95") == (("Ba", 2.0), ("Cu", 3.0), ("O", 6.95), ("Y", 1.0))
    assert split_of("Fe-O") == split_of("Fe-O")
    shares = [split_of(f"X{i}-O") for i in range(3000)]
    assert 0.77 < shares.count("train") / 3000 < 0.83
    assert 0.08 < shares.count("test") / 3000 < 0.12


def test_group_folds_keep_systems_together_and_balance_rows():
    groups = ["Cu-O-Y"] * 60 + [f"S{i}" for i in range(200) for _ in range(i % 3 + 1)]
    folds = group_folds(groups, 5, seed=1)
    by_group: dict[str, set[int]] = {}
    for g, f in zip(groups, folds):
        by_group.setdefault(g, set()).add(int(f))
    assert all(len(f) == 1 for f in by_group.values())
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 3, sizes
    with pytest.raises(ValueError, match="cannot make 5 group folds"):
        group_folds(["a", "b", "a"], 5)


def test_structure_features_of_rock_salt():
    from pymatgen.core import Lattice, Structure

    nacl = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    f = dict(zip(STRUCTURE_FEATURE_NAMES, structure_features(nacl)))
    assert f["struct_spacegroup"] == 225
    assert f["struct_crystal_system"] == 7  # cubic
    assert f["struct_cn_mean"] == 6
    assert f["struct_nn_min"] == pytest.approx(2.82, abs=0.01)
    assert f["struct_volume_per_atom"] == pytest.approx(5.64**3 / 8)
    assert f["struct_ordered"] == 1


def test_oxidation_state_guess_balances_the_charge_and_counts_d_electrons():
    tio2 = composition_features("TiO2")  # Ti(IV): d0
    assert feature(tio2, "ox_charge_balanced") == 1 and feature(tio2, "ox_imbalance") == 0
    assert feature(tio2, "ox_cation_mean") == 4 and feature(tio2, "ox_anion_min") == -2
    assert feature(tio2, "ox_d_electrons_mean") == 0 and feature(tio2, "ox_open_d_shell_fraction") == 0
    assert feature(tio2, "ox_cation_fraction") == pytest.approx(1 / 3)
    fe2o3 = composition_features("Fe2O3")  # Fe(III): d5, a partly filled shell on 40 % of the atoms
    assert feature(fe2o3, "ox_cation_mean") == pytest.approx(3) and feature(fe2o3, "ox_d_electrons_max") == 5
    assert feature(fe2o3, "ox_open_d_shell_fraction") == pytest.approx(0.4)
    zno = composition_features("ZnO")  # Zn(II): d10, a closed shell
    assert feature(zno, "ox_d_electrons_mean") == 10 and feature(zno, "ox_open_d_shell_fraction") == 0
    gaas = composition_features("GaAs")  # no d-block cation: d counts missing, not zero
    assert feature(gaas, "ox_charge_balanced") == 1 and np.isnan(feature(gaas, "ox_d_electrons_mean"))
    # an alloy balances with fractional amounts as well
    assert feature(composition_features("Hg0.7Cd0.3Te"), "ox_charge_balanced") == 1
    # Cu(I) is not among pymatgen's common Cu states: Cu2O balances only with every known state
    cu2o = composition_features("Cu2O")
    assert feature(cu2o, "ox_charge_balanced") == 0 and feature(cu2o, "ox_imbalance") > 0.5
    assert feature(cu2o, "ox_balanced_any_state") == 1
    # an intermetallic with no anion: no anion state, and the guess cannot balance it
    mgcu2 = composition_features("MgCu2")
    assert np.isnan(feature(mgcu2, "ox_anion_min")) and feature(mgcu2, "ox_charge_balanced") == 0


def test_oxidation_states_of_every_experimental_band_gap_material(shared_data):
    """The shared band-gap table (2831 rows): every composition gets a guess (none beyond the
    assignment cap), and most of these non-metals balance with common states."""
    import csv

    with open(shared_data / "materials" / "expt_band_gaps" / "expt-non-metals.csv", encoding="utf-8") as handle:
        formulas = sorted({row["composition"] for row in csv.DictReader(handle)})
    X, ok = feature_matrix(formulas)
    names = composition_feature_names()
    balanced = X[ok, names.index("ox_charge_balanced")]
    any_state = X[ok, names.index("ox_balanced_any_state")]
    assert ok.sum() >= 1750
    assert not np.isnan(balanced).any() and not np.isnan(any_state).any()
    assert 0.70 < balanced.mean() < 0.80, balanced.mean()  # 0.747 with pymatgen's common states
    assert (any_state >= balanced).all() and any_state.mean() > 0.85
