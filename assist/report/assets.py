"""The reports' inline CSS and JavaScript (no network, no libraries)."""

from __future__ import annotations

CSS = """
:root {
  --ink: #1d2330; --muted: #5d6778; --line: #d9dee7; --paper: #ffffff; --bg: #f4f6f9;
  --calm: #2e9d5b; --tense: #e0a100; --angry: #d2372c;
  --calm-bg: #e9f6ee; --tense-bg: #fdf4dc; --angry-bg: #fbe6e4;
  --customer: #c4501b; --agent: #2866a8; --overlap: #8e6bbf;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); }
main { max-width: 1080px; margin: 0 auto; padding: 20px 24px 60px; }
a { color: var(--agent); }
h1 { font-size: 22px; margin: 6px 0 2px; }
h2 { font-size: 15px; margin: 22px 0 6px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); }
.meta { color: var(--muted); margin: 0; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 16px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px;
  margin-top: 14px; }
.kpi .value { font-size: 24px; font-weight: 650; }
.kpi .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; }
.kpi .note { color: var(--muted); font-size: 12px; }
.chip { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #fff; vertical-align: middle; }
.chip.calm { background: var(--calm); } .chip.tense { background: var(--tense); }
.chip.angry { background: var(--angry); }
.charts .chart { display: block; width: 100%; height: auto; cursor: crosshair; }
.legend { font-size: 12px; color: var(--muted); margin-left: 8px; font-weight: normal;
  text-transform: none; letter-spacing: 0; }
.legend i { display: inline-block; width: 14px; height: 3px; vertical-align: middle;
  margin: 0 4px 0 10px; }
.readout { position: sticky; top: 0; z-index: 2; background: var(--paper);
  border-bottom: 1px solid var(--line); padding: 6px 0; font-variant-numeric: tabular-nums;
  min-height: 32px; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .frame { fill: none; stroke: var(--line); }
svg .grid { stroke: #eef1f5; }
svg .axis-label { font-size: 11px; fill: var(--muted); }
svg .band-label { font-size: 10px; fill: #8a93a3; }
svg .band-calm { fill: var(--calm-bg); } svg .band-tense { fill: var(--tense-bg); }
svg .band-angry { fill: var(--angry-bg); }
svg .lvl-calm { fill: var(--calm); } svg .lvl-tense { fill: var(--tense); }
svg .lvl-angry { fill: var(--angry); }
svg .score { fill: none; stroke: var(--ink); stroke-width: 2; }
svg .customer-line { fill: none; stroke: var(--customer); stroke-width: 1.3; }
svg .agent-line { fill: none; stroke: var(--agent); stroke-width: 1.3; opacity: .8; }
svg .customer-dots { fill: var(--customer); } svg .agent-dots { fill: var(--agent); opacity: .8; }
svg .talk-customer { fill: var(--customer); opacity: .75; }
svg .talk-agent { fill: var(--agent); opacity: .75; }
svg .overlap { fill: var(--overlap); opacity: .25; }
svg .talk-over { fill: var(--overlap); opacity: .8; }
svg .cursor { stroke: var(--ink); stroke-width: 1; stroke-dasharray: 3 3; }
svg .suggestion line { stroke: var(--agent); stroke-dasharray: 2 3; }
svg .suggestion circle { fill: var(--agent); }
svg .suggestion.warning line { stroke: #7a4b00; } svg .suggestion.warning circle { fill: #7a4b00; }
svg .suggestion text, svg .flag text { fill: #fff; font-weight: 700; font-size: 10px; }
svg .flag line { stroke: var(--angry); } svg .flag circle { fill: var(--angry); }
svg .flag.tense line { stroke: var(--tense); } svg .flag.tense circle { fill: var(--tense); }
svg .spark { fill: none; stroke: var(--ink); stroke-width: 1.3; }
table { border-collapse: collapse; width: 100%; background: var(--paper); }
.table-wrap { overflow-x: auto; }
td.reason { min-width: 140px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th button { all: unset; cursor: pointer; }
th button:focus-visible { outline: 2px solid var(--agent); }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
.fell { color: var(--calm); font-weight: 600; } .rose { color: var(--angry); font-weight: 600; }
.unknown { color: var(--muted); }
tr.target { outline: 2px solid var(--agent); }
.transcript { list-style: none; margin: 0; padding: 0; }
.transcript li { display: grid; grid-template-columns: 56px 84px 1fr; gap: 8px; padding: 5px 8px;
  border-bottom: 1px solid var(--line); cursor: pointer; background: var(--paper); }
.transcript li:hover { background: #f7f9fc; }
.transcript li.current { background: #eef4ff; }
.transcript .t { color: var(--muted); font-variant-numeric: tabular-nums; }
.transcript .who { font-weight: 600; }
.transcript li.customer .who { color: var(--customer); }
.transcript li.agent .who { color: var(--agent); }
.transcript .low { color: var(--muted); }
mark.trigger { background: var(--angry-bg); color: var(--angry); font-weight: 650;
  border-radius: 3px; padding: 0 2px; }
.warning-note { display: block; margin-top: 2px; color: #7a4b00; font-size: 12px; }
.failed li { margin: 4px 0; } .failed .why { color: var(--angry); }
.empty { color: var(--muted); font-style: italic; }
"""

CALL_JS = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("call-data").textContent);
  const charts = Array.from(document.querySelectorAll("svg.chart"));
  const readout = document.getElementById("readout");
  const lines = Array.from(document.querySelectorAll(".transcript li"));

  function clock(t) {
    const s = Math.max(0, Math.round(t));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function lastAtOrBefore(rows, t) {
    let lo = 0, hi = rows.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid][0] <= t + 1e-9) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found < 0 ? null : rows[found];
  }
  function timeAt(svg, clientX) {
    const box = svg.getBoundingClientRect();
    const scale = Number(svg.dataset.width) / box.width;
    const x = (clientX - box.left) * scale;
    const left = Number(svg.dataset.left), width = Number(svg.dataset.plotWidth);
    const share = Math.min(1, Math.max(0, (x - left) / width));
    return share * Number(svg.dataset.durationS);
  }
  function place(t) {
    for (const svg of charts) {
      const cursor = svg.querySelector(".cursor");
      if (!cursor) continue;
      const x = Number(svg.dataset.left) +
        Math.min(1, t / Number(svg.dataset.durationS)) * Number(svg.dataset.plotWidth);
      cursor.setAttribute("x1", x); cursor.setAttribute("x2", x);
      cursor.setAttribute("visibility", "visible");
    }
    const parts = [clock(t)];
    const anger = lastAtOrBefore(data.anger, t);
    parts.push(anger
      ? "anger " + anger[1].toFixed(2) + " (" + anger[2] + ")"
      : "anger: no update yet");
    for (const role of ["customer", "agent"]) {
      const frames = data.prosody[role];
      if (!frames || !frames.length) continue;
      const f = lastAtOrBefore(frames, t);
      if (!f) continue;
      const pitch = f[2] ? ", " + f[2].toFixed(0) + " Hz" : "";
      parts.push(role + " " + f[1].toFixed(0) + " dB" + pitch);
    }
    readout.textContent = parts.join("  \u00b7  ");
  }
  function select(t, scroll) {
    let best = null;
    for (const li of lines) {
      if (Number(li.dataset.t) <= t + 0.05) best = li;
    }
    for (const li of lines) li.classList.toggle("current", li === best);
    if (best && scroll) best.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  for (const svg of charts) {
    svg.addEventListener("mousemove", (e) => place(timeAt(svg, e.clientX)));
    svg.addEventListener("click", (e) => {
      const t = timeAt(svg, e.clientX);
      place(t);
      select(t, true);
    });
  }
  for (const li of lines) {
    li.addEventListener("click", () => {
      const t = Number(li.dataset.t);
      place(t);
      select(t, false);
    });
  }
  document.body.dataset.ready = "1";
})();
"""

SUMMARY_JS = r"""
(function () {
  "use strict";
  const table = document.getElementById("calls");
  if (!table) { document.body.dataset.ready = "1"; return; }
  const body = table.tBodies[0];
  const heads = Array.from(table.tHead.rows[0].cells);
  function key(row, index) {
    const raw = row.cells[index].dataset.sort;
    if (raw === undefined || raw === "") return null;
    const n = Number(raw);
    return Number.isNaN(n) ? raw.toLowerCase() : n;
  }
  function sortBy(index, direction) {
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const x = key(a, index), y = key(b, index);
      if (x === null && y === null) return 0;
      if (x === null) return 1;   // unknown values last, whichever the direction
      if (y === null) return -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      return direction === "ascending" ? c : -c;
    });
    for (const row of rows) body.appendChild(row);
    heads.forEach((th, i) => {
      if (i === index) th.setAttribute("aria-sort", direction);
      else th.removeAttribute("aria-sort");
    });
  }
  heads.forEach((th, index) => {
    const button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", () => {
      const now = th.getAttribute("aria-sort");
      const next = now === "descending" ? "ascending"
        : now === "ascending" ? "descending" : (th.dataset.first || "descending");
      sortBy(index, next);
    });
  });
  document.body.dataset.ready = "1";
})();
"""
