// The case list: "tick every pending case on this page" for the supervisor's bulk verification.
// Delegated from the document, so it keeps working after HTMX swaps the table (filter, sort, page).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (event.target.id !== "tick-page") { return; }
    document.querySelectorAll("#case-rows input.tick").forEach(function (box) { box.checked = event.target.checked; });
  });
}());
