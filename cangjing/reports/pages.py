"""Report pages: the zone summary (also the loan page) and the alert history table."""

from __future__ import annotations

import unicodedata
from datetime import datetime, tzinfo

from matplotlib.figure import Figure

from ..config import Facility
from ..config.limits import Limits
from .figures import A4, draw_climate
from .i18n import Words, local_date, local_time
from .summary import Climate, Light, ZoneSummary

_X_LABEL, _X_VALUE, _X_VERDICT = 0.06, 0.40, 0.67
_LINE_H = 0.0165


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def wrap(text: str, units: int) -> list[str]:
    """Lines of at most `units` half-width columns (a hanzi counts two), broken after a
    space or CJK punctuation where possible."""
    lines: list[str] = []
    line, used, brk = "", 0, -1
    for ch in text:
        if used + _width(ch) > units and line:
            cut = brk + 1 if brk >= 0 else len(line)
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
            used, brk = sum(_width(c) for c in line), -1
        line += ch
        used += _width(ch)
        if ch in " ；，、）":
            brk = len(line) - 1
    if line or not lines:
        lines.append(line)
    return lines


def _pct(v: float) -> str:
    return f"{v:.1f} %"


def _target(w: Words, value: float, target: float) -> str:
    return w("target_met" if value >= target else "target_missed", t=f"{target:g}")


# Corrosion bands mean something only where metal is stored.
_METAL_MATERIALS = {"metal", "mixed"}


def metric_rows(s: ZoneSummary, facility: Facility, w: Words) -> list[tuple[str, str, str]]:
    """(metric, value, plain-language verdict) rows of a zone's summary."""
    rows: list[tuple[str, str, str]] = [(w("data_coverage"), _pct(s.coverage), "")]
    if s.climate is not None:
        rows += _climate_rows(s.climate, s.zone.effective_limits(), facility, w)
        zone_id = s.zone.id
        if s.zone.material.value in _METAL_MATERIALS or \
                zone_id in facility.preservation.corrosion_metal:
            rows.append(_corrosion_row(s.climate, facility.preservation.metal_of(zone_id), w))
    if s.light is not None:
        rows.append(_light_row(s.light, w))
    total = sum(a.duration(s.end) for a in s.alerts)
    rows.append((w("alerts"), w("alerts_count", n=len(s.alerts), d=w.duration(total))
                 if s.alerts else w("alerts_none"), ""))
    return rows


def _climate_rows(c: Climate, limits: Limits, facility: Facility, w: Words
                  ) -> list[tuple[str, str, str]]:
    rep = facility.preservation.report
    mold = ("mold_growth" if c.mold_max >= 1 else
            "mold_watch" if c.mold_max >= rep.mold_watch else "mold_none")
    return [
        (w("temperature"), w("mean_range", mean=f"{c.t_mean:.1f} °C", lo=f"{c.t_min:.1f}",
                             hi=f"{c.t_max:.1f} °C"), ""),
        (w("humidity"), w("mean_range", mean=f"{c.rh_mean:.1f} %", lo=f"{c.rh_min:.1f}",
                          hi=f"{c.rh_max:.1f} %"), ""),
        (w("in_range"), _pct(c.pct_in_range),
         _target(w, c.pct_in_range, rep.target_pct_in_range)),
        (w("t_in_range"), _pct(c.pct_t_in_range), ""),
        (w("rh_in_range"), _pct(c.pct_rh_in_range), ""),
        (w("rh_swing"), w("swing_value", pct=_pct(c.pct_days_rh_swing_ok),
                          v=f"{max(c.rh_swings.values()):.1f} %RH"),
         _target(w, c.pct_days_rh_swing_ok, rep.target_pct_days_within_swing) + w("sep")
         + w("swing_limit_is", v=f"{limits.humidity_swing:g} %RH")),
        (w("t_swing"), w("swing_value", pct=_pct(c.pct_days_t_swing_ok),
                         v=f"{max(c.t_swings.values()):.1f} K"),
         _target(w, c.pct_days_t_swing_ok, rep.target_pct_days_within_swing) + w("sep")
         + w("swing_limit_is", v=f"{limits.temperature_swing:g} K")),
        (w("twpi"), w("years", v=f"{c.twpi:.0f}"), w(f"twpi_{c.twpi_band}")),
        (w("mold"), f"{c.mold_max:.2f}", w(mold)),
        (w("emc"), w("mean_range", mean=f"{c.emc_mean:.1f} %", lo=f"{c.emc_min:.1f}",
                     hi=f"{c.emc_max:.1f} %"),
         w("emc_verdict", v=f"{c.emc_max - c.emc_min:.1f} %")),
        (w("dew_point"), w("mean_max", mean=f"{c.dew_point_mean:.1f} °C",
                           hi=f"{c.dew_point_max:.1f} °C"), ""),
    ]


def _corrosion_row(c: Climate, metal: str, w: Words) -> tuple[str, str, str]:
    share = c.corrosion_share
    verdict = ("corrosion_high" if share["high"] > 0 else
               "corrosion_mid" if share["moderate"] > 0 else "corrosion_low")
    return (w("corrosion", metal=w.metal(metal)),
            w("corrosion_value", low=_pct(share["low"]), mid=_pct(share["moderate"]),
              high=_pct(share["high"])),
            w(verdict))


def _light_row(light: Light, w: Words) -> tuple[str, str, str]:
    if light.budget is None or light.fraction is None:
        verdict = w("light_no_budget")
    else:
        verdict = (w("light_budget", b=f"{light.budget:,.0f} lx·h",
                     f=f"{100 * light.fraction:.0f} %") + w("sep")
                   + w("light_ok" if light.fraction <= 1 else "light_over"))
    return (w("light_dose"), f"{light.dose:,.0f} lx·h", verdict)


def limits_text(s: ZoneSummary, w: Words) -> str:
    lim = s.zone.effective_limits()

    def rng(r, unit: str) -> str:
        lo = "" if r.min is None else f"{r.min:g}"
        hi = "" if r.max is None else f"{r.max:g}"
        return f"{lo}–{hi} {unit}"

    dose = "" if lim.light_dose_per_year is None else f", {lim.light_dose_per_year:,.0f} lx·h/a"
    return (f"{w('limits')}: {w('temperature')} {rng(lim.temperature, '°C')}, "
            f"{w('humidity')} {rng(lim.humidity, '%')}, ΔRH ≤ {lim.humidity_swing:g} %/d, "
            f"ΔT ≤ {lim.temperature_swing:g} K/d, ≤ {lim.illuminance_max:g} lx{dose}")


def _header(fig: Figure, s: ZoneSummary, facility: Facility, w: Words, tz: tzinfo,
            title: str) -> float:
    site = facility.site
    site_name = site.name_en if w.lang == "en" and site.name_en else site.name
    fig.text(0.06, 0.955, title, fontsize=16, weight="bold")
    fig.text(0.06, 0.93, site_name, fontsize=10)
    lines = [
        f"{w('zone')}: {s.zone.id} {s.zone.display_name(w.lang)}",
        f"{w('material')}: {w.material(s.zone.material.value)}",
        f"{w('period')}: {local_date(s.start, tz)} – {local_date(s.end - 1, tz)} ({site.timezone})",
        limits_text(s, w),
        f"{w('generated')}: {local_time(datetime.now().timestamp(), tz)}",
    ]
    y = 0.9
    for line in lines:
        fig.text(0.06, y, line, fontsize=9)
        y -= 0.02
    return y - 0.01


def summary_page(s: ZoneSummary, facility: Facility, w: Words, *, loan: bool) -> Figure:
    tz = facility.site.tz
    fig = Figure(figsize=A4)
    y = _header(fig, s, facility, w, tz, w("title_loan" if loan else "title_zone"))
    if loan:
        fig.text(0.06, y, w("loan_note"), fontsize=8, style="italic")
        y -= 0.025
    for x, key in ((_X_LABEL, "metric"), (_X_VALUE, "value"), (_X_VERDICT, "verdict")):
        fig.text(x, y, w(key), fontsize=9, weight="bold")
    y -= 0.006
    fig.add_artist(_rule(fig, y))
    y -= _LINE_H
    for label, value, verdict in metric_rows(s, facility, w):
        # column widths in half-width characters at 8 pt
        parts = [wrap(label, 52), wrap(value, 44), wrap(verdict, 46)]
        for x, text_lines in zip((_X_LABEL, _X_VALUE, _X_VERDICT), parts, strict=True):
            for k, line in enumerate(text_lines):
                fig.text(x, y - k * _LINE_H, line, fontsize=8)
        y -= _LINE_H * max(len(p) for p in parts) + 0.004
    if s.climate is None:
        fig.text(0.06, y - 0.02, w("no_data"), fontsize=11, color="#b71c1c")
        return fig
    bottom = 0.05
    height = min(0.16, (y - 0.06 - bottom) / 2)
    ax_rh = fig.add_axes((0.1, bottom, 0.85, height))
    ax_t = fig.add_axes((0.1, bottom + height + 0.02, 0.85, height), sharex=ax_rh)
    draw_climate(ax_t, ax_rh, s, s.zone.effective_limits(), w, tz)
    for ax in (ax_t, ax_rh):
        ax.tick_params(labelsize=7)
        ax.yaxis.label.set_size(8)
    ax_t.tick_params(labelbottom=False)
    return fig


def _rule(fig: Figure, y: float):
    from matplotlib.lines import Line2D

    return Line2D([0.06, 0.96], [y, y], transform=fig.transFigure, lw=0.6, color="#555")


_ALERT_COLS = (0.06, 0.25, 0.45, 0.60, 0.70, 0.84)


def alert_pages(s: ZoneSummary, facility: Facility, w: Words) -> list[Figure]:
    """The alert history as tables, at most `report.alert_rows` rows in all."""
    if not s.alerts:
        return []
    tz = facility.site.tz
    limit = facility.preservation.report.alert_rows
    shown = s.alerts[:limit]
    per_page = 45
    pages: list[Figure] = []
    for first in range(0, len(shown), per_page):
        fig = Figure(figsize=A4)
        fig.text(0.06, 0.955, f"{s.zone.id} {s.zone.display_name(w.lang)} · {w('alerts')}",
                 fontsize=14, weight="bold")
        total = sum(a.duration(s.end) for a in s.alerts)
        fig.text(0.06, 0.93, w("alerts_count", n=len(s.alerts), d=w.duration(total)), fontsize=9)
        y = 0.90
        heads = ("alert_start", "alert_rule", "alert_sensor", "alert_severity", "alert_value",
                 "alert_duration")
        for x, key in zip(_ALERT_COLS, heads, strict=True):
            fig.text(x, y, w(key), fontsize=8, weight="bold")
        fig.add_artist(_rule(fig, y - 0.006))
        y -= 0.022
        for a in shown[first:first + per_page]:
            value = "–" if a.value is None else f"{a.value:.1f}"
            lim = "–" if a.limit is None else f"{a.limit:g}"
            duration = w.duration(a.duration(s.end))
            if a.end is None:
                duration = f"{duration} ({w('alert_ongoing')})"
            cells = (local_time(a.start, tz), a.rule, a.sensor, a.severity, f"{value} / {lim}",
                     duration)
            for x, cell in zip(_ALERT_COLS, cells, strict=True):
                fig.text(x, y, cell, fontsize=7.5)
            y -= 0.018
        pages.append(fig)
    if len(s.alerts) > limit:
        pages[-1].text(0.06, 0.03, w("alert_more", n=len(s.alerts) - limit), fontsize=8)
    return pages
