/* cmrnet viewer: measurement arithmetic (no DOM). The Python twin is cmrnet.interpretation.discs;
   the browser tests run both on the same contours. */
(function (root) {
  "use strict";

  /* Shoelace area of a simple polygon [[x, y], ...] in pixels². */
  function polygonAreaPx(points) {
    if (!points || points.length < 3) return 0;
    let total = 0;
    for (let i = 0; i < points.length; i++) {
      const [x1, y1] = points[i];
      const [x2, y2] = points[(i + 1) % points.length];
      total += x1 * y2 - x2 * y1;
    }
    return Math.abs(total) / 2;
  }

  /* pixelSpacing as DICOM: [row spacing (mm per y), column spacing (mm per x)]. */
  function polygonAreaMm2(points, pixelSpacing) {
    return polygonAreaPx(points) * pixelSpacing[0] * pixelSpacing[1];
  }

  function distanceMm(a, b, pixelSpacing) {
    const dx = (b[0] - a[0]) * pixelSpacing[1];
    const dy = (b[1] - a[1]) * pixelSpacing[0];
    return Math.sqrt(dx * dx + dy * dy);
  }

  /* Disc summation: sum of slice areas (mm²) x slice distance (mm), in ml. */
  function discVolumeMl(areasMm2, sliceDistanceMm) {
    if (!(sliceDistanceMm > 0)) throw new Error("the slice distance must be positive");
    return areasMm2.reduce((s, a) => s + a, 0) * sliceDistanceMm / 1000;
  }

  function ejectionFraction(edv, esv) {
    if (!(edv > 0) || esv < 0 || esv > edv) return null;
    return (edv - esv) / edv * 100;
  }

  /* DICOM VOI LUT function LINEAR (PS3.3 C.11.2.1.2.1): output 0..255 for a modality value. */
  function linearVoi(value, center, width) {
    const c = center - 0.5, w = Math.max(width - 1, 1e-6);
    if (value <= c - w / 2) return 0;
    if (value > c + w / 2) return 255;
    return ((value - c) / w + 0.5) * 255;
  }

  const api = { polygonAreaPx, polygonAreaMm2, distanceMm, discVolumeMl, ejectionFraction, linearVoi };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.cmrMeasure = api;
})(typeof self !== "undefined" ? self : this);
