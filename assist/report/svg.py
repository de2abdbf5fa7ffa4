"""Small inline-SVG time charts: every chart of a report shares the time
axis, so a cursor can run across all of them. Text goes in escaped; colours
come from CSS classes."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

_TIME_STEPS_S = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def clock(t_s: float) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour)."""
    whole = round(t_s)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def time_ticks(duration_s: float, max_ticks: int = 12) -> list[float]:
    step = next((s for s in _TIME_STEPS_S if duration_s / s <= max_ticks), _TIME_STEPS_S[-1])
    return [i * step for i in range(int(duration_s // step) + 1)]


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


class TimeChart:
    """One chart: time (seconds) across, a value range up."""

    def __init__(
        self,
        duration_s: float,
        y_min: float,
        y_max: float,
        *,
        width: int = 960,
        height: int = 150,
        left: int = 56,
        right: int = 12,
        top: int = 8,
        bottom: int = 22,
    ) -> None:
        if y_max <= y_min:
            y_max = y_min + 1.0
        self.duration_s = max(duration_s, 1e-3)
        self.y_min, self.y_max = y_min, y_max
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self._parts: list[str] = []

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom

    def x(self, t_s: float) -> float:
        t = min(max(t_s, 0.0), self.duration_s)
        return self.left + t / self.duration_s * self.plot_width

    def y(self, value: float) -> float:
        v = min(max(value, self.y_min), self.y_max)
        span = self.plot_bottom - self.top
        return self.plot_bottom - (v - self.y_min) / (self.y_max - self.y_min) * span

    # ---------------------------------------------------------------- shapes

    def hband(self, y0: float, y1: float, cls: str, label: str = "") -> None:
        """A horizontal band between two values (e.g. a level's range)."""
        top, bottom = self.y(max(y0, y1)), self.y(min(y0, y1))
        self._parts.append(
            f'<rect class="{cls}" x="{_n(self.left)}" y="{_n(top)}" '
            f'width="{_n(self.plot_width)}" height="{_n(bottom - top)}"/>'
        )
        if label:
            self._parts.append(
                f'<text class="band-label" x="{_n(self.left + self.plot_width - 4)}" '
                f'y="{_n(top + 11)}" text-anchor="end">{escape(label)}</text>'
            )

    def vspan(
        self,
        t0_s: float,
        t1_s: float,
        cls: str,
        title: str = "",
        y0: float | None = None,
        y1: float | None = None,
    ) -> None:
        """A stretch of time, full height or between two values."""
        x0, x1 = self.x(t0_s), self.x(t1_s)
        top = self.top if y1 is None else self.y(y1)
        bottom = self.plot_bottom if y0 is None else self.y(y0)
        tip = f"<title>{escape(title)}</title>" if title else ""
        self._parts.append(
            f'<rect class="{cls}" x="{_n(x0)}" y="{_n(top)}" width="{_n(max(x1 - x0, 0.5))}" '
            f'height="{_n(bottom - top)}">{tip}</rect>'
        )

    def line(
        self, points: Sequence[tuple[float, float | None]], cls: str, *, step: bool = False
    ) -> None:
        """A line through (t_s, value) points; a None value breaks it. With
        ``step`` the value holds until the next point."""
        commands: list[str] = []
        pen_down = False
        prev_y = 0.0
        for t, v in points:
            if v is None:
                pen_down = False
                continue
            x, y = self.x(t), self.y(v)
            if not pen_down:
                commands.append(f"M{_n(x)} {_n(y)}")
                pen_down = True
            elif step:
                commands.append(f"H{_n(x)}V{_n(y)}")
            else:
                commands.append(f"L{_n(x)} {_n(y)}")
            prev_y = y
        if step and pen_down and points:
            commands.append(f"H{_n(self.x(self.duration_s))}V{_n(prev_y)}")
        if commands:
            self._parts.append(f'<path class="{cls}" d="{"".join(commands)}"/>')

    def dots(self, points: Sequence[tuple[float, float]], cls: str, r: float = 1.8) -> None:
        if not points:
            return
        # One path of tiny circles (arcs): thousands of dots stay one element.
        d = "".join(
            f"M{_n(self.x(t) - r)} {_n(self.y(v))}a{r} {r} 0 1 0 {_n(2 * r)} 0"
            f"a{r} {r} 0 1 0 {_n(-2 * r)} 0"
            for t, v in points
        )
        self._parts.append(f'<path class="{cls}" d="{d}"/>')

    def marker(
        self,
        t_s: float,
        label: str,
        cls: str,
        title: str = "",
        href: str = "",
        *,
        at_bottom: bool = False,
    ) -> None:
        """A labelled vertical tick at a moment (a suggestion, a flag), its
        label at the top or the bottom of the chart."""
        x = self.x(t_s)
        cy = self.plot_bottom - 14 if at_bottom else self.top + 8
        tip = f"<title>{escape(title)}</title>" if title else ""
        body = (
            f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(self.top)}" y2="{_n(self.plot_bottom)}"/>'
            f'<circle cx="{_n(x)}" cy="{_n(cy)}" r="8"/>'
            f'<text x="{_n(x)}" y="{_n(cy + 3.5)}" text-anchor="middle">{escape(label)}</text>'
        )
        inner = f'<a href="{escape(href)}">{body}</a>' if href else body
        self._parts.append(f'<g class="{cls}">{tip}{inner}</g>')

    def axes(
        self, y_ticks: Sequence[float], y_format: Callable[[float], str], y_label: str
    ) -> None:
        parts = self._parts
        for v in y_ticks:
            y = self.y(v)
            parts.append(
                f'<line class="grid" x1="{_n(self.left)}" x2="{_n(self.left + self.plot_width)}" '
                f'y1="{_n(y)}" y2="{_n(y)}"/>'
                f'<text class="tick" x="{_n(self.left - 4)}" y="{_n(y + 3.5)}" '
                f'text-anchor="end">{escape(y_format(v))}</text>'
            )
        for t in time_ticks(self.duration_s):
            x = self.x(t)
            parts.append(
                f'<line class="grid" x1="{_n(x)}" x2="{_n(x)}" y1="{_n(self.top)}" '
                f'y2="{_n(self.plot_bottom)}"/>'
                f'<text class="tick" x="{_n(x)}" y="{_n(self.height - 6)}" '
                f'text-anchor="middle">{clock(t)}</text>'
            )
        if y_label:
            middle = _n((self.top + self.plot_bottom) / 2)
            parts.append(
                f'<text class="axis-label" transform="translate(12 {middle}) rotate(-90)" '
                f'text-anchor="middle">{escape(y_label)}</text>'
            )

    def body(self) -> str:
        """The shapes drawn so far, without the frame (for embedding)."""
        return "".join(self._parts)

    def render(self, chart_id: str, label: str) -> str:
        frame = (
            f'<rect class="frame" x="{_n(self.left)}" y="{_n(self.top)}" '
            f'width="{_n(self.plot_width)}" height="{_n(self.plot_bottom - self.top)}"/>'
        )
        cursor = (
            f'<line class="cursor" x1="0" x2="0" y1="{_n(self.top)}" '
            f'y2="{_n(self.plot_bottom)}" visibility="hidden"/>'
        )
        return (
            f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {self.width} {self.height}" '
            f'role="img" aria-label="{escape(label)}" data-left="{self.left}" '
            f'data-plot-width="{_n(self.plot_width)}" data-duration-s="{self.duration_s:.3f}" '
            f'data-width="{self.width}">' + self.body() + frame + cursor + "</svg>"
        )


def sparkline(
    points: Sequence[tuple[float, float]],
    duration_s: float,
    *,
    bands: Sequence[tuple[float, float, str]] = (),
    width: int = 160,
    height: int = 28,
) -> str:
    """A tiny chart for a table cell: a 0..1 value over the call."""
    chart = TimeChart(
        duration_s, 0.0, 1.0, width=width, height=height, left=1, right=1, top=2, bottom=2
    )
    for y0, y1, cls in bands:
        chart.hband(y0, y1, cls)
    chart.line(points, "spark", step=True)
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-hidden="true">' + chart.body() + "</svg>"
    )
