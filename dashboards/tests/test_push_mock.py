"""`dashboards push` against a real local HTTP server standing in for Grafana's HTTP API
(a mock: Grafana cannot run here). Happy path, version check, and the error paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cangjing.cli import app
from cangjing.stack import free_port
from dashboards.build import build_all

from .grafana_mock import GrafanaMock

runner = CliRunner()


@pytest.fixture
def grafana() -> Iterator[GrafanaMock]:
    mock = GrafanaMock()
    yield mock
    mock.close()


def push(url: str, token: str, *extra: str):
    return runner.invoke(app, ["dashboards", "push", "--url", url, "--token", token,
                               "--timeout", "3", *extra])


def test_push_mock_creates_folder_and_dashboards_then_updates_them(grafana, facility):
    expected = {d["uid"] for d in build_all(facility, "zh").values()}
    first = push(grafana.url, grafana.token)
    assert first.exit_code == 0, first.output
    assert set(grafana.folders) == {"cangjing"} and grafana.folders["cangjing"]["title"] == "藏境"
    assert set(grafana.dashboards) == expected
    assert {d["folderUid"] for d in grafana.dashboards.values()} == {"cangjing"}
    assert "created" in first.output

    second = push(grafana.url, grafana.token, "--datasource-uid", "influx-prod")
    assert second.exit_code == 0, second.output
    assert "version 2 (updated)" in second.output
    overview = grafana.dashboards["cangjing-overview"]["dashboard"]
    assert overview["version"] == 2 and overview["panels"][0]["datasource"]["uid"] == "influx-prod"
    assert len(grafana.folders) == 1


def test_push_mock_english_goes_to_its_own_folder(grafana):
    result = push(grafana.url, grafana.token, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert set(grafana.folders) == {"cangjing-en"}
    assert all(uid.endswith("-en") for uid in grafana.dashboards)


def test_push_mock_refuses_a_changed_dashboard_unless_forced(grafana):
    assert push(grafana.url, grafana.token).exit_code == 0
    grafana.edit_on_read = True
    result = push(grafana.url, grafana.token)
    assert result.exit_code == 1
    assert "changed in Grafana since it was read" in result.output and "--force" in result.output
    forced = push(grafana.url, grafana.token, "--force")
    assert forced.exit_code == 0, forced.output


def test_push_mock_bad_token_is_a_clear_error(grafana):
    result = push(grafana.url, "glsa_wrong")
    assert result.exit_code == 1
    assert "refused the token (401)" in result.output
    assert "glsa_wrong" not in result.output and "Traceback" not in result.output
    assert grafana.dashboards == {}


@pytest.mark.parametrize(("status", "says"), [
    (404, "the Grafana base URL?"), (200, "does not look like Grafana")])
def test_push_mock_url_that_is_not_grafana(grafana, status, says):
    grafana.not_grafana = status
    result = push(grafana.url, grafana.token)
    assert result.exit_code == 1
    assert says in result.output, result.output
    assert "Traceback" not in result.output


def test_push_unreachable_url_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = push(url, "glsa_any")
    assert result.exit_code == 1
    assert f"cannot reach Grafana at {url}" in result.output
