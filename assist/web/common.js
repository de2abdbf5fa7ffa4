// Shared by the agent and supervisor pages: a websocket that resumes after
// the last sequence number it saw, so a reconnect loses no event.
"use strict";

function connectEvents(path, params, onEvent, onStatus) {
  const lastSeq = {};
  let retryMs = 500;
  let socket = null;
  function open() {
    const query = new URLSearchParams(params);
    const calls = Object.keys(lastSeq);
    if (calls.length === 1) {
      query.set("after", String(lastSeq[calls[0]]));
      if (!query.get("call")) query.set("call", calls[0]);
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}${path}?${query}`);
    socket.onopen = () => {
      retryMs = 500;
      // The token lives in the page's #fragment, which browsers never send to
      // the server, and reaches the hub only inside the socket.
      const token = new URLSearchParams(location.hash.slice(1)).get("token");
      if (token) socket.send(JSON.stringify({ type: "auth", token }));
      onStatus("live");
    };
    socket.onmessage = (msg) => {
      const event = JSON.parse(msg.data);
      if (event.call_id && event.seq) {
        if (event.seq <= (lastSeq[event.call_id] || 0)) return;
        lastSeq[event.call_id] = event.seq;
      }
      onEvent(event);
    };
    socket.onclose = () => {
      onStatus("reconnecting");
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }
  open();
  return { send: (obj) => socket && socket.readyState === 1 && socket.send(JSON.stringify(obj)) };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The words on the screens, per language, from /static/screen_<lang>.toml
// (checked by the server: [table] headers and key = "text" lines only).
function readScreenText(text) {
  const out = {};
  let table = out;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = line.match(/^\[([A-Za-z0-9_]+)\]$/);
    if (header) { table = out[header[1]] = out[header[1]] || {}; continue; }
    const entry = line.match(/^([A-Za-z0-9_]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/);
    if (entry) table[entry[1]] = JSON.parse(entry[2]);
  }
  return out;
}

const SCREEN_LANGUAGES = ["en", "ru"];
const screenTexts = {};

// The screen words for a language (English for one without a file).
function loadScreenText(lang) {
  const base = String(lang || "").toLowerCase().split(/[-_]/)[0];
  const chosen = SCREEN_LANGUAGES.includes(base) ? base : "en";
  if (!screenTexts[chosen]) {
    screenTexts[chosen] = fetch(`/static/screen_${chosen}.toml`, { cache: "no-cache" })
      .then((r) => r.text()).then(readScreenText);
  }
  return screenTexts[chosen];
}

// "{call}" in a text filled from values.
function fill(text, values) {
  return String(text).replace(/\{([a-z_]+)\}/g, (m, k) => (k in values ? values[k] : m));
}

// 75 -> "1:15", 3725 -> "1:02:05"
function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
}
