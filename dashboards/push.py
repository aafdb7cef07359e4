"""`cangjing dashboards push`: the generated dashboards into a running Grafana through
grafana-client, into the Cangjing folder, each overwriting the previous push.

Version check: a dashboard is saved with the version Grafana had when we read it, so that
an edit made in Grafana between our read and our write is refused (HTTP 412) instead of
silently lost; `--force` overwrites anyway. Errors are one line each, saying what to fix.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .grafana import DATASOURCE_UID, Json
from .texts import text


class PushError(Exception):
    """Grafana refused or could not be reached; the message says what to check."""


@dataclass(frozen=True)
class Pushed:
    uid: str
    version: int
    status: str  # "created" or "updated"


def folder_uid(lang: str) -> str:
    return "cangjing" if lang == "zh" else "cangjing-en"


def with_datasource(doc: Json, uid: str) -> Json:
    """A copy of `doc` whose InfluxDB references point at the data source `uid`."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("type") == "influxdb" and node.get("uid") == DATASOURCE_UID:
                return {**node, "uid": uid}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(copy.deepcopy(doc))


def push_dashboards(url: str, token: str, docs: dict[str, Json], *, lang: str,
                    datasource_uid: str | None = None, force: bool = False,
                    timeout: float = 10.0) -> list[Pushed]:
    """Create the folder if missing, then save every dashboard into it."""
    from grafana_client import GrafanaApi

    api = GrafanaApi.from_url(url, credential=token, timeout=timeout)
    with _explained(url, "build info"):
        # What grafana-client's health.check() reads; it needs a valid token, too.
        settings = api.client.GET("/frontend/settings")
    info = settings.get("buildInfo") if isinstance(settings, dict) else None
    if not isinstance(info, dict) or "version" not in info:
        raise PushError(f"{url} does not look like Grafana (no build info in "
                        f"/api/frontend/settings: {settings!r:.80})")
    fuid = folder_uid(lang)
    with _explained(url, "folder"):
        _ensure_folder(api, fuid, text("folder", lang))
    out: list[Pushed] = []
    for doc in docs.values():
        if datasource_uid:
            doc = with_datasource(doc, datasource_uid)
        with _explained(url, f"dashboard {doc['uid']}"):
            out.append(_save(api, doc, fuid, force))
    return out


def _ensure_folder(api: Any, uid: str, title: str) -> None:
    from grafana_client.client import GrafanaClientError

    try:
        api.folder.get_folder(uid)
    except GrafanaClientError as exc:
        if exc.status_code != 404:
            raise
        api.folder.create_folder(title, uid=uid)


def _save(api: Any, doc: Json, fuid: str, force: bool) -> Pushed:
    from grafana_client.client import GrafanaClientError

    try:
        current = api.dashboard.get_dashboard(doc["uid"])["dashboard"]
    except GrafanaClientError as exc:
        if exc.status_code != 404:
            raise
        current = None
    body = dict(doc)
    body["id"] = current.get("id") if current else None
    if current:
        body["version"] = current.get("version", 0)
    else:
        body.pop("version", None)
    reply = api.dashboard.update_dashboard({
        "dashboard": body, "folderUid": fuid, "overwrite": force,
        "message": "cangjing dashboards push (generated from the facility file)"})
    return Pushed(doc["uid"], int(reply.get("version", 0)), "updated" if current else "created")


class _explained:
    """Turns grafana-client and HTTP exceptions into one PushError line saying what to fix."""

    def __init__(self, url: str, step: str) -> None:
        self.url, self.step = url, step

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None or isinstance(exc, PushError):
            return False
        raise PushError(self._message(exc)) from exc

    def _message(self, exc: BaseException) -> str:
        import niquests
        from grafana_client.client import (
            GrafanaClientError,
            GrafanaException,
            GrafanaServerError,
            GrafanaTimeoutError,
            GrafanaUnauthorizedError,
        )

        where = f"Grafana at {self.url} ({self.step})"
        if isinstance(exc, GrafanaUnauthorizedError):
            return f"{where} refused the token (401): check --token / GRAFANA_TOKEN"
        if isinstance(exc, GrafanaClientError) and exc.status_code == 403:
            return (f"{where}: the token may not do this (403): it needs the Editor role "
                    "on the folder")
        if isinstance(exc, GrafanaClientError) and exc.status_code == 412:
            return (f"{where}: changed in Grafana since it was read (412 {exc.message}); "
                    "push again, or --force to overwrite")
        if isinstance(exc, GrafanaClientError) and exc.status_code == 404:
            return f"{where}: not found (404): is {self.url} the Grafana base URL?"
        if isinstance(exc, GrafanaClientError | GrafanaServerError):
            return f"{where}: {exc.message}"
        if isinstance(exc, GrafanaTimeoutError):
            return f"{where}: no answer in time: {exc.message}"
        if isinstance(exc, niquests.exceptions.RequestException | GrafanaException):
            return f"cannot reach {where}: {exc}"
        if isinstance(exc, ValueError):  # a page that is not JSON: not Grafana's API
            return f"{where}: the answer is not Grafana's JSON API ({exc})"
        return f"{where}: {type(exc).__name__}: {exc}"
