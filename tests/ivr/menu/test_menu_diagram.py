import itertools
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from ivr.menu import ActionKind, example_menu_path, load_menu
from ivr.menu.cli import main
from ivr.menu.diagram import menu_svg, menu_text

from .menus import MINI, bend, write_menu

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def example():
    return load_menu(example_menu_path())


@pytest.mark.parametrize("language", ["ru", "en"])
def test_text_tree_has_every_node_and_every_way_out(example, language):
    text = menu_text(example, language)
    lines = text.splitlines()
    assert lines[0] == f"{example.title(language)} [telecom_support, {language}]"
    for node_id, node in example.nodes.items():
        assert any(f"{node_id} ({node.title(language)}): " in line for line in lines), node_id
    ends = [o for n in example.nodes.values() for o in n.options if o.action.ends_call]
    for option in ends:
        assert f"{option.label(language)} -> {option.action.describe()}" in text
    # the way back to the main menu is a link, not the main menu again
    assert (
        f"9 / '{example.node('outage').options[2].phrases(language)[0]}' -> main (see above)"
        in text
    )
    assert sum(line.lstrip().startswith("main (") for line in lines) == 1
    assert "always: 0 / " in text and "-> queue general" in text
    assert (
        "fast track (anger tense/angry, 2 no-matches in a row): -> queue senior (priority 10)"
        in text
    )


def test_text_tree_indents_by_depth(tmp_path):
    menu = load_menu(write_menu(tmp_path))
    assert menu_text(menu, "en").splitlines()[:8] == [
        "Mini [mini, en]",
        'main (Main): "Main menu."',
        "  1 / 'internet' -> net (Internet): \"Internet. Not working, 1; slow, 2.\"",
        "    1 / 'not working' -> queue tech (priority 2)",
        "    2 / 'slow' -> transfer 7001",
        "    9 / 'back' -> back",
        "    # / 'main menu' -> main (see above)",
        "  2 / 'goodbye' -> hangup",
    ]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_svg_is_xml_with_one_box_per_node_and_a_leaf_per_exit(example, language):
    root = ET.fromstring(menu_svg(example, language).encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    boxes = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "node"]
    assert sorted(r.get("data-node") for r in boxes) == sorted(example.nodes)
    leaves = [e for e in root.iter() if (e.get("class") or "").startswith("leaf ")]
    ends = [o for n in example.nodes.values() for o in n.options if o.action.ends_call]
    assert len(leaves) == len(ends)
    kinds = {e.get("class").split()[1] for e in leaves}
    assert kinds == {"queue", "transfer", "hangup"}
    menus = [
        o for n in example.nodes.values() for o in n.options if o.action.kind is ActionKind.MENU
    ]
    edges = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    assert len(edges) == len(ends) + len(menus) - 1  # the way back to main is a link
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ["#node-main"]
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "edge-label"]
    first = example.node("main").options[0]
    assert f"1 / '{first.phrases(language)[0]}'" in labels
    # boxes do not overlap
    placed = sorted((float(r.get("x")), float(r.get("y")), float(r.get("height"))) for r in boxes)
    for (x1, y1, h1), (x2, y2, _) in itertools.pairwise(placed):
        assert x1 != x2 or y2 >= y1 + h1


def test_svg_escapes_text(tmp_path):
    text = bend(MINI, 'prompt.en = "Main menu."', 'prompt.en = "Press <1> & \\"go\\""')
    text = bend(text, 'title.en = "Mini"', 'title.en = "A&B <menu>"')
    menu = load_menu(write_menu(tmp_path, text))
    svg = menu_svg(menu, "en")
    root = ET.fromstring(svg.encode("utf-8"))  # would raise on a bare < or &
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert 'Press <1> & "go"' in texts and "A&B <menu>" in texts
    assert "<1>" not in svg


def test_cli_check(tmp_path, capsys):
    good = write_menu(tmp_path)
    assert main(["check", str(good)]) == 0
    assert "ok — menu 'mini', 2 nodes, languages ru, en" in capsys.readouterr().out
    bad = write_menu(tmp_path, bend(MINI, 'action = "back"', 'action = "fly"'), "bad.toml")
    bad_text = bad.read_text(encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    line = bad_text.splitlines().index('action = "fly"') + 1
    assert err[0].startswith(f"{bad}:{line}: 'fly' is not an action")
    assert err[-1] == f"1 problem in {bad}"


def test_cli_draw_and_phrases(tmp_path, capsys):
    path = write_menu(tmp_path)
    out_svg = tmp_path / "menu.svg"
    assert main(["draw", str(path), "--lang", "ru", "--svg", str(out_svg)]) == 0
    assert capsys.readouterr().out.startswith("Мини [mini, ru]\n")
    ET.parse(out_svg)
    assert main(["draw", str(path), "--lang", "de"]) == 2
    assert "no language 'de'" in capsys.readouterr().err
    assert main(["phrases", str(path), "--lang", "en"]) == 0
    phrases = capsys.readouterr().out.splitlines()
    assert phrases[:3] == ["internet", "goodbye", "repeat"] and "operator" in phrases


def test_python_dash_m_runs_the_same_command():
    done = subprocess.run(
        [sys.executable, "-m", "ivr.menu", "check", str(example_menu_path())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "menu 'telecom_support', 8 nodes, languages ru, en" in done.stdout
