"""The report's figures (matplotlib, imported only when a report is made)."""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..config.limits import Limits
from ..conservation.periods import Bucket
from .i18n import Words
from .summary import ZoneSummary

A4 = (8.27, 11.69)
WIDE = (10.0, 6.0)
_BAND = {"color": "#2e7d32", "alpha": 0.12, "lw": 0}
_LINE = {"lw": 0.7}


def _times(tss: list[float], tz: tzinfo) -> list[datetime]:
    return [datetime.fromtimestamp(t, tz) for t in tss]


def _with_breaks(buckets: list[Bucket], value_of) -> tuple[list[float], list[float]]:
    """x/y with a NaN wherever data is missing, so that lines do not bridge gaps."""
    xs: list[float] = []
    ys: list[float] = []
    for b in buckets:
        if xs and b.ts - xs[-1] > 2 * b.dur:
            xs.append(xs[-1] + b.dur)
            ys.append(math.nan)
        xs.append(b.ts)
        ys.append(value_of(b))
    return xs, ys


# ConciseDateFormatter levels: years, months, days, hours, minutes, seconds.
_ZH_DATES = {
    "formats": ["%Y年", "%-m月", "%-d日", "%H:%M", "%H:%M", "%S.%f"],
    "zero_formats": ["", "%Y年", "%-m月", "%-m月%-d日", "%H:%M", "%H:%M"],
    "offset_formats": ["", "%Y年", "%Y年%-m月", "%Y年%-m月%-d日", "%Y年%-m月%-d日",
                       "%Y年%-m月%-d日 %H:%M"],
}


def _date_axis(ax: Axes, s: ZoneSummary, w: Words, tz: tzinfo) -> None:
    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    extra = _ZH_DATES if w.lang == "zh" else {}
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz, **extra))
    ax.set_xlim(datetime.fromtimestamp(s.start, tz), datetime.fromtimestamp(s.end, tz))
    ax.grid(True, lw=0.3, alpha=0.5)


def _band(ax: Axes, lo: float | None, hi: float | None, label: str) -> None:
    bottom, top = ax.get_ylim()
    ax.axhspan(bottom if lo is None else lo, top if hi is None else hi, label=label, **_BAND)
    ax.set_ylim(bottom, top)


def draw_climate(ax_t: Axes, ax_rh: Axes, s: ZoneSummary, limits: Limits, w: Words,
                 tz: tzinfo) -> None:
    climate = [b for b in s.buckets if b.climate]
    for ax, value_of, rng, label, unit, color in (
        (ax_t, lambda b: b.temperature, limits.temperature, w("temperature"), "°C", "#c62828"),
        (ax_rh, lambda b: b.humidity, limits.humidity, w("humidity"), "%", "#1565c0"),
    ):
        xs, ys = _with_breaks(climate, value_of)
        # Each mean holds for its bucket: draw steps, not slopes between means.
        ax.plot(_times(xs, tz), ys, color=color, drawstyle="steps-post", **_LINE)
        lo = [v for v in (rng.min, *[y for y in ys if not math.isnan(y)]) if v is not None]
        hi = [v for v in (rng.max, *[y for y in ys if not math.isnan(y)]) if v is not None]
        pad = max(1.0, 0.05 * (max(hi) - min(lo)))
        ax.set_ylim(min(lo) - pad, max(hi) + pad)
        _band(ax, rng.min, rng.max, w("limit_band"))
        ax.set_ylabel(f"{label} ({unit})")
        _date_axis(ax, s, w, tz)
    ax_t.legend(loc="upper right", fontsize=7)


def climate_figure(s: ZoneSummary, limits: Limits, w: Words, tz: tzinfo) -> Figure:
    fig = Figure(figsize=WIDE, layout="constrained")
    ax_t, ax_rh = fig.subplots(2, 1, sharex=True)
    draw_climate(ax_t, ax_rh, s, limits, w, tz)
    fig.suptitle(f"{s.zone.id} {s.zone.display_name(w.lang)} · {w('fig_climate')}")
    return fig


def swing_figure(s: ZoneSummary, limits: Limits, w: Words, tz: tzinfo) -> Figure:
    fig = Figure(figsize=WIDE, layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    c = s.climate
    assert c is not None
    for ax, swings, limit, label, unit, color in (
        (axes[0], c.t_swings, limits.temperature_swing, w("temperature"), "K", "#c62828"),
        (axes[1], c.rh_swings, limits.humidity_swing, w("humidity"), "%RH", "#1565c0"),
    ):
        days = [datetime(d.year, d.month, d.day, tzinfo=tz) for d in swings]
        values = list(swings.values())
        ax.bar(days, values, width=1.0, color=color, alpha=0.7)
        ax.axhline(limit, color="#e65100", lw=1, ls="--", label=w("swing_limit"))
        ax.set_ylabel(f"{label} ({unit})")
        _date_axis(ax, s, w, tz)
    axes[0].legend(loc="upper right", fontsize=7)
    fig.suptitle(f"{s.zone.id} {s.zone.display_name(w.lang)} · {w('fig_swing')}")
    return fig


def light_figure(s: ZoneSummary, w: Words, tz: tzinfo) -> Figure:
    fig = Figure(figsize=WIDE, layout="constrained")
    ax = fig.subplots()
    light = s.light
    assert light is not None
    xs = [t for t, _ in light.cumulative]
    ax.plot(_times(xs, tz), [d for _, d in light.cumulative], color="#f9a825", lw=1.2,
            label=w("light_dose"))
    if light.annual_budget:
        ax.axhline(light.annual_budget, color="#e65100", ls="--", lw=1, label=w("budget"))
    ax.set_ylabel("lx·h")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8)
    _date_axis(ax, s, w, tz)
    fig.suptitle(f"{s.zone.id} {s.zone.display_name(w.lang)} · {w('fig_light')}")
    return fig
