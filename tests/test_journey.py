"""The buyer's whole journey through HTTP, as a handset sees it."""

from sqlalchemy import select

from commerce.models import Message, Order, OrderEvent, Product


def _order_code(end_screen: str) -> str:
    words = end_screen.split()
    return words[words.index("Order") + 1]


def test_shop_to_order_with_cash(seeded, ussd):
    s = ussd()
    home = s.dial()
    assert home.startswith("CON Welcome to Soko")
    assert "1. Shop" in home and "3. My orders" in home
    cats = s.send("1")
    assert "1. Food" in cats
    listing = s.send("1")
    assert "Maize flour 2kg KES 180" in listing
    product = s.send("1")
    assert "Seller: Mama Njeri Shop" in product and "In stock: 120" in product
    assert "How many?" in s.send("1")
    assert "Pickup point:" in s.send("2")
    assert "How will you pay?" in s.send("1")
    summary = s.send("2")
    assert "2 x Maize flour 2kg" in summary and "Total KES 360" in summary and "1. Confirm" in summary
    done = s.send("1")
    assert done.startswith("END Order ") and "KES 360" in done
    code = _order_code(done)

    engine = seeded.extensions["soko"].db
    with engine.connect() as conn:
        order = conn.execute(select(Order.__table__).where(Order.__table__.c.code == code)).one()
        assert order.status == "placed" and order.payment_method == "cash"
        assert order.total_minor == 36000 and order.currency == "KES"
        stock = conn.execute(select(Product.__table__.c.stock).where(Product.__table__.c.name == "Maize flour 2kg")).scalar()
        assert stock == 118
        history = conn.execute(select(OrderEvent.__table__.c.status).where(OrderEvent.__table__.c.order_id == order.id)).scalars().all()
        assert history == ["placed"]
        notes = conn.execute(select(Message.__table__.c.to_phone).where(Message.__table__.c.order_id == order.id)).scalars().all()
        assert sorted(notes) == ["+254711000001", "+254722000101"]  # the seller and the pickup agent
