// Starts ReDoc on /api/v1/redoc/ without an inline script (CSP script-src 'self'); loaded before
// redoc.standalone.js, it starts ReDoc once the page has loaded.
//
// ReDoc writes its styles into <style> elements that it creates at run time, some while its bundle
// loads, before any option could pass it a nonce. This page's policy allows <style> elements carrying
// the page's nonce only, so every <style> element created on this page gets that nonce. The nonce is
// read from the container's `nonce` property (browsers hide the attribute's value from scripts).
// Search is off: it would run in a worker made from a blob: URL, which the policy refuses.
// ReDoc's "powered by" logo is an image on Redocly's CDN: no request leaves for it (no CDN; the policy
// would refuse it and report a violation); an empty local image takes its place, the link stays.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var nonce = container.nonce;
  var CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var NO_LOGO = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
  var createElement = document.createElement;
  var setAttribute = Element.prototype.setAttribute;
  document.createElement = function (name) {
    var element = createElement.apply(document, arguments);
    if (String(name).toLowerCase() === "style") {
      element.setAttribute("nonce", nonce);
    }
    return element;
  };
  Element.prototype.setAttribute = function (attribute, value) {
    var local = this instanceof HTMLImageElement && attribute === "src" && value === CDN_LOGO ? NO_LOGO : value;
    return setAttribute.call(this, attribute, local);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true, enumerable: src.enumerable, get: src.get,
    set: function (value) { src.set.call(this, value === CDN_LOGO ? NO_LOGO : value); }
  });
  window.addEventListener("DOMContentLoaded", function () {
    window.Redoc.init(container.dataset.specUrl, { nonce: nonce, disableSearch: true }, container);
  });
})();
