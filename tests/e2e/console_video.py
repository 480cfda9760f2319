"""A console-like screen as a Y4M file for Chromium's fake capture device (--use-file-for-fake-video-capture).

1280x720, 4:2:0, a dark console with a light image viewport, a progress bar that moves from frame to
frame (so the video's time advances with changing content) and a solid marker patch of a known colour
whose received pixel the tests check.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

WIDTH, HEIGHT, FPS, FRAMES = 1280, 720, 15, 15
MARKER_RGB = (220, 40, 40)                     # the known colour
MARKER_BOX = (80, 80, 240, 160)                # x, y, width, height in pixels
MARKER_CENTRE = (MARKER_BOX[0] + MARKER_BOX[2] // 2, MARKER_BOX[1] + MARKER_BOX[3] // 2)


def rgb_to_yuv(r: int, g: int, b: int) -> tuple[int, int, int]:
    """BT.601 limited range, as Chromium reads I420 from a Y4M file."""
    r, g, b = r / 255, g / 255, b / 255
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    u = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    v = 128 + 112.0 * r - 93.786 * g - 18.214 * b
    return round(y), round(u), round(v)


def _frame(index: int) -> bytes:
    y = np.full((HEIGHT, WIDTH), rgb_to_yuv(28, 32, 40)[0], np.uint8)
    u = np.full((HEIGHT // 2, WIDTH // 2), 128, np.uint8)
    v = np.full((HEIGHT // 2, WIDTH // 2), 128, np.uint8)

    def fill(x, top, w, h, rgb):
        cy, cu, cv = rgb_to_yuv(*rgb)
        y[top:top + h, x:x + w] = cy
        u[top // 2:(top + h) // 2, x // 2:(x + w) // 2] = cu
        v[top // 2:(top + h) // 2, x // 2:(x + w) // 2] = cv

    fill(400, 60, 800, 560, (150, 150, 150))            # the image viewport
    fill(*MARKER_BOX, MARKER_RGB)                        # the known colour
    fill(80, 640, 1120, 24, (60, 60, 70))                # progress track
    fill(80, 640, 80 + index * 70, 24, (90, 200, 90))    # progress, moving each frame
    return b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes()


def write_console_y4m(path: Path) -> Path:
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for index in range(FRAMES):
            out.write(_frame(index))
    return path
