"""The PII fixture calls: valid, separate from the calls the shipped speech
models are built for, and each secret is read out digit by digit in them."""

from assist.redact.numbers import number_runs
from audio_fixtures import call_ids, fixture_vocabulary
from audio_fixtures.make_fixtures import load_calls
from audio_fixtures.pii_calls import PII_CALLS_FILE, pii_call_ids, pii_expectations


def test_pii_calls_are_not_fixture_calls_and_add_no_vocabulary():
    assert pii_call_ids() and set(pii_call_ids()).isdisjoint(call_ids())
    script = load_calls()  # the calls file the speech models' vocabulary comes from
    assert PII_CALLS_FILE != script.path
    for lang in ("ru", "en"):
        assert fixture_vocabulary(lang) == script.vocabulary(lang)


def test_every_secret_is_said_and_every_kept_phrase_too():
    calls = {c.id: c for c in load_calls(PII_CALLS_FILE).calls}
    for call_id in pii_call_ids():
        secrets, keep = pii_expectations(call_id)
        said = " ".join(" ".join(t.words) for t in calls[call_id].turns if t.role == "customer")
        digits = {r.digits for r in number_runs(said.split())}
        assert set(secrets) <= digits, (call_id, digits)
        assert keep and all(phrase in said for phrase in keep)
