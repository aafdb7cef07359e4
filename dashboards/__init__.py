"""Grafana dashboards as code, generated from the facility file (see README.md).

    build.py      facility -> dashboard JSON documents; write them, check they are current
    overview.py   facility overview: a tile per zone, active alerts
    zone.py       zone detail: climate with the zone's limit bands, swing, light, preservation
    sensors.py    sensor health: last seen, battery, errors, calibration due
    pipeline.py   pipeline health: ingest rate, spool depth, lag
    queries.py    the InfluxQL of every panel (raw vs rollup choice lives here)
    grafana.py    small builders for Grafana's dashboard JSON model
    texts.py      titles in Chinese and English
    render.py     what Grafana does to a query before sending it (tests, benchmark)
    push.py       `dashboards push` to a running Grafana through grafana-client
    simyear.py    a simulated year of a facility, written straight into InfluxDB
"""
