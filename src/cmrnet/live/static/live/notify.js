// Live notifications on every cmrnet page of an on-call expert (and of a site waiting for help):
// a call for help with a one-click "Accept and join", and the news that someone else took it.
const box = document.createElement("section");
box.className = "live-toasts";
box.setAttribute("aria-live", "assertive");
box.setAttribute("aria-label", "Live notifications");
document.body.append(box);

function csrfToken() {
  try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (error) { return ""; }
}

function toast(id, ...children) {
  document.querySelector(`.live-toast[data-request="${id}"]`)?.remove();
  const item = document.createElement("div");
  item.className = "live-toast";
  item.dataset.request = id;
  item.setAttribute("role", "alert");
  item.append(...children);
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.textContent = "Dismiss";
  close.addEventListener("click", () => item.remove());
  item.append(close);
  box.append(item);
  return item;
}

function text(tag, content) {
  const el = document.createElement(tag);
  el.textContent = content;
  return el;
}

function onHelp(m) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = m.accept;
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = csrfToken();
  const accept = text("button", "Accept and join");
  accept.type = "submit";
  accept.className = "btn";
  const details = text("a", "Details");
  details.href = m.url;
  form.append(token, accept, " ", details);
  toast(m.request, text("strong", `Expert help requested: ${m.centre}${m.scanner ? ", " + m.scanner : ""}`),
        text("p", m.reason), form);
}

function onMessage(m) {
  if (m.type === "help") { onHelp(m); }
  if (m.type === "help-taken") { toast(m.request, text("p", `Help request answered by ${m.by}.`)).classList.add("quiet"); }
  if (m.type === "help-accepted") {
    const link = text("a", "Go to the room");
    link.href = m.url;
    toast(m.request, text("strong", `${m.by} accepted your request and is joining.`), " ", link);
  }
}

let attempt = 0;
function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live/notify/");
  ws.onopen = () => { attempt = 0; document.body.dataset.liveNotify = "connected"; };
  ws.onmessage = (event) => onMessage(JSON.parse(event.data));
  ws.onclose = () => {
    document.body.dataset.liveNotify = "reconnecting";
    setTimeout(connect, Math.min(30000, 1000 * 2 ** attempt++));
  };
}
connect();
