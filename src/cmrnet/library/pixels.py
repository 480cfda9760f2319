"""Pixel data for the viewer: one frame of a stored instance as raw little-endian samples.

The viewer gets the stored values (no windowing, no lossy re-encoding): ``rows * columns * samples``
values of ``bits_allocated`` bits, signed when ``pixel_representation`` is 1, little-endian, row by row.
Modality LUT (rescale slope/intercept) and window/level are applied by the viewer from the metadata.
Compressed transfer syntaxes (RLE, JPEG 2000 lossless, deflate...) are decoded here, losslessly, by
pydicom's own decoders.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

import numpy as np
import pydicom


class FrameError(Exception):
    pass


def _dataset(data: bytes) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(data), force=True)


def frame_count(ds: pydicom.Dataset) -> int:
    return int(getattr(ds, "NumberOfFrames", 1) or 1)


_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_CACHE_SIZE = 16  # decoded instances kept per process (a multi-frame cine is decoded once, not per frame)
_LOCK = threading.Lock()


def decode(data: bytes) -> np.ndarray:
    """All frames of `data` as an array (frames, rows, columns[, samples])."""
    ds = _dataset(data)
    arr = ds.pixel_array
    if frame_count(ds) == 1:
        arr = arr[np.newaxis, ...]
    return arr


def _decoded(sha256: str, data: bytes) -> np.ndarray:
    if not sha256:
        return decode(data)
    with _LOCK:
        if sha256 in _CACHE:
            _CACHE.move_to_end(sha256)
            return _CACHE[sha256]
    arr = decode(data)
    with _LOCK:
        _CACHE[sha256] = arr
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return arr


def frame_bytes(data: bytes, frame: int, *, sha256: str = "") -> bytes:
    """Frame `frame` (1-based, as in DICOMweb) of the DICOM object `data` as raw little-endian bytes."""
    try:
        arr = _decoded(sha256, data)
    except Exception as exc:  # pydicom raises many kinds for undecodable pixel data
        raise FrameError(f"The image's pixel data cannot be decoded: {exc}") from exc
    if not 1 <= frame <= arr.shape[0]:
        raise FrameError(f"Frame {frame} does not exist: the image has {arr.shape[0]} frame(s).")
    out = arr[frame - 1]
    return out.astype(out.dtype.newbyteorder("<"), copy=False).tobytes()


def to_png(data: bytes, *, frame: int = 1, size: int | None = None) -> bytes:
    """A rendered 8-bit PNG of one frame (thumbnails, quarantine review), windowed from the object's own
    window or the frame's min/max."""
    from PIL import Image

    ds = _dataset(data)
    arr = decode(data)[frame - 1].astype(np.float64)
    if getattr(ds, "SamplesPerPixel", 1) == 1:
        arr = arr * float(getattr(ds, "RescaleSlope", 1) or 1) + float(getattr(ds, "RescaleIntercept", 0) or 0)
        centre, width = _window(ds, arr)
        low, high = centre - width / 2, centre + width / 2
        img = np.clip((arr - low) / max(high - low, 1e-6) * 255, 0, 255).astype(np.uint8)
        if getattr(ds, "PhotometricInterpretation", "") == "MONOCHROME1":
            img = 255 - img
        pil = Image.fromarray(img, mode="L")
    else:
        pil = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode="RGB")
    if size:
        pil.thumbnail((size, size))
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    return buf.getvalue()


def _window(ds, arr) -> tuple[float, float]:
    centre, width = getattr(ds, "WindowCenter", None), getattr(ds, "WindowWidth", None)
    if centre is not None and width is not None:
        centre = centre[0] if isinstance(centre, pydicom.multival.MultiValue) else centre
        width = width[0] if isinstance(width, pydicom.multival.MultiValue) else width
        return float(centre), float(width)
    low, high = float(np.percentile(arr, 1)), float(np.percentile(arr, 99.5))
    return (low + high) / 2, max(high - low, 1.0)
