"""Operator commands (`flask --app gateway …`), run through Flask's CLI runner on the real database."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from commerce import catalog, people
from commerce.models import Agent, AuditEntry, Category, Person, Product, Seller
from tests.conftest import UssdSession


def _count(app, table):
    with app.extensions["soko"].db.connect() as conn:
        return conn.execute(select(func.count()).select_from(table.__table__)).scalar()


def test_init_db_creates_the_schema_and_can_run_again(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    runner = app.test_cli_runner()
    for _ in range(2):
        res = runner.invoke(args=["init-db"])
        assert res.exit_code == 0, res.output
        assert "Database is up to date." in res.output
    tables = set(inspect(app.extensions["soko"].db).get_table_names())
    assert {"people", "sellers", "agents", "categories", "products", "orders", "order_lines", "order_events",
            "payments", "messages", "alembic_version"} <= tables


def test_seed_demo_is_believable_and_idempotent(app):
    runner = app.test_cli_runner()
    res = runner.invoke(args=["seed-demo"])
    assert res.exit_code == 0 and "Demo catalog loaded." in res.output
    counts = {t.__name__: _count(app, t) for t in (Seller, Category, Agent, Product, Person)}
    assert counts["Seller"] >= 4 and counts["Category"] >= 5 and counts["Agent"] >= 4
    assert counts["Product"] >= 24  # dozens
    with app.extensions["soko"].db.connect() as conn:
        villages = set(conn.execute(select(Agent.__table__.c.village)).scalars())
        currencies = set(conn.execute(select(Product.__table__.c.currency)).scalars())
    assert len(villages) >= 4
    assert {"KES", "TZS", "UGX"} <= currencies  # sellers in three countries

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
    assert {t.__name__: _count(app, t) for t in (Seller, Category, Agent, Product, Person)} == counts


def test_add_agent_stores_the_pin_hashed_and_never_prints_it(app):
    runner = app.test_cli_runner()
    res = runner.invoke(args=["add-agent", "0733 123 456", "--name", "Amina Yusuf", "--village", "Garissa",
                              "--pin", "80417"])
    assert res.exit_code == 0, res.output
    assert "Amina Yusuf" in res.output and "Garissa" in res.output and "+254733123456" in res.output
    assert "80417" not in res.output
    with app.extensions["soko"].db.connect() as conn:
        row = conn.execute(select(Agent.__table__).join(Person.__table__)
                           .where(Person.__table__.c.phone == "+254733123456")).one()
    assert row.pin_hash and "80417" not in row.pin_hash
    assert people.pin_matches(row.pin_hash, "80417") and not people.pin_matches(row.pin_hash, "80418")

    # The agent's village is now a pickup point buyers can choose.
    with app.extensions["soko"].db.begin() as conn:
        cid = conn.execute(Category.__table__.insert().values(name="Food", position=0)).inserted_primary_key[0]
        catalog.add_product(conn, people.add_seller(conn, "+254711000001", "Shop"), cid, "Rice", 19000, "KES", 5)
    s = UssdSession(app.test_client(), "+254712345678")
    s.dial()
    for step in ("1", "1", "1", "1"):
        s.send(step)
    assert "1. Garissa (Amina Yusuf)" in s.send("1")


def test_add_agent_again_updates_the_same_agent(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["add-agent", "+254733123456", "--name", "Amina", "--village", "Garissa"])
    res = runner.invoke(args=["add-agent", "+254733123456", "--name", "Amina Y.", "--village", "Dadaab"])
    assert res.exit_code == 0
    assert _count(app, Agent) == 1
    with app.extensions["soko"].db.connect() as conn:
        assert conn.execute(select(Agent.__table__.c.village)).scalar() == "Dadaab"


def test_add_agent_is_recorded_in_the_audit_log_without_the_pin(app):
    runner = app.test_cli_runner()
    res = runner.invoke(args=["add-agent", "0733 123 456", "--name", "Amina  Yusuf", "--village", "Garissa",
                              "--pin", "80417"])
    assert res.exit_code == 0, res.output
    with app.extensions["soko"].db.connect() as conn:
        agent_id = conn.execute(select(Agent.__table__.c.id)).scalar_one()
        audit = conn.execute(select(AuditEntry.__table__)).all()
    assert [(a.actor, a.action, a.target, a.detail) for a in audit] == [
        ("admin:cli", "add_agent", f"agent:{agent_id}", "Amina Yusuf at Garissa with a PIN")]
    assert "80417" not in str(audit)


def test_add_agent_refuses_bad_input_clearly(app):
    runner = app.test_cli_runner()
    for args, says in [
        (["add-agent", "12345", "--name", "A", "--village", "V"], "is not a phone number"),
        (["add-agent", "hello", "--name", "A", "--village", "V"], "is not a phone number"),
        (["add-agent", "+254733123456", "--name", "A", "--village", "V", "--pin", "12"], "4 to 8 digits"),
        (["add-agent", "+254733123456", "--name", "A", "--village", "V", "--pin", "abcd"], "4 to 8 digits"),
        (["add-agent", "+254733123456", "--name", " ", "--village", "V"], "1 to 60 characters"),
        (["add-agent", "+254733123456", "--village", "V"], "--name"),
    ]:
        res = runner.invoke(args=args)
        assert res.exit_code != 0, args
        assert says in res.output, (args, res.output)
        assert "Traceback" not in res.output
    assert _count(app, Agent) == 0 and _count(app, Person) == 0 and _count(app, AuditEntry) == 0


def test_simulate_runs_a_ussd_session_from_stdin(seeded):
    runner = seeded.test_cli_runner()
    res = runner.invoke(args=["simulate", "0712345678"], input="1\n1\n1\n1\n2\n1\n3\n1\n")
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Welcome to Soko" in out and "Choose a category:" in out and "Maize flour 2kg KES 180" in out
    assert "2 x Maize flour 2kg" in out and "Order " in out and "Pay when you collect it at Kiambu" in out
    assert "CON " not in out and "END " not in out  # the screens, as the handset shows them


def test_simulate_stops_at_the_end_of_input_and_refuses_a_bad_number(seeded):
    runner = seeded.test_cli_runner()
    res = runner.invoke(args=["simulate", "0712345678"], input="1\n")
    assert res.exit_code == 0 and "Choose a category:" in res.output
    bad = runner.invoke(args=["simulate", "not-a-phone"], input="")
    assert bad.exit_code != 0 and "is not a phone number" in bad.output


def test_worker_runs_on_a_runtime_of_its_own(app, db_engine, redis_url):
    """`flask --app gateway worker --burst` builds the worker's runtime through bootstrap (blocking
    Redis reads) and sends what is queued; the web app's engine and Redis are never built."""
    import redis
    from rq import Queue

    from bootstrap import redis_client
    from commerce import outbox
    from commerce.models import Message
    from workers import runtime

    with db_engine.begin() as conn:
        mid = outbox.add(conn, "+254733123456", "Hello")
    conn = redis.Redis.from_url(redis_url)
    Queue("sms", connection=conn).enqueue("workers.sms.send_messages", [mid])
    conn.close()
    try:
        res = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert res.exit_code == 0, res.output
        worker = runtime.runtime()
        assert worker.role == "worker" and worker is not app.extensions["soko"]
        # The worker's options (RQ sets the read timeout itself, around its blocking dequeue).
        options = worker.redis.connection_pool.connection_kwargs
        assert options["socket_connect_timeout"] == redis_client.WORKER_OPTIONS["socket_connect_timeout"] == 2
        assert options["socket_keepalive"] is True
    finally:
        runtime.use(None)
    worker.close()
    assert not {"db", "redis"} & set(vars(app.extensions["soko"]))
    with db_engine.connect() as c:
        assert c.execute(select(Message.__table__.c.status)).scalar() == "recorded"
