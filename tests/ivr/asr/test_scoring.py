"""Word error rates count what was heard, not how it is spelt: both sides
through the same rules; Whisper's word pieces joined before normalising."""

from ivr.asr.normalize import TimedText
from ivr.asr.scoring import alignment, scoring_pair, scoring_tokens, show_alignment
from ivr.asr.whisper_engine import join_pieces
from ivr.modelbuild.evaluate import edit_distance


def test_one_side_folds_spelling():
    assert scoring_tokens("Ещё кто-то", "ru") == ["еще", "кто", "то"]
    assert scoring_tokens(["[unk]", "три"], "ru") == ["три"]
    assert scoring_tokens("одна минута, две минуты, одно", "ru") == scoring_tokens(
        "один минута два минуты один", "ru"
    )  # "1", "2" written as digits show no gender


def test_latin_in_russian_text_is_read_as_cyrillic():
    assert scoring_tokens("Asterisk, Linux", "ru") == ["астериск", "линукс"]
    assert scoring_tokens("M-I-S-D-N", "ru") == scoring_tokens("Эм Ай Эс Ди Эн", "ru")
    assert scoring_tokens("буква Q", "ru") == ["буква", "кью"]
    assert scoring_tokens("первoe", "ru") == ["первое"]  # a Latin o typed in a Russian word
    assert scoring_tokens("Asterisk", "en") == ["asterisk"]


def test_solid_or_split_spelling_is_not_an_error():
    ref, hyp = scoring_pair("Что бы выйти, нажмите «эхо-тест»", "чтобы выйти нажмите эхотест", "ru")
    assert ref == hyp == ["чтобы", "выйти", "нажмите", "эхотест"]
    ref, hyp = scoring_pair("Пароль неверен", "пароль не верен", "ru")
    assert ref == hyp
    ref, hyp = scoring_pair("enter the file name", "enter the filename", "en")
    assert ref == hyp


def test_real_errors_still_count():
    ref, hyp = scoring_pair("Введите пароль", "видите пароль", "ru")
    assert edit_distance(ref, hyp) == 1
    ref, hyp = scoring_pair("три буквы", "буквы", "ru")
    assert edit_distance(ref, hyp) == 1
    ref, hyp = scoring_pair("не работает", "работает", "ru")  # a dropped "не" is an error
    assert edit_distance(ref, hyp) == 1


def test_alignment_marks_what_differs():
    pairs = alignment("a b c d".split(), "a x c d e".split())
    assert pairs == [("a", "a"), ("b", "x"), ("c", "c"), ("d", "d"), ("", "e")]
    assert show_alignment(pairs) == "a [b->x] c d [->e]"
    assert alignment([], ["a"]) == [("", "a")]
    assert alignment(["a"], []) == [("a", "")]


def test_whisper_word_pieces_are_joined():
    pieces = [
        TimedText(" номером", 0.0, 0.5, 0.9),
        TimedText(" 1", 0.5, 0.7, 0.8),
        TimedText(",2", 0.7, 0.9, 0.6),
        TimedText(",3", 0.9, 1.1, 0.9),
        TimedText(" 80", 1.2, 1.5, 0.9),
        TimedText("-й.", 1.5, 1.8, 0.7),
    ]
    joined = join_pieces(pieces)
    assert [w.text for w in joined] == [" номером", " 1,2,3", " 80-й."]
    assert (joined[1].start_s, joined[1].end_s, joined[1].conf) == (0.5, 1.1, 0.6)
    assert (joined[2].start_s, joined[2].end_s) == (1.2, 1.8)


def test_an_abbreviation_spelled_out_or_written_solid_is_one_word():
    ref, hyp = scoring_pair("программы ай-пи телефонной станции", "программы IP телефонной", "ru")
    assert ref[:3] == hyp[:3] == ["программы", "ип", "телефонной"]
    ref, hyp = scoring_pair("Эн Би Эс", "NBS", "ru")
    assert ref == hyp
    ref, hyp = scoring_pair("an A T M card", "an ATM card", "en")
    assert ref == hyp == ["an", "atm", "card"]
    ref, hyp = scoring_pair("Эн Би Эс", "NBC", "ru")  # another abbreviation is an error
    assert edit_distance(ref, hyp) == 3


def test_digits_said_one_by_one_meet_the_cardinal_of_the_same_digits():
    ref, hyp = scoring_pair(
        "с номером 1234 и паролем 4242", "с номером 1, 2, 3, 4 и паролем 4242", "ru"
    )
    assert ref == hyp
    assert ref[2:6] == ["один", "два", "три", "четыре"]
    assert ref[-5:] == ["четыре", "тысячи", "двести", "сорок", "два"]  # both sides a cardinal
    ref, hyp = scoring_pair("dial 1234 now", "dial one two three four now", "en")
    assert ref == hyp
    ref, hyp = scoring_pair("dial 1999", "dial one nine nine nine", "en")  # also as a year
    assert ref == hyp


def test_other_numbers_still_count():
    ref, hyp = scoring_pair("с номером 1234", "с номером один два три пять", "ru")
    assert edit_distance(ref, hyp) == 4
    ref, hyp = scoring_pair("нажмите 2", "нажмите двенадцать", "ru")
    assert edit_distance(ref, hyp) == 1
