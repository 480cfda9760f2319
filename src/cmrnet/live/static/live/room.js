// A live room: joins over the signalling WebSocket, connects to every other peer (mesh), shows the
// console large with the people in a strip, relays the mentor's marks over the data channels, and
// rejoins by itself after a drop or a reload. No business rule here: the server decides who may enter.
import {Marks} from "./marks.js";
import {Mesh} from "./mesh.js";
import {Signalling} from "./signalling.js";

const config = JSON.parse(document.getElementById("room-config").textContent);
const $ = (id) => document.getElementById(id);
const EXPERTS = new Set(["mentor", "expert"]);
const ROLE_LABELS = {mentor: "mentor", trainee: "trainee", site_staff: "site staff", console: "console", expert: "remote expert",
                     observer: "observer"};
const JOINED_KEY = `cmrnet-room-${config.room}-${config.kind}`;
const REJOIN_WINDOW_MS = 120000;

const room = {me: null, peers: new Map(), stream: null, signalling: null, mesh: null, left: new Map(), muted: false, hand: false};
window.cmrnetRoom = room;  // for diagnostics and the browser tests (selected candidate pair)

const marks = new Marks($("marks"), $("marks-log"), {
  canDraw: EXPERTS.has(config.role) && config.kind !== "console",
  author: config.name,
  onMark: (message) => room.mesh && room.mesh.broadcast(message),
});

function status(text) { $("lobby-status").textContent = text; }

function event(text) {
  const item = document.createElement("li");
  item.textContent = `${new Date().toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"})} ${text}`;
  $("events").prepend(item);
  while ($("events").children.length > 6) { $("events").lastElementChild.remove(); }
}

function describe(peer) {
  const bits = [ROLE_LABELS[peer.role] || peer.role];
  if (peer.kind === "console") { bits.unshift("console"); }
  if (peer.hand) { bits.push("hand raised"); }
  if (peer.muted) { bits.push("muted"); }
  return bits.join(", ");
}

function renderPeople() {
  const list = $("people");
  list.replaceChildren();
  for (const peer of [room.me, ...room.peers.values()].filter(Boolean)) {
    const item = document.createElement("li");
    item.dataset.peer = peer.peer_id;
    item.dataset.user = peer.user_id;
    if (peer.hand) { item.classList.add("hand"); }
    const name = document.createElement("strong");
    name.textContent = peer.name + (peer === room.me ? " (you)" : "");
    item.append(name, ` · ${describe(peer)}`);
    list.append(item);
  }
  for (const peer of room.peers.values()) {
    const caption = document.querySelector(`.tile[data-peer="${peer.peer_id}"] figcaption`);
    if (caption) { caption.textContent = `${peer.name} · ${describe(peer)}`; }
  }
}

function tile(peerId, name, local = false) {
  let figure = document.querySelector(`.tile[data-peer="${peerId}"]`);
  if (!figure) {
    figure = document.createElement("figure");
    figure.className = "tile" + (local ? " local" : "");
    figure.dataset.peer = peerId;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = local;
    const caption = document.createElement("figcaption");
    caption.textContent = name;
    figure.append(video, caption);
    $("strip").append(figure);
  }
  return figure.querySelector("video");
}

function showConsole(stream) {
  $("console-video").srcObject = stream;
  $("console-frame").dataset.hasConsole = String(Boolean(stream));
}

function onTrack(peerId, stream) {
  const peer = room.peers.get(peerId);
  if (!peer) { return; }
  if (peer.kind === "console") { showConsole(stream); } else { tile(peerId, `${peer.name} · ${describe(peer)}`).srcObject = stream; }
}

function addPeer(peer, arrived) {
  room.peers.set(peer.peer_id, peer);
  if (arrived) {
    const leftAt = room.left.get(`${peer.user_id}-${peer.kind}`);
    event(`${peer.name} ${leftAt && Date.now() - leftAt < REJOIN_WINDOW_MS ? "rejoined" : "joined"}${peer.kind === "console" ? " (console)" : ""}`);
  }
  room.mesh.connect(peer.peer_id, {initiator: !arrived});  // the newcomer offers to those already here
  renderPeople();
}

function removePeer(peer) {
  room.peers.delete(peer.peer_id);
  room.mesh.close(peer.peer_id);
  room.left.set(`${peer.user_id}-${peer.kind}`, Date.now());
  document.querySelector(`.tile[data-peer="${peer.peer_id}"]`)?.remove();
  if (peer.kind === "console" && config.kind !== "console") { showConsole(null); }
  event(`${peer.name} left`);
  renderPeople();
}

function chatLine({name, text, sent_at: sentAt}) {
  const item = document.createElement("li");
  const who = document.createElement("strong");
  who.textContent = name;
  const time = document.createElement("time");
  time.dateTime = sentAt;
  time.textContent = new Date(sentAt).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
  item.append(who, " ", time, " ", text);
  $("chat-log").append(item);
  $("chat-log").scrollTop = $("chat-log").scrollHeight;
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      room.me = message.peer;
      room.mesh = new Mesh({
        myId: room.me.peer_id, iceServers: config.iceServers, loopbackOnly: config.loopbackOnly,
        send: (to, data) => room.signalling.send({type: "signal", to, data}),
        onTrack, onData: (peerId, data) => {
          const peer = room.peers.get(peerId);
          if (peer && EXPERTS.has(peer.role)) { marks.receive(data, peer.name); }
        },
        onState: (peerId, state) => { document.querySelector(`.tile[data-peer="${peerId}"]`)?.setAttribute("data-state", state); },
      });
      room.mesh.setStream(room.stream);
      if (room.muted || room.hand) { room.signalling.send({type: "state", muted: room.muted, hand: room.hand}); }
      $("room").dataset.state = "in-room";
      $("connection").textContent = "Connected.";
      renderPeople();
      break;
    case "peer-joined": addPeer(message.peer, true); break;
    case "peer-present": addPeer(message.peer, false); break;
    case "peer-left": removePeer(message.peer); break;
    case "peer-state": room.peers.set(message.peer.peer_id, message.peer); renderPeople(); break;
    case "signal": room.mesh && room.mesh.signal(message.from, message.data); break;
    case "chat": chatLine(message.message); break;
    case "chat-error": $("connection").textContent = message.reason; break;
    case "grant-changed": document.body.dispatchEvent(new Event("grant-changed")); break;
    case "refused":
      sessionStorage.removeItem(JOINED_KEY);
      $("room").dataset.state = "refused";
      $("room-main").hidden = true;
      $("lobby").hidden = false;
      status(message.reason);
      break;
    default: break;
  }
}

function onClosed(final) {
  if (room.mesh) { room.mesh.closeAll(); }
  for (const peer of room.peers.values()) { document.querySelector(`.tile[data-peer="${peer.peer_id}"]`)?.remove(); }
  room.peers.clear();
  if (config.kind !== "console") { showConsole(null); }
  if (!final) {
    $("room").dataset.state = "reconnecting";
    $("connection").textContent = "Connection lost: reconnecting…";
  }
}

function enter(stream) {
  room.stream = stream;
  sessionStorage.setItem(JOINED_KEY, "1");
  $("lobby").hidden = true;
  $("room-main").hidden = false;
  if (stream && config.kind === "console") { showConsole(stream); }
  if (stream && config.kind !== "console") { tile("me", `${config.name} (you)`, true).srcObject = stream; }
  room.signalling = new Signalling(config.wsPath, config.kind, {message: onMessage, closed: onClosed});
}

async function joinAsPerson() {
  status("Starting camera and microphone…");
  let stream = null;
  try {
    stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: {ideal: 640}, height: {ideal: 360}, frameRate: {ideal: 15}}});
  } catch (error) {
    status("No camera or microphone available: you will see and hear the others.");
  }
  enter(stream);
}

const CONSOLE_VIDEO = {width: {min: 1280, ideal: 1920}, height: {min: 720, ideal: 1080}, frameRate: {min: 10, ideal: 15, max: 30}};

async function listDevices() {
  try {
    const probe = await navigator.mediaDevices.getUserMedia({video: true});
    probe.getTracks().forEach((t) => t.stop());
  } catch (error) {
    status("Allow camera access to list the capture devices, or share the screen.");
  }
  const select = $("console-device");
  const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
  select.replaceChildren(...devices.map((d, i) => new Option(d.label || `Video input ${i + 1}`, d.deviceId)));
  const remembered = sessionStorage.getItem(`${JOINED_KEY}-device`);
  if (remembered && devices.some((d) => d.deviceId === remembered)) { select.value = remembered; }
}

function asConsoleTrack(stream) {
  const [track] = stream.getVideoTracks();
  track.contentHint = "text";
  const {width, height, frameRate} = track.getSettings();
  $("console-frame").dataset.source = `${width}x${height}@${Math.round(frameRate || 0)}`;
  return {track, width, height};
}

async function publishDevice() {
  const deviceId = $("console-device").value;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({audio: false, video: {...CONSOLE_VIDEO, ...(deviceId ? {deviceId: {exact: deviceId}} : {})}});
    asConsoleTrack(stream);
    sessionStorage.setItem(`${JOINED_KEY}-device`, deviceId);
    enter(stream);
  } catch (error) {
    status(error.name === "OverconstrainedError"
      ? "This device cannot deliver at least 1280x720 at 10 frames a second or more. Pick the frame grabber, or share the screen."
      : `The device could not be started (${error.name}).`);
  }
}

async function publishScreen() {
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({audio: false, video: {width: {ideal: 1920}, height: {ideal: 1080}, frameRate: {ideal: 15, max: 30}}});
    const {width, height} = asConsoleTrack(stream);
    if (width < 1280 || height < 720) { status(`The shared screen is ${width}x${height}; text may be hard to read below 1280x720.`); }
    enter(stream);
  } catch (error) {
    status(`Screen sharing did not start (${error.name}).`);
  }
}

function leave() {
  sessionStorage.removeItem(JOINED_KEY);
  if (room.signalling) { room.signalling.stop(); }
  if (room.mesh) { room.mesh.closeAll(); }
  if (room.stream) { room.stream.getTracks().forEach((t) => t.stop()); }
  document.querySelectorAll(".tile").forEach((t) => t.remove());
  room.peers.clear();
  room.me = null;
  $("room").dataset.state = "left";
  $("room-main").hidden = true;
  $("lobby").hidden = false;
  status("You left the room. Join again when you are ready.");
}

function setup() {
  if (config.kind === "console") {
    listDevices().then(() => { if (sessionStorage.getItem(JOINED_KEY)) { publishDevice(); } });
    $("publish-device").addEventListener("click", publishDevice);
    $("publish-screen").addEventListener("click", publishScreen);
  } else {
    $("join").addEventListener("click", joinAsPerson);
    if (sessionStorage.getItem(JOINED_KEY)) { joinAsPerson(); }  // a reload rejoins by itself
  }
  $("mark-tools").hidden = !marks.canDraw;
  for (const button of document.querySelectorAll("[data-tool]")) {
    button.addEventListener("click", () => {
      marks.tool = button.dataset.tool;
      document.querySelectorAll("[data-tool]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    });
  }
  $("mark-pin").addEventListener("change", (e) => { marks.pinned = e.target.checked; });
  $("mark-clear").addEventListener("click", () => marks.clear(true));
  $("mute").addEventListener("click", () => {
    room.muted = !room.muted;
    room.stream?.getAudioTracks().forEach((t) => { t.enabled = !room.muted; });
    $("mute").setAttribute("aria-pressed", String(room.muted));
    $("mute").textContent = room.muted ? "Unmute" : "Mute";
    if (room.me) { room.me.muted = room.muted; room.signalling.send({type: "state", muted: room.muted}); renderPeople(); }
  });
  $("hand").addEventListener("click", () => {
    room.hand = !room.hand;
    $("hand").setAttribute("aria-pressed", String(room.hand));
    $("hand").textContent = room.hand ? "Lower hand" : "Raise hand";
    if (room.me) { room.me.hand = room.hand; room.signalling.send({type: "state", hand: room.hand}); renderPeople(); }
  });
  $("leave").addEventListener("click", leave);
  $("chat-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("chat-text").value.trim();
    if (text && room.signalling) { room.signalling.send({type: "chat", text}); $("chat-text").value = ""; }
  });
}

setup();
