"""NER fixtures: the shipped fast model (needs the `ner` extra: onnxruntime, tokenizers)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "train: trains a (tiny) model; needs torch and transformers (`train` extra)")


@pytest.fixture(scope="session")
def tagger():
    pytest.importorskip("onnxruntime", reason="NER inference needs onnxruntime: pip install 'textmine[ner]'")
    pytest.importorskip("tokenizers", reason="NER inference needs tokenizers: pip install 'textmine[ner]'")
    from textmine.ner import NerTagger

    return NerTagger("fast")


@pytest.fixture(scope="session")
def accurate_tagger():
    pytest.importorskip("onnxruntime", reason="NER inference needs onnxruntime: pip install 'textmine[ner]'")
    from textmine.ner import NerTagger

    return NerTagger("accurate")
