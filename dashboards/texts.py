"""Every title the dashboards show, in Chinese (default) and English."""

from __future__ import annotations

LANGS = ("zh", "en")

_TEXTS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "folder": ("藏境", "Cangjing"),
    "overview": ("库房总览", "Facility overview"),
    "zone_detail": ("库区详情", "Zone detail"),
    "sensor_health": ("传感器状态", "Sensor health"),
    "pipeline_health": ("数据链路状态", "Pipeline health"),
    "site": ("站点", "Site"),
    "zone": ("库区", "Zone"),
    "temperature": ("温度", "Temperature"),
    "humidity": ("相对湿度", "Relative humidity"),
    "illuminance": ("照度", "Illuminance"),
    "uv": ("紫外线", "UV"),
    "dew_point": ("露点", "Dew point"),
    "active_alerts": ("未解除告警", "Active alerts"),
    "alerts": ("告警", "Alerts"),
    "rh_swing": ("相对湿度日较差", "Daily RH swing"),
    "t_swing": ("温度日较差", "Daily temperature swing"),
    "light_dose": ("本年累计光照量", "Light dose this year"),
    "no_budget": ("无年度光照预算", "no annual light budget"),
    "limit": ("限值", "limit"),
    "twpi": ("时间加权保存指数 TWPI", "Time-weighted preservation index (TWPI)"),
    "pi": ("保存指数 PI", "Preservation index (PI)"),
    "mold_risk": ("霉菌风险（VTT 霉菌指数）", "Mould risk (VTT mould index)"),
    "pct_in_range": ("温湿度达标时间比例", "Time in range"),
    "last_seen": ("最后上报", "Last seen"),
    "battery": ("电池电压", "Battery"),
    "errors": ("通信错误（每区间）", "Communication errors (per interval)"),
    "calibration_due": ("校准到期", "Calibration due"),
    "sensor": ("传感器", "Sensor"),
    "transport": ("接入方式", "Transport"),
    "due": ("到期日", "Due"),
    "not_set": ("未设置", "not set"),
    "ingest_rate": ("接收/写入速率", "Ingest rate"),
    "spool_depth": ("磁盘缓冲积压", "Spool depth"),
    "lag": ("延迟", "Lag"),
    "write_latency": ("写入耗时", "Write latency"),
    "dead_letters": ("拒收/死信（每区间）", "Dead-lettered (per interval)"),
    "zones_link": ("各库区", "Zones"),
    "dashboards_link": ("藏境看板", "Cangjing dashboards"),
}


def text(key: str, lang: str) -> str:
    """The title `key` in `lang` ("zh" or "en")."""
    zh, en = _TEXTS[key]
    return en if lang == "en" else zh
