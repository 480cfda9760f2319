// The remote expert's view of the scanner console: noVNC (vendored, MPL-2.0) over the per-grant relay.
// The relay authenticates to the console server-side and enforces view-only; this page only displays.
import RFB from "../vendor/novnc/core/rfb.js";

const state = document.getElementById("console-state");
const viewOnly = state.dataset.viewOnly === "true";
const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + state.dataset.ws;
const rfb = new RFB(document.getElementById("vnc"), url, {shared: true});
rfb.viewOnly = viewOnly;
rfb.scaleViewport = true;
rfb.background = "#0b0f14";

rfb.addEventListener("connect", () => {
  state.dataset.state = "connected";
  state.textContent = viewOnly ? "Connected: you see the console (view only)." : "Connected: you operate the console. The site can take it back at any moment.";
});
rfb.addEventListener("disconnect", (event) => {
  state.dataset.state = "ended";
  state.textContent = event.detail.clean
    ? "Control has ended: the site took the console back or the time ran out."
    : "The console connection was refused or lost: control is not (or no longer) handed to you.";
});
window.cmrnetConsole = rfb;
