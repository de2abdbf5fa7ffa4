// Shared by the agent and supervisor pages: a websocket that resumes after
// the last sequence number it saw, so a reconnect loses no event.
"use strict";

function connectEvents(path, params, onEvent, onStatus) {
  const lastSeq = {};
  let retryMs = 500;
  let socket = null;
  function open() {
    const query = new URLSearchParams(params);
    const seqs = Object.values(lastSeq);
    if (seqs.length === 1) query.set("after", String(seqs[0]));
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}${path}?${query}`);
    socket.onopen = () => { retryMs = 500; onStatus("live"); };
    socket.onmessage = (msg) => {
      const event = JSON.parse(msg.data);
      if (event.call_id && event.seq) {
        if (event.seq <= (lastSeq[event.call_id] || 0)) return;
        lastSeq[event.call_id] = event.seq;
      }
      onEvent(event);
    };
    socket.onclose = () => {
      onStatus("reconnecting…");
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

const UI_TEXT = {
  en: { transcript: "Transcript", anger: "Customer mood", suggestions: "Suggestions", used: "Used", dismiss: "Dismiss",
        customer: "Customer", agent: "You", none: "No suggestions right now.", calm: "calm", tense: "tense", angry: "angry",
        rising: "rising", steady: "steady", falling: "falling", ended: "call ended" },
  ru: { transcript: "Разговор", anger: "Настроение клиента", suggestions: "Подсказки", used: "Использовал", dismiss: "Скрыть",
        customer: "Клиент", agent: "Вы", none: "Подсказок пока нет.", calm: "спокоен", tense: "напряжён", angry: "сердит",
        rising: "растёт", steady: "ровно", falling: "спадает", ended: "звонок завершён" },
};
