"""Known-truth phantoms: the volumes and mass measured from the written DICOM by disc summation (the
viewer's own volume code) match the truth within the stated tolerance."""

from __future__ import annotations

import json
import math

import numpy as np
import pydicom
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cmrnet.library import phantom


def _read_back(folder) -> np.ndarray:
    truth = json.loads((folder / "truth.json").read_text())
    cine = np.zeros((truth["slices"], truth["phases"], truth["matrix"], truth["matrix"]), dtype=np.uint16)
    for path in folder.glob("*.dcm"):
        ds = pydicom.dcmread(path)
        s = round((-ds.SliceLocation / ds.SpacingBetweenSlices) - 0.5)
        p = round(ds.TriggerTime / (ds.NominalInterval / ds.CardiacNumberOfImages))
        cine[s, p] = ds.pixel_array
    return cine


@pytest.mark.parametrize(("edv", "esv", "mass"), [(150, 60, 120), (260, 190, 170), (110, 35, 210)])
def test_measured_volumes_and_mass_match_the_truth(tmp_path, edv, esv, mass):
    call_command("phantom", str(tmp_path), edv=edv, esv=esv, mass=mass, phases=16, slices=10)
    truth = phantom.Truth(**{k: v for k, v in json.loads((tmp_path / "truth.json").read_text()).items()
                             if k in phantom.Truth.__dataclass_fields__})
    measured = phantom.measure(_read_back(tmp_path), truth)
    tol = phantom.TOLERANCE
    assert abs(measured["edv_ml"] - edv) <= edv * tol["volume_pct"] / 100
    assert abs(measured["esv_ml"] - esv) <= esv * tol["volume_pct"] / 100
    assert abs(measured["ef_pct"] - truth.ef_pct) <= tol["ef_points"]
    assert abs(measured["mass_g"] - mass) <= mass * tol["mass_pct"] / 100
    assert (measured["ed_phase"], measured["es_phase"]) == (1, truth.es_phase)


def test_the_files_are_valid_mr_cine_dicom(tmp_path):
    call_command("phantom", str(tmp_path), edv=150, esv=60, mass=120, phases=8, slices=4)
    files = sorted(tmp_path.glob("*.dcm"))
    assert len(files) == 32
    ds = pydicom.dcmread(files[0])
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.4" and ds.Modality == "MR"
    assert ds.CardiacNumberOfImages == 8 and ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert ds.pixel_array.shape == (128, 128)
    assert len({pydicom.dcmread(f).SeriesInstanceUID for f in files}) == 1


def test_geometry_is_exact():
    a, c = phantom.cavity_axes(150)
    assert math.isclose(phantom.half_ellipsoid_ml(a, c), 150, rel_tol=1e-9)
    t = phantom.wall_thickness(a, c, 120 / phantom.MYOCARDIAL_DENSITY)
    assert math.isclose(phantom.half_ellipsoid_ml(a + t, c + t) - 150, 120 / 1.05, rel_tol=1e-6)
    volumes, es = phantom.volume_curve(25, 150, 60)
    assert volumes[0] == 150 and math.isclose(volumes[es - 1], 60) and min(volumes) == volumes[es - 1]


@pytest.mark.parametrize(("edv", "esv", "mass", "phases", "slices", "says"), [
    (150, 160, 120, 25, 10, "below the EDV"), (10, 5, 120, 25, 10, "--edv"), (150, 60, 5, 25, 10, "--mass"),
    (150, 60, 120, 4, 10, "--phases"), (150, 60, 120, 25, 2, "--slices"),
])
def test_impossible_phantoms_are_refused_with_the_reason(tmp_path, edv, esv, mass, phases, slices, says):
    with pytest.raises(CommandError, match=says):
        call_command("phantom", str(tmp_path), edv=edv, esv=esv, mass=mass, phases=phases, slices=slices)
