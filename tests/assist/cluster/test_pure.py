"""The broker's names, settings and the bounded outbox (no server needed)."""

from __future__ import annotations

import dataclasses

import pytest

from assist.cluster.config import BrokerConfigError, broker_config, parse_servers
from assist.cluster.outbox import Outbox
from assist.cluster.subjects import SiteNames, token, untoken
from ivr import events as ev
from ivr import wire
from ivr.datafile import DataFileError


@pytest.mark.parametrize("call_id", ["c1", "a.b:c@d+e-f_g", "0412", "x.y.z"])
def test_call_ids_map_to_subject_tokens_and_back(call_id):
    t = token(call_id)
    assert "." not in t and ":" not in t and "@" not in t and "+" not in t
    assert untoken(t) == call_id
    names = SiteNames("east")
    assert names.call_of(names.call_subject(call_id)) == call_id


def test_two_call_ids_never_share_a_token():
    assert token("a.b") != token("a:b") != token("a_b")


def test_site_names_are_checked():
    with pytest.raises(ValueError, match="site name"):
        SiteNames("a.b")


def test_broker_url_must_not_carry_credentials():
    assert parse_servers("nats://10.0.0.5:4222, nats://10.0.0.6:4222") == (
        "nats://10.0.0.5:4222",
        "nats://10.0.0.6:4222",
    )
    for bad in ("nats://user:secret@h:4222", "nats://tok@h:4222"):
        with pytest.raises(BrokerConfigError, match="access file") as info:
            parse_servers(bad)
        assert "secret" not in str(info.value) and "tok@" not in str(info.value)
    for bad in ("http://h:4222", "nats://h", "", "nats://h:4222/x"):
        with pytest.raises(BrokerConfigError):
            parse_servers(bad)


def test_credentials_and_limits_come_from_the_access_file(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text(
        '[[supervisor]]\nname = "f"\ntoken = "0123456789abcdef"\n\n'
        '[broker]\nuser = "node-a"\npassword = "pw-pw-pw"\nsite = "east"\n'
        "max_age_s = 3600\nreplicas = 3\n"
    )
    config = broker_config("nats://127.0.0.1:4222", path)
    assert (config.user, config.password, config.site) == ("node-a", "pw-pw-pw", "east")
    assert (config.max_age_s, config.replicas) == (3600.0, 3)
    assert "pw-pw-pw" not in repr(config) and "pw-pw-pw" not in config.display


def test_a_bad_broker_table_names_its_line(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text('[broker]\nuser = "a"\npassword = "b"\nreplicas = 2\n')
    with pytest.raises(DataFileError, match=r"access.toml:5|access.toml:4"):
        broker_config("nats://127.0.0.1:4222", path)
    path.write_text('[broker]\nuser = "a"\n')
    with pytest.raises(DataFileError, match="together"):
        broker_config("nats://127.0.0.1:4222", path)


def _entry(event: ev.Event, seq: int) -> tuple[ev.Event, str]:
    event = dataclasses.replace(event, seq=seq)
    return event, wire.encode(event)


def test_outbox_drops_partials_first_and_flags_never():
    box = Outbox(max_events=5)
    kinds = []
    for i in range(1, 40):
        if i % 4 == 0:
            event = ev.CallFlagged("c", float(i), ev.AngerLevel.ANGRY, "x")
        elif i % 4 == 1:
            event = ev.Suggestion("c", f"s{i}", "t", "p", "anger", "en")
        elif i % 4 == 2:
            event = ev.AngerUpdate("c", float(i), 0.5, ev.AngerLevel.TENSE, ev.Trend.RISING)
        else:
            event = ev.TranscriptPartial("c", ev.ChannelRole.CUSTOMER, f"p{i}")
        kinds.append(type(event).__name__)
        box.append(_entry(event, i))
    kept = [type(e).__name__ for e, _ in box.peek(100)]
    # every flag and suggestion is kept, past the bound
    assert kept.count("CallFlagged") == kinds.count("CallFlagged")
    assert kept.count("Suggestion") == kinds.count("Suggestion")
    assert box.over_bound
    # partials went before anger updates
    assert box.dropped["TranscriptPartial"] == kinds.count("TranscriptPartial")
    assert "TranscriptPartial" not in kept
    # kept in order
    seqs = [e.seq for e, _ in box.peek(100)]
    assert seqs == sorted(seqs)


def test_outbox_never_drops_what_is_being_sent():
    box = Outbox(max_events=3)
    for i in range(1, 4):
        box.append(_entry(ev.TranscriptPartial("c", ev.ChannelRole.CUSTOMER, "p"), i))
    sending = box.peek(3)
    box.append(_entry(ev.CallFlagged("c", 1.0, ev.AngerLevel.ANGRY, "x"), 4))
    assert [e.seq for e, _ in box.peek(10)][:3] == [e.seq for e, _ in sending]
    box.done(3)
    assert [e.seq for e, _ in box.peek(10)] == [4]
