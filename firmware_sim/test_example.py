"""The example of firmware_sim/README.md, as it is shown there: a technician's own tests
with the fixtures of the pytest plugin."""

from firmware_sim.testing import wait_for_alert, wait_for_reading


def test_the_gateway_turns_my_nodes_into_readings(bench_facility, cangjing_services,
                                                  simulated_facility, mqtt_probe):
    cangjing_services(bench_facility, "gateway")
    probe = mqtt_probe("cangjing/bench/+/+/reading")
    simulated_facility(bench_facility, interval=0.2, breach={"A1": {"humidity": 20}})

    reading = wait_for_reading(probe, "A1-TH-02", lambda r: r.get("humidity") > 70)
    assert reading.zone == "A1" and reading.gateway == "gw-01"


def test_a_leak_in_a1_pages_within_half_an_hour(bench_facility, cangjing_services,
                                                run_scenario, mqtt_probe):
    cangjing_services(bench_facility, "alerts")
    alerts = mqtt_probe("cangjing/bench/alerts/+")

    verdict = run_scenario("leak")  # firmware_sim/scenarios/leak.yaml, in accelerated time

    assert verdict.ok, verdict.report()
    event = wait_for_alert(alerts, "humidity_range", "A1")
    assert event["sensor"] in ("A1-TH-02", "A1-TH-03")
