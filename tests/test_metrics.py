"""GET /metrics: Prometheus text with hop latency, USSD sessions, orders, payments, SMS and queue depths."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert

from commerce import orders
from commerce.models import Payment


def scrape(client) -> dict[tuple, float]:
    res = client.get("/metrics")
    assert res.status_code == 200 and res.mimetype == "text/plain"
    out = {}
    for family in text_string_to_metric_families(res.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_buyer_day_shows_in_the_metrics(seeded, client, ussd):
    before = scrape(client)
    s = ussd()
    s.dial()
    for choice in ("1", "1", "1", "1", "2", "1", "2"):
        s.send(choice)
    assert s.send("1").startswith("END Order ")
    engine = seeded.extensions["soko"].db
    orders.announce(engine, orders.unannounced(engine))  # the worker's drain: the seller and agent told
    with engine.begin() as conn:
        conn.execute(insert(Payment.__table__).values(method="mobile_money", amount_minor=100, currency="KES",
                                                      reference="ATPid_m1", status="flagged"))
    after = scrape(client)

    hist = "soko_http_request_duration_seconds"
    assert value(after, hist + "_count", endpoint="ussd.africastalking") - \
        value(before, hist + "_count", endpoint="ussd.africastalking") == 9
    assert value(after, hist + "_bucket", endpoint="ussd.africastalking", le="+Inf") >= 9
    assert value(after, "soko_ussd_sessions_started_total") - value(before, "soko_ussd_sessions_started_total") == 1
    assert value(after, "soko_ussd_sessions_ended_total") - value(before, "soko_ussd_sessions_ended_total") == 1
    assert value(after, "soko_orders", status="placed") == 1
    assert value(after, "soko_sms", status="pending") == 3  # the buyer's receipt, the seller and the agent
    assert value(after, "soko_payments", method="mobile_money", result="flagged") == 1
    assert ("soko_queue_jobs", (("queue", "sms"), ("state", "queued"))) in after
    assert value(after, "soko_queue_jobs", queue="payments", state="failed") == 0
    assert value(after, "soko_dependency_up", dependency="database") == 1
    assert value(after, "soko_dependency_up", dependency="redis") == 1


def test_every_endpoint_is_timed_and_only_the_hop_counts_sessions(client):
    """The USSD views time themselves; every other blueprint's requests go through the hooks."""
    hist = "soko_http_request_duration_seconds_count"
    before = scrape(client)
    assert client.post("/ussd/africastalking", data={"serviceCode": "*384*123#"}).status_code == 400
    assert client.post("/ussd/africastalking/events", data={"sessionId": "ATUid_m", "status": "Success"}
                       ).status_code == 200
    assert client.post("/sms/africastalking/delivery", data={}).status_code in (200, 400)
    assert client.get("/healthz").status_code == 200
    after = scrape(client)
    for endpoint in ("ussd.africastalking", "ussd.africastalking_events", "sms.africastalking_delivery", "health.healthz"):
        assert value(after, hist, endpoint=endpoint) - value(before, hist, endpoint=endpoint) == 1, endpoint
    for counter in ("soko_ussd_sessions_started_total", "soko_ussd_sessions_ended_total"):
        assert value(after, counter) == value(before, counter)


def test_scrapes_are_not_counted_as_hops(client):
    scrape(client)
    samples = scrape(client)
    assert not any(labels and dict(labels).get("endpoint") == "metrics.metrics" for _, labels in samples)


def test_metrics_still_answer_when_redis_is_down(make_app):
    from bootstrap.redis_client import start_valkey

    server = start_valkey()
    client = make_app(redis_url=server.connection_url).test_client()
    server.stop()
    samples = scrape(client)
    assert value(samples, "soko_dependency_up", dependency="redis") == 0
    assert value(samples, "soko_dependency_up", dependency="database") == 1


def test_multiprocess_mode_sums_the_workers(settings, tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers), a scrape adds up every process."""
    script = textwrap.dedent(f"""
        import sys
        from config import Settings
        from gateway import create_app
        app = create_app(Settings(database_url={settings.database_url!r}, redis_url={settings.redis_url!r}))
        client = app.test_client()
        if sys.argv[1] == "hop":
            client.post("/ussd/africastalking", data={{"sessionId": "mp-" + sys.argv[2], "serviceCode": "*384*123#",
                        "phoneNumber": "+25471234567" + sys.argv[2], "text": ""}})
        else:
            print(client.get("/metrics").get_data(as_text=True))
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for n in ("1", "2"):
        subprocess.run([sys.executable, "-c", script, "hop", n], env=env, cwd=root, check=True, timeout=60)
    out = subprocess.run([sys.executable, "-c", script, "scrape", "0"], env=env, cwd=root, check=True,
                         capture_output=True, text=True, timeout=60).stdout
    samples = {}
    for family in text_string_to_metric_families(out):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    assert value(samples, "soko_ussd_sessions_started_total") == 2
    assert value(samples, "soko_http_request_duration_seconds_count", endpoint="ussd.africastalking") == 2
