import pytest

from ivr.datafile import DataFileError, line_of, load_toml, table_line


def test_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "menu.toml"
    path.write_text('a = 1\n\nb = "unterminated\n', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_toml(path)
    assert str(info.value).startswith(f"{path}:3:")
    assert info.value.line == 3


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(DataFileError, match="cannot read"):
        load_toml(tmp_path / "absent.toml")
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataFileError, match="not UTF-8"):
        load_toml(bad)


def test_line_finders():
    lines = ["[[phrase]]", 'id = "a"', "", "[[phrase]]", 'id = "b"', "text = 'x'"]
    assert table_line(lines, "phrase", 1) == 4
    assert table_line(lines, "phrase", 2) is None
    assert line_of(lines, "id", occurrence=1) == 5
    assert line_of(lines, "id", value='"a"') == 2
    assert line_of(lines, "missing") is None
