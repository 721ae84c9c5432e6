// Live updates for the workspace and the visitor's thread page: the page's
// #live region names an event stream; whenever the server says something
// changed, the page is fetched again and only #live is replaced, so a
// reply being typed (outside #live) is never lost. Without script the
// pages work as they are, by reloading.
"use strict";
(function () {
  const live = document.getElementById("live");
  if (!live || !live.dataset.events || !window.EventSource) return;
  let refreshing = false;
  let again = false;
  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      do {
        again = false;
        const answer = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
        if (!answer.ok) break;
        const page = new DOMParser().parseFromString(await answer.text(), "text/html");
        const fresh = page.getElementById("live");
        if (fresh) {
          live.innerHTML = fresh.innerHTML;
          document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
        }
      } while (again);
    } catch (error) {
      // The next change (or reconnection) tries again.
    } finally {
      refreshing = false;
    }
  }
  const events = new EventSource(live.dataset.events);
  let connectedBefore = false;
  events.addEventListener("ready", () => {
    document.body.dataset.live = "connected";
    // After a reconnection, catch up with what happened meanwhile.
    if (connectedBefore) refresh();
    connectedBefore = true;
  });
  events.addEventListener("changed", refresh);
  events.addEventListener("error", () => { document.body.dataset.live = "reconnecting"; });
})();
