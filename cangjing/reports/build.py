"""Building a report: read each zone, compute its summary, write the PDF and the PNGs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ..config import Facility
from ..influx import InfluxClient
from .i18n import Words
from .summary import ZoneSummary, summarise

STEPS_PER_ZONE = 2  # read and compute, then draw: what the progress bar counts


@dataclass
class Report:
    pdf: Path
    pngs: list[Path] = field(default_factory=list)
    summaries: list[ZoneSummary] = field(default_factory=list)


def period_bounds(first: date, last: date, facility: Facility) -> tuple[float, float]:
    """[first 00:00, day after last 00:00) in the site's time zone, as POSIX seconds."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    tz = facility.site.tz
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start.timestamp(), end.timestamp()


def build_report(
    facility: Facility,
    influx: InfluxClient,
    zone_ids: list[str],
    first: date,
    last: date,
    out_dir: Path,
    *,
    lang: str = "zh",
    loan: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> Report:
    """The report of `zone_ids` from `first` to `last` (local dates, inclusive).

    Full report: per zone a summary page, climate, daily swing, light dose and alert
    pages (figures also as PNG). Loan report (`loan`): one summary page per zone.
    `progress(what is being done now, steps just completed)`.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages

    from .figures import climate_figure, light_figure, swing_figure
    from .fonts import report_font
    from .pages import alert_pages, summary_page

    w = Words(lang)
    zones = [facility.zone(z) for z in zone_ids]
    start, end = period_bounds(first, last, facility)
    tz = facility.site.tz
    out_dir.mkdir(parents=True, exist_ok=True)
    span = f"{first.isoformat()}_{last.isoformat()}"
    every = [z.id for z in facility.zones] == list(zone_ids)
    what = "loan" if loan else "site" if every else "-".join(zone_ids)
    report = Report(out_dir / f"cangjing-{facility.site.id}-{what}-{span}-{lang}.pdf")
    step = progress or (lambda _what, _done: None)
    rc = {"font.family": [report_font(lang)], "pdf.fonttype": 3, "axes.titlesize": 10}
    with matplotlib.rc_context(rc), PdfPages(report.pdf, metadata={
        "Title": f"{w('title_loan' if loan else 'title_zone')} {facility.site.name} {span}",
        "Creator": "Cangjing",
    }) as pdf:
        for zone in zones:
            step(f"{zone.id} {w('progress_read')}", 0)
            s = summarise(facility, influx, zone, start, end)
            report.summaries.append(s)
            step(f"{zone.id} {w('progress_draw')}", 1)
            pdf.savefig(summary_page(s, facility, w, loan=loan))
            if not loan:
                limits = zone.effective_limits()
                figures = []
                if s.climate is not None:
                    figures += [("climate", climate_figure(s, limits, w, tz)),
                                ("swing", swing_figure(s, limits, w, tz))]
                if s.light is not None:
                    figures.append(("light", light_figure(s, w, tz)))
                for name, fig in figures:
                    pdf.savefig(fig)
                    png = out_dir / f"{zone.id}-{span}-{name}-{lang}.png"
                    fig.savefig(png, dpi=facility.preservation.report.dpi)
                    report.pngs.append(png)
                for page in alert_pages(s, facility, w):
                    pdf.savefig(page)
            step(f"{zone.id} {w('progress_draw')}", 1)
    return report
