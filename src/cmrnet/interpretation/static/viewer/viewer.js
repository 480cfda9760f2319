/* cmrnet viewer: a canvas viewer on the stored 16-bit pixel values (no lossy re-encoding).

   The page holds <div data-cmr-viewer data-manifest="URL" [data-series data-slice data-phase data-x data-y]>.
   The manifest (JSON) lists the series; every frame is fetched as raw little-endian stored values
   and drawn through the DICOM rescale and the LINEAR VOI function (measure.js) into a canvas.
   Strict CSP: no inline script or style attribute; positions are set through the CSSOM only.
   See docs/interpretation.md for the manifest and the tools. */
(function () {
  "use strict";
  const M = window.cmrMeasure;
  const SPEEDS = [0.25, 0.5, 1, 2, 4];

  /* ------------------------------------------------------------------ frames */
  /* Frames come in batches from the series' batch endpoint (frames_url?f=<key>,...: multipart/related of raw
     frames, docs/case-library.md), so a 300-image stack is a handful of requests. A frame wanted now (the one
     on screen, the next cine phase) goes in a small batch of its own at the front: the first image never
     waits for a big batch. Without frames_url (an older manifest) each frame is fetched from its own URL. */
  const MAX_PARALLEL = 3;
  const BATCH_BYTES = 4 * 1024 * 1024, BATCH_MAX = 100, FRONT_MAX = 2;
  const queue = [];
  let running = 0, scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => { scheduled = false; pump(); }, 0);
  }
  function pump() {
    while (running < MAX_PARALLEL && queue.length) {
      const head = queue[0], s = head.series;
      const limit = head.front ? FRONT_MAX : Math.max(1, Math.min(BATCH_MAX, Math.floor(BATCH_BYTES / s.frameBytes)));
      const batch = [];
      for (let i = 0; i < queue.length && batch.length < limit;) {
        const job = queue[i];
        if (job.series === s && job.front === head.front) { batch.push(job); queue.splice(i, 1); } else i++;
      }
      running++;
      s.fetchBatch(batch).finally(() => { running--; pump(); });
    }
  }

  const CRLF2 = new Uint8Array([13, 10, 13, 10]);
  function indexOf(bytes, pattern, from) {
    outer: for (let i = from; i <= bytes.length - pattern.length; i++) {
      for (let k = 0; k < pattern.length; k++) if (bytes[i + k] !== pattern[k]) continue outer;
      return i;
    }
    return -1;
  }
  /* The payloads of a multipart/related body, in order (each part's Content-Length when it has one). */
  function splitMultipart(buf, contentType) {
    const m = /boundary="?([^";,\s]+)"?/i.exec(contentType || "");
    if (!m) throw new Error("multipart answer without a boundary");
    const bytes = new Uint8Array(buf), delim = new TextEncoder().encode(`--${m[1]}`);
    const nextDelim = new TextEncoder().encode(`\r\n--${m[1]}`), latin1 = new TextDecoder("latin1");
    const parts = [];
    let pos = indexOf(bytes, delim, 0);
    while (pos >= 0) {
      pos += delim.length;
      if (bytes[pos] === 45 && bytes[pos + 1] === 45) break;           // "--": the closing delimiter
      const headEnd = indexOf(bytes, CRLF2, pos);
      if (headEnd < 0) throw new Error("truncated multipart answer");
      const length = /content-length:\s*(\d+)/i.exec(latin1.decode(bytes.subarray(pos, headEnd)));
      const start = headEnd + 4;
      const end = length ? start + Number(length[1]) : indexOf(bytes, nextDelim, start);
      if (end < 0 || end > bytes.length) throw new Error("truncated multipart answer");
      parts.push(buf.slice(start, end));
      pos = indexOf(bytes, delim, end);
    }
    return parts;
  }
  const okBuffer = (what) => (r) => { if (!r.ok) throw new Error(`${what}: HTTP ${r.status}`); return r; };

  class Series {
    constructor(meta) {
      Object.assign(this, meta);
      this.nSlices = meta.slices.length;
      this.nPhases = Math.max(...meta.slices.map((s) => s.frames.length));
      this.frames = meta.slices.map((s) => s.frames.map(() => null));
      this.pending = meta.slices.map((s) => s.frames.map(() => null));
      const signed = meta.pixel_representation === 1;
      this.ArrayType = meta.bits_allocated === 8 ? Uint8Array : (signed ? Int16Array : Uint16Array);
      this.frameBytes = Math.max(1, meta.rows * meta.columns * (meta.bits_allocated === 8 ? 1 : 2));
      this.loaded = 0;
      this.requests = 0;
      this.total = meta.slices.reduce((n, s) => n + s.frames.length, 0);
    }
    frame(slice, phase) {
      const row = this.frames[slice];
      return row ? row[Math.min(phase, row.length - 1)] : null;
    }
    url(slice, phase) {
      const f = this.slices[slice].frames;
      return f[Math.min(phase, f.length - 1)];
    }
    key(slice, phase) { return (this.slices[slice].keys || [])[phase]; }
    ensure(slice, phase, front) {
      phase = Math.min(phase, this.slices[slice].frames.length - 1);
      if (this.frames[slice][phase]) return Promise.resolve(this.frames[slice][phase]);
      const pending = this.pending[slice][phase];
      if (pending) {
        if (front && !pending.job.sent && !pending.job.front) {   // wanted now: to the front of the queue
          const i = queue.indexOf(pending.job);
          if (i >= 0) { queue.splice(i, 1); pending.job.front = true; queue.unshift(pending.job); schedule(); }
        }
        return pending.promise;
      }
      let job;
      const promise = new Promise((resolve, reject) => { job = { series: this, slice, phase, front: !!front, sent: false, resolve, reject }; });
      this.pending[slice][phase] = { promise, job };
      if (front) queue.unshift(job); else queue.push(job);
      schedule();
      return promise;
    }
    fetchBatch(batch) {
      batch.forEach((j) => { j.sent = true; });
      const keys = batch.map((j) => this.key(j.slice, j.phase));
      const opts = { credentials: "same-origin" };
      let request;
      this.requests += this.frames_url && keys.every(Boolean) ? 1 : batch.length;
      if (this.frames_url && keys.every(Boolean)) {
        request = fetch(`${this.frames_url}?f=${keys.join(",")}`, opts).then(okBuffer(`frames of series ${this.id}`))
          .then((r) => r.arrayBuffer().then((buf) => splitMultipart(buf, r.headers.get("Content-Type"))));
      } else {
        request = Promise.all(batch.map((j) => fetch(this.url(j.slice, j.phase), opts)
          .then(okBuffer(`frame ${j.slice + 1}/${j.phase + 1}`)).then((r) => r.arrayBuffer())));
      }
      return request.then((bufs) => {
        if (bufs.length !== batch.length) throw new Error(`${bufs.length} frames received, ${batch.length} asked`);
        batch.forEach((j, i) => this.accept(j, bufs[i]));
      }).catch((e) => batch.forEach((j) => {
        if (this.frames[j.slice][j.phase]) return;
        this.pending[j.slice][j.phase] = null;
        j.reject(e);
      }));
    }
    accept(job, buf) {
      const { slice, phase } = job;
      const px = new this.ArrayType(buf);
      if (px.length !== this.rows * this.columns) {
        this.pending[slice][phase] = null;
        job.reject(new Error(`frame ${slice + 1}/${phase + 1}: ${px.length} values, expected ${this.rows * this.columns}`));
        return;
      }
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < px.length; i++) { const v = px[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
      const frame = { px, min: lo * this.rescale_slope + this.rescale_intercept, max: hi * this.rescale_slope + this.rescale_intercept };
      this.frames[slice][phase] = frame;
      if (this.window_center == null || !(this.window_width > 0)) {   // no window in the object: its range
        this.window_center = (frame.min + frame.max) / 2; this.window_width = Math.max(1, frame.max - frame.min);
      }
      this.loaded++;
      job.resolve(frame);
    }
    /* Every phase of this slice first (cine), then the same phase of the other slices, then the rest. */
    prefetch(slice, phase) {
      for (let p = 0; p < this.slices[slice].frames.length; p++) this.ensure(slice, p).catch(() => {});
      for (let s = 0; s < this.nSlices; s++) if (s !== slice) this.ensure(s, phase).catch(() => {});
      for (let s = 0; s < this.nSlices; s++) for (let p = 0; p < this.slices[s].frames.length; p++) this.ensure(s, p).catch(() => {});
    }
    storedToValue(stored) { return stored * this.rescale_slope + this.rescale_intercept; }
  }

  /* ------------------------------------------------------------------ viewport */
  class Viewport {
    constructor(viewer, el) {
      this.viewer = viewer;
      this.el = el;
      this.canvas = el.querySelector("canvas");
      this.ctx = this.canvas.getContext("2d");
      this.info = {
        tl: el.querySelector("[data-info=tl]"), bl: el.querySelector("[data-info=bl]"),
        tr: el.querySelector("[data-info=tr]"), br: el.querySelector("[data-info=br]"),
      };
      this.offscreen = document.createElement("canvas");
      this.series = null;
      this.playing = false;
      this.speed = 1;
      this.cursor = null;
      this.drag = null;
      this.draft = null;
      this.fps = 0;
      this.bind();
      new ResizeObserver(() => this.render()).observe(this.canvas);
    }

    load(series, at = {}) {
      this.stop();
      this.series = series;
      this.slice = Math.min(at.slice ?? Math.floor(series.nSlices / 2), series.nSlices - 1);
      this.phase = Math.min(at.phase ?? 0, series.nPhases - 1);
      this.wc = series.window_center; this.ww = series.window_width;
      this.zoom = 1; this.panX = 0; this.panY = 0;
      this.marker = at.marker || null;
      this.el.dataset.series = series.id;
      this.render();
      series.prefetch(this.slice, this.phase);
      this.viewer.changed(this);
    }

    /* --- geometry: image pixel (x, y) <-> canvas CSS pixel */
    layout() {
      const s = this.series, w = this.canvas.clientWidth, h = this.canvas.clientHeight;
      const [rowSp, colSp] = s.pixel_spacing;
      const fit = Math.min(w / (s.columns * colSp), h / (s.rows * rowSp));
      const sx = fit * this.zoom * colSp, sy = fit * this.zoom * rowSp;
      return { sx, sy, ox: w / 2 - s.columns * sx / 2 + this.panX, oy: h / 2 - s.rows * sy / 2 + this.panY };
    }
    toImage(cx, cy) { const g = this.layout(); return [(cx - g.ox) / g.sx, (cy - g.oy) / g.sy]; }
    toCanvas(x, y) { const g = this.layout(); return [g.ox + x * g.sx, g.oy + y * g.sy]; }

    /* --- navigation */
    setSlice(i) { if (!this.series) return; this.slice = (i + this.series.nSlices) % this.series.nSlices; this.render(); this.viewer.changed(this); }
    setPhase(i) { if (!this.series) return; this.phase = (i + this.series.nPhases) % this.series.nPhases; this.render(); this.viewer.changed(this); }
    setWindow(wc, ww) { this.wc = wc; this.ww = Math.max(1, ww); this.render(); this.viewer.changed(this); }

    play() {
      if (!this.series || this.series.nPhases < 2 || this.playing) return;
      this.playing = true;
      let last = performance.now(), acc = 0, shown = 0, since = last;
      const step = (now) => {
        if (!this.playing) return;
        acc += now - last; last = now;
        const interval = (this.series.frame_time_ms || 40) / this.speed;
        if (acc >= interval) {
          const next = (this.phase + 1) % this.series.nPhases;
          if (this.series.frame(this.slice, next)) {   // never skip a frame that has not arrived
            acc = Math.min(acc - interval, interval);
            this.phase = next; shown++;
            this.render();
          } else this.series.ensure(this.slice, next, true).catch(() => {});
        }
        if (now - since >= 1000) { this.fps = shown * 1000 / (now - since); shown = 0; since = now; this.viewer.changed(this); }
        this.raf = requestAnimationFrame(step);
      };
      this.raf = requestAnimationFrame(step);
      this.viewer.changed(this);
    }
    stop() { this.playing = false; if (this.raf) cancelAnimationFrame(this.raf); this.fps = 0; if (this.series) this.viewer.changed(this); }
    toggle() { if (this.playing) this.stop(); else this.play(); }

    /* --- drawing */
    render() {
      const c = this.canvas, dpr = window.devicePixelRatio || 1;
      const w = c.clientWidth, h = c.clientHeight;
      if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
      const ctx = this.ctx;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "#000"; ctx.fillRect(0, 0, w, h);
      if (!this.series) { this.text(); return; }
      const s = this.series, frame = s.frame(this.slice, this.phase);
      if (!frame) {
        this.el.dataset.state = "loading";
        s.ensure(this.slice, this.phase, true).then(() => this.render(), (e) => { this.el.dataset.state = "error"; this.info.tl.textContent = String(e.message); });
        this.text();
        return;
      }
      if (this.wc == null || !(this.ww > 0)) { this.wc = s.window_center; this.ww = s.window_width; }
      this.paint(frame);
      const g = this.layout();
      ctx.imageSmoothingEnabled = this.zoom < 3;
      ctx.drawImage(this.offscreen, g.ox, g.oy, s.columns * g.sx, s.rows * g.sy);
      this.drawMeasurements(ctx);
      this.el.dataset.state = "shown";
      this.el.dataset.slice = this.slice; this.el.dataset.phase = this.phase;
      if (!this.viewer.firstFrameMs) {
        this.viewer.firstFrameMs = performance.now();
        performance.mark("cmr-first-frame");
        this.viewer.root.dataset.firstFrameMs = this.viewer.firstFrameMs.toFixed(1);
      }
      this.text();
    }

    paint(frame) {
      const s = this.series, off = this.offscreen;
      if (off.width !== s.columns || off.height !== s.rows) { off.width = s.columns; off.height = s.rows; this.image = null; }
      const octx = off.getContext("2d");
      if (!this.image) this.image = octx.createImageData(s.columns, s.rows);
      const out = this.image.data, px = frame.px, slope = s.rescale_slope, icpt = s.rescale_intercept;
      const invert = s.photometric === "MONOCHROME1";
      const c = this.wc - 0.5, w = Math.max(this.ww - 1, 1e-6), lo = c - w / 2, k = 255 / w;
      for (let i = 0, j = 0; i < px.length; i++, j += 4) {
        const v = px[i] * slope + icpt;
        let g = v <= lo ? 0 : (v > c + w / 2 ? 255 : (v - lo) * k);
        if (invert) g = 255 - g;
        out[j] = out[j + 1] = out[j + 2] = g; out[j + 3] = 255;
      }
      octx.putImageData(this.image, 0, 0);
    }

    drawMeasurements(ctx) {
      const here = (m) => m.series === this.series.id && m.slice === this.slice && m.phase === this.phase;
      ctx.lineWidth = 1.5; ctx.font = "13px system-ui, sans-serif";
      for (const m of this.viewer.measurements.filter(here)) this.drawShape(ctx, m, m.type === "distance" ? "#ffd21f" : "#35d0ff");
      if (this.draft && this.draft.series === this.series.id) this.drawShape(ctx, this.draft, "#9cff57", true);
      const mk = this.marker;
      if (mk && mk.slice === this.slice && mk.phase === this.phase) {
        const [x, y] = this.toCanvas(mk.x, mk.y);
        ctx.strokeStyle = "#ff4f8b"; ctx.lineWidth = 2;
        ctx.beginPath(); ctx.arc(x, y, 10, 0, 2 * Math.PI);
        ctx.moveTo(x - 16, y); ctx.lineTo(x - 5, y); ctx.moveTo(x + 5, y); ctx.lineTo(x + 16, y);
        ctx.moveTo(x, y - 16); ctx.lineTo(x, y - 5); ctx.moveTo(x, y + 5); ctx.lineTo(x, y + 16); ctx.stroke();
      }
    }
    drawShape(ctx, m, colour, open) {
      const pts = m.points.map(([x, y]) => this.toCanvas(x, y));
      if (!pts.length) return;
      ctx.strokeStyle = colour; ctx.fillStyle = colour;
      ctx.beginPath(); ctx.moveTo(pts[0][0], pts[0][1]);
      for (const p of pts.slice(1)) ctx.lineTo(p[0], p[1]);
      if (m.type === "area" && !open) ctx.closePath();
      ctx.stroke();
      const label = this.viewer.label(m);
      if (label) { const [x, y] = pts[pts.length - 1]; ctx.fillText(label, x + 6, y - 6); }
    }

    text() {
      const s = this.series;
      if (!s) { this.info.tl.textContent = "Choose a series"; this.info.bl.textContent = ""; this.info.tr.textContent = ""; this.info.br.textContent = ""; return; }
      this.info.tl.textContent = s.label;
      const time = s.frame_time_ms ? ` · ${Math.round(this.phase * s.frame_time_ms)} ms` : "";
      this.info.bl.textContent = `Slice ${this.slice + 1}/${s.nSlices} · Phase ${this.phase + 1}/${s.nPhases}${time}`;
      this.info.tr.textContent = `W ${Math.round(this.ww)} L ${Math.round(this.wc)} · ${this.zoom.toFixed(1)}×` +
        (this.playing ? ` · ▶ ${this.fps ? this.fps.toFixed(1) : "…"} fps` : "");
      const f = s.frame(this.slice, this.phase), cur = this.cursor;
      if (f && cur && cur[0] >= 0 && cur[1] >= 0 && cur[0] < s.columns && cur[1] < s.rows) {
        const x = Math.floor(cur[0]), y = Math.floor(cur[1]);
        const v = s.storedToValue(f.px[y * s.columns + x]);
        this.info.br.textContent = `(${x}, ${y}) = ${Number.isInteger(v) ? v : v.toFixed(2)}`;
      } else this.info.br.textContent = `${s.loaded}/${s.total} frames`;
    }

    /* --- input */
    bind() {
      const c = this.canvas;
      const pos = (e) => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
      c.addEventListener("pointerdown", (e) => {
        this.viewer.activate(this);
        if (!this.series) return;
        c.setPointerCapture(e.pointerId);
        const p = pos(e), tool = e.button === 1 ? "pan" : (e.button === 2 ? "zoom" : this.viewer.tool);
        this.drag = { tool, start: p, last: p, wc: this.wc, ww: this.ww, moved: false };
        if (tool === "distance") this.draft = this.newShape("distance", [this.toImage(...p), this.toImage(...p)]);
        if (tool === "area") {
          if (!this.draft || this.draft.type !== "area") this.draft = this.newShape("area", []);
          this.draft.points.push(this.toImage(...p));
        }
        if (tool === "point") this.viewer.anchor(this, this.toImage(...p));
        this.render();
      });
      c.addEventListener("pointermove", (e) => {
        const p = pos(e);
        if (this.series) this.cursor = this.toImage(...p);
        const d = this.drag;
        if (!d) { this.text(); return; }
        const dx = p[0] - d.last[0], dy = p[1] - d.last[1];
        if (Math.abs(p[0] - d.start[0]) + Math.abs(p[1] - d.start[1]) > 3) d.moved = true;
        d.last = p;
        if (d.tool === "wl") {
          const scale = Math.max(d.ww, 1) / 200;
          this.setWindow(this.wc - dy * scale, this.ww + dx * scale);
        } else if (d.tool === "pan") { this.panX += dx; this.panY += dy; this.render(); }
        else if (d.tool === "zoom") { this.zoom = Math.min(20, Math.max(0.2, this.zoom * Math.exp(-dy / 150))); this.render(); }
        else if (d.tool === "distance") { this.draft.points[1] = this.toImage(...p); this.render(); }
        else if (d.tool === "area" && d.moved) {   // freehand while the button is held
          const prev = this.toCanvas(...this.draft.points[this.draft.points.length - 1]);
          if (Math.hypot(p[0] - prev[0], p[1] - prev[1]) >= 3) { this.draft.points.push(this.toImage(...p)); this.render(); }
        }
        this.viewer.changed(this);
      });
      const end = () => {
        const d = this.drag;
        this.drag = null;
        if (!d) return;
        if (d.tool === "distance") {
          if (d.moved) this.viewer.add(this.draft);
          this.draft = null;
        } else if (d.tool === "area" && d.moved && this.draft.points.length >= 3) {
          this.viewer.add(this.draft); this.draft = null;   // a freehand contour closes on release
        }
        this.render();
      };
      c.addEventListener("pointerup", end);
      c.addEventListener("pointercancel", end);
      c.addEventListener("dblclick", () => {
        if (this.draft && this.draft.type === "area") {
          // a double click adds its point twice: drop the duplicate
          const pts = this.draft.points;
          if (pts.length > 1 && Math.hypot(pts[pts.length - 1][0] - pts[pts.length - 2][0], pts[pts.length - 1][1] - pts[pts.length - 2][1]) < 0.5) pts.pop();
          if (pts.length >= 3) this.viewer.add(this.draft);
          this.draft = null; this.render();
        }
      });
      c.addEventListener("pointerleave", () => { this.cursor = null; this.text(); });
      c.addEventListener("contextmenu", (e) => e.preventDefault());
      c.addEventListener("wheel", (e) => {
        if (!this.series) return;
        e.preventDefault();
        const step = e.deltaY > 0 ? 1 : -1;
        if (e.shiftKey || this.series.nSlices === 1) this.setPhase(this.phase + step); else this.setSlice(this.slice + step);
      }, { passive: false });
      this.el.addEventListener("keydown", (e) => {
        if (!this.series) return;
        const keys = {
          ArrowUp: () => this.setSlice(this.slice - 1), ArrowDown: () => this.setSlice(this.slice + 1),
          PageUp: () => this.setSlice(this.slice - 1), PageDown: () => this.setSlice(this.slice + 1),
          ArrowLeft: () => this.setPhase(this.phase - 1), ArrowRight: () => this.setPhase(this.phase + 1),
          " ": () => this.toggle(),
          Escape: () => { this.draft = null; this.render(); },
          "+": () => { this.zoom = Math.min(20, this.zoom * 1.25); this.render(); this.viewer.changed(this); },
          "-": () => { this.zoom = Math.max(0.2, this.zoom / 1.25); this.render(); this.viewer.changed(this); },
          r: () => { this.zoom = 1; this.panX = this.panY = 0; this.render(); this.viewer.changed(this); },
        };
        const act = keys[e.key];
        if (act) { e.preventDefault(); act(); }
      });
      this.el.addEventListener("focusin", () => this.viewer.activate(this));
    }

    newShape(type, points) {
      return { type, series: this.series.id, slice: this.slice, phase: this.phase, points };
    }
  }

  /* ------------------------------------------------------------------ viewer */
  class Viewer {
    constructor(root) {
      this.root = root;
      this.tool = "wl";
      this.measurements = [];
      this.series = [];
      this.volume = { ed: null, es: null };
      this.firstFrameMs = null;
      this.grid = root.querySelector("[data-viewports]");
      this.template = root.querySelector("template[data-viewport]");
      this.viewports = [];
      this.setLayout("1x1");
      this.controls();
      fetch(root.dataset.manifest, { credentials: "same-origin" })
        .then((r) => { if (!r.ok) throw new Error(`manifest: HTTP ${r.status}`); return r.json(); })
        .then((m) => this.start(m))
        .catch((e) => { root.dataset.state = "error"; root.querySelector("[data-status]").textContent = `The images could not be loaded (${e.message}).`; });
    }

    start(manifest) {
      this.series = manifest.series.map((m) => new Series(m));
      const list = this.root.querySelector("[data-series-list]");
      list.textContent = "";
      for (const s of this.series) {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button"; b.className = "series-item"; b.dataset.seriesId = s.id;
        const thumb = document.createElement("canvas"); thumb.width = 64; thumb.height = 64; thumb.className = "thumb";
        const name = document.createElement("span"); name.className = "series-label"; name.textContent = s.label;
        const size = document.createElement("span"); size.className = "series-size";
        size.textContent = `${s.nSlices} slice${s.nSlices > 1 ? "s" : ""} × ${s.nPhases} phase${s.nPhases > 1 ? "s" : ""}`;
        b.append(thumb, name, size);
        b.addEventListener("click", () => this.active.load(s));
        li.append(b); list.append(li);
        s.thumb = thumb;
      }
      const d = this.root.dataset;
      const first = this.series.find((s) => String(s.id) === d.series) || this.series[0];
      if (!first) { this.root.querySelector("[data-status]").textContent = "This case has no images."; return; }
      const marker = d.x !== undefined && d.x !== "" ? { slice: +d.slice || 0, phase: +d.phase || 0, x: +d.x, y: +d.y } : null;
      this.active.load(first, { slice: d.slice !== undefined && d.slice !== "" ? +d.slice : undefined, phase: +d.phase || 0, marker });
      this.root.dataset.state = "ready";
      // thumbnails after the first frame: they must not delay it
      first.ensure(this.active.slice, this.active.phase).finally(() => this.series.forEach((s) => this.thumbnail(s)));
    }

    thumbnail(s) {
      const slice = Math.floor(s.nSlices / 2);
      s.ensure(slice, 0).then((f) => {
        const off = document.createElement("canvas"); off.width = s.columns; off.height = s.rows;
        const octx = off.getContext("2d"), img = octx.createImageData(s.columns, s.rows);
        for (let i = 0, j = 0; i < f.px.length; i++, j += 4) {
          const g = M.linearVoi(s.storedToValue(f.px[i]), s.window_center, s.window_width);
          img.data[j] = img.data[j + 1] = img.data[j + 2] = g; img.data[j + 3] = 255;
        }
        octx.putImageData(img, 0, 0);
        const ctx = s.thumb.getContext("2d"), k = Math.min(64 / s.columns, 64 / s.rows);
        ctx.fillStyle = "#000"; ctx.fillRect(0, 0, 64, 64);
        ctx.drawImage(off, (64 - s.columns * k) / 2, (64 - s.rows * k) / 2, s.columns * k, s.rows * k);
        s.thumb.dataset.drawn = "1";
      }).catch(() => {});
    }

    setLayout(name) {
      const [cols, rows] = name.split("x").map(Number);
      const want = cols * rows;
      while (this.viewports.length < want) {
        const el = this.template.content.firstElementChild.cloneNode(true);
        this.grid.append(el);
        const vp = new Viewport(this, el);
        this.viewports.push(vp);
        const other = this.series.find((s) => !this.viewports.some((v) => v.series === s));
        if (other) vp.load(other);
      }
      while (this.viewports.length > want) { const vp = this.viewports.pop(); vp.stop(); vp.el.remove(); }
      this.grid.dataset.layout = name;
      if (!this.active || !this.viewports.includes(this.active)) this.activate(this.viewports[0]);
      this.viewports.forEach((v) => v.render());
      this.root.querySelectorAll("[data-layout]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.layout === name)));
    }

    activate(vp) {
      if (this.active === vp) return;
      this.active = vp;
      this.viewports.forEach((v) => v.el.classList.toggle("active", v === vp));
      this.changed(vp);
    }

    controls() {
      const r = this.root;
      r.querySelectorAll("[data-tool]").forEach((b) => b.addEventListener("click", () => {
        this.tool = b.dataset.tool;
        r.querySelectorAll("[data-tool]").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
        r.dataset.tool = this.tool;
      }));
      r.querySelectorAll("[data-layout]").forEach((b) => b.addEventListener("click", () => this.setLayout(b.dataset.layout)));
      const on = (sel, ev, fn) => { const el = r.querySelector(sel); if (el) el.addEventListener(ev, fn); return el; };
      on("[data-action=play]", "click", () => { this.active.toggle(); this.active.el.focus(); });
      on("[data-action=speed]", "change", (e) => { this.viewports.forEach((v) => { v.speed = +e.target.value; }); this.changed(this.active); });
      on("[data-action=preset]", "change", (e) => { this.preset(e.target.value); e.target.value = ""; });
      on("[data-action=slice-prev]", "click", () => this.active.setSlice(this.active.slice - 1));
      on("[data-action=slice-next]", "click", () => this.active.setSlice(this.active.slice + 1));
      on("[data-action=phase-prev]", "click", () => this.active.setPhase(this.active.phase - 1));
      on("[data-action=phase-next]", "click", () => this.active.setPhase(this.active.phase + 1));
      on("[data-action=reset]", "click", () => { const v = this.active; if (v.series) { v.zoom = 1; v.panX = v.panY = 0; v.setWindow(v.series.window_center, v.series.window_width); } });
      on("[data-action=set-ed]", "click", () => this.markPhase("ed"));
      on("[data-action=set-es]", "click", () => this.markPhase("es"));
      on("[data-action=use-volumes]", "click", () => this.useVolumes());
    }

    preset(name) {
      const v = this.active, s = v.series;
      if (!s) return;
      const f = s.frame(v.slice, v.phase);
      if (name === "default") v.setWindow(s.window_center, s.window_width);
      else if (name === "full" && f) v.setWindow((f.min + f.max) / 2, Math.max(1, f.max - f.min));
      else if (name === "contrast" && f) v.setWindow(f.min + (f.max - f.min) * 0.4, Math.max(1, (f.max - f.min) * 0.5));
      else if (name === "bright" && f) v.setWindow(f.min + (f.max - f.min) * 0.3, Math.max(1, (f.max - f.min) * 0.6));
    }

    /* --- measurements */
    label(m) {
      const s = this.series.find((x) => x.id === m.series);
      if (!s) return "";
      if (m.type === "distance") return `${M.distanceMm(m.points[0], m.points[1], s.pixel_spacing).toFixed(1)} mm`;
      return m.points.length >= 3 ? `${(M.polygonAreaMm2(m.points, s.pixel_spacing) / 100).toFixed(2)} cm²` : "";
    }
    add(m) {
      m.id = (this.measurements.reduce((n, x) => Math.max(n, x.id), 0) || 0) + 1;
      this.measurements.push(m);
      this.listMeasurements();
      this.viewports.forEach((v) => v.render());
    }
    remove(id) {
      this.measurements = this.measurements.filter((m) => m.id !== id);
      this.listMeasurements();
      this.viewports.forEach((v) => v.render());
    }
    listMeasurements() {
      const ul = this.root.querySelector("[data-measurements]");
      if (!ul) return;
      ul.textContent = "";
      for (const m of this.measurements) {
        const s = this.series.find((x) => x.id === m.series);
        const li = document.createElement("li");
        li.dataset.measurement = m.type;
        const go = document.createElement("button");
        go.type = "button"; go.className = "link";
        go.textContent = `${m.type === "distance" ? "Distance" : "Area"} ${this.label(m)} · ${s ? s.label : ""} slice ${m.slice + 1}, phase ${m.phase + 1}`;
        go.addEventListener("click", () => { const v = this.active; if (v.series !== s) v.load(s, { slice: m.slice, phase: m.phase }); else { v.slice = m.slice; v.phase = m.phase; v.render(); this.changed(v); } });
        const del = document.createElement("button");
        del.type = "button"; del.className = "link danger"; del.textContent = "Delete";
        del.setAttribute("aria-label", `Delete measurement ${m.id}`);
        del.addEventListener("click", () => this.remove(m.id));
        li.append(go, " ", del);
        ul.append(li);
      }
      const state = document.querySelector("[name=viewer_measurements]");
      if (state) state.value = JSON.stringify(this.measurements.map(({ type, series, slice, phase, points }) => ({ type, series, slice, phase, points })));
      this.volumes();
    }

    /* --- LV volume by disc summation on a short-axis stack */
    markPhase(which) {
      const v = this.active;
      if (!v.series) return;
      this.volume[which] = { series: v.series.id, phase: v.phase };
      this.volumes();
    }
    volumeAt(mark) {
      if (!mark) return null;
      const s = this.series.find((x) => x.id === mark.series);
      const areas = [];
      for (let i = 0; i < s.nSlices; i++) {
        const contours = this.measurements.filter((m) => m.type === "area" && m.series === s.id && m.phase === mark.phase && m.slice === i);
        const last = contours[contours.length - 1];
        areas.push(last ? M.polygonAreaMm2(last.points, s.pixel_spacing) : 0);
      }
      const traced = areas.filter((a) => a > 0).length;
      return { series: s, areas, traced, ml: traced ? M.discVolumeMl(areas, s.slice_distance_mm) : null };
    }
    volumes() {
      const out = this.root.querySelector("[data-volumes]");
      if (!out) return null;
      const ed = this.volumeAt(this.volume.ed), es = this.volumeAt(this.volume.es);
      const row = (name, v, mark) => v ? `${name} (phase ${mark.phase + 1}, ${v.traced} slice${v.traced === 1 ? "" : "s"} traced): ${v.ml === null ? "—" : v.ml.toFixed(1) + " ml"}` : `${name}: phase not set`;
      const ef = ed && es && ed.ml && es.ml !== null ? M.ejectionFraction(ed.ml, es.ml) : null;
      out.textContent = "";
      for (const line of [row("EDV", ed, this.volume.ed), row("ESV", es, this.volume.es),
        `EF: ${ef === null ? "—" : ef.toFixed(1) + " %"}` + (ed ? ` · slice distance ${ed.series.slice_distance_mm} mm` : "")]) {
        const li = document.createElement("li"); li.textContent = line; out.append(li);
      }
      this.result = { edv: ed && ed.ml, esv: es && es.ml, ef };
      return this.result;
    }
    useVolumes() {
      const r = this.volumes();
      if (!r) return;
      const set = (name, value) => { const el = document.querySelector(`[name=${name}]`); if (el && value !== null && value !== undefined) { el.value = value.toFixed(1); el.dispatchEvent(new Event("change", { bubbles: true })); } };
      set("lv_edv_ml", r.edv); set("lv_esv_ml", r.esv);
      if (r.edv && r.esv !== null) set("lv_sv_ml", r.edv - r.esv);
      set("lv_ef_pct", r.ef);
    }

    /* --- a point for a comment (mentor) */
    anchor(vp, point) {
      const a = { series: vp.series.id, slice: vp.slice, phase: vp.phase, x: Math.round(point[0] * 10) / 10, y: Math.round(point[1] * 10) / 10 };
      vp.marker = a;
      this.anchorPoint = a;
      for (const [k, v] of Object.entries(a)) { const el = document.querySelector(`[name=anchor_${k}]`); if (el) el.value = v; }
      const text = document.querySelector("[data-anchor-text]");
      if (text) text.textContent = `${vp.series.label}, slice ${a.slice + 1}, phase ${a.phase + 1}, at (${a.x}, ${a.y})`;
      vp.render();
    }

    changed(vp) {
      if (vp !== this.active || !vp) return;
      const status = this.root.querySelector("[data-status]");
      if (status && vp.series) status.textContent = `${vp.series.label}: slice ${vp.slice + 1} of ${vp.series.nSlices}, phase ${vp.phase + 1} of ${vp.series.nPhases}`;
      const play = this.root.querySelector("[data-action=play]");
      if (play) { play.textContent = vp.playing ? "Pause" : "Play"; play.setAttribute("aria-pressed", String(vp.playing)); }
      vp.text();
    }
  }

  function boot() {
    document.querySelectorAll("[data-cmr-viewer]").forEach((root) => {
      const viewer = new Viewer(root);
      window.cmrViewer = viewer;   // one per page; the browser tests read its state
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot); else boot();
})();
