"use strict";
// The supervisor's dashboard: every call, riskiest first. Each row is a link
// to the call's agent screen (mouse or keyboard). The words come from
// screen_<lang>.toml in the reader's language (?lang=ru, else the browser's).
(function () {
  const calls = new Map();
  const RANK = { angry: 2, tense: 1, calm: 0 };
  const body = document.getElementById("calls");
  const lang = new URLSearchParams(location.search).get("lang") || navigator.language || "en";
  let t = null;
  let renderQueued = false;

  function call(id) {
    if (!calls.has(id)) {
      calls.set(id, {
        id, language: "", agent: "", seat: "", level: "calm", score: 0, trend: "steady",
        reason: "", live: true, flaggedAt: null, stage: null, atS: 0, seenMs: performance.now(),
      });
    }
    return calls.get(id);
  }

  function risk(c) { return (c.live ? 10 : 0) + (c.flaggedAt !== null ? 4 : 0) + RANK[c.level] + c.score; }

  // Audio time of the call now: the latest event's time, run on by the clock while live.
  function duration(c) {
    return c.live ? c.atS + (performance.now() - c.seenMs) / 1000 : c.atS;
  }

  function stateText(c) {
    const s = t.supervisor;
    if (!c.live) return s.ended;
    if (!c.stage) return s.live;
    if (c.stage.kind === "queue") {
      return fill(s.queue, { queue: c.stage.queue }) + (c.stage.fast ? ` (${s.fast_tracked})` : "");
    }
    if (c.stage.kind === "agent") return fill(s.with_agent, { seat: c.stage.seat });
    return fill(s.in_ivr, { node: c.stage.node });
  }

  function flaggedText(c) {
    if (c.flaggedAt === null) return "";
    const s = t.supervisor;
    return c.live ? fill(s.ago, { time: clock(duration(c) - c.flaggedAt) })
      : fill(s.flagged_at, { time: clock(c.flaggedAt) });
  }

  function row(c) {
    const tr = el("tr", "call " + c.level + (c.flaggedAt !== null ? " flagged" : "") +
      (c.trend === "rising" ? " rising" : "") + (c.live ? "" : " ended"));
    tr.dataset.call = c.id;
    const link = el("a", "open", c.id);
    link.href = "/agent?call=" + encodeURIComponent(c.id) + location.hash;
    link.target = "_blank";
    link.rel = "noopener";
    link.title = fill(t.supervisor.open, { call: c.id });
    const first = el("td", "id");
    first.appendChild(link);
    tr.appendChild(first);
    tr.appendChild(el("td", "lang", c.language));
    tr.appendChild(el("td", "agent", [c.agent, c.seat && c.seat !== c.agent ? c.seat : ""].filter(Boolean).join(" / ")));
    tr.appendChild(el("td", "duration", clock(duration(c))));
    const level = el("td", "level " + c.level, t.levels[c.level] || c.level);
    if (c.level !== "calm") level.appendChild(el("span", "score", " " + c.score.toFixed(2)));
    tr.appendChild(level);
    tr.appendChild(el("td", "trend", c.level === "calm" ? "" : (t.trends[c.trend] || c.trend)));
    tr.appendChild(el("td", "flag", flaggedText(c)));
    tr.appendChild(el("td", "reason", c.level === "calm" ? "" : c.reason));
    tr.appendChild(el("td", "state", stateText(c)));
    // The whole row opens the call, as its link does.
    tr.addEventListener("click", (ev) => { if (ev.target !== link) link.click(); });
    return tr;
  }

  function render() {
    renderQueued = false;
    const focused = document.activeElement && document.activeElement.closest("tr.call");
    const keep = focused ? focused.dataset.call : null;
    const rows = [...calls.values()].sort((a, b) => risk(b) - risk(a) || a.id.localeCompare(b.id));
    if (!rows.length) return;
    body.replaceChildren(...rows.map(row));
    if (keep) {
      const again = body.querySelector(`tr.call[data-call="${CSS.escape(keep)}"] a.open`);
      if (again) again.focus();
    }
  }

  function queueRender() {
    if (!renderQueued) { renderQueued = true; requestAnimationFrame(render); }
  }

  function onEvent(e) {
    if (!e.call_id) {
      // A node of a site says whether it reaches the broker (other nodes' calls).
      if (e.type === "Error" && (e.code === "broker-lost" || e.code === "broker-back")) {
        document.getElementById("status").textContent =
          e.code === "broker-lost" ? t.status.broker_lost : t.status.live;
      }
      return;
    }
    const c = call(e.call_id);
    if (typeof e.at_s === "number" && e.type !== "CallStarted" && e.at_s >= c.atS) {
      c.atS = e.at_s;
      c.seenMs = performance.now();
    }
    switch (e.type) {
      case "CallStarted": c.language = e.language; c.agent = e.agent_id || ""; c.live = true; break;
      case "CallEnded": c.live = false; c.atS = e.at_s; break;
      case "CallFlagged": if (c.flaggedAt === null) c.flaggedAt = e.at_s; break;
      case "IvrAction": {
        // Where an IVR call is: in the menu, waiting in a queue, or with an agent.
        const d = e.detail || {};
        if (e.action === "transfer") c.stage = { kind: "queue", queue: d.queue, fast: d.fast_tracked === "yes" };
        else if (e.action === "handoff") { c.stage = { kind: "agent", seat: d.seat }; c.seat = d.seat || c.seat; }
        else if (e.action === "listen" || e.action === "play") {
          if (!c.stage || c.stage.kind === "ivr") c.stage = { kind: "ivr", node: e.node };
        } else return;
        break;
      }
      case "AngerUpdate": {
        c.level = e.level; c.score = e.score; c.trend = e.trend;
        // The strongest reason now, by weight; a calm call shows none.
        const top = e.reasons.reduce((best, r) => (best === null || r.weight > best.weight ? r : best), null);
        c.reason = e.level === "calm" || top === null ? "" : top.text;
        break;
      }
      default: break;
    }
    queueRender();
  }

  function applyLabels() {
    const s = t.supervisor;
    document.documentElement.lang = t.language || "en";
    document.title = s.title;
    document.getElementById("title").textContent = s.title;
    for (const key of ["call", "language", "agent", "duration", "level", "trend", "flagged", "reason", "state"]) {
      document.getElementById("h-" + key).textContent = s[key];
    }
    document.getElementById("no-calls").textContent = s.empty;
    document.getElementById("status").textContent = t.status.connecting;
  }

  loadScreenText(lang).then((text) => {
    t = text;
    applyLabels();
    setInterval(() => { if ([...calls.values()].some((c) => c.live)) queueRender(); }, 1000);
    connectEvents("/ws/supervisor", {}, onEvent, (s) => {
      document.getElementById("status").textContent = t.status[s] || s;
    });
  });
})();
