"""Keeping passwords and tokens out of log lines (and out of tracebacks on stderr).

`install_redaction()` wraps the log-record factory, so every record from every logger is
cleaned when it is made, whichever handler later writes it (stderr, journald, pytest):

- URLs with credentials:  mqtt://gw-01:s3cret@host  ->  mqtt://gw-01:***@host
- authorization headers:  Token abc / Bearer abc / Basic abc  ->  Token ***
- key=value and "key": "value" forms of password, token, secret, api key
- the values of secret-looking environment variables (…PASSWORD, …TOKEN, …SECRET, …KEY),
  as they are and URL-encoded: apprise URLs carry robot keys in their paths.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Iterable, Mapping
from urllib.parse import quote

MASK = "***"
_MIN_SECRET_LEN = 4  # shorter values would mask ordinary words and numbers

_URL_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@")
_AUTH_HEADER = re.compile(r"\b(?P<head>(?:Token|Bearer|Basic)\s+)[A-Za-z0-9+/=._:~-]+")
_KEY_VALUE = re.compile(
    r"(?P<head>\b(?:[A-Za-z_]*_)?(?:password|passwd|pwd|secret|token|api[_-]?key|"
    r"access[_-]?key)[\"']?\s*[=:]\s*[\"']?)(?P<value>[^\s\"'&,;}]+)",
    re.IGNORECASE,
)
_SECRET_ENV = re.compile(r"(PASSWORD|PASSWD|TOKEN|SECRET|_KEY|APIKEY|CREDENTIAL)", re.IGNORECASE)


def secret_env_values(env: Mapping[str, str] | None = None) -> set[str]:
    """Values of variables whose names say they hold a secret, and the passwords inside
    credentialed URLs held by any variable."""
    env = os.environ if env is None else env
    found: set[str] = set()
    for name, value in env.items():
        if _SECRET_ENV.search(name) and len(value) >= _MIN_SECRET_LEN:
            found.add(value)
        for match in re.finditer(r"://[^:/@\s]*:([^@\s]+)@", value):
            if len(match.group(1)) >= _MIN_SECRET_LEN:
                found.add(match.group(1))
    return found


class Redactor:
    """Removes credentials from text: patterns, plus a set of known secret values."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            known = set(self._secrets)
            for s in secrets:
                if len(s) >= _MIN_SECRET_LEN:
                    known |= {s, quote(s, safe="")}
            # longest first, so that a secret containing another is masked whole
            self._secrets = sorted(known, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _URL_USERINFO.sub(lambda m: m.group("head") + MASK + "@", text)
        text = _AUTH_HEADER.sub(lambda m: m.group("head") + MASK, text)
        return _KEY_VALUE.sub(
            lambda m: m.group(0) if m.group("value") == MASK else m.group("head") + MASK, text
        )


redactor = Redactor()
_installed = False


def redact(text: str) -> str:
    return redactor(text)


def _redacting_factory(base: logging.LogRecordFactory) -> logging.LogRecordFactory:
    def make(*args: object, **kwargs: object) -> logging.LogRecord:
        record = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to logging's own error report
            return record
        record.msg, record.args = redactor(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redactor("".join(traceback.format_exception(*record.exc_info)))
            record.exc_text = record.exc_text.rstrip("\n")
        if record.stack_info:
            record.stack_info = redactor(record.stack_info)
        return record

    return make


def _redacting_excepthook(exc_type, exc, tb) -> None:
    sys.stderr.write(redactor("".join(traceback.format_exception(exc_type, exc, tb))))


def _redacting_thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    name = args.thread.name if args.thread else "?"
    sys.stderr.write(redactor(f"Exception in thread {name}:\n{text}"))


def install_redaction(extra_secrets: Iterable[str] = ()) -> None:
    """Clean every log record and uncaught traceback from now on (idempotent). Secret
    values are taken from the environment now; add more with `extra_secrets`."""
    global _installed
    redactor.add(secret_env_values())
    redactor.add(extra_secrets)
    if _installed:
        return
    logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
    sys.excepthook = _redacting_excepthook
    threading.excepthook = _redacting_thread_hook
    _installed = True
