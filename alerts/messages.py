"""Messages to people: short, Chinese by default (English available), saying what, where,
the value against its limit, since when (site time zone), and what to check first."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .events import Alert, State
from .health import GATEWAY_ZONE

Lang = str

_Q = {
    "temperature": ("温度", "temperature", "°C"),
    "humidity": ("相对湿度", "RH", "%RH"),
    "illuminance": ("照度", "illuminance", "lx"),
    "uv": ("紫外线", "UV", "µW/lm"),
}

# what to do first, per rule kind (and direction where it matters): imperative phrases
_CHECK = {
    ("humidity", "high"): ("检查除湿机、空调运行及有无漏水，确认门窗关闭",
                           "check the dehumidifier, the air handler and for leaks; close doors"),
    ("humidity", "low"): ("检查加湿器与空调设定",
                          "check the humidifier and the air handler set point"),
    ("temperature", "high"): ("检查空调机组与制冷", "check the air handler and cooling"),
    ("temperature", "low"): ("检查空调机组与供暖", "check the air handler and heating"),
    ("swing", ""): ("检查空调机组是否频繁启停、门是否长时间开启",
                    "check whether the air handler cycles and doors are left open"),
    ("illuminance", ""): ("检查是否有灯未关或遮光帘打开", "look for lights left on or blinds open"),
    ("uv", ""): ("检查紫外线过滤膜与光源", "check the UV filters and the light source"),
    ("light_dose", ""): ("与保管员商定本年剩余的照明时间",
                         "agree the remaining lit hours this year with the conservator"),
    ("condensation", ""): ("检查外墙、冷桥与通风，必要时提高温度或除湿",
                           "check outer walls, cold bridges and ventilation; raise the "
                           "temperature or dehumidify"),
    ("mold", ""): ("除湿、通风，并检查藏品表面有无霉斑",
                   "dehumidify, ventilate and inspect object surfaces for mould"),
    ("stale", ""): ("检查传感器电源、电池与通信线路",
                    "check the sensor's power, battery and cabling"),
    ("fault", ""): ("检查传感器安装位置与探头，必要时更换",
                    "check the sensor's placement and probe; replace it if needed"),
    ("calibration", ""): ("安排校准", "schedule the calibration"),
    ("gateway_offline", ""): ("检查网关电源与网络", "check the gateway's power and network"),
}

_FLAG = {"impossible": ("不可能的数值", "impossible value"), "spike": ("突变", "spike"),
         "stuck": ("数值停滞", "stuck value")}


def kind_of(rule: str) -> str:
    if rule.endswith("_range"):
        return rule.removesuffix("_range")
    if rule.endswith(("_swing", "_rate")):
        return "swing"
    if rule.startswith("light_dose"):
        return "light_dose"
    return rule


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    text = f"{value:,.{digits}f}" if abs(value) >= 10_000 else f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def local_time(t: datetime | float, tz: ZoneInfo) -> str:
    if isinstance(t, int | float):
        t = datetime.fromtimestamp(t, UTC)
    return t.astimezone(tz).strftime("%m-%d %H:%M")


def where(alert: Alert, zone_names: dict[str, str], lang: Lang) -> str:
    if alert.zone == GATEWAY_ZONE:
        return f"网关 {alert.sensor}" if lang == "zh" else f"gateway {alert.sensor}"
    name = zone_names.get(alert.zone, alert.zone)
    return f"{name}（{alert.zone}）" if lang == "zh" else f"{name} ({alert.zone})"


def what(alert: Alert, lang: Lang) -> str:
    """The breach in a few words, with the value against its limit."""
    zh = lang == "zh"
    kind = kind_of(alert.rule)
    v, lim = _fmt(alert.value), _fmt(alert.limit)
    if kind in ("temperature", "humidity", "illuminance", "uv"):
        name_zh, name_en, unit = _Q[kind]
        gap = _fmt(abs(alert.value - alert.limit)) if alert.limit is not None else "-"
        low = alert.direction == "low"
        if zh:
            side = "低于下限" if low else "高于上限"
            return f"{name_zh} {v} {unit}，{side} {lim} {unit}（差 {gap}）"
        return f"{name_en} {v} {unit}, {'below the minimum' if low else 'above the maximum'} " \
               f"{lim} {unit} by {gap}"
    if kind == "swing":
        name_zh, name_en, unit = _Q[alert.quantity]
        hourly = alert.rule.endswith("_rate")
        if zh:
            span = "1小时内变化" if hourly else "24小时波动"
            return f"{name_zh}{span} {v} {unit}，超过允许的 {lim} {unit}"
        span = "change within an hour" if hourly else "swing over 24 h"
        return f"{name_en} {span} {v} {unit}, more than the allowed {lim} {unit}"
    if kind == "light_dose":
        pct = _fmt(alert.extra.get("percent"), 0)
        budget = _fmt(alert.extra.get("budget"), 0)
        if zh:
            return f"本年累计光照 {v} lx·h，已达年度预算 {budget} lx·h 的 {pct}%"
        return f"light dose this year {v} lx·h, {pct} % of the annual budget of {budget} lx·h"
    if kind == "condensation":
        dp = _fmt(alert.extra.get("dew_point"))
        if zh:
            return f"结露风险：空气温度仅高于露点 {v} K（露点 {dp} °C，阈值 {lim} K）"
        return f"condensation risk: air only {v} K above its dew point ({dp} °C; margin {lim} K)"
    if kind == "mold":
        v2 = _fmt(alert.value, 2)
        if zh:
            return f"霉菌风险：霉菌指数 {v2}（VTT 模型），达到告警值 {lim}"
        return f"mould risk: mould index {v2} (VTT model), at or above {lim}"
    if kind == "stale":
        if zh:
            return f"传感器已 {v} 分钟无数据（超过 {lim} 分钟即告警）"
        return f"no reading for {v} min (alerts after {lim} min)"
    if kind == "fault":
        flags = alert.extra.get("flags", {}).items()
        if zh:
            return "传感器数据可疑：" + "、".join(
                f"{_Q.get(q, (q,))[0]}{_FLAG.get(f, (f,))[0]}" for q, f in flags)
        return "doubtful sensor values: " + ", ".join(
            f"{_Q.get(q, (q, q))[1]} {_FLAG.get(f, (f, f))[1]}" for q, f in flags)
    if kind == "calibration":
        due = alert.extra.get("due", "-")
        if zh:
            return f"校准已过期 {_fmt(alert.value, 0)} 天（到期日 {due}）"
        return f"calibration {_fmt(alert.value, 0)} days overdue (due {due})"
    if kind == "gateway_offline":
        n = len(alert.extra.get("sensors", ()))
        zones = "、".join(alert.extra.get("zones", ())) if zh else ", ".join(
            alert.extra.get("zones", ()))
        if zh:
            return f"离线，其后 {n} 个传感器（库区 {zones}）无法上报"
        return f"offline, its {n} sensors (zones {zones}) cannot report"
    return f"{alert.rule} {v} ({lim})"


_SUBJECT = {
    "swing": ("波动", "swing"), "light_dose": ("年度光照量", "annual light dose"),
    "condensation": ("结露风险", "condensation risk"), "mold": ("霉菌风险", "mould risk"),
    "stale": ("传感器数据", "sensor data"), "fault": ("传感器数据", "sensor values"),
    "calibration": ("校准", "calibration"), "gateway_offline": ("", ""),  # place says it
}


def subject(alert: Alert, lang: Lang) -> str:
    """What the alert is about, in two or three words (for titles)."""
    kind = kind_of(alert.rule)
    zh = lang == "zh"
    if kind in _Q:
        return _Q[kind][0 if zh else 1]
    if kind == "swing":
        name = _Q[alert.quantity][0 if zh else 1]
        return f"{name}波动" if zh else f"{name} swing"
    zh_name, en_name = _SUBJECT.get(kind, (alert.rule, alert.rule))
    return zh_name if zh else en_name


def back_to_normal(alert: Alert, lang: Lang) -> str:
    """The all-clear of an alert, with the value that cleared it where it means something."""
    zh = lang == "zh"
    kind = kind_of(alert.rule)
    v, lim = _fmt(alert.value), _fmt(alert.limit)
    if kind in _Q:
        unit = _Q[kind][2]
        return (f"{subject(alert, lang)}已恢复：现为 {v} {unit}（限值 {lim} {unit}）" if zh
                else f"{subject(alert, lang)} back to {v} {unit} (limit {lim} {unit})")
    if kind == "stale":
        return (f"传感器恢复上报（中断 {v} 分钟）" if zh
                else f"the sensor reports again (silent for {v} min)")
    return (f"{subject(alert, lang)}已恢复正常" if zh
            else f"{subject(alert, lang)} back to normal").strip()


def check_first(alert: Alert, lang: Lang) -> str:
    kind = kind_of(alert.rule)
    zh, en = _CHECK.get((kind, alert.direction)) or _CHECK.get((kind, ""), ("传感器", "the sensor"))
    return zh if lang == "zh" else en


_TITLE = {
    "firing": ("【藏境告警】", "[Cangjing ALERT] "),
    "repeat": ("【藏境告警·未确认】", "[Cangjing ALERT, not acknowledged] "),
    "escalation": ("【藏境告警·升级】", "[Cangjing ALERT, escalated] "),
    "resolved": ("【藏境恢复】", "[Cangjing RESOLVED] "),
    "past": ("【藏境补报·已结束】", "[Cangjing PAST BREACH, over] "),
}


def alert_line(alert: Alert, tz: ZoneInfo, lang: Lang, link: str | None = None) -> str:
    zh = lang == "zh"
    since = local_time(alert.since, tz)
    sensor = "" if alert.zone == GATEWAY_ZONE else (
        f"传感器 {alert.sensor}，" if zh else f"sensor {alert.sensor}, ")
    if alert.state is State.resolved:
        ended = local_time(alert.ended or alert.time, tz)
        minutes = int(((alert.ended or alert.time) - alert.since).total_seconds() // 60)
        text = (f"{sensor}{back_to_normal(alert, lang)}；超限 {since} 至 {ended}（{minutes} 分钟）"
                if zh else f"{sensor}{back_to_normal(alert, lang)}; out from {since} to "
                f"{ended} ({minutes} min)")
        if alert.past:
            text += "，恢复前未能实时发现（数据补传）" if zh else ", found in replayed data"
        return f"• {text}"
    text = (f"{sensor}{what(alert, lang)}，自 {since} 起。请先{check_first(alert, lang)}。"
            if zh else f"{sensor}{what(alert, lang)}, since {since}. "
            f"First {check_first(alert, lang)}.")
    if alert.state is State.acknowledged and alert.acked_by:
        text += f"（{alert.acked_by} 已确认）" if zh else f" (acknowledged by {alert.acked_by})"
    if link:
        text += f"\n  确认链接 {link}" if zh else f"\n  Acknowledge: {link}"
    return f"• {text}  [{alert.id}]"


def group_message(kind: str, place: str, alerts: list[Alert], tz: ZoneInfo, lang: Lang,
                  links: dict[str, str]) -> tuple[str, str]:
    """One message for a zone: every alert of one kind (firing, resolved, ...) in it."""
    zh = lang == "zh"
    prefix = _TITLE[kind][0 if zh else 1]
    if len(alerts) == 1:
        a = alerts[0]
        head = what(a, lang).split("，")[0].split(", ")[0] if kind != "resolved" else (
            f"{subject(a, lang)}已恢复正常" if zh else f"{subject(a, lang)} back to normal".strip())
        title = f"{prefix}{place} {head}"
    else:
        title = (f"{prefix}{place} {len(alerts)} 项" if zh
                 else f"{prefix}{place}: {len(alerts)} alerts")
    lines = [alert_line(a, tz, lang, links.get(a.id)) for a in alerts]
    if kind == "resolved":
        lines.insert(0, f"{place} 已恢复：" if zh else f"{place} back to normal:")
    elif kind == "past":
        lines.insert(0, f"{place} 在数据中断期间曾超限，现已结束（无需处理，供记录）：" if zh
                     else f"{place} was out of limits while data was delayed; it is over "
                     "(for the record, nothing to do):")
    else:
        lines.insert(0, place + "：" if zh else place + ":")
    return title, "\n".join(lines)


def annotation(alert: Alert, place: str, tz: ZoneInfo, lang: Lang) -> str:
    """One line for the InfluxDB `alert` point (Grafana annotations)."""
    return f"{place} {alert_line(alert, tz, lang).removeprefix('• ')}"


def channel_failure(channel: str, title: str, attempts: int, error: str,
                    lang: Lang) -> tuple[str, str]:
    if lang == "zh":
        return (f"【藏境】通知渠道 {channel} 发送失败",
                f"渠道 {channel} 重试 {attempts} 次仍无法送达：{title}\n原因：{error}\n"
                "请检查该渠道（机器人密钥、邮件服务器、网络）。")
    return (f"[Cangjing] channel {channel} is failing",
            f"Channel {channel} could not deliver after {attempts} attempts: {title}\n"
            f"Reason: {error}\nCheck the channel (robot key, mail server, network).")


def digest(site: str, active: list[Alert], recent: list[Alert], places: dict[str, str],
           tz: ZoneInfo, lang: Lang) -> tuple[str, str]:
    """The daily digest: what is active now and what happened in the last 24 h."""
    zh = lang == "zh"
    title = f"【藏境日报】{site}" if zh else f"[Cangjing daily digest] {site}"
    out = [f"当前告警 {len(active)} 项：" if zh else f"Active alerts: {len(active)}"]
    out += [f"{places.get(a.zone, a.zone)} {alert_line(a, tz, lang).removeprefix('• ')}"
            for a in active]
    past = [a for a in recent if a.state is State.resolved]
    out.append(f"过去24小时已结束 {len(past)} 项：" if zh
               else f"Over in the last 24 h: {len(past)}")
    out += [f"{places.get(a.zone, a.zone)} {alert_line(a, tz, lang).removeprefix('• ')}"
            for a in past]
    return title, "\n".join(out)
