"""A believable demo catalog: Kenyan, Tanzanian and Ugandan sellers, village agents, everyday goods."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine

from commerce import catalog, money, people, rates
from commerce.models import Category, Product

CATEGORIES = [
    ("Food", "Chakula", "食品"),
    ("Farm inputs", "Pembejeo", "农资"),
    ("Household", "Nyumbani", "家居"),
    ("Phones & power", "Simu na umeme", "手机电器"),
    ("Clothes", "Nguo", "服装"),
    ("Other", "Nyingine", "其他"),
]

SELLERS = [
    ("+254711000001", "Mama Njeri Shop"),
    ("+254711000002", "Kibet Agrovet"),
    ("+254711000003", "Nuru Electronics"),
    ("+255712000004", "Arusha Textiles"),
    ("+256772000005", "Gulu Grain Store"),
]

AGENTS = [
    ("+254722000101", "Grace Wanjiru", "Kiambu"),
    ("+254722000102", "Peter Otieno", "Kisumu Ndogo"),
    ("+254722000103", "Halima Said", "Malindi"),
    ("+254722000104", "John Mutua", "Machakos"),
]

# (category, seller index, name, price in major units, stock)
PRODUCTS = [
    ("Food", 0, "Maize flour 2kg", "180", 120), ("Food", 0, "Rice 1kg", "190", 80),
    ("Food", 0, "Cooking oil 1L", "320", 60), ("Food", 0, "Sugar 1kg", "210", 90),
    ("Food", 0, "Tea leaves 250g", "120", 70), ("Food", 0, "Beans 1kg", "160", 50),
    ("Food", 4, "Millet 5kg", "18000", 40), ("Food", 4, "Groundnuts 1kg", "7000", 35),
    ("Food", 0, "Salt 500g", "40", 200), ("Food", 0, "Milk powder 400g", "450", 25),
    ("Farm inputs", 1, "Maize seed 2kg", "650", 60), ("Farm inputs", 1, "DAP fertiliser 10kg", "1450", 30),
    ("Farm inputs", 1, "CAN fertiliser 10kg", "1200", 30), ("Farm inputs", 1, "Knapsack sprayer", "3200", 8),
    ("Farm inputs", 1, "Chicken feed 10kg", "980", 40), ("Farm inputs", 1, "Jembe hoe", "450", 25),
    ("Farm inputs", 1, "Panga", "380", 20), ("Farm inputs", 1, "Tomato seed 10g", "250", 50),
    ("Household", 0, "Bar soap", "90", 150), ("Household", 0, "Paraffin 1L", "170", 60),
    ("Household", 0, "Matchbox x10", "50", 100), ("Household", 0, "Water jerrican 20L", "350", 30),
    ("Household", 0, "Sufuria pot", "600", 15), ("Household", 0, "Mosquito net", "500", 40),
    ("Household", 0, "Charcoal stove", "900", 12),
    ("Phones & power", 2, "Solar lamp", "1500", 25), ("Phones & power", 2, "Phone charger", "250", 60),
    ("Phones & power", 2, "Torch with batteries", "300", 40), ("Phones & power", 2, "Feature phone", "1800", 15),
    ("Phones & power", 2, "Power bank 10000mAh", "1700", 20), ("Phones & power", 2, "AA batteries x4", "160", 80),
    ("Phones & power", 2, "Radio", "1100", 10), ("Phones & power", 2, "Solar panel 20W", "3500", 6),
    ("Clothes", 3, "Kitenge fabric 6 yards", "25000", 30), ("Clothes", 3, "Kanga pair", "12000", 40),
    ("Clothes", 3, "School shirt", "8000", 50), ("Clothes", 3, "Gumboots", "22000", 20),
    ("Clothes", 3, "Maasai shuka", "15000", 25),
    ("Other", 2, "Exercise books x10", "400", 60), ("Other", 0, "Umbrella", "450", 20),
    ("Other", 0, "Padlock", "280", 30), ("Other", 2, "Calculator", "600", 12),
]

# Round demo rates so that cross-border orders work out of the box; the operator sets real ones.
DEMO_RATES = {("TZS", "KES"): "0.05", ("UGX", "KES"): "0.035", ("KES", "TZS"): "20",
              ("KES", "UGX"): "28", ("TZS", "UGX"): "1.45", ("UGX", "TZS"): "0.68",
              ("KES", "GHS"): "0.1", ("GHS", "KES"): "10", ("TZS", "GHS"): "0.005"}


DEMO_PIN = "1234"


@lru_cache(maxsize=1)
def _demo_pin_hash() -> str:
    # Hashing is slow on purpose (scrypt); the demo agents share one PIN, so hash it once a process.
    return people.hash_pin(DEMO_PIN)


def seed(conn: Connection) -> bool:
    """Load the demo catalog into an empty database; returns False (and changes nothing) otherwise."""
    if conn.execute(select(func.count()).select_from(Product.__table__)).scalar():
        return False
    cat_ids = {}
    for pos, (en, sw, zh) in enumerate(CATEGORIES):
        cat_ids[en] = conn.execute(insert(Category.__table__).values(
            name=en, name_sw=sw, name_zh=zh, position=pos)).inserted_primary_key[0]
    seller_ids = [people.add_seller(conn, phone, shop) for phone, shop in SELLERS]
    pin_hash = _demo_pin_hash()
    for phone, name, village in AGENTS:
        people.add_agent(conn, phone, name, village, pin_hash=pin_hash)
    for cat, s, name, price, stock in PRODUCTS:
        currency = money.currency_for_phone(SELLERS[s][0])
        amount = money.parse_amount(price, currency)
        catalog.add_product(conn, seller_ids[s], cat_ids[cat], name, amount.amount_minor, currency, stock)
    for pair, rate in DEMO_RATES.items():
        rates.set_rate(conn, *pair, Decimal(rate))
    return True


def load(engine: Engine) -> bool:
    """`seed` in a transaction of its own: `make run` and `flask --app gateway seed-demo`."""
    with engine.begin() as conn:
        return seed(conn)
