"""Pull a study from a DICOMweb server (a hospital PACS, a registry, an Orthanc): QIDO-RS to find its series,
WADO-RS to retrieve each series, then the ordinary ingest (de-identification in memory)."""

from __future__ import annotations

from cmrnet.library import dicomweb
from cmrnet.library.ingest import IngestError, IngestResult, ingest
from cmrnet.library.models import Case, Ingest


def _series_uids(client: dicomweb.Client, study_uid: str) -> list[str]:
    rows = client.search_series(study_uid)
    return [row["0020000E"]["Value"][0] for row in rows if row.get("0020000E", {}).get("Value")]


def pull_study(*, by, case: Case, base_url: str, study_uid: str) -> IngestResult:
    client = dicomweb.Client(base_url)
    try:
        series = _series_uids(client, study_uid)
        if not series:
            raise IngestError(f"study {study_uid}: the DICOMweb server at {base_url} has no such study (QIDO-RS found no series).")

        def files():
            for series_uid in series:
                for n, data in enumerate(client.retrieve_series(study_uid, series_uid), start=1):
                    yield f"{series_uid}/{n}", data

        return ingest(by=by, case=case, files=files(), source=Ingest.Source.DICOMWEB)
    except dicomweb.DicomWebError as exc:
        raise IngestError(str(exc)) from exc
