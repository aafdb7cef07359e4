"""The alert service's small HTTP API (token-authenticated) and its signed ack links.

    GET    /alerts                      active alerts (JSON)          Authorization: Bearer T
    POST   /alerts/<id>/ack {"by": ..}  acknowledge                   Authorization: Bearer T
    GET    /silences                    active silences               Authorization: Bearer T
    POST   /silences {"zone", "for", "reason", "by", "sensor"}        Authorization: Bearer T
    DELETE /silences/<id>               end a silence                 Authorization: Bearer T
    GET    /status                      counts, channel health        Authorization: Bearer T
    GET    /ack/<id>?sig=S              confirmation page (link in messages; no token)
    POST   /ack/<id>?sig=S              acknowledge that one alert (the page's button)

The link's signature is an HMAC of that alert's id: it acknowledges that alert only. The
GET shows a button instead of acting because chat apps open links to preview them.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import TypeAdapter, ValidationError

from cangjing.config.types import Duration

from .engine import AlertEngine
from .signing import Signer

log = logging.getLogger(__name__)

_DURATION = TypeAdapter(Duration)


class ApiServer:
    def __init__(self, engine: AlertEngine, bind: str, token: str | None,
                 signer: Signer | None) -> None:
        self.engine = engine
        self.token = token
        self.signer = signer
        host, _, port = bind.rpartition(":")
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api.handle(self, "GET")

            def do_POST(self) -> None:
                api.handle(self, "POST")

            def do_DELETE(self) -> None:
                api.handle(self, "DELETE")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host.strip("[]"), int(port)), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.host = host
        self.thread = threading.Thread(target=self.server.serve_forever, name="alerts-api",
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ApiServer:
        self.thread.start()
        log.info("alerts API on %s", self.url)
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- request handling ---

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(req.path)
        path = [p for p in parts.path.split("/") if p]
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            if path[:1] == ["ack"] and len(path) == 2:
                return self._signed_ack(req, method, path[1], query.get("sig", ""))
            if not self._authorized(req):
                return _reply(req, 401, {"error": "missing or wrong bearer token"})
            body = _body(req) if method == "POST" else {}
            status, doc = self._route(method, path, body)
        except ValueError as exc:
            status, doc = 400, {"error": str(exc)}
        _reply(req, status, doc)

    def _authorized(self, req: BaseHTTPRequestHandler) -> bool:
        given = req.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return bool(self.token) and hmac.compare_digest(given.encode(), self.token.encode())

    def _route(self, method: str, path: list[str], body: dict[str, Any]) -> tuple[int, Any]:
        e = self.engine
        if method == "GET" and path == ["alerts"]:
            return 200, {"alerts": [a.event() | {"notify_count": a.notify_count,
                                                 "channels": a.channels} for a in e.alerts()]}
        if method == "POST" and len(path) == 3 and path[0] == "alerts" and path[2] == "ack":
            alert = e.acknowledge(path[1], str(body.get("by") or "api"))
            if alert is None:
                return 404, {"error": f"no firing alert {path[1]!r}"}
            return 200, alert.event()
        if method == "GET" and path == ["silences"]:
            return 200, {"silences": [asdict(s) for s in e.silences()]}
        if method == "POST" and path == ["silences"]:
            try:
                seconds = _DURATION.validate_python(body.get("for", "")).total_seconds()
            except ValidationError:
                given = body.get("for")
                raise ValueError(f"'for': {given!r} is not a duration (e.g. 2h)") from None
            if not body.get("reason"):
                raise ValueError("'reason' is required")
            s = e.silence(str(body.get("zone", "")), seconds, str(body["reason"]),
                          str(body.get("by") or "api"), body.get("sensor"))
            return 201, asdict(s)
        if method == "DELETE" and len(path) == 2 and path[0] == "silences":
            found = e.expire_silence(path[1])
            return (200, {"ended": path[1]}) if found else (404, {"error": "no such silence"})
        if method == "GET" and path == ["status"]:
            return 200, {"states": e.state_counts(), "readings": e.readings,
                         "channels": e.notifier.status()}
        return 404, {"error": "not found"}

    def _signed_ack(self, req: BaseHTTPRequestHandler, method: str, alert_id: str,
                    sig: str) -> None:
        if self.signer is None or not self.signer.verify(alert_id, sig):
            return _page(req, 403, "链接无效 / invalid link",
                         "此链接不属于这条告警。This link does not belong to this alert.")
        if method == "GET":
            alert = next((a for a in self.engine.alerts() if a.id == alert_id), None)
            what = f"{alert.zone} {alert.sensor} {alert.rule}" if alert else alert_id
            form = (f'<form method="post"><button type="submit">确认告警 / Acknowledge '
                    f'{html.escape(what)}</button></form>')
            return _page(req, 200, "确认告警 / Acknowledge", form, raw=True)
        alert = self.engine.acknowledge(alert_id, "link")
        if alert is None:
            return _page(req, 404, "无需确认 / nothing to do",
                         "该告警已确认或已恢复。Already acknowledged or resolved.")
        return _page(req, 200, "已确认 / acknowledged", f"{alert.zone} {alert.sensor}: OK")


def _body(req: BaseHTTPRequestHandler) -> dict[str, Any]:
    length = int(req.headers.get("Content-Length") or 0)
    if not length:
        return {}
    try:
        doc = json.loads(req.rfile.read(length))
    except ValueError:
        raise ValueError("body is not JSON") from None
    if not isinstance(doc, dict):
        raise ValueError("body must be a JSON object")
    return doc


def _reply(req: BaseHTTPRequestHandler, status: int, doc: Any) -> None:
    data = json.dumps(doc, ensure_ascii=False).encode()
    req.send_response(status)
    req.send_header("Content-Type", "application/json; charset=utf-8")
    req.send_header("Content-Length", str(len(data)))
    req.end_headers()
    req.wfile.write(data)


def _page(req: BaseHTTPRequestHandler, status: int, title: str, text: str,
          raw: bool = False) -> None:
    content = text if raw else html.escape(text)
    data = (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<h1>{html.escape(title)}</h1><p>{content}</p>").encode()
    req.send_response(status)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", str(len(data)))
    req.end_headers()
    req.wfile.write(data)
