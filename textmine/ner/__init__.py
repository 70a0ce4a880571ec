"""Transformer NER for materials text (Matscholar types MAT SPL DSC PRO APL SMT CMT).

Inference needs only onnxruntime, tokenizers and numpy (`pip install 'textmine[ner]'`) and never
imports torch; training, export and quantisation live apart in `textmine.ner.training` and need
the `train` extra (torch, transformers). Scoring is `textmine.eval.ner` (`textmine evaluate ner`).
"""

from textmine.ner.decode import ENTITY_TYPES, LABELS, Span
from textmine.ner.normalise import looks_normalised, normalise_formula, normalise_tokens
from textmine.ner.tagger import NerTagger, load_tagger
from textmine.ner.words import word_spans

__all__ = [
    "ENTITY_TYPES", "LABELS", "NerTagger", "Span", "load_tagger", "looks_normalised", "normalise_formula",
    "normalise_tokens", "word_spans",
]
