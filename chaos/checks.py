"""What a scenario counts once the dust has settled, in the database and at the fake providers."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from commerce import payments
from commerce.models import Checkout, Message, Order, OrderLine, Product, utcnow

ORD, L, P, CO, M = (Order.__table__, OrderLine.__table__, Product.__table__, Checkout.__table__,
                    Message.__table__)


def unsettled(engine) -> dict[str, int]:
    """Work still waiting: orders not announced, first checkouts due, messages pending or sending."""
    with engine.connect() as conn:
        return {
            "unannounced": conn.execute(select(func.count()).where(ORD.c.announced.is_(False))).scalar(),
            "due_checkouts": conn.execute(select(func.count()).where(CO.c.status == "due")).scalar(),
            "pending_or_sending": conn.execute(select(func.count()).where(
                M.c.status.in_(("pending", "sending")))).scalar(),
            "unexpired": conn.execute(select(func.count()).where(
                ORD.c.status == "placed", ORD.c.paid_minor == 0, ORD.c.payment_method != "on_delivery",
                ORD.c.expires_at < utcnow())).scalar(),
        }


def count(engine, fake, results, initial_stock: dict[int, int]) -> tuple[dict, list[str]]:
    """The counts, and what is wrong (loss, doubling, stall) in words."""
    problems = []
    with engine.connect() as conn:
        orders = conn.execute(select(ORD.c.id, ORD.c.code, ORD.c.payment_method, ORD.c.status,
                                     ORD.c.announced)).all()
        checkouts = conn.execute(select(CO.c.order_id, CO.c.status, CO.c.description)).all()
        statuses = dict(conn.execute(select(M.c.status, func.count()).group_by(M.c.status)).all())
        notices = Counter(conn.execute(select(M.c.order_id).where(
            M.c.kind.in_(("new_order", "new_order_pod", "agent_new_order")))).scalars())
        sold = dict(conn.execute(select(L.c.product_id, func.sum(L.c.quantity)).join(ORD, ORD.c.id == L.c.order_id)
                                 .where(ORD.c.status.notin_(("cancelled", "expired"))).group_by(L.c.product_id)).all())
        stock = dict(conn.execute(select(P.c.id, P.c.stock)).all())
        ledger = payments.ledger_problems(conn)

    shown = {code for code, _, _ in results.placed}
    placed = {o.code for o in orders}
    lost_shown = shown - placed
    if lost_shown:
        problems.append(f"{len(lost_shown)} orders shown to buyers are not in the database")
    if len(results.placed) != len(shown):
        problems.append(f"{len(results.placed) - len(shown)} order codes were shown twice")

    asked = Counter(r["json"]["metadata"]["orderCode"] for r in fake.requests_to("/mobile/checkout/request"))
    reasons = {c.order_id for c in checkouts if c.status in ("failed", "skipped", "no_answer")}
    mm = [o for o in orders if o.payment_method == "mobile_money"]
    without = [o.code for o in mm if asked[o.code] == 0 and o.id not in reasons]
    doubled = [code for code, n in asked.items() if n > 1]
    if without:
        problems.append(f"{len(without)} of {len(mm)} mobile-money orders got no checkout and no recorded reason")
    if doubled:
        problems.append(f"{len(doubled)} mobile-money orders got more than one checkout request")
    unannounced = [o.code for o in orders if not o.announced or notices[o.id] < 2]
    if unannounced:
        problems.append(f"{len(unannounced)} orders' seller and agent were not both told")
    if statuses.get("pending") or statuses.get("sending"):
        problems.append(f"messages left unsent: {statuses.get('pending', 0)} pending, "
                        f"{statuses.get('sending', 0)} sending")
    sends = Counter()
    for r in fake.requests_to("/version1/messaging"):
        for to in r["form"]["to"].split(","):
            sends[(to, r["form"]["message"])] += 1
    duplicates = sum(n - 1 for n in sends.values() if n > 1)
    if duplicates:
        problems.append(f"{duplicates} SMS reached the provider twice")
    wrong_stock = [pid for pid, start in initial_stock.items() if stock.get(pid, 0) != start - sold.get(pid, 0)]
    negative = [pid for pid, n in stock.items() if n < 0]
    if wrong_stock or negative:
        problems.append(f"stock wrong for products {wrong_stock[:5]} (negative: {negative[:5]})")
    if ledger:
        problems.append(f"ledger: {ledger[:3]}")
    slow = [(took, step) for _, took, step in results.hops if took > 2.0]
    if slow:
        problems.append(f"{len(slow)} hops took over 2 s (longest {max(slow)[0]:.1f} s; by journey step: "
                        f"{dict(sorted(Counter(step for _, step in slow).items()))})")
    counts = {
        "orders shown / placed": f"{len(shown)} / {len(placed)}",
        "placed while the buyer saw the apology or no answer": len(placed - shown),
        "checkout requests per mobile-money order": dict(sorted(Counter(asked[o.code] for o in mm).items())),
        "mobile-money orders with a recorded reason instead": len([o for o in mm if asked[o.code] == 0
                                                                   and o.id in reasons]),
        "checkouts by status": dict(Counter(c.status for c in checkouts)),
        "messages by status": dict(sorted(statuses.items())),
        "duplicate SMS at the provider": duplicates,
        "stock check": "ok" if not (wrong_stock or negative) else "WRONG",
        "ledger": "balanced" if not ledger else "WRONG",
        "hops": len(results.hops),
        "hops over 2 s": len(slow),
        "apologies": results.apologies,
        "no answer": results.failures,
        "wrong screens": results.wrong,
        "orders by status": dict(Counter(o.status for o in orders)),
    }
    return counts, problems
