"""InfluxDB through the v1 HTTP API (`/write`, `/query`, `/ping`).

Every InfluxDB generation serves this API: 1.x natively, 2.x through its v1 compatibility
endpoints (token as `Authorization: Token ...`), 3.x natively.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import urllib3

log = logging.getLogger(__name__)


class InfluxError(Exception):
    """InfluxDB refused a request or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def unreachable(self) -> bool:
        return self.status is None

    @property
    def is_client_error(self) -> bool:
        """4xx: the request itself is wrong (bad points, auth), retrying will not help."""
        return self.status is not None and 400 <= self.status < 500


@dataclass(frozen=True)
class Series:
    name: str
    tags: dict[str, str]
    columns: list[str]
    values: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=False)) for row in self.values]


class InfluxClient:
    def __init__(
        self,
        url: str,
        database: str,
        *,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        headers: dict[str, str] = {}
        if token:
            headers["Authorization"] = f"Token {token}"
        elif user:
            headers.update(urllib3.make_headers(basic_auth=f"{user}:{password or ''}"))
        self._headers = headers
        self._http = urllib3.PoolManager(
            maxsize=4, timeout=urllib3.Timeout(connect=min(timeout, 3.0), read=timeout),
            retries=False,
        )

    def _request(self, method: str, path: str, fields: dict[str, str], body: bytes | None = None):
        url = f"{self.url}{path}"
        try:
            if body is None:
                resp = self._http.request(method, url, fields=fields, headers=self._headers)
            else:
                query = urlencode(fields)
                resp = self._http.request(
                    method, f"{url}?{query}", body=body,
                    headers={**self._headers, "Content-Type": "text/plain; charset=utf-8"},
                )
        except urllib3.exceptions.HTTPError as exc:
            raise InfluxError(f"InfluxDB at {self.url} unreachable: {exc}") from None
        if resp.status >= 300:
            raise InfluxError(_error_text(resp.data, resp.status), resp.status)
        return resp

    def ping(self) -> bool:
        try:
            self._request("GET", "/ping", {})
        except InfluxError:
            return False
        return True

    def write(
        self, lines: str | bytes, *, precision: str = "ns", retention_policy: str | None = None
    ) -> None:
        """Write line protocol; raise InfluxError (with the status) when refused."""
        body = lines.encode() if isinstance(lines, str) else lines
        fields = {"db": self.database, "precision": precision}
        if retention_policy:
            fields["rp"] = retention_policy
        self._request("POST", "/write", fields, body)

    def write_lines(self, lines: Iterable[str], *, batch: int = 5000,
                    precision: str = "ns") -> int:
        """Write any number of lines in requests of `batch` lines; return how many."""
        chunk: list[str] = []
        written = 0
        for line in lines:
            chunk.append(line)
            if len(chunk) >= batch:
                self.write("\n".join(chunk), precision=precision)
                written, chunk = written + len(chunk), []
        if chunk:
            self.write("\n".join(chunk), precision=precision)
            written += len(chunk)
        return written

    def query(self, q: str, *, epoch: str | None = "ms") -> list[Series]:
        """Run InfluxQL; return the series of every statement, raise on any error."""
        fields = {"db": self.database, "q": q}
        if epoch:
            fields["epoch"] = epoch
        method = "GET" if q.lstrip().upper().startswith(("SELECT", "SHOW")) else "POST"
        resp = self._request(method, "/query", fields)
        doc = json.loads(resp.data)
        out: list[Series] = []
        for result in doc.get("results", []):
            if "error" in result:
                raise InfluxError(f"query {q!r}: {result['error']}", 400)
            for s in result.get("series", []):
                out.append(Series(s.get("name", ""), s.get("tags", {}), s["columns"],
                                  s.get("values", [])))
        return out

    def count(self, measurement: str, field: str, where: str = "") -> int:
        series = self.query(f'SELECT count("{field}") FROM "{measurement}" {where}')
        return int(series[0].values[0][1]) if series else 0

    def ensure_database(self, raw_retention: str = "INF") -> None:
        """Create the database and the `raw` (default) and `rollup` retention policies."""
        db = self.database
        try:
            self.query(f'CREATE DATABASE "{db}"')
        except InfluxError as exc:
            # A deployment's service user is not admin (least privilege): the database and
            # its policies were made by `cangjing influx-setup`; go on if it is there.
            if exc.status == 403 and self._database_visible():
                return
            raise
        existing = {r["name"] for s in self.query(f'SHOW RETENTION POLICIES ON "{db}"')
                    for r in s.records()}
        verb = "ALTER" if "raw" in existing else "CREATE"
        self.query(
            f'{verb} RETENTION POLICY "raw" ON "{db}" DURATION {raw_retention} '
            "REPLICATION 1 DEFAULT"
        )
        if "rollup" not in existing:
            self.query(f'CREATE RETENTION POLICY "rollup" ON "{db}" DURATION INF REPLICATION 1')

    def _database_visible(self) -> bool:
        try:
            return any(r["name"] == self.database
                       for s in self.query("SHOW DATABASES") for r in s.records())
        except InfluxError:
            return False

    def close(self) -> None:
        self._http.clear()


# What to check when InfluxDB refuses the credentials (401) or the user's rights (403).
_AUTH_HINTS = {
    401: " (credentials refused: check CANGJING_INFLUX_USER / CANGJING_INFLUX_PASSWORD"
         " or CANGJING_INFLUX_TOKEN)",
    403: " (the InfluxDB user lacks the privilege for this)",
}


def _error_text(data: bytes, status: int) -> str:
    hint = _AUTH_HINTS.get(status, "")
    try:
        return f"InfluxDB {status}: {json.loads(data).get('error', data.decode())}{hint}"
    except (ValueError, AttributeError):
        return f"InfluxDB {status}: {data[:300]!r}{hint}"


def retention_text(seconds: float) -> str:
    """A retention duration in InfluxQL; 0 means forever."""
    return "INF" if seconds <= 0 else f"{int(seconds)}s"
