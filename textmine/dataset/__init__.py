"""Datasets from extracted records: one row per material, with a robust consensus of the reported
values, provenance, conditions, joined structures and group-aware (chemical-system) splits.

    from textmine.dataset.build import BuildOptions, collect
    from textmine.dataset.write import write_dataset
    write_dataset(collect(store, BuildOptions("band_gap")), "band_gaps/")

The CLI is `textmine dataset build PROPERTY -o DIR` (`textmine/dataset/cli.py`).
"""
