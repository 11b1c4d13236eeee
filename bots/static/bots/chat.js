// The web chat page's socket: sends what the visitor types or picks, shows what the bot says.
// Frames are described in bots/consumers.py (ChatConsumer). Text is always set with textContent.
(function () {
  "use strict";
  const root = document.getElementById("chat");
  if (!root) return;
  const log = document.getElementById("chat-log");
  const menu = document.getElementById("chat-menu");
  const chips = document.getElementById("chat-suggestions");
  const status = document.getElementById("chat-status");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const send = document.getElementById("chat-send");
  let lastId = Number(root.dataset.lastId || 0);
  let socket = null;
  let retry = 500;
  let busy = false;
  const outbox = [];

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function showMessage(frame) {
    if (frame.id <= lastId && log.querySelector('[data-id="' + frame.id + '"]')) return;
    const item = document.createElement("li");
    item.className = "msg msg-" + frame.role + " msg-kind-" + frame.kind + (frame.queued ? " msg-queued" : "");
    item.dataset.id = String(frame.id);
    item.textContent = frame.text;
    log.appendChild(item);
    lastId = Math.max(lastId, frame.id);
    scrollDown();
  }

  function buttons(box, items) {
    box.replaceChildren();
    for (const chip of items) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = chip.label;
      button.dataset.value = chip.text;
      button.addEventListener("click", () => post(chip.text));
      box.appendChild(button);
    }
    box.hidden = items.length === 0;
  }

  function describeWait(waiting) {
    if (!waiting) return "";
    if (waiting.kind === "timer") return "The bot will continue shortly…";
    if (waiting.kind === "input" && waiting.options) return "Choose one of the options, or type it.";
    if (waiting.kind === "input" && waiting.type) return "The bot expects: " + String(waiting.type).toLowerCase() + ".";
    return "";
  }

  function showState(state) {
    busy = state.busy;
    const queued = new Set((state.queued || []).map(String));
    for (const item of log.querySelectorAll(".msg-user")) {
      item.classList.toggle("msg-queued", queued.has(item.dataset.id));
    }
    buttons(menu, state.menu || []);
    buttons(chips, state.suggestions || []);
    status.textContent = busy ? "The bot is typing…" : describeWait(state.waiting_for);
    const kind = state.waiting_for && state.waiting_for.type;
    input.placeholder = kind ? "Type your answer (" + String(kind).toLowerCase() + ")" : "Type a message";
    root.dataset.state = busy ? "busy" : "idle";
  }

  function post(text) {
    const frame = JSON.stringify({ type: "message", text: text });
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame);
    else outbox.push(frame);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = scheme + "//" + location.host + "/ws/chat/" + encodeURIComponent(root.dataset.bot) + "/?after=" + lastId;
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      retry = 500;
      root.dataset.connected = "true";
      send.disabled = false;
      while (outbox.length) socket.send(outbox.shift());
    });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "message") showMessage(frame);
      else if (frame.type === "state") showState(frame);
      else if (frame.type === "error") status.textContent = frame.text;
    });
    socket.addEventListener("close", (event) => {
      root.dataset.connected = "false";
      if (event.code === 4403 || event.code === 4404) {
        status.textContent = "This chat is no longer available. Reload the page to start again.";
        send.disabled = true;
        return;
      }
      status.textContent = "Reconnecting…";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    post(text);
    input.value = "";
    input.focus();
  });

  const initial = document.getElementById("chat-state");
  if (initial) showState(JSON.parse(initial.textContent));
  scrollDown();
  connect();
})();
