// The events pages' live island. The element with data-live-socket (the list, or one event) names
// the stream to follow (ws/events/, events/consumers.py) and data-live-src the URL of its own
// HTML; when the stream reports a new or changed event that the element shows, htmx fetches that
// HTML again and swaps it in (the server renders it: the page and the stream read the same rows).
// After a swap (a refresh, or the filter form) the socket follows the element's new data-live-socket.
(function () {
  "use strict";
  const state = document.getElementById("live-state");
  let socket = null;
  let socketUrl = "";
  let retry = 0;
  let fetching = false;
  let again = false;
  const fresh = new Set();

  const box = () => document.querySelector("[data-live-src]");

  function show(connected) {
    if (!state) return;
    state.dataset.connected = connected;
    state.textContent = { true: "live", false: "reconnecting…", paused: "paused: showing older events" }[connected];
  }

  function follow() {
    const element = box();
    const wanted = element ? element.dataset.liveSocket || "" : "";
    if (wanted === socketUrl && (socket || !wanted)) return;
    if (socket) {
      socket.onclose = null;
      socket.close();
      socket = null;
    }
    socketUrl = wanted;
    if (!wanted) {
      show("paused");
      return;
    }
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const current = new WebSocket(scheme + location.host + wanted);
    socket = current;
    current.onopen = () => { retry = 0; show("true"); };
    current.onmessage = (message) => receive(JSON.parse(message.data));
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      show("false");
      retry = Math.min(retry + 1, 6);
      setTimeout(() => { if (!socket && socketUrl === wanted) { socketUrl = ""; follow(); } }, 250 * 2 ** retry);
    };
  }

  function receive(frame) {
    const element = box();
    if (!element) return;
    const events = frame.type === "event" ? [frame.event] : frame.events || [];
    const only = element.dataset.liveEvent;
    const shown = only ? events.filter((event) => event.id === only) : events;
    if (frame.type === "event") shown.forEach((event) => fresh.add(event.id));
    // The first frame covers what changed between the page's render and the connection.
    if (shown.length || frame.type === "events") refresh();
  }

  function refresh() {
    if (fetching) { again = true; return; }
    const element = box();
    if (!element) return;
    fetching = true;
    htmx.ajax("GET", element.dataset.liveSrc, { target: element, swap: "outerHTML" }).finally(() => {
      fetching = false;
      if (again) { again = false; refresh(); }
    });
  }

  document.body.addEventListener("htmx:afterSettle", () => {
    for (const id of fresh) {
      const row = document.getElementById("event-" + id);
      if (row) {
        row.classList.add("fresh");
        setTimeout(() => row.classList.remove("fresh"), 2000);
      }
    }
    fresh.clear();
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    follow();
  });
  follow();
})();
