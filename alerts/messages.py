"""Messages to people: short, Chinese by default (English available), saying what, where,
how far from the limit, since when, and what to check first."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cangjing.config.zones import Zone
from cangjing.reading import UNITS

from .events import AlertEvent, State

_QUANTITY = {
    "zh": {"temperature": "温度", "humidity": "相对湿度", "illuminance": "照度", "uv": "紫外线"},
    "en": {"temperature": "temperature", "humidity": "RH", "illuminance": "illuminance",
           "uv": "UV"},
}

_CHECK = {
    ("humidity", "high"): ("检查除湿机、空调运行及有无漏水，确认门窗关闭",
                           "check the dehumidifier and air handler, look for leaks, close doors"),
    ("humidity", "low"): ("检查加湿器与空调设定", "check the humidifier and air handler set point"),
    ("temperature", "high"): ("检查空调机组与制冷", "check the air handler and cooling"),
    ("temperature", "low"): ("检查空调机组与供暖", "check the air handler and heating"),
    ("illuminance", "high"): ("检查是否有灯未关或遮光帘打开",
                              "check for lights left on or open blinds"),
    ("uv", "high"): ("检查紫外线过滤膜与光源", "check UV filters and the light source"),
}

_STATE = {
    "zh": {State.pending: "待确认", State.firing: "告警", State.acknowledged: "已确认",
           State.resolved: "已恢复"},
    "en": {State.pending: "PENDING", State.firing: "ALERT", State.acknowledged: "ACKED",
           State.resolved: "RESOLVED"},
}


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def title(event: AlertEvent, zone: Zone, lang: str = "zh") -> str:
    q = _QUANTITY[lang].get(event.quantity, event.quantity)
    state = _STATE[lang][event.state]
    if lang == "en":
        return f"[Cangjing {state}] {zone.display_name('en')} ({zone.id}): {q}"
    return f"【藏境{state}】{zone.display_name('zh')}（{zone.id}）{q}"


def body(event: AlertEvent, zone: Zone, tz: ZoneInfo, lang: str = "zh") -> str:
    q = _QUANTITY[lang].get(event.quantity, event.quantity)
    unit = UNITS.get(event.quantity, "")
    since = event.since.astimezone(tz).strftime("%m-%d %H:%M")
    minutes = max(0, int((event.time - event.since).total_seconds() // 60))
    value, limit = _fmt(event.value), _fmt(event.limit)
    gap = _fmt(abs(event.value - event.limit)) if event.limit is not None else "-"
    zh_check, en_check = _CHECK.get((event.quantity, event.direction), ("检查传感器", "check it"))
    if event.state is State.resolved:
        if lang == "en":
            return (f"{zone.display_name('en')} ({zone.id}) {q} back within limits: {value} {unit} "
                    f"(limit {limit} {unit}); out of range since {since}, {minutes} min. "
                    f"Sensor {event.sensor}.")
        return (f"{zone.display_name('zh')}（{zone.id}）{q}已恢复正常：{value} {unit}"
                f"（限值 {limit} {unit}），自 {since} 起超限 {minutes} 分钟。"
                f"传感器 {event.sensor}。")
    if lang == "en":
        side = "above the maximum" if event.direction == "high" else "below the minimum"
        return (f"{zone.display_name('en')} ({zone.id}) {q} {value} {unit}, {side} {limit} {unit} "
                f"by {gap}, since {since} ({minutes} min). Sensor {event.sensor}. "
                f"First: {en_check}.")
    side = "高于上限" if event.direction == "high" else "低于下限"
    return (f"{zone.display_name('zh')}（{zone.id}）{q} {value} {unit}，{side} {limit} {unit}"
            f"（差 {gap}），自 {since} 起持续 {minutes} 分钟。传感器 {event.sensor}。"
            f"请先{zh_check}。")
