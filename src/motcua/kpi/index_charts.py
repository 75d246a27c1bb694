"""The dashboard's trend chart, drawn on the server as inline SVG (no script, no CDN): a line of
the monthly totals on a fixed 0-100 scale, each point labelled, readable at 360 px."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats

WIDTH, HEIGHT = 340, 150
LEFT, RIGHT, TOP, BOTTOM = 26, 18, 14, 24  # margins: scale on the left, months below


@dataclass(frozen=True)
class Dot:
    x: str  # coordinates as SVG wants them ("26.5"), never localized ("26,5")
    y: str
    label: str  # the month, 11/26
    value: str  # the total, 59,76
    label_y: str  # where the value above the last point goes
    show_label: bool  # every other month from the last one (12 labels do not fit at 360 px)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..."
    dots: list[Dot]
    grid: list[tuple[str, int]]  # (y, value) of the 0/25/50/75/100 lines
    left: int
    right: int
    label_y: int  # the baseline of the month labels
    scale_x: int  # where the scale's numbers end

    @property
    def empty(self) -> bool:
        return not self.dots


def trend_chart(points: list[tuple[str, Decimal]]) -> Chart:
    """(label, total) oldest first -> coordinates."""
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    n = len(points)
    step = inner_w / max(n - 1, 1)
    dots = []
    for i, (label, total) in enumerate(points):
        x = LEFT + (i * step if n > 1 else inner_w / 2)
        value = max(Decimal(0), min(Decimal(100), Decimal(total)))
        y = TOP + inner_h * (1 - float(value) / 100)
        text = formats.number_format(total, decimal_pos=2, use_l10n=True)
        show = (n - 1 - i) % 2 == 0
        dots.append(Dot(f"{x:.1f}", f"{y:.1f}", label, text, f"{y - 7:.1f}", show))
    grid = [(f"{TOP + inner_h * (1 - v / 100):.1f}", v) for v in (0, 25, 50, 75, 100)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=" ".join(f"{d.x},{d.y}" for d in dots),
        dots=dots,
        grid=grid,
        left=LEFT,
        right=WIDTH - RIGHT,
        label_y=HEIGHT - 8,
        scale_x=LEFT - 4,
    )
