"""Inference with a shipped ONNX model: onnxruntime + tokenizers + numpy, no torch, no network."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from textmine.ner.decode import LABELS, Span, bio_spans, crf_marginals, viterbi
from textmine.ner.encoding import encode, pad_batch
from textmine.ner.normalise import looks_normalised, normalise_tokens
from textmine.ner.runtime import batch_size_for, execution_providers, intra_op_threads
from textmine.ner.words import word_spans

MODELS_DIR = Path(__file__).parent / "models"
VERSION = "0.1.0"


def model_dir(model: str | os.PathLike) -> Path:
    """A shipped model name (`fast`, `accurate`) or a folder with model.onnx, tokenizer.json, labels.json."""
    p = Path(model)
    if p.is_dir() and (p / "model.onnx").exists():
        return p
    shipped = MODELS_DIR / str(model)
    if (shipped / "model.onnx").exists():
        return shipped
    available = sorted(d.name for d in MODELS_DIR.iterdir() if (d / "model.onnx").exists()) if MODELS_DIR.is_dir() else []
    raise FileNotFoundError(f"no NER model {str(model)!r}; shipped models: {available or 'none'}; or give a model folder")


@dataclass
class TaggedWords:
    tags: list[str]
    confidences: list[float]     # marginal probability of each word's tag
    normalised: list[str]        # what the model saw

    def spans(self) -> list[tuple[int, int, str, float]]:
        """(first_word, end_word_exclusive, type, confidence) per entity."""
        return [(s, e, t, float(np.mean(self.confidences[s:e]))) for s, e, t in bio_spans(self.tags)]


class NerTagger:
    """Matscholar-type entity tagger (MAT SPL DSC PRO APL SMT CMT) over an int8 ONNX transformer.

    >>> tagger = NerTagger("fast")
    >>> tagger.predict_texts(["Thin films of SiO2 were annealed at 300 K."])
    """

    name = "ner"
    version = VERSION

    def __init__(self, model: str | os.PathLike = "fast", *, threads: int | None = None, batch_size: int | None = None,
                 onnx_file: str = "model.onnx") -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_dir = model_dir(model)
        self.meta = json.loads((self.model_dir / "labels.json").read_text(encoding="utf-8"))
        self.labels: list[str] = self.meta["labels"]
        if tuple(self.labels) != LABELS:
            raise ValueError(f"{self.model_dir}: label set {self.labels} differs from {LABELS}")
        self.max_length = int(self.meta["max_length"])
        self.pad_id = int(self.meta.get("pad_id", 0))
        k = len(self.labels)
        self.transitions = np.array(self.meta["transitions"] or np.zeros((k, k)), dtype=np.float64)
        self.start = np.array(self.meta["start"] or np.zeros(k), dtype=np.float64)
        self.end = np.array(self.meta["end"] or np.zeros(k), dtype=np.float64)
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = intra_op_threads(threads)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.model_dir / onnx_file), opts, providers=execution_providers())
        self.batch_size = batch_size_for(self.session, batch_size)  # larger on a GPU
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.extractor = f"ner-{self.meta.get('name', Path(self.model_dir).name)}@{VERSION}"

    # -- words -------------------------------------------------------------------------------
    def tag_words(self, sentences: Sequence[Sequence[str]], normalise: bool | None = None) -> list[TaggedWords]:
        """One tag per word. normalise=None detects already-normalised (Matscholar-style) input."""
        norm: list[list[str]] = []
        for words in sentences:
            words = list(words)
            do = (not looks_normalised(words)) if normalise is None else normalise
            norm.append(normalise_tokens(words) if do else words)
        emissions = self._emissions(norm)
        out = []
        for words, em in zip(norm, emissions):
            if not words:
                out.append(TaggedWords([], [], []))
                continue
            best = viterbi(em, self.transitions, self.start, self.end, self.labels)
            marg = self._marginals(em)
            out.append(TaggedWords([self.labels[i] for i in best], [float(marg[t, i]) for t, i in enumerate(best)], words))
        return out

    def _emissions(self, sentences: list[list[str]]) -> list[np.ndarray]:
        chunks = encode(self.tokenizer, sentences, self.max_length)
        parts: dict[int, list[tuple[int, np.ndarray]]] = {}
        order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].input_ids))
        for b in range(0, len(order), self.batch_size):
            batch = [chunks[i] for i in order[b : b + self.batch_size]]
            arrays = pad_batch(batch, self.pad_id)
            (em,) = self.session.run(["emissions"], {k: v for k, v in arrays.items() if k in self._inputs})
            for c, e in zip(batch, em):
                parts.setdefault(c.sentence, []).append((c.word_start, e[c.first_subword].astype(np.float64)))
        k = len(self.labels)
        result = []
        for si in range(len(sentences)):
            ps = sorted(parts.get(si, []), key=lambda x: x[0])
            result.append(np.concatenate([p[1] for p in ps]) if ps else np.zeros((0, k)))
        return result

    def _marginals(self, em: np.ndarray) -> np.ndarray:
        """Per-word tag marginals under the CRF (forward-backward in log space)."""
        return crf_marginals(em, self.transitions, self.start, self.end, self.labels)

    # -- raw text ----------------------------------------------------------------------------
    def predict_texts(self, texts: Sequence[str]) -> list[list[Span]]:
        """Entities of each raw text, with exact char offsets into that text."""
        all_spans = [word_spans(t) for t in texts]
        return self._predict_spans(texts, all_spans)

    def _predict_spans(self, texts: Sequence[str], all_spans: Sequence[Sequence[tuple[int, int]]]) -> list[list[Span]]:
        words = [[t[s:e] for s, e in spans] for t, spans in zip(texts, all_spans)]
        tagged = self.tag_words(words, normalise=True)
        out: list[list[Span]] = []
        for text, spans, tw in zip(texts, all_spans, tagged):
            ents = []
            for s, e, label, conf in tw.spans():
                start, end = spans[s][0], spans[e - 1][1]
                ents.append(Span(start, end, label, text[start:end], conf))
            out.append(ents)
        return out

    def pipe_texts(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[list[Span]]:
        """Streaming `predict_texts` with bounded batches."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= batch_size:
                yield from self.predict_texts(batch)
                batch = []
        if batch:
            yield from self.predict_texts(batch)

    # -- documents ---------------------------------------------------------------------------
    def mentions(self, document, labels: Iterable[str] | None = None) -> list:
        """Mentions over `document.sentences()` (segmented document; its tokens are used as words)."""
        return self.mentions_many([document], labels)[0]

    def mentions_many(self, documents: Sequence, labels: Iterable[str] | None = None, group: int = 1024) -> list[list]:
        """`mentions` of several documents at once: their sentences share the model's batches
        (sorted by length), so many short documents cost a few full model calls, not one each."""
        from textmine.records import Mention
        from textmine.ner.words import split_for_matscholar

        keep = set(labels) if labels is not None else None
        items = [(d, document.text, split_for_matscholar(document.text, [tuple(t) for t in s.tokens]))
                 for d, document in enumerate(documents) for _, s in document.sentences()]
        found: list[list] = [[] for _ in documents]
        for b in range(0, len(items), group):
            chunk = items[b : b + group]
            for (d, _, _), sent_ents in zip(chunk, self._predict_spans([t for _, t, _ in chunk], [w for _, _, w in chunk])):
                for sp in sent_ents:
                    if keep is None or sp.label in keep:
                        found[d].append(Mention(doc_id=documents[d].id, label=sp.label, text=sp.text, char_start=sp.start,
                                                char_end=sp.end, confidence=min(1.0, max(0.0, sp.confidence)),
                                                extractor=self.extractor))
        return found



@lru_cache(maxsize=4)
def load_tagger(model: str = "fast") -> NerTagger:
    """A cached tagger per model name (loading takes ~0.5 s)."""
    return NerTagger(model)
