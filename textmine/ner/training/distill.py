"""Ensemble distillation: teacher tag posteriors on unlabelled materials text for a student model.

A student is trained on the gold sentences (CRF likelihood) and, on unlabelled sentences, to
match the per-word tag posteriors of an ensemble of trained taggers (posterior distillation,
Wang et al. 2020). The unlabelled text goes through the same word splitting and Matscholar
normalisation as inference.

    textmine train ner-teacher --config configs/ner/fast-distill.yaml   # writes distill_file
    textmine train ner --config configs/ner/fast-distill.yaml

Everything here but the targets' use in training is numpy + onnxruntime only.
"""

from __future__ import annotations

import glob
import json
import logging
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

log = logging.getLogger("textmine.ner.training.distill")

MIN_WORDS, MAX_WORDS = 6, 120


def _texts_of(path: Path) -> Iterator[str | list[str]]:
    """Raw texts (str) or pre-split word lists of one file of a gold corpus; labels are ignored."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        raw = path.read_text(encoding="utf-8", errors="replace")
        if "sentences" in path.name:  # Snowball *sentences.txt: one sentence per line
            yield from (line.strip() for line in raw.splitlines() if line.strip())
        else:
            yield raw
    elif suffix == ".jsonl":
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield from _texts_of_obj(json.loads(line))
    elif suffix == ".json":
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:  # JSON lines with a .json suffix
            for line in text.splitlines():
                if line.strip():
                    yield from _texts_of_obj(json.loads(line))
            return
        for item in obj if isinstance(obj, list) else [obj]:
            yield from _texts_of_obj(item)


def _texts_of_obj(obj) -> Iterator[str | list[str]]:
    if not isinstance(obj, dict):
        return
    for key in ("words", "tokens"):
        if isinstance(obj.get(key), list) and obj[key] and all(isinstance(w, str) for w in obj[key]):
            yield obj[key]
            return
    for key in ("text", "prompt", "abstract"):
        if isinstance(obj.get(key), str):
            text = obj[key].split("\n\nExtract ")[0]  # llm_nerre prompts end with an instruction
            yield text
            return


def unlabelled_sentences(patterns: Sequence[str], base: Path, exclude: Iterable[Sequence[str]] = (),
                         limit: int | None = None) -> list[list[str]]:
    """Normalised word lists of the sentences in the files matching `patterns` (relative to `base`).

    Sentences of `exclude` (e.g. the dev split) and exact duplicates are dropped; so are very short
    or very long ones. The order is deterministic (sorted files, document order).
    """
    from textmine.ner.normalise import normalise_tokens
    from textmine.ner.words import split_for_matscholar
    from textmine.nlp import split_sentences

    seen = {tuple(s) for s in exclude}
    out: list[list[str]] = []
    for pattern in patterns:
        files = sorted(glob.glob(str(base / pattern), recursive=True))
        if not files:
            raise FileNotFoundError(f"distill text pattern {pattern!r} matches no file under {base}")
        n0 = len(out)
        for file in files:
            for item in _texts_of(Path(file)):
                if isinstance(item, list):
                    groups = _split_words([w for w in item if w.strip()])
                else:
                    groups = []
                    for sent in split_sentences(item):
                        spans = split_for_matscholar(item, [tuple(t) for t in sent.tokens])
                        groups.append([item[s:e] for s, e in spans])
                for words in groups:
                    if not (MIN_WORDS <= len(words) <= MAX_WORDS):
                        continue
                    norm = normalise_tokens(words)
                    key = tuple(norm)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(norm)
                    if limit is not None and len(out) >= limit:
                        return out
        log.info("%s: %d sentences", pattern, len(out) - n0)
    return out


def _split_words(words: list[str]) -> list[list[str]]:
    """Pre-split abstracts (polymer_abstracts) into sentences at full stops."""
    out, cur = [], []
    for i, w in enumerate(words):
        cur.append(w)
        if w == "." and (i + 1 == len(words) or words[i + 1][:1].isupper()):
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def teacher_posteriors(teachers: Sequence[str], sentences: list[list[str]], threads: int | None = None,
                       onnx_file: str = "model_fp32.onnx") -> list[np.ndarray]:
    """Mean over `teachers` (model folders) of each word's CRF tag posterior, [n_words, n_labels]."""
    from textmine.ner.tagger import NerTagger

    total: list[np.ndarray] | None = None
    for teacher in teachers:
        name = onnx_file if (Path(teacher) / onnx_file).exists() else "model.onnx"
        tagger = NerTagger(teacher, onnx_file=name, threads=threads, batch_size=64)
        post = []
        for b in range(0, len(sentences), 512):
            ems = tagger._emissions(sentences[b : b + 512])
            post.extend(tagger._marginals(em) if len(em) else np.zeros((0, len(tagger.labels))) for em in ems)
        total = post if total is None else [t + p for t, p in zip(total, post)]
        log.info("teacher %s done", teacher)
    assert total is not None, "no teachers"
    return [(t / len(teachers)).astype(np.float32) for t in total]


def save_targets(path: str | Path, sentences: list[list[str]], posteriors: list[np.ndarray], meta: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)
    np.savez_compressed(path, lengths=lengths, posteriors=np.concatenate(posteriors).astype(np.float16),
                        words=np.array(json.dumps(sentences)), meta=np.array(json.dumps(meta)))


def load_targets(path: str | Path) -> tuple[list[list[str]], list[np.ndarray], dict]:
    data = np.load(Path(path))
    sentences = json.loads(str(data["words"]))
    offsets = np.concatenate([[0], np.cumsum(data["lengths"])])
    post = data["posteriors"].astype(np.float32)
    posteriors = [post[offsets[i] : offsets[i + 1]] for i in range(len(sentences))]
    return sentences, posteriors, json.loads(str(data["meta"]))


def build_targets(cfg) -> Path:
    """Write `cfg.distill_file`: unlabelled sentences of `cfg.distill_texts` + teacher posteriors."""
    from textmine.ner.data import read_conll

    base = Path(cfg.distill_base or ".")
    dev = read_conll(Path(cfg.data_dir) / cfg.dev_file)
    sentences = unlabelled_sentences(cfg.distill_texts, base, exclude=[s.tokens for s in dev],
                                     limit=cfg.distill_limit)
    log.info("%d unlabelled sentences; scoring with %d teachers", len(sentences), len(cfg.distill_teachers))
    posts = teacher_posteriors(cfg.distill_teachers, sentences, threads=cfg.threads)
    save_targets(cfg.distill_file, sentences, posts,
                 {"teachers": list(cfg.distill_teachers), "texts": list(cfg.distill_texts)})
    return Path(cfg.distill_file)


def crf_log_marginals(torch, em, mask, trans, start, end):
    """log p(tag_t = j | x) under a linear-chain CRF for a padded batch; em [B,W,L], mask [B,W] bool."""
    B, W, L = em.shape
    alphas = [start[None] + em[:, 0]]
    for t in range(1, W):
        nxt = torch.logsumexp(alphas[-1][:, :, None] + trans[None] + em[:, t, None, :], dim=1)
        alphas.append(torch.where(mask[:, t, None], nxt, alphas[-1]))
    log_z = torch.logsumexp(alphas[-1] + end[None], dim=1)
    betas = [end[None].expand(B, L)]
    for t in range(W - 2, -1, -1):
        nb = torch.logsumexp(trans[None] + (em[:, t + 1] + betas[0])[:, None, :], dim=2)
        betas.insert(0, torch.where(mask[:, t + 1, None], nb, end[None].expand(B, L)))
    return torch.stack(alphas, 1) + torch.stack(betas, 1) - log_z[:, None, None]


def distill_loss(torch, em, mask, trans, start, end, targets):
    """Cross-entropy of the student's CRF posteriors against teacher posteriors, summed over the words of a
    sentence and averaged over sentences (the scale of the gold sentences' CRF negative log-likelihood)."""
    from textmine.ner.decode import LABELS, allowed_starts, allowed_transitions

    neg = torch.tensor(-1e4, device=em.device)
    trans = torch.where(torch.from_numpy(allowed_transitions(LABELS)).to(em.device), trans, neg)
    start = torch.where(torch.from_numpy(allowed_starts(LABELS)).to(em.device), start, neg)
    logp = crf_log_marginals(torch, em, mask, trans, start, end)
    ce = -(targets * logp.clamp(min=-30)).sum(-1)
    return (ce * mask.float()).sum() / em.shape[0]
