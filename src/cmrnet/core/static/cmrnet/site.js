// Small progressive enhancements only; every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.querySelector("[data-htmx-error]");
  if (box) { box.textContent = "Could not save: the server answered " + event.detail.xhr.status + ". Please retry."; }
});
// Forms marked data-confirm (withdraw, unregister, release...) ask before they are sent.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); event.stopImmediatePropagation(); }
}, true);
