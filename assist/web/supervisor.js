"use strict";
(function () {
  const calls = new Map();
  const RANK = { angry: 2, tense: 1, calm: 0 };
  const body = document.getElementById("calls");

  function call(id) {
    if (!calls.has(id)) calls.set(id, { id, language: "", level: "calm", score: 0, trend: "steady", reason: "", live: true, flagged: false });
    return calls.get(id);
  }

  function risk(c) { return (c.live ? 10 : 0) + (c.flagged ? 4 : 0) + RANK[c.level] + c.score; }

  function render() {
    const rows = [...calls.values()].sort((a, b) => risk(b) - risk(a) || a.id.localeCompare(b.id));
    body.replaceChildren();
    for (const c of rows) {
      const tr = el("tr", "call" + (c.flagged ? " flagged" : "") + (c.trend === "rising" ? " rising" : ""));
      tr.dataset.call = c.id;
      tr.appendChild(el("td", "id", c.id));
      tr.appendChild(el("td", "", c.language));
      tr.appendChild(el("td", "level " + c.level, c.level));
      tr.appendChild(el("td", "score", c.score.toFixed(2)));
      tr.appendChild(el("td", "trend", c.trend));
      tr.appendChild(el("td", "", c.reason));
      tr.appendChild(el("td", "state", c.live ? (c.stage || "live") : "ended"));
      tr.onclick = () => window.open("/agent?call=" + encodeURIComponent(c.id) + location.hash, "_blank");
      body.appendChild(tr);
    }
  }

  function onEvent(e) {
    if (!e.call_id) return;
    const c = call(e.call_id);
    switch (e.type) {
      case "CallStarted": c.language = e.language; c.live = true; break;
      case "CallEnded": c.live = false; break;
      case "CallFlagged": c.flagged = true; break;
      case "IvrAction": {
        // Where an IVR call is: in the menu, waiting in a queue, or with an agent.
        const d = e.detail || {};
        if (e.action === "transfer") {
          c.stage = `queue ${d.queue}` + (d.fast_tracked === "yes" ? " (fast-tracked)" : "");
        } else if (e.action === "handoff") c.stage = `agent ${d.seat}`;
        else if (e.action === "listen" || e.action === "play") {
          if (!c.stage || c.stage.startsWith("IVR")) c.stage = `IVR: ${e.node}`;
        } else return;
        break;
      }
      case "AngerUpdate":
        c.level = e.level; c.score = e.score; c.trend = e.trend;
        if (e.reasons.length) c.reason = [...e.reasons].sort((a, b) => b.weight - a.weight)[0].text;
        break;
      default: return;
    }
    render();
  }

  connectEvents("/ws/supervisor", {}, onEvent, (s) => { document.getElementById("status").textContent = s; });
})();
