"""The agent screen and the supervisor dashboard in headless Chromium,
fed by the real hub over a real websocket."""

from __future__ import annotations

from ivr import events as ev

from .conftest import screenshot

CUSTOMER = ev.ChannelRole.CUSTOMER


def anger(call_id, at_s, score, level, trend=ev.Trend.RISING, reason="pitch +40 %"):
    return ev.AngerUpdate(
        call_id, at_s, score, level, trend, (ev.AngerReason("pitch", reason, score),)
    )


def test_dashboard_orders_live_calls_by_risk_and_highlights_flags(running_hub, page):
    running_hub.publish(
        ev.CallStarted("calm-call", "en", agent_id="a1"),
        ev.CallStarted("tense-call", "ru", agent_id="a2"),
        ev.CallStarted("angry-call", "ru", agent_id="a3"),
        anger("tense-call", 3.0, 0.45, ev.AngerLevel.TENSE),
        anger("calm-call", 3.0, 0.05, ev.AngerLevel.CALM, ev.Trend.STEADY),
    )
    page.goto(f"{running_hub.base_url}/supervisor")
    page.wait_for_function("document.querySelectorAll('tr.call').length === 3")
    order = page.eval_on_selector_all("tr.call", "rows => rows.map(r => r.dataset.call)")
    assert order[0] == "tense-call" and order[-1] in {"calm-call", "angry-call"}

    # anger rises on another call: it moves to the top, flagged
    running_hub.publish(
        anger("angry-call", 5.0, 0.85, ev.AngerLevel.ANGRY, reason="keyword 'безобразие' (insult)"),
        ev.CallFlagged("angry-call", 5.0, ev.AngerLevel.ANGRY, "keyword 'безобразие' (insult)"),
    )
    page.wait_for_function("document.querySelector('tr.call').dataset.call === 'angry-call'")
    top = page.locator("tr.call").first
    assert "flagged" in (top.get_attribute("class") or "")
    assert "безобразие" in top.inner_text()
    order = page.eval_on_selector_all("tr.call", "rows => rows.map(r => r.dataset.call)")
    assert order == ["angry-call", "tense-call", "calm-call"]
    screenshot(page, "supervisor-dashboard")
    assert page.script_errors == []


def test_agent_screen_shows_transcript_meter_reasons_and_suggestion_cards(running_hub, page):
    call = "c-agent"
    running_hub.publish(ev.CallStarted(call, "ru", agent_id="a1"))
    page.goto(f"{running_hub.base_url}/agent?call={call}")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    hostile = "<img src=x onerror=\"document.title='pwned'\">"
    running_hub.publish(
        ev.TranscriptPartial(call, CUSTOMER, "это без"),
        ev.TranscriptFinal(call, CUSTOMER, "это безобразие " + hostile),
        ev.TranscriptFinal(call, ev.ChannelRole.AGENT, "понимаю вас"),
        anger(call, 4.0, 0.3, ev.AngerLevel.CALM),
    )
    page.wait_for_function("document.querySelectorAll('#transcript .line').length === 2")
    width_before = page.eval_on_selector("#meter-bar", "e => parseFloat(e.style.width)")
    running_hub.publish(
        anger(call, 6.0, 0.8, ev.AngerLevel.ANGRY, reason="keyword 'безобразие' (insult)"),
        ev.Suggestion(call, "s1#1", "Я слышу, как вы расстроены.", "not_personal", "insult", "ru"),
        ev.Suggestion(
            call, "s2#2", "Говорите тише.", "patience", "shouting", "ru", ev.SuggestionKind.CUE
        ),
        ev.Suggestion(call, "s3#3", "Давайте я проверю линию.", "can_solve", "outage", "ru"),
    )
    page.wait_for_function("document.getElementById('level').textContent === 'сердит'")
    width_after = page.eval_on_selector("#meter-bar", "e => parseFloat(e.style.width)")
    assert width_after > width_before
    assert "безобразие" in page.inner_text("#reasons")
    transcript = page.inner_text("#transcript")
    assert "это безобразие <img" in transcript and "понимаю вас" in transcript
    assert page.locator("#transcript img").count() == 0 and page.title() != "pwned"
    cards = page.locator(".suggestion")
    assert cards.count() == 2  # never more than two on screen: the newest two
    assert "Давайте я проверю линию." in cards.first.inner_text()
    screenshot(page, "agent-screen")

    cards.first.locator("button.used").click()
    feedback = _wait_for_feedback(running_hub, call)
    assert (feedback.suggestion_id, feedback.verdict) == ("s3#3", ev.Verdict.USED)
    assert page.locator(".suggestion").count() == 1
    assert page.script_errors == []


def _wait_for_feedback(running_hub, call_id: str) -> ev.SuggestionFeedback:
    import time

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        history = running_hub.call(lambda: running_hub.bus.history(call_id))
        found = [e for e in history if isinstance(e, ev.SuggestionFeedback)]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("the agent's click never reached the hub")


def test_agent_seat_page_authenticates_from_the_fragment_and_follows_the_next_call(browser):
    from assist.hub.access import Access, Principal, Role

    from .conftest import start_hub

    access = Access({"agent-one-token-0001": Principal(Role.AGENT, "a1")})
    for hub in start_hub(access=access):
        hub.publish(
            ev.CallStarted("first", "en", agent_id="a1"),
            ev.CallStarted("other", "en", agent_id="a2"),
        )
        page = browser.new_page()
        try:
            page.goto(f"{hub.base_url}/agent?seat=a1#token=agent-one-token-0001")
            page.wait_for_function("document.getElementById('call').textContent === 'first'")
            hub.publish(ev.TranscriptFinal("first", CUSTOMER, "hello there"))
            page.wait_for_function(
                "document.getElementById('transcript').textContent.includes('hello')"
            )
            hub.publish(
                ev.CallEnded("first", 5.0),
                ev.CallStarted("second", "ru", agent_id="a1"),
                ev.TranscriptFinal("other", CUSTOMER, "not for this seat"),
                ev.TranscriptFinal("second", CUSTOMER, "добрый день"),
            )
            page.wait_for_function(
                "document.getElementById('transcript').textContent.includes('добрый')"
            )
            assert page.inner_text("#call") == "second"
            assert "hello" not in page.inner_text("#transcript")
            assert "not for this seat" not in page.inner_text("#transcript")

            intruder = browser.new_page()
            intruder.goto(f"{hub.base_url}/agent?seat=a1#token=not-the-right-token")
            intruder.wait_for_function(
                "document.getElementById('status').textContent.startsWith('reconnecting')"
            )
            assert intruder.inner_text("#transcript") == ""
            intruder.close()
        finally:
            page.close()


def test_an_angry_call_streamed_through_ingest_reaches_the_agent_screen(page, tmp_path):
    """Audio in over the vosk protocol, real vosk (a keyword-free model the
    test writes), the anger core and advisor, the hub, the page."""
    import json

    from websockets.sync.client import connect

    from assist.anger import lexicon_vocabulary
    from assist.calls.runner import CallRunner
    from audio_fixtures import ensure_fixtures, fixture_vocabulary
    from ivr.asr.vosk_engine import VoskEngine
    from ivr.modelbuild import write_random_model
    from ivr.sources import read_audio

    from .conftest import start_hub

    words = sorted(set(fixture_vocabulary("ru")) - set(lexicon_vocabulary("ru")))
    engine = VoskEngine(write_random_model(tmp_path / "model", words, seed=3), "ru")
    samples, rate_hz = read_audio(ensure_fixtures() / "ru_angry.8k.stereo.wav")
    for hub in start_hub(
        registry_factory=lambda bus: CallRunner(lambda lang: engine, bus.publish)
    ):
        page.goto(f"{hub.base_url}/agent?seat=a7")
        page.wait_for_function("document.getElementById('status').textContent === 'live'")
        ingest = f"ws://127.0.0.1:{hub.hub.port}/ws/ingest?call=angry-1&lang=ru&seat=a7"
        with (
            connect(f"{ingest}&role=customer") as customer,
            connect(f"{ingest}&role=agent") as agent,
        ):
            for ws in (customer, agent):
                ws.send(json.dumps({"config": {"sample_rate": rate_hz}}))
            piece = int(0.2 * rate_hz)
            for start in range(0, len(samples), piece):
                for ws, channel in ((customer, 0), (agent, 1)):
                    ws.send(samples[start : start + piece, channel].astype("<i2").tobytes())
                    ws.recv()
            for ws in (customer, agent):
                ws.send('{"eof": 1}')
                ws.recv()
        page.wait_for_function(
            "document.getElementById('status').textContent === 'звонок завершён'"
        )
        assert page.inner_text("#call") == "angry-1"
        # random weights rarely find an endpoint: a channel may be one long line
        assert page.locator("#transcript .line.customer .text").first.inner_text().strip()
        assert page.locator("#transcript .line.agent .text").first.inner_text().strip()
        assert page.inner_text("#level") in {"Напряжён", "Сердит", "напряжён", "сердит"}
        assert page.eval_on_selector("#meter-bar", "e => parseFloat(e.style.width)") > 30
        assert page.locator("#reasons li").count() >= 1
        assert page.locator(".suggestion").count() >= 1
        screenshot(page, "agent-screen-angry-call-via-ingest")
        assert page.script_errors == []
