"""Reports from a real influxd holding a simulated year (2026, one point per sensor and
hour) with known properties; the PDF is read back with pdftotext and rendered with
pdftoppm, and its numbers must equal those computed here from the conditions written.

    A1 paper       two sensors, RH 54/56 -> zone mean 55 %RH at 20 °C, except on ten days
                   10:00-14:59 at 67 %RH (50 hours out of range, ten days over the 10 %RH
                   daily swing); lit at 40 lx 09:00-16:59 every day (budget 50,000 lx·h);
                   alerts: three resolved after 5 h 10 min, one still firing at the end,
                   one that never left `pending`.
    B1 metal       20 °C; 30 %RH until 30 June, 45 %RH from 1 July (corrosion bands)
    C1 textiles    constant 18 °C / 50 %RH: TWPI = PI(18, 50)
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from cangjing.cli import app
from cangjing.conservation import preservation_index, time_weighted_preservation_index
from cangjing.influx import InfluxClient
from cangjing.lineprotocol import encode
from cangjing.rollups import backfill
from cangjing.stack import LocalStack
from firmware_sim.pytest_plugin import fresh_influx

TZ = ZoneInfo("Asia/Shanghai")
YEAR_START = datetime(2026, 1, 1, tzinfo=TZ)
HOURS = 365 * 24
EXCURSION_DAYS = [datetime(2026, m, 15, tzinfo=TZ).date() for m in range(1, 11)]
EXCURSION_HOURS = range(10, 15)
LUX, LIT_HOURS = 40.0, range(9, 17)


def _env(sensor: str, zone: str, when: datetime, **fields: float) -> str:
    tags = {"site": "beiqijia", "zone": zone, "sensor": sensor}
    return encode("environment", tags, fields, int(when.timestamp()) * 1_000_000_000)


def _alert(when: datetime, state: str, ident: str, value: float) -> str:
    tags = {"site": "beiqijia", "zone": "A1", "sensor": "A1-TH-01", "rule": "humidity_range",
            "severity": "warning", "state": state}
    fields = {"value": value, "limit": 60.0, "message": "湿度超限", "id": ident}
    return encode("alert", tags, fields, int(when.timestamp()) * 1_000_000_000)


def simulated_year() -> list[str]:
    lines = []
    for h in range(HOURS):
        t = YEAR_START + timedelta(hours=h)
        lt = t.astimezone(TZ)
        high = lt.date() in EXCURSION_DAYS and lt.hour in EXCURSION_HOURS
        lines.append(_env("A1-TH-01", "A1", t, temperature=20.0, humidity=66.0 if high else 54.0))
        lines.append(_env("A1-TH-02", "A1", t, temperature=20.0, humidity=68.0 if high else 56.0))
        lines.append(_env("A1-LX-01", "A1", t, illuminance=LUX if lt.hour in LIT_HOURS else 0.0))
        lines.append(_env("B1-TH-01", "B1", t, temperature=20.0,
                          humidity=30.0 if lt.month <= 6 else 45.0))
        lines.append(_env("C1-TH-01", "C1", t, temperature=18.0, humidity=50.0))
    for i, day in enumerate(EXCURSION_DAYS[:3]):
        at = datetime(day.year, day.month, day.day, 10, tzinfo=TZ)
        lines += [_alert(at, "pending", f"a{i}", 67.0),
                  _alert(at + timedelta(minutes=10), "firing", f"a{i}", 67.0),
                  _alert(at + timedelta(minutes=40), "acknowledged", f"a{i}", 67.0),
                  _alert(at + timedelta(hours=5, minutes=20), "resolved", f"a{i}", 55.0)]
    lines.append(_alert(datetime(2026, 12, 31, 20, tzinfo=TZ), "firing", "open", 61.5))
    lines.append(_alert(datetime(2026, 5, 1, 3, tzinfo=TZ), "pending", "brief", 60.5))
    return lines


@pytest.fixture(scope="module")
def year_db(cangjing_stack: LocalStack) -> Iterator[InfluxClient]:
    client = fresh_influx(cangjing_stack.influxd.url)
    client.write_lines(simulated_year(), batch=20_000)
    # Data written after the fact: fill the hourly rollups the long-range report reads.
    backfill(client, YEAR_START.astimezone(UTC), (YEAR_START + timedelta(days=366)).astimezone(UTC))
    yield client
    client.query(f'DROP DATABASE "{client.database}"')
    client.close()


def run_report(db: InfluxClient, stack: LocalStack, out: Path, *args: str,
               first: str = "2026-01-01", last: str = "2026-12-31") -> str:
    env = {"CANGJING_INFLUX_URL": stack.influxd.url, "CANGJING_INFLUX_DB": db.database}
    result = CliRunner().invoke(app, ["report", "--from", first, "--to", last,
                                      "--out", str(out), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def a1_twpi() -> float:
    """Hour by hour, as written: 50 hours at 67 %RH, the rest at 55 %RH."""
    rows = []
    for h in range(HOURS):
        lt = (YEAR_START + timedelta(hours=h)).astimezone(TZ)
        high = lt.date() in EXCURSION_DAYS and lt.hour in EXCURSION_HOURS
        rows.append((h * 3600.0, 20.0, 67.0 if high else 55.0))
    rows.append((HOURS * 3600.0, 20.0, 55.0))
    return time_weighted_preservation_index(rows)


@pytest.fixture(scope="module")
def a1_report(year_db: InfluxClient, cangjing_stack: LocalStack,
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("a1")
    printed = run_report(year_db, cangjing_stack, out, "--zone", "A1")
    pdf = out / "cangjing-beiqijia-A1-2026-01-01_2026-12-31-zh.pdf"
    assert f"PDF: {pdf}" in printed.replace("\n", "")
    return pdf


def test_zone_report_numbers_in_chinese(a1_report: Path):
    text = pdf_text(a1_report)
    assert "藏品库房环境报告" in text and "纸质档案与电报库" in text
    assert "2026-01-01 – 2026-12-31 (Asia/Shanghai)" in text
    in_range = 100 * (HOURS - 50) / HOURS
    assert re.search(rf"温湿度均在限值内的时间\s+{in_range:.1f} %\s+达到目标（≥ 95 %）", text)
    assert re.search(rf"湿度日波动在限值内的天数\s+{100 * 355 / 365:.1f} %，最大 12\.0 %RH\s+"
                     r"达到目标（≥ 90 %）；限值 10 %RH/日", text)
    assert re.search(rf"TWPI\s+{a1_twpi():.0f} 年", text)
    assert re.search(r"平均 20\.0 °C\s?（20\.0 – 20\.0 °C）", text)
    assert re.search(r"平均 55\.1 %\s?（55\.0 – 67\.0 %）", text)  # 50 h of 8760 at 67
    # 8 lit hours of 40 lx, 365 days; against 50,000 lx·h
    dose = LUX * len(LIT_HOURS) * 365
    assert f"{dose:,.0f} lx·h" in text
    assert f"占年度限额 50,000 lx·h 的 {100 * dose / 50_000:.0f} %" in text
    assert "超出限额" in text
    # four alerts (pending-only ones never paged): 3 x 5 h 10 min + 4 h still firing
    assert "4 次报警，累计 19小时30分" in text
    assert text.count("5小时10分") == 3
    assert "4小时0分 (未解除)" in text
    assert "2026-01-15 10:10" in text  # firing time, site time zone
    assert "2026-05-01 03:00" not in text


def test_zone_report_pages_and_figures(a1_report: Path, tmp_path: Path):
    # summary, climate, swing, light, alerts
    assert pdf_pages(a1_report) == 5
    for name in ("climate", "swing", "light"):
        png = a1_report.parent / f"A1-2026-01-01_2026-12-31-{name}-zh.png"
        assert png.stat().st_size > 10_000
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(a1_report),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 20_000


def test_site_report_in_english(year_db: InfluxClient, cangjing_stack: LocalStack,
                                tmp_path: Path):
    run_report(year_db, cangjing_stack, tmp_path, "--site", "--lang", "en")
    text = pdf_text(tmp_path / "cangjing-beiqijia-site-2026-01-01_2026-12-31-en.pdf")
    pi = preservation_index(18.0, 50.0)
    # C1: constant 18 °C / 50 %RH -> TWPI is the PI of that climate
    assert re.search(rf"Time-weighted preservation index TWPI\s+{pi:.0f} years\s+OK", text)
    # B1: 181 days at 30 %RH (low), 184 at 45 %RH (moderate for metals in general)
    low = 100 * 181 / 365
    assert re.search(rf"low {low:.1f} % / moderate {100 - low:.1f} % / high\s*0\.0 %", text)
    assert re.search(rf"Time with RH within limits\s+{low:.1f} %", text)  # B1 max 35 %RH
    assert text.count("No temperature/RH data in the period.") == 6  # zones without data


def test_loan_report_is_one_page_per_zone(year_db: InfluxClient, cangjing_stack: LocalStack,
                                          tmp_path: Path):
    run_report(year_db, cangjing_stack, tmp_path, "--loan")
    pdf = tmp_path / "cangjing-beiqijia-loan-2026-01-01_2026-12-31-zh.pdf"
    assert pdf_pages(pdf) == 9
    pages = pdf_text(pdf).split("\f")
    for page, zone in zip(pages, ("A1", "A2", "B1", "B2", "C1", "C2", "E1", "T1", "S1"),
                          strict=False):
        assert "借展环境状况报告" in page and f"库区: {zone} " in page
    assert re.search(rf"TWPI\s+{preservation_index(18.0, 50.0):.0f} 年\s+尚可", pages[4])


def test_short_range_reads_raw_data(year_db: InfluxClient, cangjing_stack: LocalStack,
                                    tmp_path: Path):
    """One day (raw data, below `raw_max_days`): 15 January has 5 hours at 67 %RH."""
    run_report(year_db, cangjing_stack, tmp_path, "--zone", "A1", first="2026-01-15",
               last="2026-01-15")
    text = pdf_text(tmp_path / "cangjing-beiqijia-A1-2026-01-15_2026-01-15-zh.pdf")
    assert re.search(rf"温湿度均在限值内的时间\s+{100 * 19 / 24:.1f} %\s+未达目标", text)
    assert re.search(r"湿度日波动在限值内的天数\s+0\.0 %，最大 12\.0 %RH", text)
    assert re.search(r"数据完整率\s+100\.0 %", text)  # hourly readings hold for their hour
    dose = LUX * len(LIT_HOURS)
    assert f"{dose:,.0f} lx·h" in text
    assert f"占年度限额 {50_000 / 365:,.0f} lx·h 的 {100 * dose / (50_000 / 365):.0f} %" in text
    assert "1 次报警，累计 5小时10分" in text


def test_font_choice_and_clear_failure_without_cjk_font():
    from cangjing.reports.fonts import FontMissing, report_font

    assert report_font("zh") == "Noto Sans CJK SC"  # fonts-noto-cjk, installed by set-up
    with pytest.raises(FontMissing, match="fonts-noto-cjk"):
        report_font("zh", installed={"DejaVu Sans"})
    assert report_font("en", installed={"DejaVu Sans"}) == "DejaVu Sans"
