"""Pictures of a menu for the people who design and review it.

:func:`menu_text` is an indented tree for a terminal; :func:`menu_svg` a
standalone SVG: one box per node in columns by depth (the start node on the
left), an arrow per choice labelled with its digit and first synonym, and
queues, transfers and hang-ups as leaf shapes. A choice that leads back to a
node already drawn (``main menu`` from a sub-menu) is shown as a link, not
drawn again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from ivr.menu.model import Action, ActionKind, Menu, Node, Option, Prompt

PROMPT_CHARS = 60


def _clip(text: str, size: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _prompt_summary(prompt: Prompt | None, size: int = PROMPT_CHARS) -> str:
    if prompt is None:
        return "(no prompt)"
    if prompt.text:
        return f'"{_clip(prompt.text, size)}"'
    return f"[recording {prompt.wav.name if prompt.wav else '?'}]"


def _label(option: Option, language: str) -> str:
    return option.label(language) or "(no key)"


def _route_notes(menu: Menu, language: str) -> list[str]:
    """The ways out that exist in every node: operator, fallback, fast track."""
    operator = menu.operator
    words = ", ".join(f"'{w}'" for w in operator.phrases(language))
    keys = f"{operator.digit} / " if operator.digit else ""
    out = [
        f"always: {keys}{words} -> "
        + Action(ActionKind.QUEUE, queue=operator.queue, priority=operator.priority).describe(),
        f"after too many failures in a node: -> {menu.fallback.describe()}",
    ]
    routing = menu.routing
    if routing.fast_track:
        triggers = [f"anger {'/'.join(routing.anger_levels)}"] if routing.anger_levels else []
        if routing.no_matches_in_a_row:
            triggers.append(f"{routing.no_matches_in_a_row} no-matches in a row")
        fast = Action(ActionKind.QUEUE, queue=routing.queue, priority=routing.priority)
        out.append(f"fast track ({', '.join(triggers) or 'never'}): -> {fast.describe()}")
    return out


def menu_text(menu: Menu, language: str) -> str:
    """The menu as an indented tree of nodes and choices."""
    lines = [f"{menu.title(language)} [{menu.id}, {language}]"]
    shown: set[str] = set()

    def walk(node_id: str, depth: int, how: str) -> None:
        node = menu.node(node_id)
        indent = "  " * depth
        head = f"{how} -> " if how else ""
        if node_id in shown:
            lines.append(f"{indent}{head}{node_id} (see above)")
            return
        shown.add(node_id)
        title = node.title(language)
        named = f"{node_id} ({title})" if title != node_id else node_id
        lines.append(f"{indent}{head}{named}: {_prompt_summary(node.prompts.get(language))}")
        for option in node.options:
            if option.action.kind is ActionKind.MENU:
                walk(option.action.target, depth + 1, _label(option, language))
            else:
                lines.append(f"{indent}  {_label(option, language)} -> {option.action.describe()}")

    walk(menu.start, 0, "")
    for node_id in menu.nodes:  # only reachable through the fallback
        if node_id not in shown:
            walk(node_id, 0, "fallback")
    lines.extend(_route_notes(menu, language))
    return "\n".join(lines) + "\n"


# -- SVG --------------------------------------------------------------------------------

FONT_PX = 12
CHAR_PX = 6.6  # an average glyph width at FONT_PX, to size boxes and clip texts
MARGIN_PX = 20
NODE_W_PX = 250
LEAF_W_PX = 250
LEAF_H_PX = 30
LINE_PX = 15
GAP_X_PX = 160  # between columns: room for the arrow labels
GAP_Y_PX = 14
HEADER_PX = 40

_STYLE = """
text { font-family: sans-serif; font-size: 12px; fill: #1d2733; }
.title { font-size: 16px; font-weight: bold; }
rect.node { fill: #eef4fb; stroke: #3a6ea5; stroke-width: 1.5; }
.node-name { font-weight: bold; }
.prompt { font-style: italic; fill: #4a5663; }
.local { fill: #4a5663; }
.local-link { fill: #1f5fa8; text-decoration: underline; }
.leaf.queue { fill: #e6f5e9; stroke: #3c8d50; }
.leaf.transfer { fill: #fff4e0; stroke: #b7791f; }
.leaf.hangup { fill: #f1f1f1; stroke: #777; }
path.edge { fill: none; stroke: #55606b; stroke-width: 1.2; marker-end: url(#arrow); }
.edge-label { font-size: 11px; fill: #24313e; }
.note { fill: #4a5663; }
"""


@dataclass
class _Box:
    kind: str  # node | queue | transfer | hangup
    column: int
    label: str
    node: Node | None = None
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (class, text, link)
    x: float = 0.0
    y: float = 0.0

    @property
    def width(self) -> float:
        return NODE_W_PX if self.kind == "node" else LEAF_W_PX

    @property
    def height(self) -> float:
        return 10 + LINE_PX * (1 + len(self.lines)) if self.kind == "node" else LEAF_H_PX


@dataclass
class _Edge:
    source: _Box
    target: _Box
    label: str


def _leaf_label(action: Action) -> str:
    match action.kind:
        case ActionKind.QUEUE:
            suffix = f" · prio {action.priority}" if action.priority else ""
            return _clip(f"queue {action.queue}{suffix}", int(LEAF_W_PX / CHAR_PX) - 2)
        case ActionKind.TRANSFER:
            return _clip(f"transfer → {action.target}", int(LEAF_W_PX / CHAR_PX) - 2)
        case _:
            return "hang up" + (" (goodbye)" if action.prompts else "")


def _layout(menu: Menu, language: str) -> tuple[list[_Box], list[_Edge]]:
    chars = int((NODE_W_PX - 16) / CHAR_PX)
    boxes: list[_Box] = []
    edges: list[_Edge] = []
    placed: dict[str, _Box] = {}

    def place_node(node_id: str, column: int) -> _Box:
        node = menu.node(node_id)
        title = node.title(language)
        name = f"{node_id} — {title}" if title != node_id else node_id
        box = _Box("node", column, _clip(name, chars), node)
        box.lines.append(("prompt", _prompt_summary(node.prompts.get(language), chars - 2), ""))
        placed[node_id] = box
        boxes.append(box)
        return box

    todo: deque[_Box] = deque()
    for seed in [menu.start, *menu.nodes]:  # other seeds: nodes only the fallback reaches
        if seed in placed:
            continue
        todo.append(place_node(seed, 0))
        while todo:
            box = todo.popleft()
            assert box.node is not None
            for option in box.node.options:
                action = option.action
                label = _clip(_label(option, language), int(GAP_X_PX / 6.2) - 2)
                if action.kind is ActionKind.MENU and action.target not in placed:
                    child = place_node(action.target, box.column + 1)
                    edges.append(_Edge(box, child, label))
                    todo.append(child)
                elif action.kind is ActionKind.MENU:
                    text = _clip(f"{label} ↩ {action.target}", chars)
                    box.lines.append(("local-link", text, action.target))
                elif action.ends_call:
                    leaf = _Box(action.kind.value, box.column + 1, _leaf_label(action))
                    boxes.append(leaf)
                    edges.append(_Edge(box, leaf, label))
                else:
                    box.lines.append(("local", _clip(f"{label}: {action.kind.value}", chars), ""))
    _place(boxes, edges)
    return boxes, edges


def _place(boxes: list[_Box], edges: list[_Edge]) -> None:
    """A tidy tree: each box at the top of the band its descendants fill."""
    children: dict[int, list[_Box]] = {}
    for edge in edges:
        children.setdefault(id(edge.source), []).append(edge.target)
    has_parent = {id(edge.target) for edge in edges}
    band: dict[int, float] = {}

    def band_of(box: _Box) -> float:
        kids = children.get(id(box), [])
        below = sum(band_of(kid) for kid in kids) + GAP_Y_PX * max(0, len(kids) - 1)
        band[id(box)] = max(box.height, below)
        return band[id(box)]

    def put(box: _Box, top: float) -> None:
        box.x = MARGIN_PX + box.column * (NODE_W_PX + GAP_X_PX)
        box.y = top
        for kid in children.get(id(box), []):
            put(kid, top)
            top += band[id(kid)] + GAP_Y_PX

    top = MARGIN_PX + HEADER_PX
    for root in (box for box in boxes if id(box) not in has_parent):
        band_of(root)
        put(root, top)
        top += band[id(root)] + GAP_Y_PX


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _box_svg(box: _Box) -> list[str]:
    x, y, w, h = box.x, box.y, box.width, box.height
    if box.kind == "node":
        assert box.node is not None
        node_id = box.node.id
        out = [
            f'<g id="node-{_attr(node_id)}">',
            f'<rect class="node" data-node="{_attr(node_id)}" x="{x:.0f}" y="{y:.0f}" '
            f'width="{w:.0f}" height="{h:.0f}" rx="6"/>',
            f'<text class="node-name" x="{x + 8:.0f}" y="{y + 18:.0f}">{escape(box.label)}</text>',
        ]
        for index, (css, text, link) in enumerate(box.lines):
            ty = y + 18 + LINE_PX * (index + 1)
            line = f'<text class="{css}" x="{x + 8:.0f}" y="{ty:.0f}">{escape(text)}</text>'
            if link:
                href = _attr(f"#node-{link}")
                line = f'<a href="{href}" xlink:href="{href}">{line}</a>'
            out.append(line)
        out.append("</g>")
        return out
    if box.kind == "transfer":  # a parallelogram
        skew = 10
        points = f"{x + skew:.0f},{y:.0f} {x + w:.0f},{y:.0f} {x + w - skew:.0f},{y + h:.0f} "
        points += f"{x:.0f},{y + h:.0f}"
        shape = f'<polygon class="leaf transfer" points="{points}"/>'
    else:
        radius = h / 2 if box.kind == "queue" else 3
        shape = (
            f'<rect class="leaf {box.kind}" x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" '
            f'height="{h:.0f}" rx="{radius:.0f}"/>'
        )
    text = (
        f'<text x="{x + w / 2:.0f}" y="{y + h / 2 + 4:.0f}" text-anchor="middle">'
        f"{escape(box.label)}</text>"
    )
    return [shape, text]


def _edge_svg(edge: _Edge) -> list[str]:
    s, t = edge.source, edge.target
    x1, y1 = s.x + s.width, s.y + min(s.height, 40) / 2
    x2, y2 = t.x, t.y + t.height / 2
    bend = GAP_X_PX / 2
    return [
        f'<path class="edge" d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} '
        f'{x2 - bend:.0f},{y2:.0f} {x2 - 2:.0f},{y2:.0f}"/>',
        f'<text class="edge-label" x="{x2 - 8:.0f}" y="{y2 - 5:.0f}" text-anchor="end">'
        f"{escape(edge.label)}</text>",
    ]


def menu_svg(menu: Menu, language: str) -> str:
    """The menu as a standalone SVG document (text XML-escaped)."""
    boxes, edges = _layout(menu, language)
    notes = _route_notes(menu, language)
    columns = max(box.column for box in boxes) + 1
    width = 2 * MARGIN_PX + columns * NODE_W_PX + (columns - 1) * GAP_X_PX
    width = max(width, 2 * MARGIN_PX + int(max(len(n) for n in notes) * CHAR_PX))
    bottom = max(box.y + box.height for box in boxes)
    height = bottom + GAP_Y_PX + LINE_PX * len(notes) + MARGIN_PX
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
        f"<title>{escape(menu.title(language))} ({escape(menu.id)}, {escape(language)})</title>",
        f"<style>{_STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#55606b"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text class="title" x="{MARGIN_PX}" y="{MARGIN_PX + 8}">'
        f"{escape(menu.title(language))} — {escape(menu.id)} ({escape(language)})</text>",
    ]
    for edge in edges:
        out.extend(_edge_svg(edge))
    for box in boxes:
        out.extend(_box_svg(box))
    for index, note in enumerate(notes):
        y = bottom + GAP_Y_PX + LINE_PX * (index + 1)
        out.append(f'<text class="note" x="{MARGIN_PX}" y="{y:.0f}">{escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
