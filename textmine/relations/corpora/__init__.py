"""Relation training data: loaders that turn annotated corpora into one common format (see schema.py)."""
