"""`cangjing alerts` (the service) and its subcommands, which talk to the running service's
HTTP API (address from `alerts.api` in the facility file or --url; token from the variable
`alerts.api.token` names, by default CANGJING_ALERTS_TOKEN)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cangjing.cli_common import ConfigOpt, console, err, load_or_exit

alerts_app = typer.Typer(help="The alert engine (no subcommand: run the service).",
                         invoke_without_command=True)

UrlOpt = Annotated[str | None, typer.Option("--url", envvar="CANGJING_ALERTS_URL",
                                            help="the service's API (default: alerts.api)")]


@alerts_app.callback()
def alerts(ctx: typer.Context, config: ConfigOpt = None) -> None:
    """Run the alert engine when no subcommand is given."""
    if ctx.invoked_subcommand is not None:
        return
    from cangjing.service import run_until_signal, setup_logging
    from cangjing.settings import influx_client, mqtt_url

    from .service import AlertService

    setup_logging()
    facility = load_or_exit(config)
    run_until_signal(AlertService(facility, mqtt_url(facility), influx_client(facility)))


def _call(config: Any, url: str | None, method: str, path: str,
          body: dict | None = None) -> Any:
    import json

    import urllib3

    from .service import secret

    facility = load_or_exit(config)
    api = facility.alerts.api
    base = (url or api.public_url or f"http://{api.bind}").rstrip("/")
    token = secret(api.token, "alerts API token")
    if not token:
        err.print(f"no API token: set the variable named by alerts.api.token ({api.token})")
        raise typer.Exit(2)
    try:
        resp = urllib3.request(method, base + path, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            body=json.dumps(body).encode() if body is not None else None, timeout=10,
            retries=False)
    except urllib3.exceptions.HTTPError as exc:
        err.print(f"alert service at {base} not reachable: {exc}")
        raise typer.Exit(1) from None
    doc = json.loads(resp.data or b"{}")
    if resp.status >= 300:
        err.print(f"{resp.status}: {doc.get('error', doc)}")
        raise typer.Exit(1)
    return doc


@alerts_app.command("list")
def list_alerts(config: ConfigOpt = None, url: UrlOpt = None) -> None:
    """Active alerts (pending, firing, acknowledged) and active silences, one a line."""
    from datetime import datetime

    facility = load_or_exit(config)
    tz = facility.site.tz
    doc = _call(config, url, "GET", "/alerts")
    console.print(f"{len(doc['alerts'])} active alert(s)", highlight=False)
    for a in doc["alerts"]:
        note = a.get("suppressed") or (f"acked by {a['acked_by']}" if a.get("acked_by") else "")
        since = datetime.fromisoformat(a["since"].replace("Z", "+00:00")).astimezone(tz)
        limit = "-" if a["limit"] is None else f"{a['limit']:g}"
        console.print(f"{a['id']}  {a['state']:<12} {a['severity']:<8} {a['zone']}/{a['sensor']}"
                      f"  {a['rule']}  {a['value']:g} (limit {limit})  since "
                      f"{since:%m-%d %H:%M}  {note}", markup=False, highlight=False)
    for s in _call(config, url, "GET", "/silences")["silences"]:
        ends = datetime.fromtimestamp(s["ends"], tz)
        console.print(f"silence {s['id']}: zone {s['zone']} until {ends:%m-%d %H:%M} "
                      f"({s['created_by']}): {s['reason']}", markup=False, highlight=False)


@alerts_app.command("ack")
def ack(alert_id: str, config: ConfigOpt = None, url: UrlOpt = None,
        by: Annotated[str, typer.Option(help="who acknowledges")] = "cli") -> None:
    """Acknowledge a firing alert: no more repeats or escalation; it still resolves."""
    doc = _call(config, url, "POST", f"/alerts/{alert_id}/ack", {"by": by})
    console.print(f"acknowledged {doc['id']}: {doc['zone']} {doc['sensor']} {doc['rule']}")


@alerts_app.command("silence")
def silence(zone: Annotated[str, typer.Argument(help="zone id, or * for every zone")],
            duration: Annotated[str, typer.Option("--for", help="e.g. 30m, 2h")],
            reason: Annotated[str, typer.Option(help="why (shown in the list)")],
            sensor: Annotated[str | None, typer.Option(help="only this sensor")] = None,
            by: Annotated[str, typer.Option(help="who silences")] = "cli",
            config: ConfigOpt = None, url: UrlOpt = None) -> None:
    """Record but do not send the zone's alerts for a while (maintenance, known work)."""
    doc = _call(config, url, "POST", "/silences", {"zone": zone, "for": duration,
                                                    "reason": reason, "sensor": sensor,
                                                    "by": by})
    console.print(f"silence {doc['id']} on {doc['zone']} for {duration}: {doc['reason']}")


@alerts_app.command("unsilence")
def unsilence(silence_id: str, config: ConfigOpt = None, url: UrlOpt = None) -> None:
    """End a silence now."""
    _call(config, url, "DELETE", f"/silences/{silence_id}")
    console.print(f"silence {silence_id} ended")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
