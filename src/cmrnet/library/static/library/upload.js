// Upload with progress: files (or a dropped/chosen folder) go in batches of about 16 MB or 90 files, one request each;
// each batch is stored all or nothing on the server. A failed batch is retried twice; sending a study again
// later skips the images that already arrived, so a broken upload resumes where it stopped.
// A large file (above data-resumable-mb, a zip of a whole study) goes through the resumable upload instead
// (docs/case-library.md): chunks of data-chunk-mb at the offset the server confirms; a broken chunk is sent
// again from the offset the server reports, and the server ingests the file only once its last byte arrived.
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const filesInput = document.getElementById("files");
  const folderInput = document.getElementById("folder");
  const zone = document.getElementById("dropzone");
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const log = document.getElementById("upload-log");
  const batchBytes = (parseInt(form.dataset.batchMb, 10) || 16) * 1024 * 1024;
  const mb = (name, fallback) => (parseFloat(form.dataset[name]) || fallback) * 1024 * 1024;
  let dropped = [];

  function readEntries(entry, out) {
    return new Promise((resolve) => {
      if (entry.isFile) { entry.file((f) => { out.push(f); resolve(); }, () => resolve()); return; }
      const reader = entry.createReader();
      const all = [];
      const next = () => reader.readEntries((batch) => {
        if (!batch.length) { Promise.all(all.map((e) => readEntries(e, out))).then(resolve); return; }
        all.push(...batch); next();
      }, () => resolve());
      next();
    });
  }

  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault(); zone.classList.remove("over");
    const out = [];
    const items = [...(e.dataTransfer.items || [])].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (items.length) { await Promise.all(items.map((entry) => readEntries(entry, out))); } else { out.push(...e.dataTransfer.files); }
    dropped = out;
    status.textContent = `${dropped.length} file(s) ready to upload.`;
  });

  function batches(files) {
    // Django refuses a request with more than DATA_UPLOAD_MAX_NUMBER_FILES (100) files: stay below it.
    const batchFiles = parseInt(form.dataset.batchFiles, 10) || 90;
    const out = []; let cur = []; let size = 0;
    for (const f of files) {
      if (cur.length && (size + f.size > batchBytes || cur.length >= batchFiles)) { out.push(cur); cur = []; size = 0; }
      cur.push(f); size += f.size;
    }
    if (cur.length) out.push(cur);
    return out;
  }

  function send(batch, done, total, onProgress) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      for (const f of batch) data.append("files", f, f.webkitRelativePath || f.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(done + e.loaded, total); };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = { detail: xhr.statusText }; }
        if (xhr.status === 200) resolve(body); else reject(new Error(body.detail || `HTTP ${xhr.status}`));
      };
      xhr.onerror = () => reject(new Error("the connection broke"));
      xhr.send(data);
    });
  }

  /* --- resumable upload of one large file (tus 1.0-like) */
  const csrf = () => form.querySelector("[name=csrfmiddlewaretoken]").value;
  const b64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  function call(method, url, headers, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      if (method !== "HEAD") xhr.setRequestHeader("X-CSRFToken", csrf());
      for (const [k, v] of Object.entries(headers || {})) xhr.setRequestHeader(k, v);
      if (onProgress) xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded); };
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error("the connection broke"));
      xhr.send(body === undefined ? null : body);
    });
  }
  const detail = (xhr) => { try { return JSON.parse(xhr.responseText).detail; } catch (err) { return `HTTP ${xhr.status}`; } };
  async function sha256Hex(file) {
    if (!(window.crypto && crypto.subtle) || file.size > 512 * 1024 * 1024) return "";   // Web Crypto does not stream
    const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  async function sendResumable(file, done, total, onProgress) {
    const sha = await sha256Hex(file).catch(() => "");
    const meta = `filename ${b64(file.name)}` + (sha ? `,sha256 ${b64(sha)}` : "");
    const created = await call("POST", form.dataset.resumableUrl, { "Upload-Length": String(file.size), "Upload-Metadata": meta });
    if (created.status !== 201) throw new Error(detail(created));
    const url = created.getResponseHeader("Location");
    const chunkBytes = mb("chunkMb", 4);
    let offset = 0, failures = 0;
    for (;;) {
      let xhr = null;
      try {
        xhr = await call("PATCH", url, { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
          file.slice(offset, offset + chunkBytes), (n) => onProgress(done + offset + n, total));
      } catch (err) { xhr = null; }
      if (xhr && xhr.status === 200) return JSON.parse(xhr.responseText);
      if (xhr && xhr.status === 204) { offset = Number(xhr.getResponseHeader("Upload-Offset")); failures = 0; continue; }
      if (xhr && xhr.status !== 409 && xhr.status < 500) throw new Error(detail(xhr));   // refused: not worth a retry
      failures += 1;   // the connection broke (or a conflict): ask the server what it holds and go on from there
      if (failures > 5) throw new Error("the connection keeps breaking");
      status.textContent = `Connection lost; resuming ${file.name}…`;
      await sleep(300 * failures);
      const head = await call("HEAD", url).catch(() => null);
      if (head && head.status === 404) throw new Error("the server no longer holds this upload (finished, cancelled or expired); send the file again");
      if (head && head.status === 204) offset = Number(head.getResponseHeader("Upload-Offset"));
    }
  }

  function note(text, cls) { const li = document.createElement("li"); li.textContent = text; if (cls) li.className = cls; log.appendChild(li); }

  form.addEventListener("submit", async (e) => {
    const files = [...dropped, ...filesInput.files, ...folderInput.files];
    if (!files.length) return; // the plain form tells the user to choose files
    e.preventDefault();
    const total = files.reduce((s, f) => s + f.size, 0) || 1;
    const counts = { deidentified: 0, quarantined: 0, refused: 0 };
    bar.hidden = false; bar.value = 0; log.textContent = "";
    let done = 0;
    const big = files.filter((f) => f.size > mb("resumableMb", 8));
    for (const file of big) {
      try {
        const body = await sendResumable(file, done, total, (n, t) => { bar.value = Math.round((n / t) * 100); });
        for (const k of Object.keys(counts)) counts[k] += body.counts[k] || 0;
        for (const f of body.files) if (f.status !== "deidentified") note(`${f.status}: ${f.name}: ${f.reason}`, f.status);
      } catch (err) {
        status.textContent = `Stopped: ${err.message}. Nothing of ${file.name} was stored.`; return;
      }
      done += file.size;
      bar.value = Math.round((done / total) * 100);
    }
    for (const batch of batches(files.filter((f) => !big.includes(f)))) {
      let attempt = 0;
      for (;;) {
        try {
          const body = await send(batch, done, total, (n, t) => { bar.value = Math.round((n / t) * 100); });
          for (const k of Object.keys(counts)) counts[k] += body.counts[k] || 0;
          for (const f of body.files) if (f.status !== "deidentified") note(`${f.status}: ${f.name}: ${f.reason}`, f.status);
          break;
        } catch (err) {
          attempt += 1;
          if (attempt > 2) { status.textContent = `Stopped: ${err.message}. Nothing of this batch was stored; send the study again to resume.`; return; }
        }
      }
      done += batch.reduce((s, f) => s + f.size, 0);
      bar.value = Math.round((done / total) * 100);
      status.textContent = `${counts.deidentified} de-identified, ${counts.quarantined} in quarantine, ${counts.refused} refused…`;
    }
    status.textContent = `Done: ${counts.deidentified} de-identified and stored, ${counts.quarantined} in quarantine for a curator, ${counts.refused} refused.`;
    dropped = [];
  });
})();
