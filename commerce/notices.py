"""Texts of the SMS notifications the domain sends, in the recipient's language.

Kept short (one GSM-7 segment where the names allow) and each says what to do next.
"""

from __future__ import annotations

from commerce.i18n import pick

TEXTS = {
    "new_order": {
        "en": "New order {code}: {qty} x {name}, {total}. Pickup: {village}. Pay: {method}. We will tell you when it is paid; then send it to the agent and reply SENT {code}",
        "sw": "Oda mpya {code}: {qty} x {name}, {total}. Kuchukua: {village}. Malipo: {method}. Tutakujulisha ikilipwa; kisha ipeleke kwa wakala na ujibu SENT {code}",
        "zh": "新订单 {code}: {qty} x {name}, {total}。取货点: {village}。付款: {method}。付款后我们会通知你，届时送到代理点并回复 SENT {code}",
    },
    "new_order_pod": {
        "en": "New order {code}: {qty} x {name}, {total}, paid on delivery. Send it to the agent at {village}, then reply SENT {code}",
        "sw": "Oda mpya {code}: {qty} x {name}, {total}, malipo ukipokea. Ipeleke kwa wakala wa {village}, kisha jibu SENT {code}",
        "zh": "新订单 {code}: {qty} x {name}, {total}，货到付款。请送到 {village} 的代理点，然后回复 SENT {code}",
    },
    "agent_new_order": {
        "en": "Order {code} for {buyer} will come to your point: {qty} x {name}, {total} ({method}).",
        "sw": "Oda {code} ya {buyer} itafika kwako: {qty} x {name}, {total} ({method}).",
        "zh": "订单 {code} ({buyer}) 将送到你的取货点: {qty} x {name}, {total} ({method})。",
    },
    "order_cancelled_seller": {
        "en": "Order {code} was cancelled by the buyer. Do not send it; the stock is back on your listing.",
        "sw": "Oda {code} imeghairiwa na mnunuzi. Usiitume; bidhaa imerudi kwenye orodha yako.",
        "zh": "订单 {code} 已被买家取消。请勿发货，库存已恢复。",
    },
    "method_mobile_money": {"en": "Mobile money", "sw": "Pesa ya simu", "zh": "手机钱包"},
    "method_cash": {"en": "Cash to agent", "sw": "Pesa taslimu kwa wakala", "zh": "现金付给代理"},
    "method_on_delivery": {"en": "Pay on delivery", "sw": "Lipa ukipokea", "zh": "货到付款"},
}


def text(key: str, lang: str, **values) -> str:
    return pick(TEXTS[key], lang, **values)
