// The room's WebSocket: JSON messages, a heartbeat, and automatic reconnection with back-off.
// A refusal (no right, full, closed) is final and is not retried.
export class Signalling {
  constructor(path, kind, handlers) {
    this.url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path + "?kind=" + kind;
    this.handlers = handlers;
    this.attempt = 0;
    this.stopped = false;
    this.connect();
  }

  connect() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => { this.attempt = 0; };
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "refused") { this.stopped = true; }
      this.handlers.message(message);
    };
    ws.onclose = () => {
      clearInterval(this.heartbeat);
      if (this.ws !== ws) { return; }
      this.handlers.closed(this.stopped);
      if (this.stopped) { return; }
      const delay = Math.min(10000, 500 * 2 ** this.attempt++);
      this.retry = setTimeout(() => this.connect(), delay);
    };
    this.heartbeat = setInterval(() => this.send({type: "ping"}), 20000);
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(JSON.stringify(message)); }
  }

  // Simulate a network drop (tests and "reconnect" button): close without stopping.
  drop() { if (this.ws) { this.ws.close(); } }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    if (this.ws) { this.ws.close(); }
  }
}
