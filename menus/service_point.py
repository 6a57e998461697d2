"""The agent's USSD screens (SPEC §13): an agent who dials gets these first, then the buyer's menu.

    AH  the agent's home: Order for a customer, Pickups waiting, then Shop, Search, My orders, Language
    AP  the customer's phone number (0: the customer has none) → AN  their name
    AF  ordering for that customer: Shop or Search; the buyer's journey then runs over this frame
        (menus/buyer.py `assisting`): no pickup screen (the agent's own village), and the order is
        placed for the customer with the agent as `placed_by`
    AW  pickups waiting: the states with their counts → AL the orders in one (paged) → AO one order

Whether a caller is an agent is asked once, on the session's first hop (`home_for`, from the
per-process cache of agents' numbers): the answer is the session's home frame, ["AH", agent id].
"""

from __future__ import annotations

from commerce import phones, service_points
from commerce.texts import t
from menus.buyer import HOME, _home_go
from menus.engine import PAGE_SIZE, Outcome, Screen, View

MAX_NAME = 40


def home_for(ctx) -> list:
    """The home frame of a new session: the agent's for an active agent's number, else the buyer's."""
    agent_id = ctx.agents_by_phone().get(ctx.phone)
    return ["AH", agent_id] if agent_id is not None else HOME


def customer_label(phone: str, name: str) -> str:
    return phone or name


def _home(ctx, f):
    keys = ["AP", "AW", "C", "S", "O", "G"]
    labels = [t(k, ctx.lang) for k in ("agent_order_for", "agent_pickups", "shop", "search", "my_orders", "language")]
    return View([t("welcome", ctx.lang, shop=ctx.services.shop_name)], labels, keys)


def _home_go_agent(ctx, f, choice, view):
    target = view.chosen(choice)
    if target in ("AP", "AW"):
        return Outcome(push=[target, f[1]])
    return _home_go(ctx, f, choice, view)  # the buyer's own entries


def _phone(ctx, f):
    return View([t("assist_phone", ctx.lang)], free_text=True)


def _phone_go(ctx, f, choice, view):
    if choice == "0":
        return Outcome(push=["AN", f[1]])
    try:  # a local number reads in the agent's own country
        e164 = phones.normalize(choice, phones.region_of(ctx.phone))
    except ValueError:
        return Outcome(invalid="assist_bad_phone")
    if e164 == ctx.phone:
        return Outcome(invalid="assist_own_phone")
    return Outcome(push=["AF", f[1], e164, ""])


def _name(ctx, f):
    return View([t("assist_name", ctx.lang)], free_text=True)


def _name_go(ctx, f, choice, view):
    name = " ".join(choice.split())
    if not 2 <= len(name) <= MAX_NAME or not any(c.isalpha() for c in name):
        return Outcome(invalid="assist_bad_name")
    return Outcome(push=["AF", f[1], "", name])


def _for_customer(ctx, f):
    _, _, phone, name = f
    return View([t("assist_for", ctx.lang, customer=customer_label(phone, name))],
                [t("shop", ctx.lang), t("search", ctx.lang)], ["C", "S"])


def _for_customer_go(ctx, f, choice, view):
    target = view.chosen(choice)
    if target is None:
        return Outcome(invalid="invalid")
    return Outcome(push=["C", 0] if target == "C" else ["S"])


def _pickups(ctx, f):
    counts = service_points.waiting_counts(ctx.db, f[1])
    if not counts:
        return View([t("no_pickups", ctx.lang)])
    return View([t("pickups_header", ctx.lang)], [f"{t('st_' + s, ctx.lang)} ({n})" for s, n in counts],
                [s for s, _ in counts])


def _pickups_go(ctx, f, choice, view):
    status = view.chosen(choice)
    return Outcome(push=["AL", f[1], status, 0]) if status is not None else Outcome(invalid="invalid")


def _pickup_list(ctx, f):
    _, agent_id, status, offset = f
    rows = service_points.waiting(ctx.db, agent_id, status, offset, PAGE_SIZE + 1)
    if not rows:
        return View([t("no_pickups", ctx.lang)])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return View([t("st_" + status, ctx.lang) + ":"], [f"{o.code} {o.quantity}x {o.name}" for o in rows],
                [o.id for o in rows], more)


def _pickup_list_go(ctx, f, choice, view):
    oid = view.chosen(choice)
    return Outcome(push=["AO", f[1], oid]) if oid is not None else Outcome(invalid="invalid")


def _pickup_order(ctx, f):
    o = service_points.waiting_order(ctx.db, f[1], f[2])
    if o is None:
        return View([t("no_pickups", ctx.lang)])
    return View([t("pickup_detail", ctx.lang, code=o.code, status=t("st_" + o.status, ctx.lang), qty=o.quantity,
                   name=o.name, total=ctx.fmt(o.total), due=ctx.fmt(o.due), customer=o.customer)])


SCREENS: dict[str, Screen] = {
    "AH": Screen(_home, _home_go_agent),
    "AP": Screen(_phone, _phone_go, zero_is_input=True),  # 0: a customer with no phone
    "AN": Screen(_name, _name_go),
    "AF": Screen(_for_customer, _for_customer_go),
    "AW": Screen(_pickups, _pickups_go),
    "AL": Screen(_pickup_list, _pickup_list_go, paged=True),
    "AO": Screen(_pickup_order),
}
