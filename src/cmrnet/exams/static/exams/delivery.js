// Exam delivery: saves each change the moment it is made, keeps it in this browser until the server confirms
// it, retries by itself when the network or the server fails, shows the connection and "Saved", ticks the
// server's countdown and warns at 30, 10 and 5 minutes left.
//
// The server is the authority: it fixes the deadline, refuses late answers (409) and closes the attempt at
// time-out. The countdown is display only: it starts from the milliseconds left that the server sent and is
// set again from every save's answer. At zero this page only ASKS the server (time-up): the server closes
// the attempt as a time-out if its own deadline has passed, or answers with the time really left. The page
// never submits on its own, and it counts on the browser's monotonic clock (performance.now), so a jump of
// the system clock changes nothing.
//
// Unsaved changes live in localStorage ("cmrnet-exam-<attempt>-unsaved": {item: {fields, position}}) from
// the moment they are made until the server's 200 for exactly those values: a change made offline survives
// a reload or moving to another question, and is sent when the connection is back. Every save carries the
// whole value of the fields it changes (the choice, the full set of struck options, the flag), never a
// toggle, so sending it twice (a retry after a lost response) leaves the same answer: the save is idempotent.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("save-status");
  var connection = document.getElementById("connection");
  var warning = document.getElementById("time-warning");
  var clock = document.getElementById("clock");
  var itemId = root.dataset.item || null;            // null on the review page
  var STORE = "cmrnet-exam-" + root.dataset.attempt + "-unsaved";
  var WARNED = "cmrnet-exam-" + root.dataset.attempt + "-warned";
  var WARNINGS = [30, 10, 5];                          // minutes left
  var GRACE_MS = 300;
  function clockNow() { return window.performance.now(); }
  var endAt = clockNow() + Number(root.dataset.remainingMs);
  var finished = false, inflight = false, asking = false, failures = 0, retryTimer = null;

  // --- the browser's copy of unsaved changes ----------------------------------------------------------
  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function keep(key, value) {
    try {
      if (Object.keys(value).length) { window.localStorage.setItem(key, JSON.stringify(value)); }
      else { window.localStorage.removeItem(key); }
    } catch (e) { /* storage full or disabled: the change is still in this page's memory */ }
  }
  var unsaved = load(STORE);
  function unsavedCount() { return Object.keys(unsaved).length; }

  // --- what the candidate sees ---------------------------------------------------------------------
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(s) { return Math.floor(s / 3600) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60); }
  function show(text, cls) { if (status) { status.textContent = text; status.className = cls; } }

  function indicate() {
    var n = unsavedCount();
    var offline = navigator.onLine === false || failures > 0;
    var text, cls;
    if (offline) {
      text = n ? "Offline: " + n + " question" + (n === 1 ? "" : "s") + " not saved yet, kept in this browser; retrying"
               : "Offline: retrying";
      cls = "offline";
    } else if (n) {
      text = "Online: saving " + n + " question" + (n === 1 ? "" : "s") + "…";
      cls = "saving";
    } else {
      text = "Online: every answer saved";
      cls = "online";
    }
    connection.textContent = text;
    connection.className = "connection " + cls;
    var note = document.getElementById("unsaved-note");
    if (note) {
      note.hidden = n === 0;
      note.textContent = n ? n + " question" + (n === 1 ? " has a change" : "s have changes") +
        " not saved yet (kept in this browser). Wait until the connection is back before you submit." : "";
    }
  }

  // 30, 10 and 5 minutes left, on the countdown the server last set. The banner always shows the stage of
  // the time left now (so it goes back to "10 minutes" if a save's answer shows more time than the page
  // counted); a stage is announced (role=alert) only the first time, then shown quietly on later pages.
  var shownStage = null;
  function warn(left) {
    var stage = null;
    WARNINGS.forEach(function (m) { if (left > 0 && left <= m * 60) { stage = m; } });
    if (stage === shownStage) { return; }
    shownStage = stage;
    if (stage === null) { warning.hidden = true; warning.textContent = ""; return; }
    var warned = load(WARNED);
    if (warned[stage]) { warning.removeAttribute("role"); } else { warning.setAttribute("role", "alert"); }
    warned[stage] = true;
    keep(WARNED, warned);
    warning.hidden = false;
    warning.textContent = (left > stage * 60 - 30 ? stage + " minutes left" : "Less than " + stage + " minutes left") +
      ". Answers are saved as you go; unanswered questions score nothing.";
  }

  function updateCell(n, body) {
    var cell = document.querySelector('#nav-grid a[data-n="' + n + '"]');
    if (cell) {
      cell.classList.toggle("answered", !!body.choice);
      cell.classList.toggle("flagged", !!body.flagged);
    }
    var count = document.getElementById("answered-count");
    if (count) { count.textContent = body.answered; }
  }

  // --- talking to the server -------------------------------------------------------------------------
  function post(url, data) {
    return fetch(url, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin", keepalive: true,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (r) {
      return r.json().then(function (body) { return { code: r.status, body: body }; });
    });
  }

  function leave(url) { finished = true; window.location.assign(url || root.dataset.doneUrl); }

  function nextItem() {
    if (itemId && unsaved[itemId]) { return itemId; }
    var keys = Object.keys(unsaved);
    return keys.length ? keys[0] : null;
  }

  function flush() {
    if (inflight || finished) { return; }
    var item = nextItem();
    if (item === null) { indicate(); return; }
    var entry = unsaved[item];
    var sent = JSON.stringify(entry.fields);
    var data = Object.assign({ item: item }, entry.fields);
    if (entry.position) { data.position = entry.position; }
    inflight = true;
    show("Saving…", "saving");
    indicate();
    post(root.dataset.saveUrl, data).then(function (res) {
      inflight = false;
      if (res.code === 200 && res.body.saved) {
        failures = 0;
        var now = unsaved[item];
        if (now && JSON.stringify(now.fields) === sent) { delete unsaved[item]; keep(STORE, unsaved); }
        endAt = clockNow() + res.body.remaining_ms;
        if (entry.position) { updateCell(entry.position, res.body); }
        if (unsavedCount()) { flush(); } else { show("Saved", "saved"); indicate(); }
      } else if (res.code === 409) {
        unsaved = {};
        keep(STORE, unsaved);
        show(res.body.error, "error");
        finished = true;
        window.setTimeout(function () { leave(res.body.done_url); }, 2500);
      } else if (res.code >= 500) {
        retryLater("The server is busy: not saved yet, retrying…");
      } else {
        // refused as invalid (e.g. a defect report too long): sending it again would not help
        delete unsaved[item];
        keep(STORE, unsaved);
        show("Not saved: " + (res.body.error || ("server answered " + res.code)), "error");
        indicate();
      }
    }).catch(function () {
      inflight = false;
      retryLater("Connection lost: not saved yet, kept in this browser, retrying…");
    });
  }

  // Try again after 2, 4, 8, then every 15 seconds, or at once when the browser says it is back online.
  function retryLater(message) {
    failures += 1;
    show(message, "error");
    indicate();
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, Math.min(2000 * Math.pow(2, failures - 1), 15000));
  }
  window.addEventListener("online", function () { window.clearTimeout(retryTimer); flush(); });
  window.addEventListener("offline", indicate);

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
    warn(left);
    if (clockNow() >= endAt + GRACE_MS && !finished && !asking) { askTimeUp(); }
  }

  function save(fields) {
    var entry = unsaved[itemId] || { fields: {} };
    Object.assign(entry.fields, fields);
    entry.position = Number(root.dataset.position);
    unsaved[itemId] = entry;
    keep(STORE, unsaved);
    flush();
  }

  // --- the question page's controls --------------------------------------------------------------
  var form = document.getElementById("answer-form");
  if (form && itemId) {
    var struck = document.getElementById("struck");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.querySelectorAll("input[name=choice]").forEach(function (radio) {
      radio.addEventListener("change", function () { save({ choice: radio.value }); });
    });
    var clear = document.getElementById("clear-choice");
    clear.hidden = false;                                // without JavaScript the noscript button clears
    clear.addEventListener("click", function (event) {
      event.preventDefault();
      form.querySelectorAll("input[name=choice]").forEach(function (radio) { radio.checked = false; });
      save({ choice: "" });
      show("Choice cleared", "saving");
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
    var sendDefect = function () {
      save({ defect_flag: document.getElementById("defect-flag").checked ? "true" : "false",
             defect_comment: document.getElementById("defect-comment").value });
    };
    document.getElementById("send-defect").addEventListener("click", function () {
      document.getElementById("defect-flag").checked = true;
      sendDefect();
    });
    document.getElementById("defect-flag").addEventListener("change", sendDefect);

    // A change this browser still holds for this question wins over the page the server rendered.
    var mine = unsaved[itemId] && unsaved[itemId].fields;
    if (mine) {
      if (mine.choice !== undefined) {
        form.querySelectorAll("input[name=choice]").forEach(function (radio) { radio.checked = radio.value === mine.choice; });
      }
      if (mine.flagged !== undefined) { document.getElementById("flag-review").checked = mine.flagged === "true"; }
      if (mine.struck !== undefined) {
        struck.value = mine.struck;
        form.querySelectorAll("button.strike").forEach(function (button) {
          var on = mine.struck.indexOf(button.dataset.letter) >= 0;
          button.setAttribute("aria-pressed", on ? "true" : "false");
          button.closest(".option").classList.toggle("struck", on);
        });
      }
    }
  }

  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      if (unsavedCount()) {
        event.preventDefault();
        indicate();
        flush();
        window.alert("Some changes are not saved yet. Wait until the connection is back, then submit.");
      } else if (!window.confirm("Submit your exam now? You cannot change answers afterwards.")) {
        event.preventDefault();
      }
    });
  }

  indicate();
  flush();
  tick();
  window.setInterval(tick, 250);
}());
