"""The supervisor's dashboard and the screens' words, in headless Chromium
against the real hub: who is on each call, for how long, since when it is
flagged, its strongest reason, rows that open the call by mouse or keyboard,
and every label in the reader's (dashboard) or the call's (agent) language."""

from __future__ import annotations

import re

from assist.screen_text import load_screen_text
from ivr import events as ev

from .conftest import screenshot

CUSTOMER = ev.ChannelRole.CUSTOMER
PITCH = ev.AngerReason("pitch", "pitch +34 % above this caller's baseline", 0.22, value=34.0)


def keyword(words: str, weight: float) -> ev.AngerReason:
    return ev.AngerReason("keyword:insult", f"keyword '{words}' (insult)", weight, words)


def publish_floor(hub) -> None:
    hub.publish(
        ev.CallStarted("c-angry", "ru", agent_id="a3"),
        ev.CallStarted("c-calm", "en", agent_id="a1"),
        ev.CallStarted("c-ivr", "en"),
        # tense a while ago, calm now (its last reason lingers, faint)
        ev.AngerUpdate("c-calm", 12.0, 0.3, ev.AngerLevel.TENSE, ev.Trend.RISING, (PITCH,)),
        ev.AngerUpdate("c-calm", 30.0, 0.05, ev.AngerLevel.CALM, ev.Trend.FALLING, (PITCH,)),
        ev.AngerUpdate(
            "c-angry",
            16.0,
            0.82,
            ev.AngerLevel.ANGRY,
            ev.Trend.STEADY,
            (PITCH, keyword("безобразие", 0.40)),  # the keyword is the stronger
        ),
        ev.CallFlagged("c-angry", 16.0, ev.AngerLevel.ANGRY, PITCH.text),
        ev.AngerUpdate(
            "c-angry",
            41.0,
            0.7,
            ev.AngerLevel.ANGRY,
            ev.Trend.FALLING,
            (PITCH, keyword("безобразие", 0.40)),
        ),
        ev.IvrAction("c-ivr", 8.0, "handoff", "billing", {"seat": "s12", "queue": "billing"}),
    )


def cells(page, call_id: str) -> dict[str, str]:
    row = page.locator(f"tr.call[data-call='{call_id}']")
    names = ["id", "lang", "agent", "duration", "level", "trend", "flag", "reason", "state"]
    return {n: (row.locator(f"td.{n}").text_content() or "").strip() for n in names}


def test_dashboard_shows_who_how_long_since_when_and_the_strongest_reason(running_hub, page):
    publish_floor(running_hub)
    page.goto(f"{running_hub.base_url}/supervisor?lang=en")
    page.wait_for_function("document.querySelectorAll('tr.call').length === 3")
    order = page.eval_on_selector_all("tr.call", "rows => rows.map(r => r.dataset.call)")
    assert order[0] == "c-angry"

    angry = cells(page, "c-angry")
    assert angry["agent"] == "a3" and angry["lang"] == "ru"
    assert re.fullmatch(r"0:4\d", angry["duration"]), angry  # at least the 41 s of audio heard
    assert re.fullmatch(r"0:2\d ago", angry["flag"]), angry  # flagged at 16 s
    assert angry["reason"] == "keyword 'безобразие' (insult)"  # 0.40 beats the pitch's 0.22
    assert angry["level"].startswith("angry") and angry["trend"] == "falling"

    calm = cells(page, "c-calm")
    assert calm["agent"] == "a1" and calm["level"] == "calm"
    assert calm["reason"] == calm["trend"] == calm["flag"] == ""  # nothing for a calm call

    assert cells(page, "c-ivr")["agent"] == "s12" and cells(page, "c-ivr")["state"] == "agent s12"
    header = page.inner_text("thead")
    for label in ("Agent / seat", "Duration", "Flagged", "Strongest reason"):
        assert label in header

    # time runs on for a live call
    before = cells(page, "c-angry")["duration"]
    page.wait_for_function(
        f"document.querySelector(\"tr.call[data-call='c-angry'] td.duration\").textContent"
        f" !== '{before}'",
        timeout=4000,
    )
    screenshot(page, "supervisor-dashboard-en")
    assert page.script_errors == []


def test_rows_look_and_act_like_links_by_mouse_and_keyboard(running_hub, page):
    publish_floor(running_hub)
    page.goto(f"{running_hub.base_url}/supervisor#token=t0k3n")
    page.wait_for_function("document.querySelectorAll('tr.call').length === 3")
    link = page.locator("tr.call[data-call='c-calm'] a.open")
    assert link.get_attribute("href") == "/agent?call=c-calm#token=t0k3n"
    style = page.eval_on_selector(
        "tr.call a.open",
        "a => [getComputedStyle(a).textDecorationLine, getComputedStyle(a.closest('tr')).cursor]",
    )
    assert style == ["underline", "pointer"]

    # keyboard: Tab reaches the first row's link, Enter opens that call's screen
    context = page.context
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('tr').dataset.call")
    assert focused == "c-angry"
    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    agent = opened.value
    agent.wait_for_load_state()
    assert agent.url.endswith("/agent?call=c-angry#token=t0k3n")
    agent.close()

    # the focus survives the table being redrawn as events arrive
    running_hub.publish(ev.AngerUpdate("c-calm", 31.0, 0.06, ev.AngerLevel.CALM, ev.Trend.STEADY))
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.closest('tr').dataset.call") == "c-angry"

    # a click anywhere on a row opens it too
    with context.expect_page() as opened:
        page.locator("tr.call[data-call='c-ivr'] td.duration").click()
    assert opened.value.url.endswith("/agent?call=c-ivr#token=t0k3n")
    opened.value.close()
    assert page.script_errors == []


def test_dashboard_in_russian(running_hub, page):
    publish_floor(running_hub)
    page.goto(f"{running_hub.base_url}/supervisor?lang=ru")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    page.wait_for_function("document.querySelectorAll('tr.call').length === 3")
    ru = load_screen_text("ru")
    header = page.inner_text("thead")
    for key in ("call", "agent", "duration", "flagged", "reason", "state"):
        assert ru["supervisor"][key] in header
    angry = cells(page, "c-angry")
    assert angry["level"].startswith("сердит") and angry["trend"] == "спадает"
    assert angry["flag"].endswith("назад")
    assert cells(page, "c-ivr")["state"] == "оператор s12"
    assert page.title() == ru["supervisor"]["title"]
    assert not re.search(r"[A-Za-z]{4,}", header)  # no English left in the labels
    screenshot(page, "supervisor-dashboard-ru")
    assert page.script_errors == []


def text(page, selector: str) -> str:
    """What the page says (as written, before CSS changes its case)."""
    return (page.text_content(selector) or "").strip()


def test_agent_screen_words_follow_the_calls_language(running_hub, page):
    call = "c-ru"
    running_hub.publish(ev.CallStarted(call, "ru", agent_id="a1"))
    page.goto(f"{running_hub.base_url}/agent?call={call}")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    running_hub.publish(
        ev.TranscriptFinal(call, CUSTOMER, "это безобразие я звоню третий раз", at_s=9.0),
        ev.AngerUpdate(
            call, 9.5, 0.8, ev.AngerLevel.ANGRY, ev.Trend.RISING, (keyword("безобразие", 0.4),)
        ),
        ev.Suggestion(
            call,
            "ru-repeat-sorry#1",
            "Жаль, что вам пришлось звонить ещё раз. Давайте решим всё в этом разговоре.",
            "empathy",
            "repeat_contact",
            "ru",
        ),
    )
    page.wait_for_function("document.querySelectorAll('.suggestion').length === 1")
    ru = load_screen_text("ru")
    assert text(page, "#h-suggestions") == ru["agent"]["suggestions"]
    assert text(page, "#h-transcript") == ru["agent"]["transcript"]
    assert text(page, "#level") == ru["levels"]["angry"]
    assert text(page, "#trend") == ru["trends"]["rising"]
    why = f"{ru['triggers']['repeat_contact']} · {ru['principles']['empathy']}"
    assert text(page, ".suggestion .why") == why  # what it answers, and the principle
    assert text(page, ".suggestion button.used") == ru["agent"]["used"]
    assert text(page, "#transcript .who") == ru["agent"]["customer"]
    assert page.title() == ru["agent"]["title"]
    screenshot(page, "agent-screen-ru")
    assert page.script_errors == []


def test_the_front_page_speaks_the_readers_language(running_hub, page):
    page.goto(f"{running_hub.base_url}/?lang=ru")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    assert text(page, "#dashboard") == load_screen_text("ru")["index"]["dashboard"]
    assert page.get_attribute("#dashboard", "href") == "/supervisor"
    assert page.script_errors == []
