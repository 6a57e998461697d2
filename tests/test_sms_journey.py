"""A seller's day, end to end, as the phones see it: SMS in through the Africa's Talking webhook,
USSD for the buyer, SMS out through the RQ worker (burst) and the real africastalking SDK to the
local fake provider, which records what each phone would receive."""

from __future__ import annotations

import itertools

import pytest
from rq import SimpleWorker

from commerce import people
from tests.fakes import AT_API_KEY, AT_USERNAME
from workers import dispatch, runtime

SELLER = "+254733444555"
AGENT = "+254722999000"
BUYER = "+254712345678"
PIN = "40917352"


@pytest.fixture
def day(make_app, fake_providers):
    app = make_app(sms_backend="africastalking", at_username=AT_USERNAME, at_api_key=AT_API_KEY,
                   at_api_url=fake_providers.url)
    s = app.extensions["soko"]
    runtime.use(s)  # the app's bootstrap runtime, as a worker's
    with s.db.begin() as conn:  # the operator registers the village agent (flask --app gateway add-agent)
        people.add_agent(conn, AGENT, "Wanjiku", "Githunguri", pin=PIN)
    yield app
    runtime.use(None)


class Phones:
    """SMS sent through the webhook; what each number received, from the fake provider's record."""

    ids = itertools.count(1)

    def __init__(self, app, fake):
        self.app, self.fake, self.client = app, fake, app.test_client()

    def sms(self, phone: str, text: str) -> None:
        res = self.client.post("/sms/africastalking", data={"from": phone, "to": "20880", "text": text,
                                                             "date": "2024-05-10 08:00:00",
                                                             "id": f"ATXid_day{next(self.ids)}"})
        assert res.status_code == 200
        self.work()

    def work(self) -> None:
        s = self.app.extensions["soko"]
        # The dispatcher's look first: it announces new orders and queues their SMS.
        dispatch.tick()
        SimpleWorker([s.jobs.q["orders"], s.jobs.q["sms"]], connection=s.redis).work(burst=True, with_scheduler=True)

    def inbox(self, phone: str) -> list[str]:
        return [r["form"]["message"] for r in self.fake.requests_to("/version1/messaging")
                if phone in r["form"]["to"].split(",")]

    def last(self, phone: str) -> str:
        return self.inbox(phone)[-1]


def test_a_sellers_day(day, fake_providers, ussd):
    phones = Phones(day, fake_providers)

    phones.sms(SELLER, "JOIN Githunguri Dairy")
    assert phones.last(SELLER).startswith("Welcome to Soko, Githunguri Dairy!")

    phones.sms(SELLER, "SELL Fresh milk 1L 60 30")
    listed = phones.last(SELLER)
    assert listed.startswith("Listed Fresh milk 1L at KES 60, 30 in stock, in Other.")
    code = listed.split("Code ")[1].split(":")[0]

    # A buyer finds it by Search on USSD and orders 2, paying on delivery.
    s = ussd(BUYER)
    s.dial()
    s.send("2")
    assert "Fresh milk 1L" in s.send(code)
    s.send("1")  # Buy
    s.send("2")  # quantity
    s.send("1")  # Githunguri
    s.send("3")  # pay on delivery
    done = s.send("1")  # confirm
    assert done.startswith("END Order ")
    order = done.split()[2].rstrip(".")
    phones.work()

    new_order = phones.last(SELLER)
    assert new_order.startswith(f"New order {order}: 2 x Fresh milk 1L, KES 120, paid on delivery. Send it to the agent at Githunguri")
    assert phones.last(AGENT).startswith(f"Order {order} for {BUYER} will come to your point")

    phones.sms(SELLER, "ORDERS")
    assert f"{order} 2x Fresh milk 1L" in phones.last(SELLER)

    phones.sms(SELLER, f"SENT {order}")
    assert phones.last(SELLER).startswith(f"Order {order} marked sent.")
    assert phones.last(BUYER).startswith(f"Order {order} is on its way to Wanjiku at Githunguri.")

    phones.sms(AGENT, f"DELIVERED {order} {PIN}")
    assert phones.last(SELLER) == f"Order {order} was handed to the buyer. Thank you!"
    assert PIN not in " ".join(phones.inbox(AGENT))

    phones.sms(SELLER, "ITEMS")
    assert f"{code} Fresh milk 1L KES 60 x28" in phones.last(SELLER)
    # Every reply and notice went out once.
    assert len(phones.inbox(BUYER)) == len(set(phones.inbox(BUYER)))
