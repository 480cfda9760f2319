// The mentor's marks on the console view: arrows, circles, freehand. Coordinates are fractions of the
// console frame (the same 16:9 box on every screen), so a mark lands on the same spot for everyone.
// Marks fade after a few seconds unless pinned; "clear" removes them all, on every participant's view.
const SHOW_MS = 4000;
const FADE_MS = 2000;
const LABELS = {arrow: "Arrow", circle: "Circle", free: "Freehand mark"};

export class Marks {
  constructor(canvas, log, {canDraw, author, onMark}) {
    Object.assign(this, {canvas, log, canDraw, author, onMark});
    this.marks = [];
    this.tool = "arrow";
    this.pinned = false;
    this.drawing = null;
    this.context = canvas.getContext("2d");
    new ResizeObserver(() => this.resize()).observe(canvas);
    if (canDraw) { this.listen(); }
    this.resize();
  }

  resize() {
    const box = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(box.width * devicePixelRatio));
    this.canvas.height = Math.max(1, Math.round(box.height * devicePixelRatio));
    this.render();
  }

  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
  }

  listen() {
    this.canvas.classList.add("drawable");
    this.canvas.addEventListener("pointerdown", (event) => {
      this.canvas.setPointerCapture(event.pointerId);
      this.drawing = {id: crypto.randomUUID(), kind: this.tool, points: [this.point(event)], pinned: this.pinned,
                      by: this.author, at: Date.now()};
    });
    this.canvas.addEventListener("pointermove", (event) => {
      if (!this.drawing) { return; }
      const p = this.point(event);
      if (this.drawing.kind === "free") { this.drawing.points.push(p); } else { this.drawing.points[1] = p; }
      this.render();
    });
    this.canvas.addEventListener("pointerup", () => {
      const mark = this.drawing;
      this.drawing = null;
      if (!mark || mark.points.length < 2) { this.render(); return; }
      mark.points = mark.points.map(([x, y]) => [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]);
      this.add(mark);
      this.onMark({type: "mark", mark});
    });
  }

  receive(message, fromName) {
    if (message.type === "clear") { this.clear(false, fromName); return; }
    if (message.type === "mark" && message.mark && Array.isArray(message.mark.points)) {
      this.add({...message.mark, at: Date.now(), by: fromName});
    }
  }

  add(mark) {
    this.marks.push(mark);
    this.note(`${LABELS[mark.kind] || "Mark"} by ${mark.by}${mark.pinned ? " (pinned)" : ""}`);
    this.canvas.dataset.marks = String(this.marks.length);
    this.animate();
  }

  clear(broadcast, byName) {
    this.marks = [];
    this.canvas.dataset.marks = "0";
    this.note(`Marks cleared by ${byName || this.author}`);
    this.render();
    if (broadcast) { this.onMark({type: "clear"}); }
  }

  note(text) {
    const item = document.createElement("li");
    item.textContent = text;
    this.log.prepend(item);
    while (this.log.children.length > 5) { this.log.lastElementChild.remove(); }
  }

  alpha(mark, now) {
    if (mark.pinned) { return 1; }
    const age = now - mark.at;
    return age < SHOW_MS ? 1 : Math.max(0, 1 - (age - SHOW_MS) / FADE_MS);
  }

  animate() {
    if (this.frame) { return; }
    const step = () => {
      this.frame = null;
      const now = Date.now();
      this.marks = this.marks.filter((m) => this.alpha(m, now) > 0);
      this.render();
      if (this.marks.some((m) => !m.pinned)) { this.frame = requestAnimationFrame(step); }
    };
    this.frame = requestAnimationFrame(step);
  }

  render() {
    const c = this.context;
    const now = Date.now();
    c.clearRect(0, 0, this.canvas.width, this.canvas.height);
    for (const mark of [...this.marks, ...(this.drawing ? [this.drawing] : [])]) {
      c.globalAlpha = mark === this.drawing ? 1 : this.alpha(mark, now);
      this.stroke(mark);
    }
    c.globalAlpha = 1;
  }

  stroke(mark) {
    const c = this.context;
    const w = this.canvas.width;
    const h = this.canvas.height;
    const pts = mark.points.map(([x, y]) => [x * w, y * h]);
    if (pts.length < 2) { return; }
    for (const [width, colour] of [[7 * devicePixelRatio, "#1b1f24"], [4 * devicePixelRatio, "#ffd21f"]]) {
      c.lineWidth = width;
      c.strokeStyle = colour;
      c.lineCap = "round";
      c.lineJoin = "round";
      c.beginPath();
      if (mark.kind === "circle") {
        const r = Math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]);
        c.arc(pts[0][0], pts[0][1], r, 0, 2 * Math.PI);
      } else {
        c.moveTo(...pts[0]);
        for (const p of pts.slice(1)) { c.lineTo(...p); }
        if (mark.kind === "arrow") {
          const [[x0, y0], [x1, y1]] = [pts[0], pts[pts.length - 1]];
          const angle = Math.atan2(y1 - y0, x1 - x0);
          const head = 18 * devicePixelRatio;
          c.moveTo(x1, y1);
          c.lineTo(x1 - head * Math.cos(angle - 0.45), y1 - head * Math.sin(angle - 0.45));
          c.moveTo(x1, y1);
          c.lineTo(x1 - head * Math.cos(angle + 0.45), y1 - head * Math.sin(angle + 0.45));
        }
      }
      c.stroke();
    }
  }
}
