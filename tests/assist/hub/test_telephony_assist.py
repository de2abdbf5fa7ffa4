"""Live assist straight from telephony, for real: ``serve``'s hub with its
AudioSocket listeners and Twilio / audio_fork routes, the project's protocol
clients acting as Asterisk, Twilio and FreeSWITCH, real vosk on the suite's
model, and a wss test with a self-signed certificate made by openssl."""

import asyncio
import dataclasses
import json
import ssl
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from assist.serve import ServeOptions, running_hub
from ivr import events as ev
from ivr import wire
from ivr.telephony.clients import AudioForkCaller, AudioSocketCaller, TwilioCaller, interleave


def options(random_model: Path, **more) -> ServeOptions:
    return ServeOptions(
        port=0,
        languages=("en",),
        model=random_model,
        use_store=False,
        log_events=False,
        telephony=True,
        audiosocket=("127.0.0.1:0:en:customer", "127.0.0.1:0:en:agent"),
        **more,
    )


async def follow(url: str, until_ended: int, ssl_context=None) -> list:
    """A supervisor's events until ``until_ended`` calls have ended."""
    events: list = []
    async with connect(f"{url}/ws/supervisor", ssl=ssl_context) as ws:
        while sum(isinstance(e, ev.CallEnded) for e in events) < until_ended:
            events.append(wire.decode(await asyncio.wait_for(ws.recv(), 10)))
    return events


def test_asterisk_legs_twilio_and_freeswitch_calls_get_live_assist(random_model, speech_8k):
    speech = speech_8k[: 8000 * 2 * 2]  # 2 s

    async def scenario():
        async with running_hub(options(random_model)) as running:
            url = f"ws://127.0.0.1:{running.hub.port}"
            customer_port, agent_port = running.telephony.audiosocket_ports
            watching = asyncio.create_task(follow(url, 3))
            await asyncio.sleep(0.2)
            call_uuid = str(uuid.uuid4())
            # Asterisk: two AudioSocket connections (one per leg) with one UUID.
            customer = await AudioSocketCaller("127.0.0.1", customer_port, call_uuid).connect()
            agent = await AudioSocketCaller("127.0.0.1", agent_port, call_uuid).connect()
            intruder = await AudioSocketCaller("127.0.0.1", customer_port, call_uuid).connect()
            intruder_refused = await intruder.wait_closed(5)
            # Twilio: a both-tracks stream naming its seat and language.
            twilio = await TwilioCaller(
                f"{url}/twilio",
                custom_parameters={"seat": "a7", "lang": "en"},
                tracks=("inbound", "outbound"),
            ).connect()
            # FreeSWITCH: a stereo fork (customer left, agent right).
            fork = await AudioForkCaller(
                f"{url}/audio_fork?mix=stereo&rate=8k",
                metadata={"callId": "fs-1", "seat": "a8", "lang": "en"},
                channels=2,
            ).connect()
            await asyncio.gather(
                customer.send_audio(speech, paced=False),
                agent.send_audio(speech, paced=False),
                twilio.send_audio(speech, paced=False),
                twilio.send_audio(speech, paced=False, track="outbound"),
                fork.send_audio(interleave(speech, speech), paced=False),
            )
            await asyncio.sleep(0.5)
            await customer.hangup()
            await agent.hangup()
            await twilio.stop()
            await fork.close()
            events = await asyncio.wait_for(watching, 20)
            await intruder.close()
        return call_uuid, twilio.call_sid, intruder_refused, events

    call_uuid, call_sid, intruder_refused, events = asyncio.run(scenario())
    started = {e.call_id: e for e in events if isinstance(e, ev.CallStarted)}
    assert set(started) == {call_uuid, call_sid, "fs-1"}
    assert started[call_uuid].source == "audiosocket"
    assert (started[call_sid].agent_id, started[call_sid].source) == ("a7", "twilio")
    assert (started[call_sid].language, started["fs-1"].agent_id) == ("en", "a8")
    assert intruder_refused  # a third connection for a leg already held
    for call_id in started:
        kinds = [type(e).__name__ for e in events if e.call_id == call_id]
        assert kinds.count("CallStarted") == 1 and kinds.count("CallEnded") == 1, call_id
        roles = {e.role for e in events if e.call_id == call_id and hasattr(e, "role")}
        assert roles <= {ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT}
    finals = [e for e in events if isinstance(e, ev.TranscriptFinal)]
    for call_id in started:  # both legs reached the recogniser
        assert {e.role for e in finals if e.call_id == call_id} == {
            ev.ChannelRole.CUSTOMER,
            ev.ChannelRole.AGENT,
        }, call_id


def test_with_access_rules_a_media_stream_needs_an_ingest_token(random_model, tmp_path):
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(
        '[[supervisor]]\nname = "floor"\ntoken = "supervisor-token-0123456789"\n'
        '[[ingest]]\nname = "pbx"\ntoken = "ingest-token-0123456789ab"\n'
    )

    async def scenario():
        async with running_hub(options(random_model, access_file=tokens)) as running:
            url = f"ws://127.0.0.1:{running.hub.port}/twilio"
            stranger = await TwilioCaller(url, custom_parameters={"lang": "en"}).connect()
            refused = await stranger.wait_closed(5)
            pbx = await TwilioCaller(
                url, custom_parameters={"token": "ingest-token-0123456789ab"}
            ).connect()
            await pbx.send_audio(b"\0\0" * 1600, paced=False)
            await asyncio.sleep(0.3)
            running_calls = list(running.chain.calls)
            await pbx.stop()
            return refused, stranger.call_sid, pbx.call_sid, running_calls

    refused, stranger, pbx, calls = asyncio.run(scenario())
    assert refused and stranger not in calls and pbx in calls


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_serves_https_and_wss(random_model, tmp_path, speech_8k):
    cert, key = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(cert))

    async def scenario():
        opts = options(random_model, tls_cert=cert, tls_key=key)
        async with running_hub(opts) as running:
            port = running.hub.port
            page = await asyncio.to_thread(
                lambda: urllib.request.urlopen(
                    f"https://127.0.0.1:{port}/agent", context=trust, timeout=5
                ).read()
            )
            url = f"wss://127.0.0.1:{port}"
            watching = asyncio.create_task(follow(url, 2, trust))
            await asyncio.sleep(0.2)
            twilio = await TwilioCaller(f"{url}/twilio", tls=trust).connect()
            await twilio.send_audio(speech_8k[:16000], paced=False)
            async with connect(f"{url}/ws/ingest?call=tls-1&lang=en", ssl=trust) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                await ws.send(speech_8k[:3200])
                reply = json.loads(await ws.recv())
                await ws.send('{"eof": 1}')
                await ws.recv()
            await twilio.stop()
            events = await asyncio.wait_for(watching, 10)
            plain_refused = False
            try:
                async with connect(f"ws://127.0.0.1:{port}/ws/supervisor", open_timeout=3):
                    pass
            except Exception:
                plain_refused = True
        return page, reply, events, twilio.call_sid, plain_refused

    page, reply, events, call_sid, plain_refused = asyncio.run(scenario())
    assert b"agent.js" in page
    assert "partial" in reply or "text" in reply
    assert {e.call_id for e in events if isinstance(e, ev.CallStarted)} == {"tls-1", call_sid}
    assert plain_refused


def test_listener_specs_tls_files_and_an_open_audiosocket_off_loopback_are_checked(tmp_path):
    from assist.hub.access import Access
    from assist.hub.telephony import AudioSocketListener
    from assist.serve_telephony import audiosocket_listeners, tls_for

    parsed = AudioSocketListener.parse("10.0.0.5:9093:ru:agent")
    assert (parsed.host, parsed.port, parsed.language) == ("10.0.0.5", 9093, "ru")
    assert parsed.role is ev.ChannelRole.AGENT
    assert AudioSocketListener.parse("127.0.0.1:9092").role is ev.ChannelRole.CUSTOMER
    for bad in ("9092", "host:port", "h:1:ru:boss", "h:1:ru:agent:x", "h:70000"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            AudioSocketListener.parse(bad)
    with pytest.raises(SystemExit, match="without --access"):
        audiosocket_listeners(
            ServeOptions(audiosocket=("0.0.0.0:9092",), languages=("en",)), Access.open_access()
        )
    with pytest.raises(SystemExit, match="not served"):
        audiosocket_listeners(
            ServeOptions(audiosocket=("127.0.0.1:9092:ru",), languages=("en",)),
            Access.open_access(),
        )
    with pytest.raises(SystemExit, match="no such file"):
        tls_for(ServeOptions(tls_cert=tmp_path / "missing.pem"))
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(SystemExit, match="cannot be used"):
        tls_for(ServeOptions(tls_cert=tmp_path / "junk.pem"))
    with pytest.raises(SystemExit, match="needs --tls-cert"):
        tls_for(ServeOptions(tls_key=tmp_path / "junk.pem"))


def test_a_call_a_crash_left_open_is_ended_after_the_idle_timeout(random_model, tmp_path):
    from assist.chain.chain import EventChain
    from assist.serve_telephony import ORPHAN_REASON
    from assist.store import SqliteStore

    path = tmp_path / "calls.sqlite"
    before = EventChain(store=SqliteStore(path))
    before.publish(ev.CallStarted("cut", "en", agent_id="a1"))
    before.publish(ev.TranscriptFinal("cut", ev.ChannelRole.CUSTOMER, "hello", at_s=4.0))
    before.close_store()  # as a crash leaves it: started, never ended
    before.store.close()

    async def scenario():
        opts = options(random_model, store_path=path, idle_timeout_s=0.5)
        opts = dataclasses.replace(opts, use_store=True)
        async with running_hub(opts) as running:
            live_at_start = running.chain.calls["cut"].live
            await asyncio.sleep(1.0)
            return live_at_start, running.chain.history("cut")

    live_at_start, history = asyncio.run(scenario())
    assert live_at_start
    ended = [e for e in history if isinstance(e, ev.CallEnded)]
    assert len(ended) == 1 and ended[0].reason == ORPHAN_REASON and ended[0].at_s == 4.0


def test_a_silent_telephony_leg_ends_its_call_saying_why(random_model):
    async def scenario():
        opts = dataclasses.replace(options(random_model), idle_timeout_s=0.5)
        async with running_hub(opts) as running:
            customer_port, _ = running.telephony.audiosocket_ports
            caller = await AudioSocketCaller("127.0.0.1", customer_port).connect()
            await caller.send_audio(b"\0\0" * 800, paced=False)
            hung_up = await caller.wait_closed(5)
            await asyncio.sleep(0.2)
            history = running.chain.history(caller.call_id)
            await caller.close()
        return hung_up, history

    hung_up, history = asyncio.run(scenario())
    ended = [e for e in history if isinstance(e, ev.CallEnded)]
    assert hung_up and len(ended) == 1 and ended[0].reason == "no audio for 0.5 s"
