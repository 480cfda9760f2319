// Small progressive enhancements only; every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.querySelector("[data-htmx-error]");
  if (box) { box.textContent = "Could not save: the server answered " + event.detail.xhr.status + ". Please retry."; }
});
