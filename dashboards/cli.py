"""`cangjing dashboards build|push`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cangjing.cli_common import ConfigOpt, console, err, load_or_exit

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh or en (default: both)")]


def register(app: typer.Typer) -> None:
    dash = typer.Typer(help="Grafana dashboards generated from the facility file.",
                       no_args_is_help=True)
    app.add_typer(dash, name="dashboards")

    @dash.command()
    def build(
        config: ConfigOpt = None,
        lang: LangOpt = None,
        out: Annotated[Path | None, typer.Option(help="output folder")] = None,
        check: Annotated[bool, typer.Option(
            "--check", help="write nothing; exit 1 when the files are stale")] = False,
    ) -> None:
        """Generate the dashboards (JSON) from the facility file."""
        from .build import GENERATED, stale, write

        facility = load_or_exit(config)
        langs = _langs(lang)
        folder = out or GENERATED
        if check:
            problems = stale(facility, folder, langs)
            for line in problems:
                err.print(line, markup=False, highlight=False, soft_wrap=True)
            if problems:
                err.print("dashboards are stale: run `cangjing dashboards build`")
                raise typer.Exit(1)
            console.print(f"dashboards in {folder} are current")
            return
        paths = write(facility, folder, langs)
        console.print(f"wrote {len(paths)} dashboards to {folder}")

    @dash.command()
    def push(
        url: Annotated[str, typer.Option(envvar="GRAFANA_URL", help="Grafana base URL")],
        token: Annotated[str, typer.Option(envvar="GRAFANA_TOKEN", show_default=False,
                                           help="service account token (Editor)")],
        config: ConfigOpt = None,
        lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
        datasource_uid: Annotated[str | None, typer.Option(
            help="uid of the InfluxDB data source in that Grafana")] = None,
        force: Annotated[bool, typer.Option(
            help="overwrite even when a dashboard changed in Grafana meanwhile")] = False,
        timeout: Annotated[float, typer.Option(help="seconds per request")] = 10.0,
    ) -> None:
        """Upload the dashboards to a running Grafana, into the Cangjing folder."""
        from .build import build_all
        from .push import PushError, push_dashboards

        facility = load_or_exit(config)
        docs = build_all(facility, _langs(lang)[0])
        try:
            results = push_dashboards(url, token, docs, lang=_langs(lang)[0],
                                      datasource_uid=datasource_uid, force=force,
                                      timeout=timeout)
        except PushError as exc:
            err.print(f"[bold red]push failed:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        for r in results:
            console.print(f"{r.uid}: version {r.version} ({r.status})", highlight=False)


def _langs(lang: str | None) -> tuple[str, ...]:
    from .texts import LANGS

    if lang is None:
        return LANGS
    if lang not in LANGS:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGS)}")
    return (lang,)
