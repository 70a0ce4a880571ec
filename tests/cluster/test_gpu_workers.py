"""GPU workers: onnxruntime's CUDA provider when a GPU is there, the CPU otherwise.

This machine has no GPU (and the onnxruntime here has no CUDA provider), so these tests check the
choice and the CPU fallback for real, and the CUDA branch only as far as the provider list that
would be handed to onnxruntime. GPU speed is not measured here (docs/scaling.md says so).
"""

from __future__ import annotations

import pytest

from textmine.ner import runtime
from textmine.ner.runtime import CPU, CUDA, DeviceUnavailable, execution_providers


def test_auto_falls_back_to_the_cpu_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTMINE_DEVICE", raising=False)
    monkeypatch.setattr(runtime, "gpu_visible", lambda: False)
    assert execution_providers() == [CPU]
    assert execution_providers(available=[CUDA, CPU]) == [CPU]  # onnxruntime-gpu on a node without a GPU


def test_auto_takes_cuda_with_a_gpu_and_a_cuda_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "gpu_visible", lambda: True)
    monkeypatch.setenv("TEXTMINE_CUDA_DEVICE", "1")
    assert execution_providers("auto", available=[CUDA, CPU]) == [(CUDA, {"device_id": 1}), CPU]
    assert execution_providers("auto", available=[CPU]) == [CPU]
    assert execution_providers("cpu", available=[CUDA, CPU]) == [CPU]


def test_asking_for_cuda_without_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "gpu_visible", lambda: True)
    with pytest.raises(DeviceUnavailable, match="pip install onnxruntime-gpu"):
        execution_providers("cuda", available=[CPU])
    monkeypatch.setattr(runtime, "gpu_visible", lambda: False)
    with pytest.raises(DeviceUnavailable, match="no GPU is visible"):
        execution_providers("cuda", available=[CUDA, CPU])
    with pytest.raises(DeviceUnavailable, match="use auto, cpu or cuda"):
        execution_providers("tpu")


def test_cuda_visible_devices_can_hide_the_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert not runtime.gpu_visible()


def test_the_tagger_runs_on_the_cpu_here_with_cpu_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    from textmine.ner.tagger import NerTagger

    monkeypatch.delenv("TEXTMINE_NER_BATCH", raising=False)
    monkeypatch.setenv("TEXTMINE_DEVICE", "auto")
    tagger = NerTagger("fast", threads=1)
    assert tagger.session.get_providers() == [CPU]
    assert tagger.batch_size == runtime.CPU_BATCH
    spans = tagger.predict_texts(["Thin films of SiO2 were annealed at 300 K."])[0]
    assert any(s.label == "MAT" for s in spans)
    monkeypatch.setenv("TEXTMINE_NER_BATCH", "7")
    assert NerTagger("fast", threads=1).batch_size == 7
    assert NerTagger("fast", threads=1, batch_size=5).batch_size == 5
