"""Export a trained tagger to ONNX, quantise it to int8, and lay out a model folder.

A model folder holds: model.onnx (int8 unless noted), tokenizer.json, labels.json (labels, CRF
transitions, shapes, max length, dev scores). `textmine.ner.NerTagger` needs nothing else.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from textmine.ner.decode import LABELS
from textmine.ner.features import SHAPES

INPUT_NAMES = ["input_ids", "attention_mask", "shape_ids"]


def export_onnx(model, path: Path, opset: int = 17) -> Path:
    """fp32 ONNX graph: (input_ids, attention_mask, shape_ids) [batch, seq] -> emissions [batch, seq, labels]."""
    import torch

    model.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    dummy = (
        torch.tensor([[101, 2000, 2001, 102], [101, 2000, 102, 0]], dtype=torch.long),
        torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long),
        torch.tensor([[0, 1, 5, 0], [0, 1, 0, 0]], dtype=torch.long),
    )
    axes = {name: {0: "batch", 1: "seq"} for name in INPUT_NAMES}
    axes["emissions"] = {0: "batch", 1: "seq"}
    with torch.no_grad():
        torch.onnx.export(
            model, dummy, str(path), input_names=INPUT_NAMES, output_names=["emissions"],
            dynamic_axes=axes, opset_version=opset, dynamo=False,
        )
    return path


def quantize(fp32: Path, int8: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=False)
    return int8


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export_model(model, cfg, hf_tokenizer, out_dir: Path, summary: dict[str, Any]) -> Path:
    """out_dir/model_fp32.onnx, out_dir/model.onnx (int8), tokenizer.json, labels.json."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = export_onnx(model, out_dir / "model_fp32.onnx")
    if cfg.quantize:
        quantize(fp32, out_dir / "model.onnx")
    else:
        shutil.copy(fp32, out_dir / "model.onnx")
    tok = hf_tokenizer.backend_tokenizer
    tok.no_truncation()
    tok.no_padding()
    tok.save(str(out_dir / "tokenizer.json"))
    meta = {
        "name": cfg.name,
        "labels": list(LABELS),
        "shapes": list(SHAPES),
        "max_length": cfg.max_length,
        "crf": bool(cfg.crf),
        "transitions": model.transitions.detach().tolist() if cfg.crf else None,
        "start": model.start.detach().tolist() if cfg.crf else None,
        "end": model.end.detach().tolist() if cfg.crf else None,
        "pad_id": int(hf_tokenizer.pad_token_id or 0),
        "quantized": bool(cfg.quantize),
        "encoder": summary.get("encoder_dir"),
        "best_epoch": summary.get("best_epoch"),
        "dev_micro_f1": summary.get("best_dev_micro_f1"),
        "onnx_sha256": sha256(out_dir / "model.onnx"),
    }
    (out_dir / "labels.json").write_text(json.dumps(meta, indent=1))
    return out_dir


SHIPPED_FILES = ("model.onnx", "tokenizer.json", "labels.json")


def ship(export_dir: Path, ship_dir: Path) -> Path:
    ship_dir.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED_FILES:
        shutil.copy(export_dir / name, ship_dir / name)
    return ship_dir
