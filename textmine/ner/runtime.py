"""Where the ONNX models run: onnxruntime execution providers, threads and batch sizes.

- `TEXTMINE_DEVICE`: `auto` (default: CUDA when this onnxruntime has the CUDA provider and a GPU
  is visible, else CPU), `cpu`, or `cuda` (required: an error says what to install when it is
  not there). CUDA needs the `onnxruntime-gpu` package in place of `onnxruntime`.
- `TEXTMINE_CUDA_DEVICE`: which visible GPU (default 0).
- `TEXTMINE_ORT_THREADS`: intra-op threads on CPU (default 0: onnxruntime's choice, all physical
  cores); Dask workers get their process's share so N processes do not fight over the cores.
- `TEXTMINE_NER_BATCH`: sentences per model call (default 32 on CPU, 256 on CUDA, where a large
  batch keeps the GPU busy).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
CPU_BATCH = 32
GPU_BATCH = 256


class DeviceUnavailable(RuntimeError):
    """TEXTMINE_DEVICE asks for a device this machine or this onnxruntime does not have."""


def gpu_visible() -> bool:
    """A GPU this process may use: an NVIDIA device node, not hidden by CUDA_VISIBLE_DEVICES."""
    hidden = os.environ.get("CUDA_VISIBLE_DEVICES")
    if hidden is not None and hidden.strip() in ("", "-1", "none", "NoDevFiles"):
        return False
    return Path("/dev/nvidiactl").exists() or Path("/dev/nvidia0").exists()


def execution_providers(device: str | None = None, available: list[str] | None = None) -> list[Any]:
    """onnxruntime providers in order of preference for `device` (default: $TEXTMINE_DEVICE or auto)."""
    device = (device or os.environ.get("TEXTMINE_DEVICE") or "auto").strip().lower()
    if device not in ("auto", "cpu", "cuda", "gpu"):
        raise DeviceUnavailable(f"TEXTMINE_DEVICE={device!r}: use auto, cpu or cuda")
    if device == "cpu":
        return [CPU]
    if available is None:
        import onnxruntime as ort

        available = ort.get_available_providers()
    has_cuda = CUDA in available
    if device in ("cuda", "gpu"):
        if not has_cuda:
            raise DeviceUnavailable("TEXTMINE_DEVICE=cuda, but this onnxruntime has no CUDA provider: "
                                    "pip uninstall onnxruntime && pip install onnxruntime-gpu (CUDA 12), or TEXTMINE_DEVICE=cpu")
        if not gpu_visible():
            raise DeviceUnavailable("TEXTMINE_DEVICE=cuda, but no GPU is visible to this process "
                                    "(no /dev/nvidia*, or CUDA_VISIBLE_DEVICES hides it)")
    elif not (has_cuda and gpu_visible()):
        return [CPU]
    return [(CUDA, {"device_id": int(os.environ.get("TEXTMINE_CUDA_DEVICE", "0"))}), CPU]


def intra_op_threads(threads: int | None = None) -> int:
    return threads if threads else int(os.environ.get("TEXTMINE_ORT_THREADS", "0") or 0)


def batch_size_for(session: Any, batch_size: int | None = None) -> int:
    """Sentences per call for the provider the session actually got (CUDA may fall back to CPU)."""
    if batch_size:
        return batch_size
    if env := os.environ.get("TEXTMINE_NER_BATCH"):
        return int(env)
    return GPU_BATCH if session.get_providers()[0] == CUDA else CPU_BATCH


__all__ = ["CPU_BATCH", "DeviceUnavailable", "GPU_BATCH", "batch_size_for", "execution_providers", "gpu_visible",
           "intra_op_threads"]
