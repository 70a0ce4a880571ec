"""Diffraction patterns: XRDML and two-column readers (lossless arrays),
and refusals with reasons; real XRDML patterns round-trip through the store bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from textmine.records import Failure
from textmine.spectra.readers import read_spectra, read_xy
from textmine.store.sqlite import SQLiteStore
from textmine.store.structures import structure_store

XRDML = """<?xml version="1.0"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.3" status="Completed">
 <sample type="To be analyzed"><id>S1</id></sample>
 <xrdMeasurement measurementType="Scan" status="Completed">
  <usedWavelength intended="K-Alpha 1"><kAlpha1 unit="Angstrom">1.5405980</kAlpha1><kAlpha2 unit="Angstrom">1.5444260</kAlpha2>
   <ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1></usedWavelength>
  <incidentBeamPath><xRayTube><anodeMaterial>Cu</anodeMaterial></xRayTube></incidentBeamPath>
  <scan scanAxis="Gonio" status="Completed"><dataPoints>
   <positions axis="2Theta" unit="deg"><startPosition>10.0</startPosition><endPosition>10.3</endPosition></positions>
   <commonCountingTime unit="seconds">1.5</commonCountingTime>
   <counts unit="counts">5 7 11 13</counts>
  </dataPoints></scan>
  <scan scanAxis="Gonio" status="Completed"><dataPoints>
   <positions axis="2Theta" unit="deg"><listPositions>20.0 20.5 21.25</listPositions></positions>
   <intensities unit="counts">1.5 2.25 3.125</intensities>
  </dataPoints></scan>
 </xrdMeasurement>
</xrdMeasurements>"""


def test_xrdml_scans_wavelengths_and_positions(tmp_path):
    path = tmp_path / "s.xrdml"
    path.write_text(XRDML)
    first, second = read_spectra(path)
    assert first.two_theta == [10.0, 10.1, 10.2, 10.3] or np.allclose(first.two_theta, [10.0, 10.1, 10.2, 10.3])
    assert first.intensity == [5.0, 7.0, 11.0, 13.0]
    assert (first.wavelength, first.wavelength_ka2, first.ka2_ratio, first.anode) == (1.540598, 1.544426, 0.5, "Cu")
    assert first.metadata["counting_time_s"] == 1.5 and first.metadata["sample_id"] == "S1"
    assert second.two_theta == [20.0, 20.5, 21.25] and second.intensity == [1.5, 2.25, 3.125]
    assert second.source.endswith("#1.2") and first.spectrum_id != second.spectrum_id


def test_two_column_text_with_header_comments_and_csv(tmp_path):
    text = "# wavelength = 1.5406\n2theta,intensity,esd\n10.00, 100, 3\n10.02, 120.5, 3\n10.04, 90, 3\n"
    spectrum = read_xy(text, str(tmp_path / "p.csv"))
    assert spectrum.two_theta == [10.0, 10.02, 10.04] and spectrum.intensity == [100.0, 120.5, 90.0]
    assert spectrum.wavelength == 1.5406 and spectrum.format == "csv"
    anode = read_xy("; anode: Co\n5 1\n6 2\n", "a.xy")
    assert anode.anode == "Co" and anode.wavelength == pytest.approx(1.788965)


@pytest.mark.parametrize("name,content,reason", [
    ("p.xy", "10 1\n9 2\n", "not strictly increasing"),
    ("p.xy", "10 1\n", "fewer than two"),
    ("p.xrdml", "<xrdMeasurements", "malformed XRDML"),
    ("p.brml", "PK", "no maintained open reader"),
    ("p.xrdml", "<?xml version='1.0'?><other/>", "not an XRDML file"),
])
def test_bad_files_are_failures_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_text(content)
    (failure,) = read_spectra(path)
    assert isinstance(failure, Failure) and reason in failure.reason


def test_real_xrdml_round_trips_losslessly_through_sqlite(shared_data, tmp_path):
    path = shared_data / "materials" / "xrd_experimental" / "binary_reactions" / "CoO-ZnO_1100C_60min.xrdml"
    (spectrum,) = read_spectra(path)
    assert spectrum.n_points > 5000 and spectrum.anode == "Cu" and spectrum.wavelength == 1.540598
    store = SQLiteStore(tmp_path / "s.db")
    companion = structure_store(store)
    companion.put_spectra([spectrum])
    back = companion.get_spectrum(spectrum.spectrum_id)
    assert back.two_theta == spectrum.two_theta and back.intensity == spectrum.intensity  # exact floats
    assert store.stats().spectra == 1
    store.close()




def test_simulation_without_the_extra_says_which_install_fixes_it(monkeypatch):
    import sys

    from textmine.spectra.simulate import SimulationUnavailable, simulate_pattern

    monkeypatch.setitem(sys.modules, "pymatgen.analysis.diffraction.xrd", None)  # as if pymatgen-core only
    with pytest.raises(SimulationUnavailable, match=r"pip install 'textmine\[structures\]'"):
        simulate_pattern(None)
