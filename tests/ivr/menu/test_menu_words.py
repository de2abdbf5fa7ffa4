from ivr.menu.words import best_match, phrase_form, tokens


def test_phrase_form_normalises_and_refuses_non_words():
    assert phrase_form("  Ещё  Раз ") == "еще раз"
    assert phrase_form("Wi-Fi") == "wi fi"
    assert phrase_form("can’t call") == "can't call"
    assert phrase_form("«баланс»") == "баланс"
    for bad in ["", "   ", "2 раза", "tv+", "100%"]:
        assert phrase_form(bad) is None, bad


def test_tokens_drop_the_unknown_marker():
    assert tokens("[unk] Нет ИНТЕРНЕТА [unk]") == ["нет", "интернета"]
    assert tokens("[unk]") == []


def test_best_match_is_whole_words_longest_then_first_said():
    candidates = [("интернет", "a"), ("нет интернета", "b"), ("баланс", "c"), ("нет", "d")]
    assert best_match(tokens("у меня нет интернета"), candidates) == ("нет интернета", "b")
    assert best_match(tokens("интернетом"), candidates) is None
    assert best_match(tokens("баланс и интернет"), candidates) == ("баланс", "c")
    assert best_match(tokens("интернет и баланс"), candidates) == ("интернет", "a")
    assert best_match([], candidates) is None
