"""A real HTTP server on a loopback port that answers the few Grafana HTTP API calls that
`dashboards push` makes, with Grafana's status codes and bodies (HTTP API docs: health,
folders, dashboards). It is not Grafana: the tests that use it say `mock` in their names."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class GrafanaMock:
    token: str = "glsa_good"
    folders: dict[str, dict] = field(default_factory=dict)
    dashboards: dict[str, dict] = field(default_factory=dict)  # uid -> {dashboard, folderUid}
    edit_on_read: bool = False  # play someone saving the dashboard right after we read it
    not_grafana: int = 0  # play a web server that is not Grafana, answering this status
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                mock._handle(self, "GET", None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                mock._handle(self, "POST", json.loads(self.rfile.read(length) or b"{}"))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, req: BaseHTTPRequestHandler, method: str, body: Any) -> None:
        self.requests.append((method, req.path))
        if self.not_grafana:
            return _send(req, self.not_grafana, b"<html><body>nginx</body></html>", "text/html")
        if req.path == "/api/health":
            return _json(req, 200, {"database": "ok", "version": "11.3.0"})
        if req.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(req, 401, {"message": "invalid API key"})
        if req.path == "/api/frontend/settings":
            return _json(req, 200, {"buildInfo": {"version": "11.3.0", "edition": "Open Source"}})
        parts = req.path.strip("/").split("/")
        if method == "GET" and parts[:2] == ["api", "folders"] and len(parts) == 3:
            folder = self.folders.get(parts[2])
            return _json(req, 200, folder) if folder else _json(req, 404, {
                "message": "folder not found", "status": "not-found"})
        if method == "POST" and parts == ["api", "folders"]:
            folder = {"id": len(self.folders) + 1, "uid": body["uid"], "title": body["title"]}
            self.folders[body["uid"]] = folder
            return _json(req, 200, folder)
        if method == "GET" and parts[:3] == ["api", "dashboards", "uid"]:
            return self._get_dashboard(req, parts[3])
        if method == "POST" and parts == ["api", "dashboards", "db"]:
            return self._save(req, body)
        return _json(req, 404, {"message": "Not found"})

    def _get_dashboard(self, req: BaseHTTPRequestHandler, uid: str) -> None:
        stored = self.dashboards.get(uid)
        if not stored:
            return _json(req, 404, {"message": "Dashboard not found"})
        reply = {"dashboard": dict(stored["dashboard"]),
                 "meta": {"folderUid": stored["folderUid"]}}
        if self.edit_on_read:
            stored["dashboard"]["version"] += 1
        return _json(req, 200, reply)

    def _save(self, req: BaseHTTPRequestHandler, body: dict) -> None:
        doc = body["dashboard"]
        if body.get("folderUid") not in self.folders:
            return _json(req, 400, {"message": "folder not found"})
        stored = self.dashboards.get(doc["uid"])
        if stored and not body.get("overwrite") and doc.get("version") != stored[
                "dashboard"]["version"]:
            return _json(req, 412, {"status": "version-mismatch",
                                    "message": "The dashboard has been changed by someone else"})
        version = stored["dashboard"]["version"] + 1 if stored else 1
        saved = {**doc, "version": version, "id": stored["dashboard"]["id"] if stored
                 else len(self.dashboards) + 1}
        self.dashboards[doc["uid"]] = {"dashboard": saved, "folderUid": body["folderUid"]}
        return _json(req, 200, {"id": saved["id"], "uid": doc["uid"], "status": "success",
                                "version": version, "url": f"/d/{doc['uid']}"})


def _json(req: BaseHTTPRequestHandler, status: int, doc: Any) -> None:
    _send(req, status, json.dumps(doc).encode(), "application/json")


def _send(req: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
    req.send_response(status)
    req.send_header("Content-Type", ctype)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)
