"""Known-truth phantoms: a beating ellipsoidal left ventricle in a simple thorax, as a short-axis cine.

Geometry (all in mm): the LV cavity is a half prolate ellipsoid (radius ``a``, long semi-axis ``c = 2a``)
from the base plane (z = 0) to the apex (z = -c); the myocardium is the shell between it and a confocal
outer half ellipsoid (``a + t``, ``c + t``). Its volumes are exact: cavity ``2/3 pi a^2 c``; myocardial
mass ``1.05 g/ml`` x (outer - cavity). Through the cycle the cavity follows a systolic then diastolic
cosine between EDV (phase 1) and ESV (phase ``es_phase``), the wall thickens so that the myocardial
volume (the mass) stays constant. Short-axis slices sample the ellipsoid at the centres of equal slabs
covering the ventricle at end-diastole (the disc-summation midpoint rule).

``measure_series`` reads the images back the way a reader would: it casts rays from the LV centre to
find the endocardial and epicardial borders (half-way intensity crossings), makes contour polygons and
hands them to the viewer's own volume code (``cmrnet.interpretation.discs``). The tests hold the
measurement to the truth within ``TOLERANCE``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cmrnet.interpretation.discs import disc_volume_ml, ejection_fraction, polygon_area_mm2

MYOCARDIAL_DENSITY = 1.05  # g/ml
TOLERANCE = {"volume_pct": 3.0, "ef_points": 2.0, "mass_pct": 5.0}
# Signal levels of a bSSFP cine: blood bright, myocardium dark grey, epicardial fat bright, lungs dark.
BLOOD, MYOCARDIUM, FAT, BODY, LUNG, AIR = 900, 220, 480, 380, 40, 0


@dataclass(frozen=True)
class Truth:
    edv_ml: float
    esv_ml: float
    mass_g: float
    phases: int
    slices: int
    es_phase: int               # 1-based phase of end-systole (end-diastole is phase 1)
    slice_spacing_mm: float
    pixel_spacing_mm: float
    matrix: int
    rr_ms: float

    @property
    def ef_pct(self) -> float:
        return (self.edv_ml - self.esv_ml) / self.edv_ml * 100

    @property
    def sv_ml(self) -> float:
        return self.edv_ml - self.esv_ml


def validate(edv: float, esv: float, mass: float, phases: int, slices: int) -> None:
    if not 20 <= edv <= 600:
        raise ValueError(f"--edv {edv}: an LV end-diastolic volume between 20 and 600 ml, please")
    if not 5 <= esv < edv:
        raise ValueError(f"--esv {esv}: the end-systolic volume must be at least 5 ml and below the EDV ({edv} ml)")
    if not 20 <= mass <= 500:
        raise ValueError(f"--mass {mass}: an LV mass between 20 and 500 g, please")
    if not 8 <= phases <= 60:
        raise ValueError(f"--phases {phases}: between 8 and 60 cardiac phases")
    if not 4 <= slices <= 30:
        raise ValueError(f"--slices {slices}: between 4 and 30 short-axis slices")


def cavity_axes(volume_ml: float) -> tuple[float, float]:
    """(a, c) in mm of the half ellipsoid with c = 2a holding `volume_ml`: V = 2/3 pi a^2 c = 4/3 pi a^3."""
    a = (volume_ml * 1000 * 3 / (4 * math.pi)) ** (1 / 3)
    return a, 2 * a


def half_ellipsoid_ml(a: float, c: float) -> float:
    return 2 / 3 * math.pi * a * a * c / 1000


def wall_thickness(a: float, c: float, myocardial_ml: float) -> float:
    """Thickness t with half_ellipsoid(a + t, c + t) - half_ellipsoid(a, c) = myocardial_ml (bisection)."""
    low, high = 0.0, 60.0
    for _ in range(80):
        mid = (low + high) / 2
        if half_ellipsoid_ml(a + mid, c + mid) - half_ellipsoid_ml(a, c) < myocardial_ml:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def volume_curve(phases: int, edv: float, esv: float) -> tuple[list[float], int]:
    """Cavity volume per phase (phase 1 = ED) and the 1-based ES phase (systole takes 35% of the cycle)."""
    es = max(1, round(phases * 0.35))
    volumes = []
    for k in range(phases):
        f = 0.5 * (1 + math.cos(math.pi * k / es)) if k <= es else 0.5 * (1 - math.cos(math.pi * (k - es) / (phases - es)))
        volumes.append(esv + (edv - esv) * f)
    return volumes, es + 1


SUPER_SAMPLING = 4  # sub-pixels per pixel side: partial volume at the borders, as in a real image


class _Canvas:
    """Sub-pixel coordinates and the static thorax, computed once per phantom."""

    def __init__(self, truth: Truth):
        ss, n, ps = SUPER_SAMPLING, truth.matrix, truth.pixel_spacing_mm
        offsets = (np.arange(ss) + 0.5) / ss - 0.5
        coords = ((np.arange(n) - n / 2 + 0.5)[:, None] * ps + offsets[None, :] * ps).reshape(-1)
        yy, xx = np.meshgrid(coords, coords, indexing="ij")
        half = n * ps / 2
        base = np.full(xx.shape, AIR, dtype=np.float64)
        base[(xx / (half * 0.92)) ** 2 + (yy / (half * 0.70)) ** 2 <= 1] = BODY
        for side in (-1, 1):
            base[((xx - side * half * 0.45) / (half * 0.32)) ** 2 + (yy / (half * 0.50)) ** 2 <= 1] = LUNG
        self.base = base
        self.r2 = (xx - half * 0.10) ** 2 + yy ** 2   # the heart sits left of centre
        self.n, self.ss = n, ss


def render_slice(canvas: _Canvas, a: float, c: float, t: float, z: float, *, rng: np.random.Generator) -> np.ndarray:
    """One short-axis image (uint16) at height z (mm, <= 0) for cavity (a, c) and wall t."""
    img = canvas.base.copy()
    outer_a, outer_c = a + t, c + t
    if z > -(outer_c + 8):
        img[canvas.r2 <= (outer_a + 8) ** 2] = FAT    # epicardial fat around the heart
    if z > -outer_c:
        img[canvas.r2 <= (outer_a ** 2) * max(0.0, 1 - (z / outer_c) ** 2)] = MYOCARDIUM
    if z > -c:
        img[canvas.r2 <= (a ** 2) * max(0.0, 1 - (z / c) ** 2)] = BLOOD
    img = img.reshape(canvas.n, canvas.ss, canvas.n, canvas.ss).mean(axis=(1, 3))
    img += rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 4095).astype(np.uint16)


def generate(edv: float, esv: float, mass: float, *, phases: int = 25, slices: int = 10, matrix: int = 128,
             pixel_spacing_mm: float = 2.0, rr_ms: float = 1000.0, seed: int = 1) -> tuple[Truth, np.ndarray, list[float]]:
    """The cine as an array (slices, phases, rows, cols), the truth, and the slice heights (mm)."""
    validate(edv, esv, mass, phases, slices)
    a_ed, c_ed = cavity_axes(edv)
    myo_ml = mass / MYOCARDIAL_DENSITY
    t_ed = wall_thickness(a_ed, c_ed, myo_ml)
    spacing = (c_ed + t_ed) / slices
    volumes, es_phase = volume_curve(phases, edv, esv)
    truth = Truth(edv, esv, mass, phases, slices, es_phase, round(spacing, 4), pixel_spacing_mm, matrix, rr_ms)
    heights = [-(k + 0.5) * truth.slice_spacing_mm for k in range(slices)]
    rng = np.random.default_rng(seed)
    canvas = _Canvas(truth)
    cine = np.zeros((slices, phases, matrix, matrix), dtype=np.uint16)
    for p, volume in enumerate(volumes):
        a, c = cavity_axes(volume)
        t = wall_thickness(a, c, myo_ml)
        for s, z in enumerate(heights):
            cine[s, p] = render_slice(canvas, a, c, t, z, rng=rng)
    return truth, cine, heights


# --- Reading the images back (what the tests and the demo's reference report use).

def _crossing(line: np.ndarray, start: int, level: float, rising: bool) -> float | None:
    """First fractional index >= start where `line` crosses `level` (upwards if `rising`)."""
    lo, hi = line[start:-1], line[start + 1:]
    hits = np.flatnonzero((lo <= level) & (hi > level) if rising else (lo >= level) & (hi < level))
    if not len(hits):
        return None
    i = hits[0]
    return start + i + (level - lo[i]) / (hi[i] - lo[i])


def _bilinear(image: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    y0 = np.clip(np.floor(ys).astype(int), 0, image.shape[0] - 2)
    x0 = np.clip(np.floor(xs).astype(int), 0, image.shape[1] - 2)
    fy, fx = ys - y0, xs - x0
    img = image.astype(np.float64)
    return (img[y0, x0] * (1 - fy) * (1 - fx) + img[y0 + 1, x0] * fy * (1 - fx)
            + img[y0, x0 + 1] * (1 - fy) * fx + img[y0 + 1, x0 + 1] * fy * fx)


STEP = 0.25  # ray sampling step, pixels


def contours(image: np.ndarray, centre: tuple[float, float], *, rays: int = 72) -> tuple[list, list]:
    """Endocardial and epicardial contours (polygons of (x, y) pixels) found as a reader would draw them:
    along rays from the LV centre, where the intensity crosses half-way between blood and myocardium
    (endocardium) and between myocardium and fat (epicardium). Empty where the slice has no cavity /
    no myocardium."""
    cy, cx = centre
    radii = np.arange(0, image.shape[0] / 2 - 2, STEP)
    endo_level, epi_level = (BLOOD + MYOCARDIUM) / 2, (MYOCARDIUM + FAT) / 2
    endo, epi = [], []
    for k in range(rays):
        angle = 2 * math.pi * k / rays
        line = _bilinear(image, cy + radii * math.sin(angle), cx + radii * math.cos(angle))
        start = 0
        if line[0] > endo_level:
            r = _crossing(line, 0, endo_level, rising=False)
            if r is not None:
                endo.append((cx + r * STEP * math.cos(angle), cy + r * STEP * math.sin(angle)))
                start = int(r) + 1
        inside = np.flatnonzero(line[start:] < epi_level)   # into the myocardium...
        if len(inside) and (start == 0 or inside[0] < 40 / STEP):
            r = _crossing(line, start + inside[0], epi_level, rising=True)   # ...and out into the fat
            if r is not None:
                epi.append((cx + r * STEP * math.cos(angle), cy + r * STEP * math.sin(angle)))
    return (endo if len(endo) == rays else []), (epi if len(epi) == rays else [])


def lv_centre(truth: Truth) -> tuple[float, float]:
    """(row, column) of the LV long axis in the images."""
    middle = truth.matrix / 2 - 0.5
    return middle, middle + (truth.matrix * truth.pixel_spacing_mm / 2 * 0.10) / truth.pixel_spacing_mm


def measure(cine: np.ndarray, truth: Truth) -> dict:
    """EDV, ESV, EF, SV and mass measured from the images by disc summation, with the viewer's volume code."""
    spacing = (truth.pixel_spacing_mm, truth.pixel_spacing_mm)
    centre = lv_centre(truth)
    volumes, myocardium = [], []
    for p in range(cine.shape[1]):
        endo_areas, epi_areas = [], []
        for s in range(cine.shape[0]):
            endo, epi = contours(cine[s, p], centre)
            endo_areas.append(polygon_area_mm2(endo, spacing) if endo else 0.0)
            epi_areas.append(polygon_area_mm2(epi, spacing) if epi else endo_areas[-1])
        volumes.append(disc_volume_ml(endo_areas, truth.slice_spacing_mm))
        myocardium.append(disc_volume_ml(epi_areas, truth.slice_spacing_mm) - volumes[-1])
    edv, esv = max(volumes), min(volumes)
    ed = volumes.index(edv)
    return {"edv_ml": edv, "esv_ml": esv, "ef_pct": ejection_fraction(edv, esv), "sv_ml": edv - esv,
            "mass_g": myocardium[ed] * MYOCARDIAL_DENSITY, "ed_phase": ed + 1, "es_phase": volumes.index(esv) + 1}


# --- Writing DICOM.

def write_dicom(out_dir: Path, truth: Truth, cine: np.ndarray, heights: list[float], *, label: str = "") -> list[Path]:
    """The cine as MR Image Storage objects (one per slice and phase) plus truth.json; returns the files."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

    out_dir.mkdir(parents=True, exist_ok=True)
    study, series, frame_of_ref = generate_uid(), generate_uid(), generate_uid()
    today = dt.date.today().strftime("%Y%m%d")
    name = label or f"EDV{truth.edv_ml:g} ESV{truth.esv_ml:g} MASS{truth.mass_g:g}"
    paths = []
    for s, z in enumerate(heights):
        for p in range(truth.phases):
            ds = Dataset()
            ds.file_meta = FileMetaDataset()
            ds.file_meta.MediaStorageSOPClassUID = MRImageStorage
            ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds.SOPClassUID = MRImageStorage
            ds.SOPInstanceUID = generate_uid()
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame_of_ref
            ds.Modality, ds.Manufacturer, ds.ManufacturerModelName = "MR", "cmrnet", "known-truth phantom"
            ds.PatientName, ds.PatientID = "PHANTOM^" + name.replace(" ", "_"), "PHANTOM"
            ds.PatientSex, ds.PatientAge, ds.PatientSize, ds.PatientWeight = "O", "040Y", 1.75, 75.0
            ds.StudyDate = ds.SeriesDate = ds.ContentDate = today
            ds.StudyTime = ds.SeriesTime = "120000"
            ds.StudyDescription = "cardiac phantom"
            ds.SeriesDescription = "SA cine phantom"
            ds.ProtocolName = "cine sax"
            ds.SeriesNumber, ds.InstanceNumber = 1, s * truth.phases + p + 1
            ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "NONE"]
            ds.BurnedInAnnotation = "NO"
            ds.ScanningSequence, ds.SequenceVariant, ds.MRAcquisitionType = "GR", "SS", "2D"
            ds.MagneticFieldStrength = 1.5
            ds.SliceThickness = ds.SpacingBetweenSlices = truth.slice_spacing_mm
            ds.PixelSpacing = [truth.pixel_spacing_mm, truth.pixel_spacing_mm]
            half = truth.matrix * truth.pixel_spacing_mm / 2
            ds.ImagePositionPatient = [-half, -half, round(z, 4)]
            ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
            ds.SliceLocation = round(z, 4)
            ds.TriggerTime = round(p * truth.rr_ms / truth.phases, 3)
            ds.CardiacNumberOfImages = truth.phases
            ds.NominalInterval = int(truth.rr_ms)
            ds.HeartRate = round(60000 / truth.rr_ms)
            ds.Rows = ds.Columns = truth.matrix
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
            ds.WindowCenter, ds.WindowWidth = 500, 1000
            ds.PixelData = cine[s, p].astype("<u2").tobytes()
            path = out_dir / f"sax_s{s + 1:02d}_p{p + 1:02d}.dcm"
            ds.save_as(path, enforce_file_format=True)
            paths.append(path)
    (out_dir / "truth.json").write_text(json.dumps({**asdict(truth), "ef_pct": truth.ef_pct, "sv_ml": truth.sv_ml,
                                                    "tolerance": TOLERANCE}, indent=2))
    return paths
