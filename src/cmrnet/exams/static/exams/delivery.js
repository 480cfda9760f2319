// Exam delivery: saves each change the moment it is made, shows "Saved" and ticks the server's countdown.
// The server is the authority: it fixes the deadline, refuses late answers (409) and closes the attempt at
// time-out. At zero this page only ASKS the server (time-up): the server closes the attempt as a time-out if
// its own deadline has passed, or answers with the time really left. The page never submits on its own, and
// it counts on the browser's monotonic clock (performance.now), so a jump of the system clock changes nothing.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var form = document.getElementById("answer-form");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("save-status");
  var clock = document.getElementById("clock");
  var struck = document.getElementById("struck");
  // The server sends the milliseconds left when it rendered the page; counting from arrival, the local end
  // is never before the server's deadline, so the time-up question arrives at or after it.
  var GRACE_MS = 300;
  function clockNow() { return window.performance.now(); }
  var endAt = clockNow() + Number(root.dataset.remainingMs);
  var finished = false, inflight = false, asking = false, pending = {};

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(s) { return Math.floor(s / 3600) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60); }
  function show(text, cls) { status.textContent = text; status.className = cls; }

  function post(url, data) {
    return fetch(url, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin", keepalive: true,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (r) {
      return r.json().then(function (body) { return { code: r.status, body: body }; });
    });
  }

  function leave(url) { finished = true; window.location.assign(url || root.dataset.doneUrl); }

  // The countdown reached zero: ask the server, which alone decides whether the time is up.
  function askTimeUp() {
    asking = true;
    function askAgainSoon() { window.setTimeout(function () { asking = false; }, 2000); }
    post(root.dataset.timeUpUrl, {}).then(function (res) {
      if (res.code === 200 && res.body.closed) {
        finished = true;
        show("Time is up: your answers are recorded.", "error");
        leave(res.body.done_url);
      } else if (res.code === 200) {
        endAt = clockNow() + res.body.remaining_ms;  // the server's deadline is later: keep going
        asking = false;
      } else {
        askAgainSoon();
      }
    }).catch(askAgainSoon);
  }

  function tick() {
    var left = Math.max(0, Math.ceil((endAt - clockNow()) / 1000));
    clock.textContent = fmt(left);
    if (clockNow() >= endAt + GRACE_MS && !finished && !asking) { askTimeUp(); }
  }

  function updateGrid(body) {
    var cell = document.querySelector('#nav-grid a[data-n="' + root.dataset.position + '"]');
    if (cell) {
      cell.classList.toggle("answered", !!body.choice);
      cell.classList.toggle("flagged", !!body.flagged);
    }
    document.getElementById("answered-count").textContent = body.answered;
  }

  function flush() {
    if (inflight || finished || Object.keys(pending).length === 0) { return; }
    var fields = pending;
    pending = {};
    inflight = true;
    show("Saving…", "saving");
    var data = Object.assign({ item: root.dataset.item, position: root.dataset.position }, fields);
    post(root.dataset.saveUrl, data).then(function (res) {
      inflight = false;
      if (res.code === 200 && res.body.saved) {
        endAt = clockNow() + res.body.remaining_ms;
        updateGrid(res.body);
        if (Object.keys(pending).length) { flush(); } else { show("Saved", "saved"); }
      } else if (res.code === 409) {
        show(res.body.error, "error");
        finished = true;
        window.setTimeout(function () { leave(res.body.done_url); }, 2500);
      } else if (res.code >= 500) {
        retry(fields, "The server is busy: not saved yet, retrying…");
      } else {
        show("Not saved: " + (res.body.error || ("server answered " + res.code)), "error");
      }
    }).catch(function () {
      inflight = false;
      retry(fields, "Connection lost: not saved yet, retrying…");
    });
  }

  // Keep the unsaved change (newer changes to the same field win) and try again shortly.
  function retry(fields, message) {
    inflight = false;
    pending = Object.assign(fields, pending);
    show(message, "error");
    window.setTimeout(flush, 2000);
  }

  function save(fields) { Object.assign(pending, fields); flush(); }

  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.querySelectorAll("input[name=choice]").forEach(function (radio) {
    radio.addEventListener("change", function () { save({ choice: radio.value }); });
  });
  document.getElementById("flag-review").addEventListener("change", function (event) {
    save({ flagged: event.target.checked ? "true" : "false" });
  });
  form.querySelectorAll("button.strike").forEach(function (button) {
    button.addEventListener("click", function () {
      var letter = button.dataset.letter, value = struck.value;
      var on = value.indexOf(letter) < 0;
      struck.value = on ? value + letter : value.replace(letter, "");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.closest(".option").classList.toggle("struck", on);
      save({ struck: struck.value });
    });
  });
  function sendDefect() {
    save({ defect_flag: document.getElementById("defect-flag").checked ? "true" : "false",
           defect_comment: document.getElementById("defect-comment").value });
  }
  document.getElementById("send-defect").addEventListener("click", function () {
    document.getElementById("defect-flag").checked = true;
    sendDefect();
  });
  document.getElementById("defect-flag").addEventListener("change", sendDefect);
  document.getElementById("submit-form").addEventListener("submit", function (event) {
    if (!window.confirm("Submit your exam now? You cannot change answers afterwards.")) { event.preventDefault(); }
  });

  tick();
  window.setInterval(tick, 250);
}());
