// The run page: htmx's ws extension swaps in each fragment the socket sends (workflows/consumers.py).
// This keeps the <details> a reader opened open across swaps, and shows whether the page is live.
(function () {
  "use strict";
  const root = document.getElementById("run");
  if (!root) return;
  const state = document.getElementById("live-state");
  let open = [];

  function live(connected) {
    root.dataset.connected = connected ? "true" : "false";
    if (state) {
      state.dataset.connected = root.dataset.connected;
      state.textContent = connected ? "live" : "reconnecting…";
    }
  }

  root.addEventListener("htmx:wsOpen", () => live(true));
  root.addEventListener("htmx:wsClose", () => live(false));
  root.addEventListener("htmx:wsBeforeMessage", () => {
    open = Array.from(root.querySelectorAll("details[data-keep]"))
      .filter((details) => details.open)
      .map((details) => details.dataset.keep);
  });
  root.addEventListener("htmx:wsAfterMessage", () => {
    for (const key of open) {
      const details = root.querySelector('details[data-keep="' + CSS.escape(key) + '"]');
      if (details) details.open = true;
    }
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
  });
})();
