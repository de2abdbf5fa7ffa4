import pytest

from assist.ivrcall.seats import Assignment, SeatQueue


def test_free_seats_take_calls_in_order() -> None:
    seats = SeatQueue(["a1", "a2"])
    assert seats.offer("c1", 1) == [Assignment("c1", "a1")]
    assert seats.offer("c2", 1) == [Assignment("c2", "a2")]
    assert seats.offer("c3", 1) == []
    assert seats.waiting == ["c3"]


def test_a_fast_tracked_call_goes_to_the_front_of_the_queue() -> None:
    seats = SeatQueue(["a1"])
    seats.offer("talking", 1)
    seats.offer("early", 1)
    seats.offer("later", 1)
    seats.offer("angry", 10)
    assert seats.waiting == ["angry", "early", "later"]
    assert seats.call_ended("talking") == [Assignment("angry", "a1")]
    assert seats.call_ended("angry") == [Assignment("early", "a1")]


def test_a_caller_who_hangs_up_while_waiting_leaves_the_queue() -> None:
    seats = SeatQueue(["a1"])
    seats.offer("talking", 1)
    seats.offer("gone", 5)
    seats.offer("patient", 1)
    assert seats.call_ended("gone") == []
    assert seats.call_ended("talking") == [Assignment("patient", "a1")]
    assert seats.seat_of("patient") == "a1"


def test_offering_a_call_twice_queues_it_once() -> None:
    seats = SeatQueue([])
    seats.offer("c1", 1)
    seats.offer("c1", 1)
    assert seats.waiting == ["c1"]


def test_duplicate_seats_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        SeatQueue(["a1", "a1"])
