// One RTCPeerConnection per other peer (a mesh for small rooms). The newcomer offers first (with the
// "marks" data channel for the mentor's drawings and its media); the peer already in the room answers,
// attaching its own media to the offered transceivers, so the first exchange never collides. Later
// renegotiation (a console published afterwards) uses "perfect negotiation", so either side may start it.
// In loopback-only mode (tests) only 127.0.0.1 candidates are handed over: media never leaves the machine.
const LOOPBACK = "127.0.0.1";

function loopbackSdp(sdp) {
  return sdp.split("\r\n").filter((line) => !line.startsWith("a=candidate:") || line.includes(" " + LOOPBACK + " ")).join("\r\n");
}

export class Mesh {
  constructor({myId, iceServers, loopbackOnly, send, onTrack, onData, onState}) {
    Object.assign(this, {myId, iceServers, loopbackOnly, send, onTrack, onData, onState});
    this.links = new Map();
    this.stream = null;
  }

  setStream(stream) {
    this.stream = stream;
    for (const link of this.links.values()) { this.addTracks(link); }
  }

  addTracks(link) {
    if (!this.stream || link.waitingForOffer) { return; }
    const sending = new Set(link.pc.getSenders().map((s) => s.track));
    for (const track of this.stream.getTracks()) {
      if (sending.has(track)) { continue; }
      const sender = link.pc.addTrack(track, this.stream);
      if (track.kind === "video" && track.contentHint === "text") { tuneForText(sender); }
    }
  }

  connect(peerId, {initiator = false} = {}) {
    if (this.links.has(peerId)) { return this.links.get(peerId); }
    const pc = new RTCPeerConnection({iceServers: this.iceServers});
    const link = {pc, initiator, polite: this.myId < peerId, makingOffer: false, ignoreOffer: false, waitingForOffer: !initiator};
    const listen = (channel) => {
      link.channel = channel;
      channel.onmessage = (event) => this.onData(peerId, JSON.parse(event.data));
    };
    if (initiator) { listen(pc.createDataChannel("marks")); } else { pc.ondatachannel = (event) => listen(event.channel); }
    pc.onicecandidate = ({candidate}) => {
      if (!candidate || !candidate.candidate) { return; }
      if (this.loopbackOnly && candidate.address !== LOOPBACK) { return; }
      this.send(peerId, {candidate: candidate.toJSON()});
    };
    pc.onnegotiationneeded = async () => {
      try {
        link.makingOffer = true;
        await pc.setLocalDescription();
        this.send(peerId, {description: this.describe(pc.localDescription)});
      } catch (error) {
        console.warn("negotiation", error);
      } finally {
        link.makingOffer = false;
      }
    };
    pc.ontrack = (event) => this.onTrack(peerId, event.streams[0] || new MediaStream([event.track]));
    pc.onconnectionstatechange = () => this.onState(peerId, pc.connectionState);
    this.links.set(peerId, link);
    if (initiator) {
      this.addTracks(link);
      // Room to receive audio and video even when this side sends none (a console, a viewer without a camera).
      const sending = new Set(pc.getSenders().map((s) => s.track && s.track.kind));
      for (const kind of ["audio", "video"]) { if (!sending.has(kind)) { pc.addTransceiver(kind, {direction: "recvonly"}); } }
    }
    return link;
  }

  describe(description) {
    const plain = {type: description.type, sdp: description.sdp};
    if (this.loopbackOnly) { plain.sdp = loopbackSdp(plain.sdp); }
    return plain;
  }

  async signal(peerId, {description, candidate}) {
    const link = this.connect(peerId);
    const pc = link.pc;
    try {
      if (description) {
        const collision = description.type === "offer" && (link.makingOffer || pc.signalingState !== "stable");
        link.ignoreOffer = !link.polite && collision;
        if (link.ignoreOffer) { return; }
        await pc.setRemoteDescription(description);
        if (description.type === "offer") {
          if (link.waitingForOffer) { link.waitingForOffer = false; this.addTracks(link); }  // onto the offered transceivers
          await pc.setLocalDescription();
          this.send(peerId, {description: this.describe(pc.localDescription)});
        }
      } else if (candidate) {
        if (this.loopbackOnly && !candidate.candidate.includes(" " + LOOPBACK + " ")) { return; }
        try { await pc.addIceCandidate(candidate); } catch (error) { if (!link.ignoreOffer) { throw error; } }
      }
    } catch (error) {
      console.warn("signal", error);
    }
  }

  broadcast(message) {
    const text = JSON.stringify(message);
    for (const link of this.links.values()) {
      if (link.channel && link.channel.readyState === "open") { link.channel.send(text); }
    }
  }

  close(peerId) {
    const link = this.links.get(peerId);
    if (link) { link.pc.close(); this.links.delete(peerId); }
  }

  closeAll() { for (const id of [...this.links.keys()]) { this.close(id); } }

  // The pair of candidates in use with a peer (for the loopback check in tests, and diagnostics).
  async selectedPair(peerId) {
    const link = this.links.get(peerId);
    if (!link) { return null; }
    const stats = await link.pc.getStats();
    let pair = null;
    stats.forEach((s) => { if (s.type === "transport" && s.selectedCandidatePairId) { pair = stats.get(s.selectedCandidatePairId); } });
    if (!pair) { stats.forEach((s) => { if (s.type === "candidate-pair" && s.state === "succeeded" && s.nominated) { pair = s; } }); }
    if (!pair) { return null; }
    const local = stats.get(pair.localCandidateId), remote = stats.get(pair.remoteCandidateId);
    return {peer: peerId, initiator: link.initiator, local: local.address, remote: remote.address,
            localType: local.candidateType, remoteType: remote.candidateType};
  }
}

// Console text stays legible: keep the resolution and drop frames under pressure, up to 30 fps.
async function tuneForText(sender) {
  try {
    const params = sender.getParameters();
    params.degradationPreference = "maintain-resolution";
    if (params.encodings && params.encodings.length) {
      params.encodings[0].maxFramerate = 30;
      params.encodings[0].maxBitrate = 4000000;
    }
    await sender.setParameters(params);
  } catch (error) {
    console.warn("sender parameters", error);
  }
}
