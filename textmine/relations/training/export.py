"""Export a trained relation model to ONNX, quantise it, and lay out the model folder that
`textmine.relations.model.RelationScorer` loads (no torch): model.onnx, tokenizer.json, meta.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

INPUT_NAMES = ["input_ids", "attention_mask", "head_pos", "tail_pos"]


def export_onnx(model, path: Path, opset: int = 17) -> Path:
    """fp32 graph: (input_ids, attention_mask [batch, seq], head_pos, tail_pos [batch]) -> logits [batch]."""
    import torch

    model.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    dummy = (
        torch.tensor([[101, 2, 2000, 4, 2001, 102], [101, 2, 2000, 4, 102, 0]], dtype=torch.long),
        torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]], dtype=torch.long),
        torch.tensor([1, 1], dtype=torch.long),
        torch.tensor([3, 3], dtype=torch.long),
    )
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "head_pos": {0: "batch"},
            "tail_pos": {0: "batch"}, "logits": {0: "batch"}}
    with torch.no_grad():
        torch.onnx.export(model, dummy, str(path), input_names=INPUT_NAMES, output_names=["logits"],
                          dynamic_axes=axes, opset_version=opset, dynamo=False)
    return path


def export_model(model, tokenizer, cfg, out_dir: Path, summary: dict[str, Any], dev_rows: list[dict]) -> Path:
    """model.onnx (dynamic int8 unless cfg.quantize is off) + tokenizer.json + meta.json, with the
    dev pair scores of the exported model measured through the inference path."""
    from textmine.ner.training.export import quantize, sha256
    from textmine.relations.model import RelationScorer
    from textmine.relations.pairs import MARKERS
    from textmine.relations.training.train import VERSION, pair_scores

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = export_onnx(model, out_dir / "model.fp32.onnx")
    if cfg.quantize:
        quantize(fp32, out_dir / "model.onnx", "dynamic-int8")
    else:
        shutil.copy(fp32, out_dir / "model.onnx")
    tokenizer.save_pretrained(str(out_dir / "hf-tokenizer"))
    shutil.copy(out_dir / "hf-tokenizer" / "tokenizer.json", out_dir / "tokenizer.json")
    shutil.rmtree(out_dir / "hf-tokenizer")
    meta = {
        "name": cfg.name, "version": VERSION, "encoder": cfg.encoder, "markers": MARKERS, "max_length": cfg.max_length,
        "pad_id": tokenizer.pad_token_id, "quantized": bool(cfg.quantize), "onnx_sha256": sha256(out_dir / "model.onnx"),
        "holdout_families": cfg.holdout_families, "train_pairs": summary["train_pairs"],
        "dev_pairs": summary["dev_pairs"], "history": summary["history"], "train_seconds": summary["train_seconds"],
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    scorer = RelationScorer(out_dir)
    probs = scorer.score_encoded([(r["input_ids"], r["head_pos"], r["tail_pos"]) for r in dev_rows])
    meta["dev_pairs_exported"] = pair_scores(dev_rows, list(probs))
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return out_dir


__all__ = ["export_model", "export_onnx"]
