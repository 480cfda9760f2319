"""A small DICOMweb client (PS3.18): STOW-RS, QIDO-RS, WADO-RS, over the standard library's HTTP.

Enough for the library's store (Orthanc) and for pulling a study from a hospital PACS or a registry:
``stow`` (POST multipart/related application/dicom), ``search_*`` (QIDO-RS JSON), ``retrieve_*``
(WADO-RS multipart/related application/dicom). Orthanc's own REST API is used for one thing DICOMweb
does not offer: deleting an instance (rolling back a failed ingest).
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from email.parser import BytesParser
from email.policy import HTTP

TIMEOUT = 30


class DicomWebError(Exception):
    """The DICOMweb server refused or could not be reached; the message names the server and the status."""


def encode_multipart(parts: list[bytes], content_type: str = "application/dicom") -> tuple[bytes, str]:
    boundary = "cmrnet-" + secrets.token_hex(12)
    body = bytearray()
    for part in parts:
        body += f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode()
        body += part + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f'multipart/related; type="{content_type}"; boundary={boundary}'


def decode_multipart(body: bytes, content_type: str) -> list[bytes]:
    """The payloads of a multipart/related response, in order."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    if not message.is_multipart():
        return [body] if body else []
    return [part.get_payload(decode=True) or b"" for part in message.iter_parts()]


class Client:
    def __init__(self, base_url: str, *, orthanc_root: str | None = None):
        if not base_url:
            raise DicomWebError("No DICOMweb URL configured (CMRNET_DICOM_STORE_URL).")
        self.base = base_url.rstrip("/")
        # Orthanc serves DICOMweb under <root>/dicom-web; its REST API is <root>.
        self.orthanc_root = (orthanc_root or self.base.removesuffix("/dicom-web")).rstrip("/")

    def _request(self, method: str, url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[bytes, str]:
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            if exc.code == 404 or exc.code == 204:
                return b"", ""
            raise DicomWebError(f"{method} {url}: the DICOMweb server answered {exc.code} {exc.reason}.") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DicomWebError(f"{method} {url}: the DICOMweb server cannot be reached ({exc}).") from exc

    # --- STOW-RS
    def stow(self, instances: list[bytes]) -> dict:
        body, ctype = encode_multipart(instances)
        raw, _ = self._request("POST", f"{self.base}/studies", data=body,
                               headers={"Content-Type": ctype, "Accept": "application/dicom+json"})
        result = json.loads(raw) if raw else {}
        failed = result.get("00081198", {}).get("Value", [])
        if failed:
            raise DicomWebError(f"STOW-RS to {self.base}: the server refused {len(failed)} of {len(instances)} instances.")
        return result

    # --- QIDO-RS
    def _qido(self, path: str, params: dict | None = None) -> list[dict]:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        raw, _ = self._request("GET", f"{self.base}/{path}{query}", headers={"Accept": "application/dicom+json"})
        return json.loads(raw) if raw else []

    def search_studies(self, **params) -> list[dict]:
        return self._qido("studies", params)

    def search_series(self, study_uid: str) -> list[dict]:
        return self._qido(f"studies/{study_uid}/series")

    def search_instances(self, study_uid: str, series_uid: str, sop_uid: str | None = None) -> list[dict]:
        return self._qido(f"studies/{study_uid}/series/{series_uid}/instances",
                          {"SOPInstanceUID": sop_uid} if sop_uid else None)

    # --- WADO-RS
    def _wado(self, path: str) -> list[bytes]:
        # transfer-syntax=*: the objects as stored. Without it PS3.18 makes the server transcode to explicit
        # VR little endian, and objects it cannot transcode are left out.
        raw, ctype = self._request("GET", f"{self.base}/{path}",
                                   headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
        return decode_multipart(raw, ctype) if raw else []

    def retrieve_study(self, study_uid: str) -> list[bytes]:
        return self._wado(f"studies/{study_uid}")

    def retrieve_series(self, study_uid: str, series_uid: str) -> list[bytes]:
        return self._wado(f"studies/{study_uid}/series/{series_uid}")

    def retrieve_instance(self, study_uid: str, series_uid: str, sop_uid: str) -> list[bytes]:
        return self._wado(f"studies/{study_uid}/series/{series_uid}/instances/{sop_uid}")

    # --- Orthanc REST (not DICOMweb): delete one instance by SOP instance UID.
    def orthanc_delete_instance(self, sop_uid: str) -> bool:
        raw, _ = self._request("POST", f"{self.orthanc_root}/tools/lookup", data=sop_uid.encode(),
                               headers={"Content-Type": "text/plain"})
        found = [r for r in (json.loads(raw) if raw else []) if r.get("Type") == "Instance"]
        for row in found:
            self._request("DELETE", f"{self.orthanc_root}/instances/{row['ID']}")
        return bool(found)
