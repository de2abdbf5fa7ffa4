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
        rising: "rising", steady: "steady", falling: "falling", ended: "call ended",
        ivr: "Before you: the IVR", ivrPath: "Menu path", ivrHeard: "Caller said",
        ivrFast: "Fast-tracked", ivrQueue: "Queue",
        principles: { patience: "patience", empathy: "put yourself in their place", flexibility: "flexibility",
          explain_steps: "explain step by step", polite_no: "say no politely", not_personal: "don't take it personally",
          praise: "praise what they did right", no_ego: "no ego", can_solve: "show you can solve it", respect: "respect" } },
  ru: { transcript: "Разговор", anger: "Настроение клиента", suggestions: "Подсказки", used: "Использовал", dismiss: "Скрыть",
        customer: "Клиент", agent: "Вы", none: "Подсказок пока нет.", calm: "спокоен", tense: "напряжён", angry: "сердит",
        rising: "растёт", steady: "ровно", falling: "спадает", ended: "звонок завершён",
        ivr: "До вас: голосовое меню", ivrPath: "Путь по меню", ivrHeard: "Клиент сказал",
        ivrFast: "Без очереди", ivrQueue: "Очередь",
        principles: { patience: "терпение", empathy: "встаньте на место клиента", flexibility: "гибкость",
          explain_steps: "объясняйте по шагам", polite_no: "вежливое «нет»", not_personal: "не принимайте на свой счёт",
          praise: "похвалите верные действия", no_ego: "без самолюбия", can_solve: "покажите, что решите", respect: "уважение" } },
};
