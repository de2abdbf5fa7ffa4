"""Spoken numbers read back as the digits a customer meant."""

import pytest

from assist.redact.numbers import luhn_ok, number_runs


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("четыре два семь шесть", "4276"),
        ("four two seven six", "4276"),
        ("сорок два семнадцать", "4217"),
        ("twenty one thirty four", "2134"),
        ("восемь девятьсот шестнадцать сто двадцать три сорок пять", "891612345"),
        ("сто два", "102"),
        ("one hundred twenty three", "123"),
        ("double five oh one", "5501"),
        ("ноль пять", "05"),
        ("двадцать двадцать", "2020"),
        ("4276 5500", "42765500"),
        ("две одна", "21"),
    ],
)
def test_a_run_reads_as_the_digits_said(text, digits):
    runs = number_runs(text.split())
    assert [(r.start, r.end, r.digits) for r in runs] == [(0, len(text.split()), digits)]


def test_runs_are_found_between_other_words_with_a_spoken_plus():
    runs = number_runs("call me on plus one two three then two days".split())
    assert [(r.start, r.end, r.digits, r.plus) for r in runs] == [
        (3, 7, "123", True),
        (8, 9, "2", False),
    ]


def test_a_lone_weak_word_is_not_a_number_and_scale_words_make_a_quantity():
    assert number_runs("the one i bought".split()) == []
    (run,) = number_runs("two thousand twenty four".split())
    assert run.quantity and run.digits == "224"
    (run,) = number_runs("пять тысяч рублей".split())
    assert run.quantity


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("4539148803436467", True), ("4539148803436468", False), ("79927398713", True)],
)
def test_luhn(digits, ok):
    assert luhn_ok(digits) is ok
