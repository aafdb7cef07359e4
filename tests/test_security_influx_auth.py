"""InfluxDB with authentication on (a real influxd with auth-enabled = true), users as the
deployment makes them: an admin for set-up, a service user with ALL on the database only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cangjing.cli import app
from cangjing.influx import InfluxClient, InfluxError
from cangjing.settings import DEFAULT_FACILITY
from cangjing.stack import Influxd

DB = "cangjing"
ADMIN, ADMIN_PW = "admin", "adm-Pw-7f3k"
SVC, SVC_PW = "cangjing", "svc-Pw-91xz"


@pytest.fixture(scope="module")
def influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    server = Influxd(tmp_path_factory.mktemp("influx-auth"), auth=True)
    server.start(timeout=60)
    # As the influxdb image's init does: the first user may be made without credentials.
    InfluxClient(server.url, DB).query(
        f"CREATE USER {ADMIN} WITH PASSWORD '{ADMIN_PW}' WITH ALL PRIVILEGES")
    admin = InfluxClient(server.url, DB, user=ADMIN, password=ADMIN_PW)
    admin.query(f'CREATE DATABASE "{DB}"')
    admin.query(f"CREATE USER {SVC} WITH PASSWORD '{SVC_PW}'")
    admin.query(f'GRANT ALL ON "{DB}" TO "{SVC}"')
    yield server
    server.stop()


def test_correct_credentials_write_and_read(influxd: Influxd) -> None:
    client = InfluxClient(influxd.url, DB, user=SVC, password=SVC_PW)
    client.write("environment,site=s,zone=Z,sensor=S temperature=20.5 1764000000", precision="s")
    assert client.count("environment", "temperature") == 1


@pytest.mark.parametrize(("user", "password"), [(SVC, "wrong"), ("nobody", SVC_PW)])
def test_wrong_credentials_give_a_clear_401(influxd: Influxd, user: str, password: str) -> None:
    client = InfluxClient(influxd.url, DB, user=user, password=password)
    with pytest.raises(InfluxError) as caught:
        client.write("environment,site=s,zone=Z,sensor=S temperature=1 1764000001", precision="s")
    assert caught.value.status == 401
    assert caught.value.is_client_error
    assert "authorization failed" in str(caught.value)
    assert "CANGJING_INFLUX_PASSWORD" in str(caught.value)  # says what to check
    assert password not in str(caught.value)


def test_no_credentials_at_all_are_refused(influxd: Influxd) -> None:
    with pytest.raises(InfluxError) as caught:
        InfluxClient(influxd.url, DB).query("SHOW MEASUREMENTS")
    assert caught.value.status == 401


def test_service_user_starts_without_admin_rights(influxd: Influxd) -> None:
    # The collector and alerts call ensure_database(); a least-privilege user may not run
    # DDL, and must still start when `cangjing influx-setup` made the database.
    client = InfluxClient(influxd.url, DB, user=SVC, password=SVC_PW)
    client.ensure_database()
    with pytest.raises(InfluxError) as caught:
        InfluxClient(influxd.url, "elsewhere", user=SVC, password=SVC_PW).ensure_database()
    assert caught.value.status == 403


def test_influx_setup_needs_and_uses_the_admin(influxd: Influxd) -> None:
    env = {"CANGJING_INFLUX_URL": influxd.url, "CANGJING_INFLUX_DB": "setup_db",
           "CANGJING_INFLUX_USER": SVC, "CANGJING_INFLUX_PASSWORD": SVC_PW}
    args = ["influx-setup", "--config", str(DEFAULT_FACILITY)]
    refused = CliRunner().invoke(app, args, env=env)
    assert refused.exit_code == 1
    assert SVC_PW not in refused.output
    env.update(CANGJING_INFLUX_USER=ADMIN, CANGJING_INFLUX_PASSWORD=ADMIN_PW)
    done = CliRunner().invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    admin = InfluxClient(influxd.url, "setup_db", user=ADMIN, password=ADMIN_PW)
    policies = {r["name"]: r for s in admin.query('SHOW RETENTION POLICIES ON "setup_db"')
                for r in s.records()}
    assert policies["raw"]["default"] and "rollup" in policies
    cqs = [row[0] for s in admin.query("SHOW CONTINUOUS QUERIES") if s.name == "setup_db"
           for row in s.values]
    assert "cq_environment_1h" in cqs
