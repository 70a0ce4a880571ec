"""Train the accurate (MPNet-base) tagger on a borrowed GPU machine whose transfers are capped.

Three steps; only `run` needs the GPU:

    python -m textmine.ner.training.offload prepare --config configs/ner/accurate.yaml --bundle .offload
    # on the GPU machine (the bundle travels with the working tree, <= 64 MiB):
    python -m textmine.ner.training.offload run --bundle .offload --out $OUT --minutes 5.5
    # back here, with the files the run wrote:
    python -m textmine.ner.training.offload finish --config configs/ner/accurate.yaml --returned DIR

`prepare` packs the encoder as NF4 (the config's `encoder_quant: nf4` start, see textmine.ner.training.compact;
only the word-embedding rows the data uses travel, the matrix is frozen in training), the gold
splits and the unlabelled distillation sentences. `run` trains several variants of the config in
parallel on the one GPU, keeps the best on dev, writes its fine-tuning delta (NF4 for the large
matrices, exact for the rest), checks the dev score of the delta-rebuilt model, and writes the
variants' mean CRF posteriors on the unlabelled sentences (a distillation teacher for the fast
model). `finish` rebuilds the weights from the same NF4 start + delta and exports ONNX + int8 as
`textmine train ner` does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("textmine.ner.training.offload")

# variants trained side by side on the GPU: (name, config overrides)
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("lr5e-5-s13", {"lr": 5e-5, "seed": 13}),
    ("lr3e-5-s29", {"lr": 3e-5, "seed": 29}),
    ("lr5e-5-s29", {"lr": 5e-5, "seed": 29}),
    ("lr8e-5-s13", {"lr": 8e-5, "seed": 13}),
]


def variant_overrides(name: str) -> dict[str, Any]:
    """Overrides of a variant: a listed one, or one named like `lr1e-4-s13` (learning rate, seed)."""
    if name in dict(VARIANTS):
        return dict(VARIANTS)[name]
    lr, seed = name.split("-s")
    return {"lr": float(lr[2:]), "seed": int(seed)}


def prepare(config: Path, bundle: Path, unlabelled: Path | None = None) -> Path:
    """Write the bundle folder: encoder pack, data, unlabelled sentences, base config."""
    from textmine.ner.training.compact import pack_encoder
    from textmine.ner.data import read_conll
    from textmine.ner.training.distill import load_targets
    from textmine.ner.encoding import encode
    from textmine.ner.training.train import TrainConfig, resolve_encoder
    from tokenizers import Tokenizer

    cfg = TrainConfig.from_file(config)
    if cfg.encoder_quant != "nf4":
        raise ValueError("offload needs `encoder_quant: nf4` in the config (the full encoder does not fit the transfer)")
    if not cfg.freeze_embeddings:
        raise ValueError("offload needs `freeze_embeddings: true` (only the used embedding rows travel)")
    bundle = Path(bundle)
    shutil.rmtree(bundle, ignore_errors=True)
    (bundle / "data").mkdir(parents=True)
    src = resolve_encoder(cfg.encoder)
    data_dir = Path(cfg.data_dir)
    for name in (cfg.train_file, cfg.dev_file):
        with gzip.open(bundle / "data" / f"{name}.gz", "wt", encoding="utf-8") as f:
            f.write((data_dir / name).read_text(encoding="utf-8"))
    sentences = [s.tokens for name in (cfg.train_file, cfg.dev_file) for s in read_conll(data_dir / name)]
    un: list[list[str]] = []
    if unlabelled:
        un = load_targets(unlabelled)[0]
        with gzip.open(bundle / "data" / "unlabelled.json.gz", "wt", encoding="utf-8") as f:
            json.dump(un, f)
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    used: set[int] = set()
    everything = sentences + un
    for b in range(0, len(everything), 2048):
        for chunk in encode(tok, everything[b : b + 2048], cfg.max_length):
            used.update(chunk.input_ids)
    used.update(tok.token_to_id(t) for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<pad>", "<unk>", "<s>",
                                               "</s>", "<mask>", "-") if tok.token_to_id(t) is not None)
    from safetensors import safe_open

    with safe_open(str(src / "model.safetensors"), "np") as f:
        emb = [k for k in f.keys() if k.endswith("word_embeddings.weight")]
    pack_encoder(src, bundle / "encoder", keep_rows={k: sorted(used) for k in emb})
    (bundle / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    log.info("bundle %s: %.1f MB (%d of the vocabulary's rows used)", bundle, size / 1e6, len(used))
    return bundle


def _variant_config(bundle: Path, work: Path, name: str, overrides: dict[str, Any], minutes: float,
                    amp: bool = True):
    from textmine.ner.training.train import TrainConfig

    raw = json.loads((bundle / "config.json").read_text())
    raw.update(overrides)
    raw.update({"encoder": str(work / "encoder"), "encoder_quant": None, "data_dir": str(work / "data"),
                "output_dir": str(work / "runs" / name), "ship_dir": None, "export": False, "amp": amp,
                "device": "cuda" if _cuda() else "cpu", "max_train_minutes": minutes, "keep_epochs_from": None,
                "distill_file": None, "threads": 3, "config_file": None})
    return TrainConfig(**{k: v for k, v in raw.items() if k in TrainConfig.__dataclass_fields__})


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def _worker(bundle: Path, work: Path, name: str, minutes: float, amp: bool = True) -> None:
    from textmine.ner.training.train import train

    cfg = _variant_config(bundle, work, name, variant_overrides(name), minutes, amp)
    summary = train(cfg)
    print(json.dumps({"variant": name, "best_dev_micro_f1": summary["best_dev_micro_f1"],
                      "epochs_run": summary["epochs_run"]}), flush=True)


def run(bundle: Path, out: Path, minutes: float, variants: list[str] | None = None, deadline_s: float | None = None,
        work: Path = Path("/tmp/textmine-offload"), posteriors: bool = True) -> dict[str, Any]:
    """Train the variants in parallel, keep the best; write delta, posteriors and summaries to `out`."""
    import torch

    from textmine.ner.training.compact import apply_delta, pack_delta, unpack_encoder
    from textmine.ner.decode import LABELS, crf_marginals, viterbi
    from textmine.eval.ner import span_scores
    from textmine.ner.data import read_conll
    from textmine.ner.training.distill import save_targets
    from textmine.ner.training.train import build_model, predict_emissions

    t0 = time.time()
    bundle, out = Path(bundle).resolve(), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    for gz in (bundle / "data").glob("*.gz"):
        with gzip.open(gz, "rb") as f, open(work / "data" / gz.name[:-3], "wb") as g:
            shutil.copyfileobj(f, g)
    unpack_encoder(bundle / "encoder", work / "encoder")
    log.info("unpacked in %.0fs", time.time() - t0)
    names = variants or [n for n, _ in VARIANTS]
    limit = deadline_s or (minutes * 60 * 1.35 + 120)
    procs = _launch(bundle, work, names, minutes, limit, t0, amp=True)
    if all(p.returncode != 0 and not (work / "runs" / n / "best.pt").exists() for n, (p, _) in procs.items()):
        # every variant failed before its first epoch ended: once more, one variant, without bf16 autocast
        log.warning("all variants failed (see train.log); retrying %s in float32", names[0])
        left = limit - (time.time() - t0)
        first = names[0]
        (work / f"train-{first}.log").rename(work / f"train-{first}-failed.log")
        procs = {**procs, **_launch(bundle, work, [first], max(0.5, left / 60 - 1.5), limit, t0, amp=False)}
    with open(out / "train.log", "w") as f:  # one file back (the transfer takes at most 8)
        for path in sorted(work.glob("train-*.log")):
            f.write(f"==== {path.stem}\n" + path.read_text())
    results = {}
    for name in names:
        run_dir = work / "runs" / name
        if (run_dir / "best_scores.json").exists() and (run_dir / "best.pt").exists():
            best = json.loads((run_dir / "best_scores.json").read_text())
            history = json.loads((run_dir / "history.json").read_text())
            results[name] = {"best_epoch": best["epoch"], "dev_micro_f1": best["dev"]["micro"]["f1"],
                             "dev": {k: round(v["f1"], 4) for k, v in best["dev"].items()}, "history": history,
                             "returncode": procs[name][0].returncode}
    if not results:
        raise RuntimeError("no variant finished an epoch; see the train-*.log files")
    ranked = sorted(results, key=lambda n: -results[n]["dev_micro_f1"])
    best_name = ranked[0]
    log.info("variants: %s", {n: round(results[n]["dev_micro_f1"], 4) for n in ranked})

    cfg = _variant_config(bundle, work, best_name, variant_overrides(best_name), minutes)
    device = torch.device(cfg.device)
    model = build_model(cfg, work / "encoder")
    base = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    tuned_state = torch.load(work / "runs" / best_name / "best.pt", map_location="cpu")
    tuned = {k: v.float().numpy() for k, v in tuned_state.items()}
    pack_delta(base, tuned, out, prefix="encoder.", max_bytes=15_500_000)
    rebuilt = apply_delta(base, out)
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in rebuilt.items()})
    model.to(device)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(work / "encoder"), local_files_only=True).backend_tokenizer
    tokenizer.no_truncation()
    tokenizer.no_padding()
    dev = read_conll(work / "data" / cfg.dev_file, limit=cfg.limit_dev)
    trans = model.transitions.detach().cpu().numpy()
    st, en = model.start.detach().cpu().numpy(), model.end.detach().cpu().numpy()
    ems = predict_emissions(model, cfg, tokenizer, [s.tokens for s in dev])
    rebuilt_scores = span_scores([s.tags for s in dev], [[LABELS[i] for i in viterbi(e, trans, st, en)] for e in ems])
    log.info("%s: dev micro-F1 %.4f trained, %.4f rebuilt from the delta", best_name, results[best_name]["dev_micro_f1"],
             rebuilt_scores["micro"]["f1"])
    summary = {"best": best_name, "variants": results, "rebuilt_dev": rebuilt_scores,
               "config": asdict(cfg), "device": torch.cuda.get_device_name(0) if _cuda() else "cpu",
               "seconds": round(time.time() - t0)}
    (out / "offload_summary.json").write_text(json.dumps(summary, indent=2))

    un_file = work / "data" / "unlabelled.json"
    if un_file.exists() and posteriors:  # the variants' mean CRF posteriors: a distillation teacher for the fast model
        un = json.loads(un_file.read_text())
        total: list[np.ndarray] | None = None
        teachers = []
        for name in ranked:
            state = torch.load(work / "runs" / name / "best.pt", map_location=device)
            model.load_state_dict(state)
            ems = predict_emissions(model, cfg, tokenizer, un, batch_size=128)
            trans, st, en = (p.detach().cpu().numpy().astype(np.float64)
                             for p in (model.transitions, model.start, model.end))
            post = [crf_marginals(e.astype(np.float64), trans, st, en) for e in ems]
            total = post if total is None else [a + b for a, b in zip(total, post)]
            teachers.append(name)
            if time.time() - t0 > limit + 100:  # keep what is done inside the call's limit
                break
        assert total is not None
        save_targets(out / "targets_mpnet.npz", un, [t / len(teachers) for t in total],
                     {"teachers": [f"mpnet-{n}" for n in teachers], "dev": {n: results[n]["dev_micro_f1"] for n in teachers}})
        summary["posterior_teachers"] = teachers
    summary["seconds"] = round(time.time() - t0)
    (out / "offload_summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def _launch(bundle: Path, work: Path, names: list[str], minutes: float, limit: float, t0: float,
            amp: bool) -> dict[str, tuple[subprocess.Popen, Any]]:
    """Run one training worker per variant; stop those still running `limit` seconds after t0."""
    procs = {}
    for name in names:
        log_file = open(work / f"train-{name}.log", "w")
        cmd = [sys.executable, "-m", "textmine.ner.training.offload", "worker", "--bundle", str(bundle), "--work", str(work),
               "--name", name, "--minutes", str(minutes)] + ([] if amp else ["--no-amp"])
        procs[name] = (subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT), log_file)
    while any(p.poll() is None for p, _ in procs.values()):
        if time.time() - t0 > limit:
            for name, (p, _) in procs.items():
                if p.poll() is None:
                    log.warning("%s: past the deadline, stopped; its best checkpoint so far is used", name)
                    p.kill()
            break
        time.sleep(2)
    for p, f in procs.values():
        p.wait()
        f.close()
    return procs


def finish(config: Path, returned: Path, run_dir: Path | None = None) -> dict[str, Any]:
    """Rebuild the returned model here (NF4 start + delta) and export it like `textmine train ner`."""
    import torch
    from transformers import AutoTokenizer

    from textmine.ner.training.compact import apply_delta
    from textmine.ner.training.export import export_model
    from textmine.ner.training.train import TrainConfig, build_model, encoder_folder

    cfg = TrainConfig.from_file(config)
    returned = Path(returned)
    remote = json.loads((returned / "offload_summary.json").read_text())
    best = remote["variants"][remote["best"]]
    overrides = {k: remote["config"][k] for k in ("lr", "seed", "head_lr", "batch_size", "dropout")}
    overrides["epochs"] = len(best["history"])  # the epochs that ran (max_train_minutes may cut the plan)
    cfg = TrainConfig.from_file(config, **overrides)
    run_dir = Path(run_dir or cfg.output_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    encoder_dir = encoder_folder(cfg)
    hf_tok = AutoTokenizer.from_pretrained(str(encoder_dir), local_files_only=True, use_fast=True)
    model = build_model(cfg, encoder_dir)
    base = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in apply_delta(base, returned).items()})
    summary = {"best_epoch": best["best_epoch"], "best_dev_micro_f1": remote["rebuilt_dev"]["micro"]["f1"],
               "best_dev_scores": remote["rebuilt_dev"], "history": best["history"], "config": asdict(cfg),
               "encoder_dir": str(encoder_dir), "trained_on": remote["device"],
               "variants": {n: v["dev_micro_f1"] for n, v in remote["variants"].items()}}
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    export_model(model, cfg, hf_tok, run_dir / "export", summary)
    return summary


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    ap = argparse.ArgumentParser(prog="python -m textmine.ner.training.offload", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--unlabelled", type=Path, help="a distillation .npz whose sentences get teacher posteriors")
    p = sub.add_parser("run")
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--minutes", type=float, default=5.5, help="training budget per variant")
    p.add_argument("--deadline", type=float, help="seconds after which unfinished variants are stopped")
    p.add_argument("--variants", nargs="*")
    p.add_argument("--no-posteriors", action="store_true")
    p = sub.add_parser("worker")
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--minutes", type=float, required=True)
    p.add_argument("--no-amp", action="store_true")
    p = sub.add_parser("finish")
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--returned", type=Path, required=True)
    p.add_argument("--run-dir", type=Path)
    a = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if a.cmd == "prepare":
        prepare(a.config, a.bundle, a.unlabelled)
    elif a.cmd == "run":
        print(json.dumps(run(a.bundle, a.out, a.minutes, a.variants, a.deadline, posteriors=not a.no_posteriors), indent=2)[:4000])
    elif a.cmd == "worker":
        _worker(a.bundle, a.work, a.name, a.minutes, amp=not a.no_amp)
    else:
        print(json.dumps(finish(a.config, a.returned, a.run_dir), indent=2)[:4000])


if __name__ == "__main__":
    main()
