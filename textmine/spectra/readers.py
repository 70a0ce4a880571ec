"""Powder XRD files in, `Spectrum`s (or `Failure`s with the reason) out.

- PANalytical `.xrdml` (XRDMeasurement schema 1.x-2.x): every scan of every measurement; 2θ from
  `<listPositions>` or evenly spaced between `startPosition` and `endPosition`; counts or
  `intensities`; the anode and the Kα1/Kα2 wavelengths and ratio from the header;
- two-column text `.xy`, `.xye`, `.dat`, `.txt`, `.csv`: 2θ and intensity separated by
  whitespace, comma or semicolon; `#`/`;`/`!` comment lines and a header row are skipped, a third
  column (esd) is ignored; a `wavelength=1.5406` or `anode=Cu` comment is read.

Bruker `.brml`/`.raw`: no maintained open reader library exists on PyPI (xylib-py was last
released in 2020 and ships no wheels for current Pythons), so they are refused with that reason;
export them to `.xy` from DIFFRAC.EVA.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import numpy as np
from lxml import etree

from textmine.records import Failure, FailureStage
from textmine.spectra.model import ANODE_WAVELENGTH, Spectrum, make_spectrum

XRDML_SUFFIXES = (".xrdml",)
TEXT_SUFFIXES = (".xy", ".xye", ".csv", ".dat", ".txt")
BRUKER_SUFFIXES = (".brml", ".raw")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_WAVELENGTH = re.compile(r"(?:wavelength|lambda|λ)\s*[=:]\s*([0-9.]+)", re.I)
_ANODE = re.compile(r"(?:anode|tube|target)\s*[=:]\s*([A-Z][a-z]?)\b", re.I)


class SpectrumReadError(ValueError):
    pass


_FOLDER_SUFFIXES = (".xrdml", ".xy", ".xye", ".brml", ".raw")  # .csv/.dat/.txt only when named: too common


def is_spectrum_file(path: Path, *, named: bool = True) -> bool:
    suffixes = XRDML_SUFFIXES + TEXT_SUFFIXES + BRUKER_SUFFIXES if named else _FOLDER_SUFFIXES
    return path.name.lower().endswith(suffixes)


def iter_spectrum_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and is_spectrum_file(p, named=False))
        else:
            yield path


def read_spectra(path: Path) -> Iterator[Spectrum | Failure]:
    name = path.name.lower()
    try:
        data = path.read_bytes()
        if name.endswith(XRDML_SUFFIXES):
            yield from read_xrdml(data, str(path))
        elif name.endswith(TEXT_SUFFIXES):
            yield read_xy(data.decode("utf-8", errors="replace"), str(path))
        elif name.endswith(BRUKER_SUFFIXES):
            raise SpectrumReadError("Bruker .brml/.raw: no maintained open reader library exists; export the scan "
                                    "to .xy (DIFFRAC.EVA: File > Export) and add that")
        else:
            raise SpectrumReadError("not a diffraction pattern file (.xrdml, .xy, .xye, .csv, .dat, .txt)")
    except OSError as exc:
        yield Failure(source=str(path), stage=FailureStage.READ, reason=f"cannot read the file: {exc}")
    except (SpectrumReadError, ValueError) as exc:
        yield Failure(source=str(path), stage=FailureStage.READ, reason=str(exc)[:300])


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _find(el, name: str):
    for child in el.iter():
        if _local(child.tag) == name:
            return child
    return None


def _floats(text: str | None) -> np.ndarray:
    return np.array([float(t) for t in (text or "").split()], dtype=np.float64)


def read_xrdml(data: bytes, source: str) -> Iterator[Spectrum]:
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise SpectrumReadError(f"malformed XRDML: {exc}") from None
    if root is None or _local(root.tag) != "xrdMeasurements":
        raise SpectrumReadError("not an XRDML file (no xrdMeasurements root)")
    sample = _find(root, "sample")
    sample_id = (_find(sample, "id").text or "").strip() if sample is not None and _find(sample, "id") is not None else ""
    found = 0
    for m_index, measurement in enumerate(el for el in root if _local(el.tag) == "xrdMeasurement"):
        wl = _find(measurement, "usedWavelength")
        ka1 = _float_of(wl, "kAlpha1")
        ka2 = _float_of(wl, "kAlpha2")
        ratio = _float_of(wl, "ratioKAlpha2KAlpha1")
        anode_el = _find(measurement, "anodeMaterial")
        anode = (anode_el.text or "").strip() or None if anode_el is not None else None
        if ka1 is None and anode in ANODE_WAVELENGTH:
            ka1 = ANODE_WAVELENGTH[anode]
        scans = [el for el in measurement if _local(el.tag) == "scan"]
        for s_index, scan in enumerate(scans):
            two_theta, intensity, meta = _scan_arrays(scan)
            found += 1
            where = source if (m_index, s_index) == (0, 0) else f"{source}#{m_index + 1}.{s_index + 1}"
            meta.update({"sample_id": sample_id, "measurement_type": measurement.get("measurementType"),
                         "scan_axis": scan.get("scanAxis"), "status": scan.get("status")})
            yield make_spectrum(two_theta, intensity, source=where, format="xrdml", wavelength=ka1, wavelength_ka2=ka2,
                                ka2_ratio=ratio, anode=anode, name=Path(source).stem,
                                metadata={k: v for k, v in meta.items() if v not in (None, "")})
    if not found:
        raise SpectrumReadError("XRDML file holds no scan")


def _float_of(parent, name: str) -> float | None:
    if parent is None:
        return None
    el = _find(parent, name)
    try:
        return float(el.text) if el is not None and el.text else None
    except ValueError:
        return None


def _scan_arrays(scan) -> tuple[np.ndarray, np.ndarray, dict]:
    points = _find(scan, "dataPoints")
    if points is None:
        raise SpectrumReadError("scan without dataPoints")
    y_el = next((el for el in points if _local(el.tag) in ("counts", "intensities")), None)
    if y_el is None:
        raise SpectrumReadError("scan without counts or intensities")
    intensity = _floats(y_el.text)
    meta: dict = {"intensity_unit": y_el.get("unit"), "intensity_kind": _local(y_el.tag)}
    counting = next((el for el in points if _local(el.tag) == "commonCountingTime"), None)
    if counting is not None and counting.text:
        meta["counting_time_s"] = float(counting.text)
    axis = next((el for el in points if _local(el.tag) == "positions" and el.get("axis") == "2Theta"), None)
    if axis is None:
        raise SpectrumReadError("scan has no 2Theta positions")
    listed = next((el for el in axis if _local(el.tag) == "listPositions"), None)
    if listed is not None:
        two_theta = _floats(listed.text)
    else:
        start = next((float(el.text) for el in axis if _local(el.tag) == "startPosition"), None)
        end = next((float(el.text) for el in axis if _local(el.tag) == "endPosition"), None)
        if start is None or end is None:
            raise SpectrumReadError("2Theta axis has neither listPositions nor start/endPosition")
        two_theta = np.linspace(start, end, len(intensity)) if len(intensity) > 1 else np.array([start])
    if len(two_theta) != len(intensity):
        raise SpectrumReadError(f"{len(two_theta)} 2θ positions but {len(intensity)} intensities")
    return two_theta, intensity, meta


def read_xy(text: str, source: str) -> Spectrum:
    xs: list[float] = []
    ys: list[float] = []
    wavelength = None
    anode = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        fields = [f for f in re.split(r"[\s,;]+", stripped) if f]
        numbers = [float(f) for f in fields if _NUMBER.fullmatch(f)]
        if len(numbers) != len(fields) or stripped[0] in "#;!'\"":  # a comment or header line
            if xs:
                raise SpectrumReadError(f"line {stripped[:60]!r} inside the data: expected 2θ and intensity")
            if m := _WAVELENGTH.search(stripped):
                wavelength = float(m.group(1))
            if m := _ANODE.search(stripped):
                anode = m.group(1).capitalize()
            continue
        if len(numbers) < 2:
            raise SpectrumReadError(f"line {stripped[:60]!r}: expected 2θ and intensity")
        xs.append(numbers[0])
        ys.append(numbers[1])
    if len(xs) < 2:
        raise SpectrumReadError("fewer than two (2θ, intensity) rows")
    x = np.array(xs)
    if np.any(np.diff(x) <= 0):
        raise SpectrumReadError("2θ is not strictly increasing: is the first column 2θ?")
    if wavelength is None and anode in ANODE_WAVELENGTH:
        wavelength = ANODE_WAVELENGTH[anode]
    fmt = "csv" if source.lower().endswith(".csv") else "xy"
    return make_spectrum(x, ys, source=source, format=fmt, wavelength=wavelength, anode=anode, name=Path(source).stem)


__all__ = ["read_spectra", "read_xrdml", "read_xy", "iter_spectrum_files", "is_spectrum_file", "SpectrumReadError"]
