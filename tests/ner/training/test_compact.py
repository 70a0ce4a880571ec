"""NF4 packs of encoders and fine-tuning deltas (textmine.ner.training.compact): numpy only, no torch."""

from __future__ import annotations

import json

import numpy as np
import pytest

from textmine.ner.training.compact import (BLOCK, NF4_CODE, apply_delta, nf4_dequantise, nf4_quantise, nf4_round_trip,
                                  pack_delta, pack_encoder, quantisable, unpack_encoder)


def test_nf4_round_trip_keeps_block_maxima_and_bounds_the_error() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(scale=0.05, size=(8, 4 * BLOCK)).astype(np.float32)
    x[3, 7] = 0.9  # an outlier only widens the grid of its own block
    packed, absmax = nf4_quantise(x)
    assert packed.dtype == np.uint8 and packed.size == x.size // 2 and absmax.size == x.size // BLOCK
    y = nf4_dequantise(packed, absmax, x.shape)
    blocks_x, blocks_y = x.reshape(-1, BLOCK), y.reshape(-1, BLOCK)
    # the largest |value| of each block is exact (up to its float16 scale)
    i = np.abs(blocks_x).argmax(1)
    np.testing.assert_allclose(np.abs(blocks_y[np.arange(len(i)), i]), np.abs(blocks_x).max(1), rtol=1e-3)
    # every value lands on the nearest code point: error at most half the widest code gap times the scale
    half_gap = np.diff(NF4_CODE).max() / 2
    assert np.all(np.abs(blocks_y - blocks_x) <= half_gap * np.abs(blocks_x).max(1, keepdims=True) * 1.001)
    # outside the outlier's block the relative error stays small
    err = np.abs(y - x)
    assert err[0].mean() / np.abs(x[0]).mean() < 0.12
    assert np.array_equal(nf4_round_trip(y), y)  # idempotent: a second round trip changes nothing


def test_zero_blocks_and_which_tensors_are_quantised() -> None:
    z = np.zeros((2, BLOCK), np.float32)
    assert np.array_equal(nf4_round_trip(z), z)
    assert quantisable((768, 768)) and quantisable((30522, 384))
    assert not quantisable((768,)) and not quantisable((32, 12)) and not quantisable((15, 15))


def _fake_encoder(folder, rng) -> dict[str, np.ndarray]:
    from safetensors.numpy import save_file

    weights = {
        "embeddings.word_embeddings.weight": rng.normal(size=(50, 2 * BLOCK)).astype(np.float32),
        "encoder.layer.0.attention.q.weight": rng.normal(size=(2 * BLOCK, 2 * BLOCK)).astype(np.float32),
        "encoder.layer.0.attention.q.bias": rng.normal(size=(2 * BLOCK,)).astype(np.float32),
        "encoder.relative_attention_bias.weight": rng.normal(size=(32, 12)).astype(np.float32),
    }
    folder.mkdir()
    save_file(weights, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps({"model_type": "fake"}))
    return weights


def test_encoder_pack_with_a_row_subset_matches_the_full_round_trip(tmp_path) -> None:
    from safetensors.numpy import load_file

    rng = np.random.default_rng(1)
    weights = _fake_encoder(tmp_path / "enc", rng)
    keep = [0, 3, 7, 49]
    files = pack_encoder(tmp_path / "enc", tmp_path / "pack",
                         keep_rows={"embeddings.word_embeddings.weight": keep}, max_bytes=4096)
    assert len(files) > 1  # split into parts under max_bytes (a transfer limit)
    out = load_file(str(unpack_encoder(tmp_path / "pack", tmp_path / "unpacked") / "model.safetensors"))
    assert (tmp_path / "unpacked" / "config.json").exists()
    emb = out["embeddings.word_embeddings.weight"]
    full = nf4_round_trip(weights["embeddings.word_embeddings.weight"])
    np.testing.assert_array_equal(emb[keep], full[keep])          # the rows that travel: same values as the full pack
    assert not emb[[1, 2, 48]].any()                               # the others are zero
    np.testing.assert_array_equal(out["encoder.layer.0.attention.q.weight"],
                                  nf4_round_trip(weights["encoder.layer.0.attention.q.weight"]))
    for exact in ("encoder.layer.0.attention.q.bias", "encoder.relative_attention_bias.weight"):
        np.testing.assert_array_equal(out[exact], weights[exact])  # small tensors travel exactly


def test_delta_pack_rebuilds_the_tuned_weights(tmp_path) -> None:
    rng = np.random.default_rng(2)
    base = {"encoder.w": rng.normal(scale=0.05, size=(4 * BLOCK, 2 * BLOCK)).astype(np.float32),
            "encoder.frozen": rng.normal(size=(BLOCK, BLOCK)).astype(np.float32),
            "encoder.b": rng.normal(size=(2 * BLOCK,)).astype(np.float32),
            "classifier.weight": rng.normal(size=(15, 2 * BLOCK)).astype(np.float32)}
    tuned = {k: v.copy() for k, v in base.items()}
    tuned["encoder.w"] += rng.normal(scale=0.002, size=base["encoder.w"].shape).astype(np.float32)
    tuned["encoder.b"] += 0.01
    tuned["classifier.weight"] = rng.normal(size=(15, 2 * BLOCK)).astype(np.float32)  # a new head: not a delta
    tuned["shape_emb.weight"] = rng.normal(size=(14, 2 * BLOCK)).astype(np.float32)   # absent from the base
    pack_delta(base, tuned, tmp_path, prefix="encoder.")
    meta = json.loads((tmp_path / "delta.json").read_text())
    assert meta["n_delta"] == 1 and meta["n_exact"] == 3  # frozen: unchanged, not written
    # the receiving side starts from its own head init: only encoder.* weights are deltas
    other_base = dict(base, **{"classifier.weight": np.zeros((15, 2 * BLOCK), np.float32)})
    rebuilt = apply_delta(other_base, tmp_path)
    for k in ("encoder.b", "classifier.weight", "shape_emb.weight", "encoder.frozen"):
        np.testing.assert_array_equal(rebuilt[k], tuned[k])
    d_true = tuned["encoder.w"] - base["encoder.w"]
    d_err = rebuilt["encoder.w"] - tuned["encoder.w"]
    assert np.abs(d_err).mean() < 0.12 * np.abs(d_true).mean()  # 4-bit delta: ~10% of a small change
    with pytest.raises(FileNotFoundError):
        apply_delta(base, tmp_path / "missing")
