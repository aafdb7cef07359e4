"""The words of the reports, in Chinese (default) and English."""

from __future__ import annotations

from datetime import datetime, tzinfo

LANGS = ("zh", "en")

_TEXT: dict[str, tuple[str, str]] = {
    "title_zone": ("藏品库房环境报告", "Collection storage climate report"),
    "title_loan": ("借展环境状况报告", "Facility report for loan requests"),
    "loan_note": ("本页概述该库区在报告期内的保存环境，供借展评估使用。",
                  "This page summarises the storage climate of the zone over the period, "
                  "for loan assessments."),
    "zone": ("库区", "Zone"),
    "material": ("藏品类别", "Collection class"),
    "period": ("报告期", "Period"),
    "generated": ("生成时间", "Generated"),
    "limits": ("限值", "Limits"),
    "data_coverage": ("数据完整率", "Data coverage"),
    "no_data": ("报告期内无温湿度数据。", "No temperature/RH data in the period."),
    "metric": ("指标", "Metric"),
    "value": ("数值", "Value"),
    "verdict": ("评价", "Verdict"),
    "temperature": ("温度", "Temperature"),
    "humidity": ("相对湿度", "Relative humidity"),
    "mean_range": ("平均 {mean} （{lo} – {hi}）", "mean {mean} ({lo} – {hi})"),
    "mean_max": ("平均 {mean}，最高 {hi}", "mean {mean}, max {hi}"),
    "twpi": ("时间加权保存指数 TWPI", "Time-weighted preservation index TWPI"),
    "years": ("{v} 年", "{v} years"),
    "twpi_good": ("良好：有机材料化学老化慢（≥ 75 年）",
                  "good: slow chemical decay of organic materials (≥ 75 years)"),
    "twpi_ok": ("尚可：老化速度中等（45–75 年）", "OK: moderate decay rate (45–75 years)"),
    "twpi_risk": ("有风险：老化偏快（< 45 年），宜降温或降湿",
                  "at risk: fast decay (< 45 years), cooler or drier storage advised"),
    "in_range": ("温湿度均在限值内的时间", "Time with T and RH both within limits"),
    "t_in_range": ("温度在限值内的时间", "Time with temperature within limits"),
    "rh_in_range": ("湿度在限值内的时间", "Time with RH within limits"),
    "target_met": ("达到目标（≥ {t} %）", "meets the target (≥ {t} %)"),
    "target_missed": ("未达目标（≥ {t} %）", "below the target (≥ {t} %)"),
    "rh_swing": ("湿度日波动在限值内的天数", "Days with RH swing within limit"),
    "t_swing": ("温度日波动在限值内的天数", "Days with temperature swing within limit"),
    "swing_value": ("{pct}，最大 {v}", "{pct}, largest {v}"),
    "swing_limit_is": ("限值 {v}/日", "limit {v} a day"),
    "sep": ("；", "; "),
    "mold": ("霉变风险（VTT 霉菌指数，最大值）", "Mould risk (VTT mould index, maximum)"),
    "mold_none": ("无霉变风险", "no mould growth expected"),
    "mold_watch": ("需关注：接近霉菌萌发条件", "watch: close to mould germination"),
    "mold_growth": ("预计已萌发，请检查藏品并降湿",
                    "germination expected: inspect objects, lower RH"),
    "emc": ("木材平衡含水率", "Wood equilibrium moisture content"),
    "emc_verdict": ("波动 {v}（越小越不易开裂）", "varies by {v} (smaller: less cracking)"),
    "corrosion": ("金属腐蚀风险（湿度分级，{metal}）", "Metal corrosion risk (RH bands, {metal})"),
    "corrosion_value": ("低 {low} / 中 {mid} / 高 {high}", "low {low} / moderate {mid} / "
                        "high {high}"),
    "corrosion_low": ("低：湿度始终低于腐蚀阈值", "low: RH stayed below the corrosion band"),
    "corrosion_mid": ("中：部分时间处于中等风险湿度", "moderate: some time in the moderate band"),
    "corrosion_high": ("高：曾处于高腐蚀风险湿度", "high: time spent in the high band"),
    "dew_point": ("露点", "Dew point"),
    "light_dose": ("累计光照量", "Light dose"),
    "light_budget": ("占年度限额 {b} 的 {f}", "{f} of the annual budget {b}"),
    "light_no_budget": ("该类藏品无年度光照限额", "no annual budget for this class"),
    "light_ok": ("在限额内", "within budget"),
    "light_over": ("超出限额，请减少开灯时间", "over budget: reduce lit hours"),
    "alerts": ("报警记录", "Alert history"),
    "alerts_count": ("{n} 次报警，累计 {d}", "{n} alert(s), {d} in total"),
    "alerts_none": ("报告期内无报警", "no alerts in the period"),
    "alert_start": ("开始", "Start"),
    "alert_rule": ("规则", "Rule"),
    "alert_sensor": ("传感器", "Sensor"),
    "alert_severity": ("级别", "Severity"),
    "alert_value": ("数值 / 限值", "Value / limit"),
    "alert_duration": ("持续时间", "Duration"),
    "alert_ongoing": ("未解除", "ongoing"),
    "alert_more": ("另有 {n} 条未列出", "{n} more not listed"),
    "fig_climate": ("温湿度（区域平均）与限值", "Temperature and RH (zone means) with limits"),
    "fig_swing": ("日波动（最大值 − 最小值）与限值", "Daily swing (max − min) with limits"),
    "fig_light": ("累计光照量与年度限额", "Cumulative light dose and annual budget"),
    "budget": ("年度限额", "annual budget"),
    "limit_band": ("限值范围", "limits"),
    "swing_limit": ("日波动限值", "swing limit"),
    "progress_read": ("读取并计算", "reading"),
    "progress_draw": ("绘图", "drawing"),
}

MATERIALS: dict[str, tuple[str, str]] = {
    "metal": ("金属", "metals"),
    "glass": ("玻璃", "glass"),
    "ceramic": ("陶瓷、搪瓷、石器", "ceramics, enamel, stone"),
    "paper": ("纸质、书籍、拓片、邮票", "paper, books, rubbings, stamps"),
    "textile": ("纺织品、服装、油画", "textiles, costume, oil paintings"),
    "wood": ("漆器、木器、竹器", "lacquer, wood, bamboo"),
    "leather": ("皮革、毛皮", "leather, fur"),
    "photo": ("照片、胶片", "photographs, film"),
    "mixed": ("机电设备（金属、木、胶木、织物）", "electromechanical (metal, wood, bakelite)"),
}

METALS: dict[str, tuple[str, str]] = {
    "general": ("一般金属", "metals in general"),
    "bronze": ("青铜", "bronze"),
    "copper": ("铜合金", "copper alloys"),
    "iron": ("出土铁器", "archaeological iron"),
}


class Words:
    """Texts of one language: `w("years", v="45")`."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
        self.lang = lang
        self._i = LANGS.index(lang)

    def __call__(self, key: str, **values: object) -> str:
        return _TEXT[key][self._i].format(**values)

    def material(self, name: str) -> str:
        return MATERIALS[name][self._i]

    def metal(self, name: str) -> str:
        return METALS[name][self._i]

    def duration(self, seconds: float) -> str:
        """'3 h 20 min' / '3小时20分'; days from 48 h on."""
        minutes = round(seconds / 60)
        d, rest = divmod(minutes, 1440) if minutes >= 2880 else (0, minutes)
        h, m = divmod(rest, 60)
        if self.lang == "zh":
            return (f"{d}天" if d else "") + (f"{h}小时" if h or d else "") + f"{m}分"
        return (f"{d} d " if d else "") + (f"{h} h " if h or d else "") + f"{m} min"


def local_time(ts: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d %H:%M")


def local_date(ts: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d")
