"""`cangjing report` and `cangjing preservation run|recompute`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from cangjing.cli_common import ConfigOpt, console, err, load_or_exit

FromOpt = Annotated[datetime | None, typer.Option(
    "--from", formats=["%Y-%m-%d"], help="first day (site time zone); default: a year ago")]
ToOpt = Annotated[datetime | None, typer.Option(
    "--to", formats=["%Y-%m-%d"], help="last day, inclusive; default: yesterday")]


def _days(start: datetime | None, end: datetime | None, today: date) -> tuple[date, date]:
    last = end.date() if end else today - timedelta(days=1)
    first = start.date() if start else _year_before(last + timedelta(days=1))
    if last < first:
        err.print(f"--to {last} is before --from {first}")
        raise typer.Exit(2)
    return first, last


def _columns() -> tuple:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn

    return (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())


def _year_before(d: date) -> date:
    if (d.month, d.day) == (2, 29):
        return d.replace(year=d.year - 1, day=28)
    return d.replace(year=d.year - 1)


def register(app: typer.Typer) -> None:
    preservation_app = typer.Typer(help="Preservation metrics in InfluxDB (`preservation`).",
                                   no_args_is_help=True)
    app.add_typer(preservation_app, name="preservation")

    @app.command()
    def report(
        zone: Annotated[list[str] | None, typer.Option(
            "--zone", "-z", help="zone id (repeatable)")] = None,
        site: Annotated[bool, typer.Option("--site", help="every zone of the site")] = False,
        loan: Annotated[bool, typer.Option(
            "--loan", help="facility report for loan requests: one page per zone")] = False,
        start: FromOpt = None,
        end: ToOpt = None,
        out: Annotated[Path, typer.Option("--out", help="output directory")] = Path("reports"),
        lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
        config: ConfigOpt = None,
    ) -> None:
        """Climate report as PDF (and the figures as PNG) from the data in InfluxDB."""
        from rich.progress import Progress

        from cangjing.influx import InfluxError
        from cangjing.settings import influx_client

        from .build import STEPS_PER_ZONE, build_report
        from .fonts import FontMissing

        facility = load_or_exit(config)
        known = [z.id for z in facility.zones]
        if lang not in ("zh", "en"):
            err.print(f"--lang {lang}: use zh or en")
            raise typer.Exit(2)
        zones = known if (site or (loan and not zone)) else list(zone or [])
        if not zones:
            err.print("name a zone (--zone A1) or the whole site (--site)")
            raise typer.Exit(2)
        unknown = [z for z in zones if z not in known]
        if unknown:
            err.print(f"no zone {', '.join(unknown)} in the facility (zones: {', '.join(known)})")
            raise typer.Exit(2)
        first, last = _days(start, end, datetime.now(facility.site.tz).date())
        with Progress(*_columns(), console=err, transient=True) as bar:
            task = bar.add_task("report", total=STEPS_PER_ZONE * len(zones))
            try:
                result = build_report(
                    facility, influx_client(facility), zones, first, last, out, lang=lang,
                    loan=loan,
                    progress=lambda what, done: bar.update(task, advance=done, description=what),
                )
            except FontMissing as exc:
                err.print(str(exc))
                raise typer.Exit(1) from None
            except InfluxError as exc:
                err.print(f"cannot read InfluxDB: {exc}")
                raise typer.Exit(1) from None
        console.print(f"PDF: {result.pdf}")
        for png in result.pngs:
            console.print(f"PNG: {png}")

    @preservation_app.command("recompute")
    def recompute_cmd(
        start: FromOpt = None,
        end: ToOpt = None,
        zone: Annotated[list[str] | None, typer.Option("--zone", "-z")] = None,
        config: ConfigOpt = None,
    ) -> None:
        """Recompute the hourly and daily results of a past range (after late data)."""
        from rich.progress import Progress

        from cangjing.conservation.continuous import recompute
        from cangjing.settings import influx_client

        facility = load_or_exit(config)
        tz = facility.site.tz
        first, last = _days(start, end, datetime.now(tz).date())
        lo = datetime(first.year, first.month, first.day, tzinfo=tz)
        hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        todo = zone or [z.id for z in facility.zones]
        with Progress(*_columns(), console=err, transient=True) as bar:
            task = bar.add_task("recompute", total=len(todo))
            n = recompute(facility, influx_client(facility), lo.astimezone(UTC),
                          hi.astimezone(UTC), zones=zone or None,
                          progress=lambda z: bar.update(task, advance=1, description=z))
        console.print(f"{n} preservation point(s) written for {first} – {last}")

    @preservation_app.command("run")
    def run_cmd(config: ConfigOpt = None) -> None:
        """Run the hourly and daily preservation jobs until SIGTERM/SIGINT."""
        from cangjing.conservation.continuous import start_preservation_scheduler
        from cangjing.service import setup_logging, stop_event_on_signals
        from cangjing.settings import influx_client

        setup_logging()
        facility = load_or_exit(config)
        stop = stop_event_on_signals()
        scheduler = start_preservation_scheduler(facility, influx_client(facility))
        try:
            while not stop.wait(0.5):
                pass
        finally:
            scheduler.shutdown()
