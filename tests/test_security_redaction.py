"""No password or token in any log line, traceback, or `config check` output."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from security_support import start_secured_broker

from cangjing.config import Facility
from cangjing.security.redact import MASK, Redactor, install_redaction, secret_env_values
from cangjing.settings import DEFAULT_FACILITY
from cangjing.stack import free_port
from firmware_sim.testing import wait_for

SECRET = "Zq8-hunter2-Xv"


@pytest.mark.parametrize("line", [
    f"connecting to mqtt://gw-01:{SECRET}@broker:1883",
    f"InfluxDB at http://cangjing:{SECRET}@influxdb:8086 unreachable",
    f"headers {{'Authorization': 'Token {SECRET}'}}",
    f"Authorization: Bearer {SECRET}",
    f"CANGJING_INFLUX_PASSWORD={SECRET}",
    f'{{"password": "{SECRET}", "user": "x"}}',
    f"apikey: {SECRET}",
])
def test_patterns_are_masked(line: str) -> None:
    out = Redactor()(line)
    assert SECRET not in out and MASK in out


def test_known_secret_values_are_masked_anywhere_also_url_encoded() -> None:
    env = {"CANGJING_WECOM_BOT_KEY": "abc/def+ghi", "CANGJING_MQTT_URL":
           f"mqtt://gw:{SECRET}@h:1883", "HOME": "/root", "CANGJING_INFLUX_DB": "cangjing"}
    values = secret_env_values(env)
    assert values == {"abc/def+ghi", SECRET}
    red = Redactor(values)
    assert red("wecombot://abc/def+ghi/") == f"wecombot://{MASK}/"
    assert red("url=wecombot://abc%2Fdef%2Bghi") == f"url=wecombot://{MASK}"
    assert red(f"password is {SECRET}") == f"password is {MASK}"
    assert red("database cangjing at /root") == "database cangjing at /root"


def test_installed_redaction_cleans_records_and_tracebacks(caplog: pytest.LogCaptureFixture,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("CANGJING_TEST_SMTP_PASSWORD", SECRET)
    install_redaction()
    log = logging.getLogger("cangjing.test.redact")
    with caplog.at_level(logging.INFO):
        log.info("mail via %s", f"mailtos://ops:{SECRET}@smtp.example.org")
        log.info("plain mention of %s", SECRET)
        try:
            raise ConnectionError(f"cannot reach http://u:{SECRET}@influx:8086")
        except ConnectionError:
            log.exception("write failed")
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert len(caplog.records) == 3
    assert SECRET not in text
    assert text.count(MASK) >= 3


def test_uncaught_tracebacks_are_redacted() -> None:
    code = (
        "from cangjing.security.redact import install_redaction\n"
        "install_redaction()\n"
        f"raise RuntimeError('cannot log in to mqtt://gw:{SECRET}@host')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 1
    assert "RuntimeError" in done.stderr and SECRET not in done.stderr


def _run_until(args: list[str], env: dict[str, str], seen: str, timeout: float = 20) -> str:
    """Run a service until its log shows `seen`, stop it with SIGTERM, return its log."""
    log_path = Path(env["CANGJING_DATA_DIR"]) / f"{args[0]}.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "cangjing.cli", *args], env=env,
                                stdout=log_file, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: seen in log_path.read_text(errors="replace"), timeout,
                 f"{seen!r} in the {args[0]} log")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    return log_path.read_text(errors="replace")


def test_service_logs_hold_no_credentials(tmp_path: Path, facility: Facility) -> None:
    broker = start_secured_broker(tmp_path / "b", facility)
    try:
        mqtt_pw = broker.files.passwords.by_user["collector"]
        env = {**os.environ, "CANGJING_DATA_DIR": str(tmp_path), "CANGJING_LOG_LEVEL": "DEBUG",
               "CANGJING_CONFIG": str(DEFAULT_FACILITY),
               "CANGJING_MQTT_URL": broker.url("collector"),
               # credentials in the URL of an InfluxDB that is not there: its error names it
               "CANGJING_INFLUX_URL": f"http://cangjing:{SECRET}@127.0.0.1:{free_port()}",
               "CANGJING_INFLUX_USER": "cangjing", "CANGJING_INFLUX_PASSWORD": SECRET}
        log = _run_until(["collector"], env, "unreachable")
        assert SECRET not in log and mqtt_pw not in log
        assert f"cangjing:{MASK}@127.0.0.1" in log  # the line is there, cleaned
        wrong = {**env, "CANGJING_MQTT_URL": broker.url("gw-01", "wrong-" + SECRET)}
        log = _run_until(["gateway", "--id", "gw-01"], wrong, "refused")
        assert SECRET not in log
    finally:
        broker.mosquitto.stop()


def test_config_check_shows_references_not_secrets(tmp_path: Path) -> None:
    text = DEFAULT_FACILITY.read_text(encoding="utf-8").replace(
        "url: mqtt://127.0.0.1:1883",
        "url: mqtt://gw-01:${CANGJING_MQTT_PASSWORD_GW_01}@127.0.0.1:1883",
    ).replace(
        "database: cangjing",
        "database: cangjing\n  user: cangjing\n  password: ${CANGJING_INFLUX_PASSWORD}",
    )
    assert "${CANGJING_MQTT_PASSWORD_GW_01}" in text and "${CANGJING_INFLUX_PASSWORD}" in text
    path = tmp_path / "facility.yaml"
    path.write_text(text, encoding="utf-8")
    secrets = {"CANGJING_MQTT_PASSWORD_GW_01": "mqtt-" + SECRET,
               "CANGJING_INFLUX_PASSWORD": "influx-" + SECRET,
               "CANGJING_WECOM_BOT_KEY": "wecom-" + SECRET,
               "CANGJING_SMTP_PASSWORD": "smtp-" + SECRET,
               "CANGJING_MQTT_URL": f"mqtt://gw-01:url-{SECRET}@127.0.0.1:1883",
               "CANGJING_INFLUX_TOKEN": "token-" + SECRET}
    env = {**os.environ, **secrets, "COLUMNS": "300"}
    for extra in ([], ["--json"]):
        done = subprocess.run([sys.executable, "-m", "cangjing.cli", "config", "check",
                               str(path), *extra], env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        assert SECRET not in done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["mqtt"]["url"] == "mqtt://gw-01:${CANGJING_MQTT_PASSWORD_GW_01}@127.0.0.1:1883"
