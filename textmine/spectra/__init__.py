"""Powder diffraction patterns: read (.xrdml, .xy/.csv), simulate (pymatgen XRDCalculator), identify phases."""
