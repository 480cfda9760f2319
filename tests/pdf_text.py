"""The text a reportlab PDF draws, for assertions (no PDF library needed): every content stream is
decoded (ASCII85 and/or Flate, as reportlab writes them), and the strings of its Tj / TJ operators are
joined line by line."""

from __future__ import annotations

import base64
import re
import zlib

STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)")
SHOW = re.compile(rb"(\((?:\\.|[^\\)])*\)\s*Tj|\[(?:[^\]\\]|\\.)*\]\s*TJ)", re.S)


def _unescape(raw: bytes) -> str:
    text = raw.decode("latin-1")
    return re.sub(r"\\([()\\])", r"\1", text)


def pdf_text(pdf: bytes) -> str:
    chunks = []
    for match in STREAM.finditer(pdf):
        data = match.group(1).strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        for show in SHOW.finditer(data):
            chunks.append("".join(_unescape(s) for s in STRING.findall(show.group(0))))
    return " ".join(chunks)
