import re

from assist.report.svg import TimeChart, clock, sparkline, time_ticks


def test_clock_and_ticks():
    assert [clock(t) for t in (0, 59.4, 59.6, 61, 3725)] == [
        "0:00",
        "0:59",
        "1:00",
        "1:01",
        "1:02:05",
    ]
    assert time_ticks(22.8) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]
    assert time_ticks(600)[:3] == [0, 60, 120]


def test_values_map_into_the_plot_area_and_clamp():
    chart = TimeChart(10.0, 0.0, 1.0, width=200, height=100, left=20, right=10, top=10, bottom=10)
    assert (chart.x(0), chart.x(10), chart.x(5), chart.x(-3), chart.x(99)) == (
        20,
        190,
        105,
        20,
        190,
    )
    assert (chart.y(0), chart.y(1), chart.y(0.5), chart.y(7)) == (90, 10, 50, 10)


def test_lines_break_at_missing_values_and_steps_hold():
    chart = TimeChart(10.0, 0.0, 1.0, width=200, height=100, left=20, right=10, top=10, bottom=10)
    chart.line([(0, 0.0), (5, 1.0), (6, None), (8, 0.5)], "a")
    chart.line([(0, 0.0), (5, 1.0)], "b", step=True)
    svg = chart.body()
    assert 'class="a" d="M20 90L105 10M156 50"' in svg
    assert 'class="b" d="M20 90H105V10H190V10"' in svg


def test_text_is_escaped():
    chart = TimeChart(10.0, 0.0, 1.0)
    chart.marker(1.0, "<1>", "m", title='say "<b>hi</b>" & go', href="#s-1")
    chart.vspan(1, 2, "v", title="<script>alert(1)</script>")
    svg = chart.render('id"x', "a <label>")
    assert "<b>" not in svg and "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'id="id&quot;x"' in svg and "&lt;1&gt;" in svg
    assert re.search(r'data-duration-s="10.000"', svg)


def test_sparkline_draws_the_score():
    svg = sparkline([(0, 0.1), (5, 0.9)], 10.0, bands=[(0, 0.35, "band-calm")])
    assert svg.startswith("<svg") and 'class="spark"' in svg and 'class="band-calm"' in svg
