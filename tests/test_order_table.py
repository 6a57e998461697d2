"""The table of order moves on its own, with no database: which (from, to, who) moves are legal,
what each needs, and which give the stock back. tests/test_order_moves.py makes them for real."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from commerce import order_moves as om
from commerce.models import (
    ARRIVED,
    CANCELLED,
    CASH,
    DELIVERED,
    DISPATCHED,
    EXPIRED,
    LAYBY,
    MOBILE_MONEY,
    ON_DELIVERY,
    PAID,
    PAY_LATER,
    PLACED,
)

# The lifecycle as SPEC.md tells it, written out once more: (from, to) -> the actor kinds who may.
LEGAL = {
    (PLACED, PAID): {"agent", "mobile_money"},
    (PLACED, DISPATCHED): {"seller"},
    (PAID, DISPATCHED): {"seller"},
    (DISPATCHED, ARRIVED): {"agent"},
    (DISPATCHED, DELIVERED): {"agent", "buyer"},
    (ARRIVED, DELIVERED): {"agent", "buyer"},
    (PLACED, EXPIRED): {"system"},
    (PLACED, CANCELLED): {"buyer", "admin", "system"},  # system: a lay-by past its deadline (SPEC §15)
    (PAID, CANCELLED): {"admin"},
    (DISPATCHED, CANCELLED): {"admin"},
    (ARRIVED, CANCELLED): {"admin"},
}
# SPEC §13: the agent's ARRIVED or DELIVERED for goods never marked SENT implies the dispatch; those
# steps are taken only on the way (order_moves.walk), never on their own.
IMPLIED = {
    (PLACED, DISPATCHED): {"agent"},
    (PAID, DISPATCHED): {"agent"},
}
ACTOR = {"agent": "agent:7", "seller": "seller:3", "admin": "admin:api", "buyer": "buyer", "system": "system",
         "mobile_money": "mobile_money"}


@dataclass
class Facts:
    """What the table reads of an order (as `order_state.OrderView` has it)."""

    status: str
    paid_minor: int = 0
    method: str = CASH
    total_minor: int = 36000

    @property
    def paid_in_full(self) -> bool:
        return self.paid_minor >= self.total_minor


def _fitting(source: str, target: str, kind: str) -> Facts:
    """An order in `source` that meets what the move needs."""
    move = om.find(source, target, kind)
    need = move.needs if move is not None else None
    paid = source != PLACED or need in (om.paid_in_full, om.paid_or_pay_on_delivery, om.paid_in_full_or_later)
    method = {om.goods_before_money: ON_DELIVERY, om.on_layby: LAYBY}.get(need, CASH)
    return Facts(source, 36000 if paid and need is not om.on_layby else 0, method)


@pytest.mark.parametrize("source", om.STATUSES)
@pytest.mark.parametrize("target", om.STATUSES)
@pytest.mark.parametrize("kind", om.ACTORS)
def test_every_pair_and_actor(source, target, kind):
    facts = _fitting(source, target, kind)
    why = om.refusal(facts, target, ACTOR[kind])
    legal = LEGAL.get((source, target))
    implied = kind in IMPLIED.get((source, target), ())
    if legal is None and not IMPLIED.get((source, target)):
        assert why == om.NO_MOVE
    elif legal is None or kind not in legal:
        assert why == om.NOT_ALLOWED
    else:
        assert why is None
    assert (om.refusal(facts, target, ACTOR[kind], implied=True) is None) == (implied or why is None)


def test_the_table_has_no_move_the_lists_above_lack():
    assert {(m.source, m.target, a, m.implied) for m in om.MOVES for a in m.actors} == {
        (s, t, a, False) for (s, t), actors in LEGAL.items() for a in actors} | {
        (s, t, a, True) for (s, t), actors in IMPLIED.items() for a in actors}


@pytest.mark.parametrize("source", om.STATUSES)
@pytest.mark.parametrize("target", om.STATUSES)
@pytest.mark.parametrize("kind", om.ACTORS)
def test_every_route_is_a_legal_move_or_one_implied_step_then_one(source, target, kind):
    facts = _fitting(source, target, kind)
    if source in (PLACED,) and kind == "agent":
        facts = Facts(source, 0, ON_DELIVERY)  # the one unpaid order an agent may walk
    steps, why = om.route(facts, target, ACTOR[kind])
    if (source, target) in LEGAL and kind in LEGAL[(source, target)] and om.refusal(facts, target, ACTOR[kind]) is None:
        assert (steps, why) == ([target], None)
    elif kind == "agent" and source in (PLACED, PAID) and target in (ARRIVED, DELIVERED):
        assert (steps, why) == ([DISPATCHED, target], None)
    else:
        assert steps == [] and why is not None


def test_final_statuses_have_no_way_out_and_nothing_goes_back_to_placed():
    for m in om.MOVES:
        assert m.source not in (DELIVERED, CANCELLED, EXPIRED)
        assert m.target != PLACED and m.target != m.source
        assert set(m.actors) <= set(om.ACTORS)


def test_only_cancel_and_expiry_give_the_stock_back():
    for m in om.MOVES:
        assert m.releases_stock == (m.target in (CANCELLED, EXPIRED)), m


@pytest.mark.parametrize(("facts", "target", "kind", "unmet"), [
    (Facts(PLACED, paid_minor=20000), PAID, "agent", "paid_in_full"),  # part paid stays placed
    (Facts(PLACED), DISPATCHED, "seller", "goods_before_money"),  # a prepaid order is sent once paid
    (Facts(PLACED, method=LAYBY, paid_minor=20000), DISPATCHED, "seller", "goods_before_money"),  # lay-by: paid first
    (Facts(DISPATCHED), DELIVERED, "agent", "paid_or_pay_on_delivery"),
    (Facts(ARRIVED), DELIVERED, "agent", "paid_or_pay_on_delivery"),
    (Facts(ARRIVED, method=ON_DELIVERY), DELIVERED, "buyer", "paid_in_full_or_later"),
    (Facts(DISPATCHED, method=ON_DELIVERY), DELIVERED, "buyer", "paid_in_full_or_later"),  # pays the agent first
    (Facts(PLACED, paid_minor=100), CANCELLED, "buyer", "nothing_paid"),
    (Facts(PLACED, paid_minor=100), EXPIRED, "system", "unpaid_prepaid"),
    (Facts(PLACED, method=ON_DELIVERY), EXPIRED, "system", "unpaid_prepaid"),  # waits for its buyer
    (Facts(PLACED, method=LAYBY), EXPIRED, "system", "unpaid_prepaid"),  # a lay-by has its own deadline
    (Facts(PLACED, method=PAY_LATER), EXPIRED, "system", "unpaid_prepaid"),
    (Facts(PLACED, method=CASH), CANCELLED, "system", "on_layby"),  # only a lay-by is cancelled by the jobs
    (Facts(PLACED, method=LAYBY, paid_minor=36000), CANCELLED, "system", "on_layby"),  # paid up: it goes on
])
def test_a_move_whose_need_is_unmet_is_refused_by_its_name(facts, target, kind, unmet):
    assert om.refusal(facts, target, ACTOR[kind]) == unmet


def test_the_same_moves_pass_when_their_need_is_met():
    assert om.refusal(Facts(DISPATCHED, method=ON_DELIVERY), DELIVERED, "agent:1") is None  # cash at hand-over
    # Pay later (SPEC §15): sent at once, handed over and closed with the instalments still to come.
    assert om.refusal(Facts(PLACED, method=PAY_LATER), DISPATCHED, "seller:1") is None
    assert om.refusal(Facts(ARRIVED, method=PAY_LATER), DELIVERED, "agent:1") is None
    assert om.refusal(Facts(DISPATCHED, method=PAY_LATER), DELIVERED, "buyer") is None
    assert om.refusal(Facts(PLACED, method=LAYBY, paid_minor=100), CANCELLED, "system") is None
    assert om.refusal(Facts(PLACED, method=MOBILE_MONEY), EXPIRED, "system") is None
    assert om.refusal(Facts(PLACED, paid_minor=36000), CANCELLED, "admin:web") is None  # refund flagged
    assert om.refusal(Facts(PLACED, method=ON_DELIVERY), DISPATCHED, "seller:1") is None


def test_actor_kind_is_the_part_before_the_colon():
    assert [om.actor_kind(a) for a in ("agent:12", "admin:api", "buyer", "system")] == [
        "agent", "admin", "buyer", "system"]
