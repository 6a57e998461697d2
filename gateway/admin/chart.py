"""Sales over time as an inline SVG bar chart, drawn by the server.

No JavaScript, no build step, nothing vendored: a few dozen rectangles and labels that every
browser draws, that print, and that a test can read. One chart per currency (amounts in different
currencies do not add up).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from commerce import money

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 14, 26


def _label(amount_minor: int, currency: str) -> str:
    return money.format_money(money.Money(int(amount_minor), currency))


def _nice_ceiling(value: int) -> int:
    """The smallest 1/2/5 × 10ⁿ at or above `value`, so the axis reads in round numbers."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def sales_svg(points: list[dict], currency: str, title: str = "Sales per day", label=None) -> Markup:
    """`points`: [{"date": "2026-03-01", "amount_minor": 36000}, …] in date order; `title` says what
    the bars are (sales per day; credit outstanding at each day's end); `label` shows a value (money
    in `currency` unless given: a count of followers needs none)."""
    show = label or (lambda v: _label(v, currency))
    about = f"{title} in {currency}" if currency else title
    n = max(len(points), 1)
    top = _nice_ceiling(max((p["amount_minor"] for p in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    bar = max(slot * 0.7, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(about)}">',
        f'<title>{escape(about)}</title>',
    ]
    for frac in (0, 0.5, 1):
        y = TOP + plot_h * (1 - frac)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
                     f'{escape(show(round(top * frac)))}</text>')
    label_every = max(1, round(n / 6))
    for i, p in enumerate(points):
        h = plot_h * p["amount_minor"] / top
        x = LEFT + i * slot + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" class="bar">'
            f'<title>{escape(p["date"])}: {escape(show(p["amount_minor"]))}</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="axis">'
                         f'{escape(p["date"][5:])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


BAR_H, LABEL_W = 22, 140


def dropoff_svg(rows: list[tuple[str, int]], aggregator: str) -> Markup:
    """Sessions left unfinished on each screen, as horizontal bars: `rows` [(screen name, count)],
    most first."""
    top = max((n for _, n in rows), default=0) or 1
    height = TOP + BAR_H * max(len(rows), 1) + 8
    plot_w = WIDTH - LABEL_W - RIGHT - 40
    name = escape(aggregator)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
             f'role="img" aria-label="Where sessions end unfinished, {name}">',
             f'<title>Where sessions end unfinished, {name}</title>']
    for i, (label, n) in enumerate(rows):
        y = TOP + i * BAR_H
        w = max(plot_w * n / top, 1)
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" class="axis">{escape(label)}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{BAR_H - 6}" class="bar">'
                     f'<title>{escape(label)}: {n}</title></rect>')
        parts.append(f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 15}" class="axis">{n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
