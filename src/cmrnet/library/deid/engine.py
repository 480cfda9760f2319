"""De-identify one DICOM object in memory (PS3.15 Annex E Basic Profile + options, see ``profile``).

``deidentify(data, keys=..., pseudonym=...)`` reads the bytes, decides quarantine, applies the profile to
every element of the dataset and of every nested sequence item, removes private elements that are not on
the safe list, remaps UIDs (HMAC-SHA256 of the UID under the site secret, written under the 2.25 root),
shifts dates by the patient's offset (keyed by the secret: one offset per patient, so intervals survive),
replaces PatientName/PatientID by the pseudonym, records the method, and writes the result with a zeroed
preamble and a new file meta header. Pixel data is never touched.

Quarantined objects are de-identified all the same (their stored bytes carry no header identifiers);
they are quarantined because their *pixels* may show identifying text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import re
from dataclasses import dataclass, field

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.sequence import Sequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

from cmrnet.library.deid import profile
from cmrnet.library.deid.vocabulary import clean_descriptor

# Private elements kept: (private creator, group, element offset) -> meaning. Only numeric values are
# kept even then (a text value is removed whatever its tag). Everything else private is removed.
SAFE_PRIVATE = {
    ("Philips MR Imaging DD 001", 0x2005, 0x0E): "MR scale slope (real-world value mapping)",
    ("Philips MR Imaging DD 001", 0x2005, 0x0D): "MR scale intercept",
    ("SIEMENS MR HEADER", 0x0019, 0x0B): "slice measurement duration (ms)",
    ("SIEMENS MR HEADER", 0x0019, 0x0C): "b value",
    ("GEMS_ACQU_01", 0x0019, 0x20): "minimum number of frames per cardiac cycle"
}
NUMERIC_VRS = {"FL", "FD", "SS", "US", "SL", "UL", "SV", "UV", "IS", "DS"}
FREE_TEXT_VRS = {"LT", "ST", "UT", "PN"}
TEXT_VRS = {"SH", "LO", "UC", "LT", "ST", "UT"}
# cmrnet's hardening beyond the table's edition: attributes it does not list whose keyword says they hold a
# record identifier or a person or place are removed (e.g. ScheduledProcedureStepID inside a request).
HARDENING = ("Physician", "Operator", "Institution", "Address", "Telephone", "Performer", "Patient")


def _identifier_like(keyword: str) -> bool:
    return keyword.endswith(("ID", "Number", "Numbers")) or any(word in keyword for word in HARDENING)
SECONDARY_CAPTURE_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.7",      # Secondary Capture Image
    "1.2.840.10008.5.1.4.1.1.7.1",    # Multi-frame Single Bit SC
    "1.2.840.10008.5.1.4.1.1.7.2",    # Multi-frame Grayscale Byte SC
    "1.2.840.10008.5.1.4.1.1.7.3",    # Multi-frame Grayscale Word SC
    "1.2.840.10008.5.1.4.1.1.7.4",    # Multi-frame True Color SC
}
ACCEPTED_MODALITIES = {"MR"}
# ImageType values of captured or report images (Siemens CSA report pages, screenshots). "SECONDARY" alone
# is not suspect: many scanners label reconstructed MR images DERIVED\SECONDARY.
SUSPECT_IMAGE_TYPES = {"SCREEN SHOT", "SCREENSHOT", "CSA REPORT", "CSA RESULT", "SCREEN CAPTURE", "SNAPSHOT"}
DUMMY = {"PN": "ANONYMOUS", "LO": "ANONYMOUS", "SH": "ANONYMOUS", "LT": "ANONYMOUS", "ST": "ANONYMOUS",
         "UT": "ANONYMOUS", "CS": "ANONYMOUS", "AE": "ANONYMOUS", "DA": "19000101", "TM": "000000",
         "DT": "19000101000000", "AS": "000Y", "IS": "0", "DS": "0", "UC": "ANONYMOUS", "UR": ""}


class DeidError(Exception):
    """The input is not a DICOM object the profile can process (unreadable, not DICOM)."""


@dataclass(frozen=True)
class Keys:
    """The site secret: keys UID remapping, the per-patient date shift and derived pseudonyms."""

    secret: bytes

    @classmethod
    def from_text(cls, text: str) -> Keys:
        return cls(text.encode())

    def _mac(self, purpose: str, value: str) -> bytes:
        return hmac.new(self.secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()

    def uid(self, uid: str) -> str:
        """The same input UID gives the same output UID (per secret), a 2.25 UUID-derived UID (<= 44 chars)."""
        return "2.25." + str(int.from_bytes(self._mac("uid", uid.strip())[:16], "big"))

    def date_shift_days(self, patient: str) -> int:
        """Days to add to every date of `patient`: 1 to 10 years back, fixed per patient."""
        return -(365 + int.from_bytes(self._mac("date-shift", patient)[:4], "big") % (3650 - 365 + 1))

    def pseudonym(self, patient: str) -> str:
        return "CMR-" + self._mac("pseudonym", patient)[:4].hex().upper()

    def patient(self, ds: Dataset) -> str:
        """A keyed stand-in for the patient (never stored): from PatientID and issuer, else name and birth
        date, else the study UID (a study nobody can link to others)."""
        pid, issuer = str(ds.get("PatientID", "") or "").strip(), str(ds.get("IssuerOfPatientID", "") or "").strip()
        if pid:
            basis = f"id:{issuer}:{pid}"
        elif str(ds.get("PatientName", "") or "").strip():
            basis = f"name:{ds.PatientName}:{ds.get('PatientBirthDate', '')}"
        else:
            basis = f"study:{ds.get('StudyInstanceUID', '')}"
        return self._mac("patient", basis).hex()


@dataclass
class Result:
    status: str                 # "deidentified" or "quarantined"
    reason: str                 # why quarantined ("" when de-identified)
    data: bytes                 # the de-identified object (also for quarantined ones)
    dataset: Dataset            # the de-identified dataset
    patient: str                # the keyed patient stand-in (grouping only, never stored)
    pseudonym: str
    removed: list[str] = field(default_factory=list)   # tags removed (for the report)


def read(data: bytes) -> Dataset:
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=False)
    except (InvalidDicomError, EOFError, ValueError, OSError, KeyError, TypeError) as exc:
        raise DeidError(f"not a readable DICOM file ({exc.__class__.__name__})") from exc
    if "SOPInstanceUID" not in ds or "file_meta" not in ds.__dict__ or "TransferSyntaxUID" not in ds.file_meta:
        raise DeidError("not a DICOM Part 10 object (no SOP instance UID or transfer syntax)")
    return ds


def quarantine_reason(ds: Dataset) -> str:
    """Why the pixels of `ds` may carry identifying information the header profile cannot clear, or ""."""
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        return "no pixel data: not an image (a report, document or presentation state)"
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        return "BurnedInAnnotation is YES: text is burned into the pixels"
    if str(ds.get("SOPClassUID", "")) in SECONDARY_CAPTURE_CLASSES:
        return "secondary capture (a screenshot or scanned image): the pixels may show identifying text"
    modality = str(ds.get("Modality", "")).upper()
    if modality not in ACCEPTED_MODALITIES:
        return f"modality {modality or '(none)'}: the library takes MR acquisitions; other objects (OT, SC, DOC...) may show identifying text"
    image_type = {str(v).upper() for v in (ds.get("ImageType") or [])}
    if suspect := sorted(image_type & SUSPECT_IMAGE_TYPES):
        return f"image type {'/'.join(suspect)}: a derived or captured image that may carry annotations"
    if int(ds.get("SamplesPerPixel", 1) or 1) != 1:
        return "colour image: MR acquisitions are greyscale; colour usually means a screen capture or annotation"
    if str(ds.get("RecognizableVisualFeatures", "")).upper() == "YES":
        return "RecognizableVisualFeatures is YES"
    return ""


def _shift_date(value: str, days: int) -> str | None:
    text = value.strip()
    if not re.fullmatch(r"\d{8}", text[:8] or ""):
        return None
    try:
        day = dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        return None
    return (day + dt.timedelta(days=days)).strftime("%Y%m%d") + text[8:]


class _Walker:
    def __init__(self, keys: Keys, days: int):
        self.keys, self.days = keys, days
        self.removed: list[str] = []

    def dataset(self, ds: Dataset) -> None:
        kept_blocks: set[tuple[int, int]] = set()
        for elem in list(ds):
            tag = elem.tag
            if tag.group == 0x0002:
                continue
            if tag.is_private:
                if self._private(ds, elem):
                    kept_blocks.add((tag.group, tag.element >> 8))
                continue
            self._element(ds, elem)
        for elem in list(ds):  # private creators whose block kept nothing go too
            if elem.tag.is_private_creator and (elem.tag.group, elem.tag.element) not in kept_blocks:
                self._remove(ds, elem)

    def _remove(self, ds: Dataset, elem) -> None:
        self.removed.append(f"({elem.tag.group:04X},{elem.tag.element:04X})")
        del ds[elem.tag]

    def _private(self, ds: Dataset, elem) -> bool:
        tag = elem.tag
        if tag.is_private_creator:
            return False  # decided after its block
        block = tag.element >> 8
        creator_tag = (tag.group << 16) | block
        creator = str(ds[creator_tag].value).strip() if creator_tag in ds else ""
        if (creator, tag.group, tag.element & 0xFF) in SAFE_PRIVATE and elem.VR in NUMERIC_VRS:
            return True
        self._remove(ds, elem)
        return False

    def _element(self, ds: Dataset, elem) -> None:
        rule = profile.rule_for(int(elem.tag))
        if rule is None:
            # Not in Table E.1-1: kept (technical attributes), but never a name or free text of unknown
            # meaning, an unknown VR whose bytes nobody can read, or an identifier-like attribute the
            # table's edition does not list yet (see HARDENING); descriptions of unknown meaning are cleaned.
            keyword = elem.keyword or ""
            if elem.VR in FREE_TEXT_VRS or elem.VR == "UN" or (elem.VR in TEXT_VRS and _identifier_like(keyword)):
                self._remove(ds, elem)
            elif elem.VR in TEXT_VRS and ("Description" in keyword or "Comment" in keyword):
                self._clean(ds, elem)
            elif elem.VR == "SQ":
                self._sequence(elem)
            return
        action = rule.action
        if action == "X":
            self._remove(ds, elem)
        elif action == "K":
            if elem.VR == "SQ":
                self._sequence(elem)
        elif action == "Z":
            elem.value = Sequence([]) if elem.VR == "SQ" else None
        elif action == "D":
            self._dummy(ds, elem)
        elif action == "U":
            self._uid(ds, elem)
        elif action == "shift":
            self._shift(ds, elem)
        elif action == "clean":
            self._clean(ds, elem)
        else:  # an action code cmrnet does not know: remove rather than guess
            self._remove(ds, elem)

    def _sequence(self, elem) -> None:
        for item in elem.value or []:
            self.dataset(item)

    def _dummy(self, ds: Dataset, elem) -> None:
        if elem.VR == "SQ":
            self._sequence(elem)
        elif elem.VR == "UI":
            self._uid(ds, elem)
        elif elem.VR in DUMMY:
            elem.value = DUMMY[elem.VR]
        else:
            self._remove(ds, elem)

    def _uid(self, ds: Dataset, elem) -> None:
        if elem.VR == "SQ":  # U* on a sequence: its items' UIDs are replaced by their own rules
            self._sequence(elem)
            return
        if elem.VR != "UI":
            self._remove(ds, elem)
            return
        values = elem.value if isinstance(elem.value, pydicom.multival.MultiValue) else [elem.value]
        mapped = [self.keys.uid(str(v)) for v in values if str(v).strip()]
        elem.value = mapped if len(mapped) > 1 else (mapped[0] if mapped else "")

    def _shift(self, ds: Dataset, elem) -> None:
        if elem.VR == "TM":
            return  # whole days are shifted: the time of day is kept
        if elem.VR not in ("DA", "DT"):
            self._remove(ds, elem)
            return
        values = elem.value if isinstance(elem.value, pydicom.multival.MultiValue) else [elem.value]
        shifted = [_shift_date(str(v), self.days) for v in values if str(v).strip()]
        if any(s is None for s in shifted):
            elem.value = ""  # a date cmrnet cannot read is not kept
        else:
            elem.value = shifted if len(shifted) > 1 else (shifted[0] if shifted else "")

    def _clean(self, ds: Dataset, elem) -> None:
        if elem.VR == "SQ":
            self._sequence(elem)
        elif elem.VR in ("LO", "SH", "LT", "ST", "UT", "UC") and "Comment" not in (elem.keyword or ""):
            elem.value = clean_descriptor(str(elem.value or ""))
        else:
            self._remove(ds, elem)  # comments and anything else "clean" cannot vouch for


def _file_meta(ds: Dataset, sop_uid: str) -> FileMetaDataset:
    old = ds.file_meta
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = old.get("MediaStorageSOPClassUID", ds.get("SOPClassUID"))
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = old.TransferSyntaxUID
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = "CMRNET_DEID_1"
    return meta


def _record_method(ds: Dataset) -> None:
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = profile.METHOD_TEXT
    items = []
    for code, meaning in profile.METHOD_CODES:
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code, "DCM", meaning
        items.append(item)
    ds.DeidentificationMethodCodeSequence = Sequence(items)
    ds.LongitudinalTemporalInformationModified = "MODIFIED"


def write(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.preamble = b"\x00" * 128
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def deidentify_dataset(ds: Dataset, *, keys: Keys, pseudonym: str | None = None) -> Result:
    """De-identify `ds` in place; returns the result with the written bytes."""
    reason = quarantine_reason(ds)
    patient = keys.patient(ds)
    pseudonym = pseudonym or keys.pseudonym(patient)
    walker = _Walker(keys, keys.date_shift_days(patient))
    walker.dataset(ds)
    ds.PatientName = pseudonym
    ds.PatientID = pseudonym
    _record_method(ds)
    ds.file_meta = _file_meta(ds, str(ds.SOPInstanceUID))
    return Result("quarantined" if reason else "deidentified", reason, write(ds), ds, patient, pseudonym, walker.removed)


def deidentify(data: bytes, *, keys: Keys, pseudonym: str | None = None) -> Result:
    """De-identify the DICOM object `data` (bytes in memory). Raises DeidError for non-DICOM input."""
    return deidentify_dataset(read(data), keys=keys, pseudonym=pseudonym)
