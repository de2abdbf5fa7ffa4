"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const seat = params.get("seat") || "";
  let callId = params.get("call") || "";
  const $ = (id) => document.getElementById(id);
  const MAX_CARDS = 2;
  let t = null; // the screen words of the call's language (screen_<lang>.toml)
  let a = null; // t.agent
  let partialLine = {};
  let statusKey = "connecting";
  $("call").textContent = callId;

  // The call's language chooses the words; events wait while they load.
  async function setLanguage(lang) {
    t = await loadScreenText(lang);
    a = t.agent;
    document.title = a.title;
    $("title").textContent = a.title;
    $("h-transcript").textContent = a.transcript;
    $("h-anger").textContent = a.anger;
    $("h-suggestions").textContent = a.suggestions;
    $("no-suggestions").textContent = a.none;
    $("h-ivr").textContent = a.ivr;
    $("h-ivr-path").textContent = a.ivr_path;
    $("h-ivr-heard").textContent = a.ivr_heard;
    $("h-ivr-queue").textContent = a.ivr_queue;
    $("status").textContent = statusKey === "ended" ? a.ended : t.status[statusKey] || statusKey;
    document.documentElement.lang = t.language || lang;
  }

  // What the IVR learnt before the call reached this agent (a transfer or handoff).
  function showIvr(e) {
    const d = e.detail || {};
    $("ivr").hidden = false;
    $("ivr-path").textContent = d.path_titles || d.path || "";
    $("ivr-heard").textContent = d.heard || "—";
    $("ivr-queue").textContent = [d.queue, d.priority && `(${d.priority})`].filter(Boolean).join(" ");
    const fast = d.fast_tracked === "yes";
    $("ivr-fast").hidden = !fast;
    $("ivr-fast").textContent = fast ? `${a.ivr_fast}: ${d.reason || ""}` : "";
  }

  function addLine(role, text, partial) {
    const box = $("transcript");
    let line = partialLine[role];
    if (!line) {
      line = el("div", "line " + role);
      line.appendChild(el("span", "who", role === "agent" ? a.agent : a.customer));
      line.appendChild(el("span", "text"));
      box.appendChild(line);
    }
    line.lastChild.textContent = text;
    line.classList.toggle("partial", partial);
    partialLine[role] = partial ? line : null;
    box.scrollTop = box.scrollHeight;
  }

  function showAnger(u) {
    $("meter-bar").style.width = Math.round(u.score * 100) + "%";
    $("meter-bar").style.background = `var(--${u.level})`;
    $("level").textContent = t.levels[u.level] || u.level;
    $("level").className = "level " + u.level;
    $("trend").textContent = t.trends[u.trend] || u.trend;
    $("score").textContent = u.score.toFixed(2);
    const list = $("reasons");
    list.replaceChildren();
    [...u.reasons].sort((a, b) => b.weight - a.weight).slice(0, 4)
      .forEach((r) => list.appendChild(el("li", "", r.text)));
  }

  function feedback(s, verdict, card) {
    events.send({ type: "feedback", call_id: callId, suggestion_id: s.suggestion_id, verdict });
    card.remove();
    $("no-suggestions").hidden = $("suggestions").querySelectorAll(".suggestion").length > 0;
  }

  function showSuggestion(s) {
    const box = $("suggestions");
    const card = el("div", "suggestion " + s.kind);
    card.dataset.id = s.suggestion_id;
    card.appendChild(el("div", "text", s.text));
    // What it answers, then the principle it serves.
    const what = t.triggers[s.trigger] || "";
    const why = t.principles[s.principle] || s.principle;
    card.appendChild(el("div", "why", what ? `${what} · ${why}` : why));
    const used = el("button", "used", a.used);
    const dismiss = el("button", "dismiss", a.dismiss);
    used.onclick = () => feedback(s, "used", card);
    dismiss.onclick = () => feedback(s, "dismissed", card);
    card.append(used, " ", dismiss);
    box.insertBefore(card, box.firstChild);
    const cards = box.querySelectorAll(".suggestion");
    for (let i = MAX_CARDS; i < cards.length; i++) cards[i].remove();
    $("no-suggestions").hidden = true;
  }

  function resetForCall(id) {
    callId = id;
    $("call").textContent = id;
    $("transcript").replaceChildren();
    $("reasons").replaceChildren();
    document.querySelectorAll(".suggestion").forEach((c) => c.remove());
    $("no-suggestions").hidden = false;
    $("ivr").hidden = true;
    partialLine = {};
    statusKey = "live";
  }

  let queue = Promise.resolve();
  function onEvent(e) {
    queue = queue.then(() => handle(e)); // in order, after a language's words have loaded
  }

  async function handle(e) {
    switch (e.type) {
      case "CallStarted":
        if (seat && e.call_id !== callId) resetForCall(e.call_id);
        await setLanguage(e.language);
        break;
      case "TranscriptPartial": if (e.text) addLine(e.role, e.text, true); break;
      case "TranscriptFinal": if (e.text) addLine(e.role, e.text, false); break;
      case "AngerUpdate": showAnger(e); break;
      case "Suggestion": showSuggestion(e); break;
      case "SuggestionFeedback": {
        const card = document.querySelector(`.suggestion[data-id="${CSS.escape(e.suggestion_id)}"]`);
        if (card) card.remove();
        break;
      }
      case "IvrAction":
        if (e.action === "transfer" || e.action === "handoff") showIvr(e);
        break;
      case "CallEnded": statusKey = "ended"; $("status").textContent = a.ended; break;
    }
  }

  const query = seat ? { seat } : { call: callId };
  let events = null;
  setLanguage(params.get("lang") || navigator.language || "en").then(() => {
    events = connectEvents("/ws/agent", query, onEvent, (s) => {
      if (statusKey === "ended") return;
      statusKey = s;
      $("status").textContent = t.status[s] || s;
    });
  });
})();
