"""Linking: records and spectra -> ranked candidate structures, with a score and a reason."""
