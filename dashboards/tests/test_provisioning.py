"""The provisioning files agree with the dashboards and with docker-compose.yml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from dashboards.build import GENERATED
from dashboards.grafana import DATASOURCE_UID
from dashboards.push import folder_uid

ROOT = Path(__file__).resolve().parents[2]
PROVISIONING = ROOT / "config" / "grafana" / "provisioning"
ENV_REF = re.compile(r"\$\{(\w+)\}")


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _grafana_service() -> dict:
    return _yaml(ROOT / "docker-compose.yml")["services"]["grafana"]


def test_datasource_is_influxql_on_the_compose_influxdb_with_env_credentials():
    text = (PROVISIONING / "datasources" / "cangjing.yaml").read_text(encoding="utf-8")
    (ds,) = yaml.safe_load(text)["datasources"]
    assert ds["uid"] == DATASOURCE_UID and ds["type"] == "influxdb"
    assert ds["jsonData"]["version"] == "InfluxQL"
    assert ds["url"] == "http://influxdb:8086"
    assert ENV_REF.fullmatch(ds["user"]) and ENV_REF.fullmatch(ds["secureJsonData"]["password"])
    env = _grafana_service()["environment"]
    assert set(ENV_REF.findall(text)) <= set(env), "grafana's environment lacks a variable"


def test_dashboard_providers_point_at_the_generated_folders():
    providers = _yaml(PROVISIONING / "dashboards" / "cangjing.yaml")["providers"]
    mounts = dict(v.split(":")[:2][::-1] for v in _grafana_service()["volumes"]
                  if v.startswith("./"))
    assert {p["folderUid"] for p in providers} == {folder_uid("zh"), folder_uid("en")}
    for p in providers:
        path = p["options"]["path"]
        mount = next(m for m in mounts if path.startswith(m + "/"))
        local = ROOT / mounts[mount] / path[len(mount) + 1:]
        assert local.resolve().parent == GENERATED and any(local.glob("*.json")), path
