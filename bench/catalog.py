"""Bench catalogs: the demo catalog grown to N products, with one product that never runs out.

The journey buys one of the first nine products of the first category (the demo's Food page); their
stock is set high enough for any bench run. The other products are spread over every category and
seller, with names indexed for search like any listing.
"""

from __future__ import annotations

import random

from sqlalchemy import func, insert, select, update

from commerce import catalog, demo, money, schema
from commerce.db import make_engine
from commerce.models import Category, Product, ProductWord, Seller

ENOUGH_STOCK = 1_000_000_000
_WORDS = ("maize rice beans sugar salt soap lamp radio shirt boots seed hoe panga net pot stove torch "
          "charger cable bucket basin mat blanket kettle flask cup plate spoon knife rope tarp").split()
_SIZES = ("1kg", "2kg", "5kg", "500g", "1L", "5L", "small", "large", "x4", "x10")


def build(url: str, products: int, seed: int = 6) -> None:
    """Migrate an empty database at `url` and fill it with the demo catalog plus generated products."""
    schema.upgrade(url)
    engine = make_engine(url)
    rnd = random.Random(seed)
    try:
        with engine.begin() as conn:
            demo.seed(conn)
            P = Product.__table__
            first_category = conn.execute(select(P.c.category_id).order_by(P.c.id).limit(1)).scalar()
            listed_first = select(P.c.id).where(P.c.category_id == first_category).order_by(P.c.id).limit(9)
            conn.execute(update(P).where(P.c.id.in_(listed_first.scalar_subquery()))
                         .values(stock=ENOUGH_STOCK))
            have = conn.execute(select(func.count()).select_from(Product.__table__)).scalar()
            cats = [r[0] for r in conn.execute(select(Category.__table__.c.id))]
            sellers = [(sid, money.currency_for_phone(phone)) for sid, phone in conn.execute(
                select(Seller.__table__.c.id, _phone_of_seller()))]
            next_id = conn.execute(select(func.max(Product.__table__.c.id))).scalar() + 1
            batch, words = [], []
            for pid in range(next_id, next_id + max(products - have, 0)):
                seller_id, currency = sellers[pid % len(sellers)]
                name = f"{rnd.choice(_WORDS).title()} {rnd.choice(_WORDS)} {rnd.choice(_SIZES)} {pid}"
                batch.append(dict(id=pid, seller_id=seller_id, category_id=cats[pid % len(cats)], name=name,
                                  price_minor=rnd.randrange(1000, 500000, 50), currency=currency,
                                  stock=rnd.randrange(1, 500), active=True))
                words += [{"word": w, "product_id": pid} for w in catalog.prefixes(name)]
                if len(batch) == 5000:
                    _flush(conn, batch, words)
                    batch, words = [], []
            _flush(conn, batch, words)
    finally:
        engine.dispose()


def _phone_of_seller():
    from commerce.models import Person

    PE, S = Person.__table__, Seller.__table__
    return select(PE.c.phone).where(PE.c.id == S.c.person_id).scalar_subquery()


def _flush(conn, batch, words) -> None:
    if batch:
        conn.execute(insert(Product.__table__), batch)
        conn.execute(insert(ProductWord.__table__), words)
