"""The table of order moves on its own, with no database: which (from, to, who) moves are legal,
what each needs, and which give the stock back. tests/test_order_moves.py makes them for real."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from commerce import order_moves as om
from commerce.models import CANCELLED, CASH, DELIVERED, DISPATCHED, EXPIRED, ON_DELIVERY, PAID, PLACED

# The lifecycle as SPEC.md tells it, written out once more: (from, to) -> the actor kinds who may.
LEGAL = {
    (PLACED, PAID): {"agent", "mobile_money"},
    (PLACED, DISPATCHED): {"seller"},
    (PAID, DISPATCHED): {"seller"},
    (DISPATCHED, DELIVERED): {"agent", "buyer"},
    (PLACED, EXPIRED): {"system"},
    (PLACED, CANCELLED): {"buyer", "admin"},
    (PAID, CANCELLED): {"admin"},
    (DISPATCHED, CANCELLED): {"admin"},
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
    paid = source != PLACED or (move is not None and move.needs in (om.paid_in_full, om.paid_or_pay_on_delivery))
    method = ON_DELIVERY if move is not None and move.needs is om.pay_on_delivery else CASH
    return Facts(source, 36000 if paid else 0, method)


@pytest.mark.parametrize("source", om.STATUSES)
@pytest.mark.parametrize("target", om.STATUSES)
@pytest.mark.parametrize("kind", om.ACTORS)
def test_every_pair_and_actor(source, target, kind):
    why = om.refusal(_fitting(source, target, kind), target, ACTOR[kind])
    legal = LEGAL.get((source, target))
    if legal is None:
        assert why == om.NO_MOVE
    elif kind not in legal:
        assert why == om.NOT_ALLOWED
    else:
        assert why is None


def test_the_table_has_no_move_the_list_above_lacks():
    assert {(m.source, m.target, a) for m in om.MOVES for a in m.actors} == {
        (s, t, a) for (s, t), actors in LEGAL.items() for a in actors}


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
    (Facts(PLACED), DISPATCHED, "seller", "pay_on_delivery"),  # a prepaid order is sent once paid
    (Facts(DISPATCHED), DELIVERED, "agent", "paid_or_pay_on_delivery"),
    (Facts(DISPATCHED, method=ON_DELIVERY), DELIVERED, "buyer", "paid_in_full"),  # pays the agent first
    (Facts(PLACED, paid_minor=100), CANCELLED, "buyer", "nothing_paid"),
    (Facts(PLACED, paid_minor=100), EXPIRED, "system", "unpaid_prepaid"),
    (Facts(PLACED, method=ON_DELIVERY), EXPIRED, "system", "unpaid_prepaid"),  # waits for its buyer
])
def test_a_move_whose_need_is_unmet_is_refused_by_its_name(facts, target, kind, unmet):
    assert om.refusal(facts, target, ACTOR[kind]) == unmet


def test_the_same_moves_pass_when_their_need_is_met():
    assert om.refusal(Facts(DISPATCHED, method=ON_DELIVERY), DELIVERED, "agent:1") is None  # cash at hand-over
    assert om.refusal(Facts(PLACED, paid_minor=36000), CANCELLED, "admin:web") is None  # refund flagged
    assert om.refusal(Facts(PLACED, method=ON_DELIVERY), DISPATCHED, "seller:1") is None


def test_actor_kind_is_the_part_before_the_colon():
    assert [om.actor_kind(a) for a in ("agent:12", "admin:api", "buyer", "system")] == [
        "agent", "admin", "buyer", "system"]
