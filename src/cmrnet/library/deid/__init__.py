"""De-identification of DICOM (PS3.15 Annex E): the profile as data (``profile``), the engine (``engine``),
the vocabulary that Clean Descriptors keeps (``vocabulary``)."""

from cmrnet.library.deid.engine import DeidError, Keys, Result, deidentify, deidentify_dataset, quarantine_reason

__all__ = ["DeidError", "Keys", "Result", "deidentify", "deidentify_dataset", "quarantine_reason"]
