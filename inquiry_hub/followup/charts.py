"""Server-rendered burn-up charts: geometry for an SVG that reads without colour."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 130, 12, 28
#: One stroke pattern per series, so lines differ by dash as well as by colour.
DASHES = ("", "6 4", "2 3")


@dataclass
class Line:
    label: str
    points: str
    dash: str
    end_x: float
    end_y: float
    last: int


@dataclass
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str]]
    left: int
    bottom: float
    right: float


def burnup_chart(series: list) -> Chart:
    """Scale cumulative series (same days) into the chart's box."""
    days = len(series[0].points) if series and series[0].points else 1
    top_value = max([p[1] for s in series for p in s.points] + [1])
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + inner_w * (i / max(days - 1, 1)), 1)

    def y(v: int) -> float:
        return round(TOP + inner_h * (1 - v / top_value), 1)

    lines = []
    for n, s in enumerate(series):
        coords = [(x(i), y(v)) for i, (_, v) in enumerate(s.points)]
        last = s.points[-1][1] if s.points else 0
        end = coords[-1] if coords else (LEFT, y(0))
        lines.append(
            Line(
                s.label,
                " ".join(f"{a},{b}" for a, b in coords),
                DASHES[n % len(DASHES)],
                end[0],
                end[1],
                last,
            )
        )
    step = max(1, top_value // 4)
    y_ticks = [(y(v), v) for v in range(0, top_value + 1, step)]
    dates = series[0].points if series else []
    x_ticks = [(x(i), dates[i][0].isoformat()) for i in sorted({0, len(dates) // 2, len(dates) - 1}) if dates]
    return Chart(WIDTH, HEIGHT, lines, y_ticks, x_ticks, LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT)


def table_rows(series: list, every: int = 7) -> list[tuple]:
    """The chart's data, one row a week and the last day, for the table under it."""
    if not series or not series[0].points:
        return []
    n = len(series[0].points)
    picks = sorted(set(range(0, n, every)) | {n - 1})
    return [(series[0].points[i][0], *(s.points[i][1] for s in series)) for i in picks]
