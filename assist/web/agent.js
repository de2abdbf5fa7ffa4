"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const seat = params.get("seat") || "";
  let callId = params.get("call") || "";
  const $ = (id) => document.getElementById(id);
  const MAX_CARDS = 2;
  let t = UI_TEXT.en;
  let partialLine = {};
  $("call").textContent = callId;

  function setLanguage(lang) {
    t = UI_TEXT[lang] || UI_TEXT.en;
    document.documentElement.lang = lang;
    $("h-transcript").textContent = t.transcript;
    $("h-anger").textContent = t.anger;
    $("h-suggestions").textContent = t.suggestions;
    $("no-suggestions").textContent = t.none;
    $("h-ivr").textContent = t.ivr;
    $("h-ivr-path").textContent = t.ivrPath;
    $("h-ivr-heard").textContent = t.ivrHeard;
    $("h-ivr-queue").textContent = t.ivrQueue;
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
    $("ivr-fast").textContent = fast ? `${t.ivrFast}: ${d.reason || ""}` : "";
  }

  function addLine(role, text, partial) {
    const box = $("transcript");
    let line = partialLine[role];
    if (!line) {
      line = el("div", "line " + role);
      line.appendChild(el("span", "who", role === "agent" ? t.agent : t.customer));
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
    $("level").textContent = t[u.level] || u.level;
    $("level").className = "level " + u.level;
    $("trend").textContent = t[u.trend] || u.trend;
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
    card.appendChild(el("div", "why", (t.principles && t.principles[s.principle]) || s.principle));
    const used = el("button", "used", t.used);
    const dismiss = el("button", "dismiss", t.dismiss);
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
  }

  function onEvent(e) {
    switch (e.type) {
      case "CallStarted":
        if (seat && e.call_id !== callId) resetForCall(e.call_id);
        setLanguage(e.language);
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
      case "CallEnded": $("status").textContent = t.ended; break;
    }
  }

  const query = seat ? { seat } : { call: callId };
  const events = connectEvents("/ws/agent", query, onEvent, (s) => { $("status").textContent = s; });
})();
