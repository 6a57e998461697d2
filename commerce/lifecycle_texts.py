"""Texts of the order lifecycle and payments: replies to the seller or agent who acted, and the
notifications the change sends. In the reader's language; short; each says what to do next."""

from __future__ import annotations

from commerce.i18n import pick

TEXTS = {
    # -- replies to the person who sent the command ---------------------------------------------
    "bad_code": {
        "en": "{code} is not an order code. Check the digits and send again.",
        "sw": "{code} si namba ya oda. Hakiki tarakimu na utume tena.",
        "zh": "{code} 不是订单号。请核对数字后重发。",
    },
    "not_yours": {
        "en": "There is no order {code} for you. Check the code and send again.",
        "sw": "Hakuna oda {code} kwako. Hakiki namba na utume tena.",
        "zh": "你没有订单 {code}。请核对订单号后重发。",
    },
    "is_closed": {
        "en": "Order {code} is {status}. Nothing was changed.",
        "sw": "Oda {code} {status}. Hakuna kilichobadilishwa.",
        "zh": "订单 {code} {status}。未做任何更改。",
    },
    "sent_ok": {
        "en": "Order {code} marked sent. The buyer and the agent at {village} are told.",
        "sw": "Oda {code} imewekwa kuwa imetumwa. Mnunuzi na wakala wa {village} wamearifiwa.",
        "zh": "订单 {code} 已标记为已发货。买家和 {village} 的代理已收到通知。",
    },
    "sent_unpaid": {
        "en": "Order {code} is not paid yet ({due} due). Send it only when we tell you it is paid.",
        "sw": "Oda {code} bado haijalipwa ({due} inadaiwa). Itume tu tukikuarifu imelipwa.",
        "zh": "订单 {code} 尚未付款（欠 {due}）。收到已付款通知后再发货。",
    },
    "paid_full_reply": {
        "en": "Recorded {amount} cash for order {code}. Paid in full. {next}",
        "sw": "Umeandika {amount} taslimu kwa oda {code}. Imelipwa yote. {next}",
        "zh": "已记录订单 {code} 现金 {amount}。已全额付款。{next}",
    },
    "next_wait_goods": {
        "en": "The seller will send it to you.",
        "sw": "Muuzaji ataileta kwako.",
        "zh": "卖家会把货送到你处。",
    },
    "next_hand_over": {
        "en": "Hand it over, then send DELIVERED {code}.",
        "sw": "Mkabidhi, kisha tuma DELIVERED {code}.",
        "zh": "交货后请发送 DELIVERED {code}。",
    },
    "paid_short_reply": {
        "en": "Recorded {amount} cash for order {code}. Still due: {due}. Send PAID {code} <amount> when the rest comes.",
        "sw": "Umeandika {amount} taslimu kwa oda {code}. Bado inadaiwa: {due}. Tuma PAID {code} <kiasi> salio likifika.",
        "zh": "已记录订单 {code} 现金 {amount}。仍欠: {due}。收到余款后发送 PAID {code} <金额>。",
    },
    "paid_over_reply": {
        "en": "Recorded {amount} cash for order {code}: {over} more than due. Flagged for the operator, who will contact you.",
        "sw": "Umeandika {amount} taslimu kwa oda {code}: {over} zaidi ya deni. Msimamizi ataarifiwa na atakupigia.",
        "zh": "已记录订单 {code} 现金 {amount}：比应付多 {over}。已提交运营方处理，他们会联系你。",
    },
    "already_paid": {
        "en": "Order {code} is already paid. Nothing recorded.",
        "sw": "Oda {code} imeshalipwa. Hakuna kilichoandikwa.",
        "zh": "订单 {code} 已付款。未记录任何款项。",
    },
    "closed_no_cash": {
        "en": "Order {code} is {status}. No payment recorded; give the cash back to the buyer.",
        "sw": "Oda {code} {status}. Hakuna malipo yaliyoandikwa; mrudishie mnunuzi pesa.",
        "zh": "订单 {code} {status}。未记录付款，请把现金退还买家。",
    },
    "bad_amount": {
        "en": "{error}. Send PAID {code} <amount in {currency}>, e.g. PAID {code} {example}.",
        "sw": "Kiasi si sahihi. Tuma PAID {code} <kiasi kwa {currency}>, mfano PAID {code} {example}.",
        "zh": "金额无效。请发送 PAID {code} <{currency}金额>，例如 PAID {code} {example}。",
    },
    "delivered_reply": {
        "en": "Order {code} is closed as delivered. Thank you.",
        "sw": "Oda {code} imefungwa, imekabidhiwa. Asante.",
        "zh": "订单 {code} 已确认交付。谢谢。",
    },
    "delivered_cash_reply": {
        "en": "Order {code} is closed as delivered, with {amount} cash recorded. Thank you.",
        "sw": "Oda {code} imefungwa, imekabidhiwa; {amount} taslimu imeandikwa. Asante.",
        "zh": "订单 {code} 已确认交付，已记录现金 {amount}。谢谢。",
    },
    "not_sent_yet": {
        "en": "Order {code} has not been sent by the seller yet. Send DELIVERED {code} when you hand it over.",
        "sw": "Oda {code} bado haijatumwa na muuzaji. Tuma DELIVERED {code} ukimkabidhi mnunuzi.",
        "zh": "卖家尚未发出订单 {code}。交货后再发送 DELIVERED {code}。",
    },
    "unpaid_no_handover": {
        "en": "Order {code} is not paid ({due} due). Take the cash with PAID {code} <amount> before you hand it over.",
        "sw": "Oda {code} haijalipwa ({due} inadaiwa). Pokea pesa kwa PAID {code} <kiasi> kabla ya kukabidhi.",
        "zh": "订单 {code} 未付款（欠 {due}）。交货前先收款并发送 PAID {code} <金额>。",
    },
    "received_reply": {
        "en": "Thank you! Order {code} is closed as received.",
        "sw": "Asante! Oda {code} imefungwa, umeipokea.",
        "zh": "谢谢！订单 {code} 已确认收货。",
    },
    "received_pay_first": {
        "en": "Order {code}: pay {due} to the agent at {village}; the agent closes the order.",
        "sw": "Oda {code}: lipa {due} kwa wakala wa {village}; wakala ataifunga oda.",
        "zh": "订单 {code}：请向 {village} 的代理支付 {due}，由代理完成订单。",
    },
    # -- notifications ----------------------------------------------------------------------------
    "buyer_dispatched": {
        "en": "Order {code} is on its way to {agent} at {village}. {pay}When you have it, reply RECEIVED {code}.",
        "sw": "Oda {code} iko njiani kwa {agent}, {village}. {pay}Ukiipokea, jibu RECEIVED {code}.",
        "zh": "订单 {code} 正送往 {village} 的 {agent}。{pay}收货后请回复 RECEIVED {code}。",
    },
    "pay_at_handover": {
        "en": "Pay {due} when you collect it. ",
        "sw": "Lipa {due} ukiichukua. ",
        "zh": "取货时支付 {due}。",
    },
    "agent_dispatched": {
        "en": "Order {code} for {buyer} is on its way to you. {pay}When you hand it over, send DELIVERED {code}.",
        "sw": "Oda {code} ya {buyer} inakuja kwako. {pay}Ukimkabidhi, tuma DELIVERED {code}.",
        "zh": "{buyer} 的订单 {code} 正送往你处。{pay}交货后请发送 DELIVERED {code}。",
    },
    "collect_cash": {
        "en": "Collect {due}. ",
        "sw": "Pokea {due}. ",
        "zh": "请收取 {due}。",
    },
    "buyer_paid": {
        "en": "We received {amount} for order {code}. Paid in full; we will tell you when it is on its way.",
        "sw": "Tumepokea {amount} kwa oda {code}. Imelipwa yote; tutakuarifu ikiwa njiani.",
        "zh": "已收到订单 {code} 的 {amount}。已全额付款，发货时会通知你。",
    },
    "buyer_paid_collect": {
        "en": "We received {amount} for order {code}. Paid in full; collect it from {agent} at {village}.",
        "sw": "Tumepokea {amount} kwa oda {code}. Imelipwa yote; ichukue kwa {agent}, {village}.",
        "zh": "已收到订单 {code} 的 {amount}。已全额付款，请到 {village} 的 {agent} 处取货。",
    },
    "buyer_part_paid": {
        "en": "We received {amount} for order {code}. Still due: {due}. Pay it to the agent at {village}.",
        "sw": "Tumepokea {amount} kwa oda {code}. Bado inadaiwa: {due}. Lipa kwa wakala wa {village}.",
        "zh": "已收到订单 {code} 的 {amount}。仍欠: {due}。请付给 {village} 的代理。",
    },
    "seller_paid": {
        "en": "Order {code} is paid ({amount}). Send it to {agent} at {village}, then reply SENT {code}.",
        "sw": "Oda {code} imelipwa ({amount}). Ipeleke kwa {agent}, {village}, kisha jibu SENT {code}.",
        "zh": "订单 {code} 已付款（{amount}）。请送到 {village} 的 {agent}，然后回复 SENT {code}。",
    },
    "buyer_payment_failed": {
        "en": "Payment for order {code} did not go through. Try again from My orders on the USSD menu, or pay cash to the agent at {village}.",
        "sw": "Malipo ya oda {code} hayakufanikiwa. Jaribu tena kupitia Oda zangu kwenye menyu ya USSD, au lipa taslimu kwa wakala wa {village}.",
        "zh": "订单 {code} 付款未成功。请在 USSD 菜单“我的订单”中重试，或向 {village} 的代理付现金。",
    },
    "buyer_payment_mismatch": {
        "en": "We received {amount} for order {code}, but {due} is due. The order is not paid yet; we will contact you.",
        "sw": "Tumepokea {amount} kwa oda {code}, lakini {due} inadaiwa. Oda bado haijalipwa; tutawasiliana nawe.",
        "zh": "已收到订单 {code} 的 {amount}，但应付 {due}。订单尚未付款，我们会联系你。",
    },
    "buyer_late_payment": {
        "en": "We received {amount} for order {code}, which is {status}. We will contact you to refund it.",
        "sw": "Tumepokea {amount} kwa oda {code}, ambayo {status}. Tutawasiliana nawe kukurudishia.",
        "zh": "已收到订单 {code} 的 {amount}，但该订单{status}。我们会联系你退款。",
    },
    "checkout_no_answer": {
        "en": "We got no answer to the payment request for order {code}. Try again from My orders on the USSD menu, or pay cash to the agent.",
        "sw": "Hatukupata jibu la ombi la malipo ya oda {code}. Jaribu tena kupitia Oda zangu kwenye USSD, au lipa taslimu kwa wakala.",
        "zh": "订单 {code} 的付款请求没有回应。请在 USSD“我的订单”中重试，或向代理付现金。",
    },
    "mobile_money_unavailable": {
        "en": "Mobile money is not available right now for order {code}. Pay cash to the agent at {village}, or try later from My orders.",
        "sw": "Pesa ya simu haipatikani sasa kwa oda {code}. Lipa taslimu kwa wakala wa {village}, au jaribu baadaye kupitia Oda zangu.",
        "zh": "订单 {code} 暂时无法使用手机钱包。请向 {village} 的代理付现金，或稍后在“我的订单”中重试。",
    },
    "buyer_expired": {
        "en": "Order {code} has expired because it was not paid in time. You can order again any time.",
        "sw": "Oda {code} imekwisha muda kwa sababu haikulipwa kwa wakati. Unaweza kuagiza tena wakati wowote.",
        "zh": "订单 {code} 因未按时付款已过期。你可以随时重新下单。",
    },
    "seller_expired": {
        "en": "Order {code} expired unpaid. Do not send it; the stock is back on your listing.",
        "sw": "Oda {code} imekwisha muda bila kulipwa. Usiitume; bidhaa imerudi kwenye orodha yako.",
        "zh": "订单 {code} 未付款已过期。请勿发货，库存已恢复。",
    },
    "agent_expired": {
        "en": "Order {code} expired unpaid; it will not come to your point.",
        "sw": "Oda {code} imekwisha muda bila kulipwa; haitafika kwako.",
        "zh": "订单 {code} 未付款已过期，不会送到你处。",
    },
    "seller_delivered": {
        "en": "Order {code} was handed to the buyer. Thank you!",
        "sw": "Oda {code} imekabidhiwa kwa mnunuzi. Asante!",
        "zh": "订单 {code} 已交给买家。谢谢！",
    },
    "buyer_delivered": {
        "en": "Order {code} is yours. Thank you for shopping with us!",
        "sw": "Oda {code} ni yako. Asante kwa kununua kwetu!",
        "zh": "订单 {code} 已交付。感谢惠顾！",
    },
    "seller_paid_cash": {
        "en": "Order {code}: {amount} cash was paid to the agent.",
        "sw": "Oda {code}: {amount} taslimu imelipwa kwa wakala.",
        "zh": "订单 {code}：已向代理支付现金 {amount}。",
    },
    "buyer_confirm_receipt": {
        "en": "Did you get order {code}? Collect it from {agent} at {village}. If you have it, reply RECEIVED {code}.",
        "sw": "Umepokea oda {code}? Ichukue kwa {agent}, {village}. Kama umeipokea, jibu RECEIVED {code}.",
        "zh": "你收到订单 {code} 了吗？请到 {village} 的 {agent} 处取货。已收到请回复 RECEIVED {code}。",
    },
    "seller_reminder": {
        "en": "Reminder: order {code} is waiting. Send it to {agent} at {village}, then reply SENT {code}.",
        "sw": "Kumbusho: oda {code} inasubiri. Ipeleke kwa {agent}, {village}, kisha jibu SENT {code}.",
        "zh": "提醒：订单 {code} 待发货。请送到 {village} 的 {agent}，然后回复 SENT {code}。",
    },
    "agent_reminder": {
        "en": "Reminder: order {code} for {buyer} should be at your point. When you hand it over, send DELIVERED {code}.",
        "sw": "Kumbusho: oda {code} ya {buyer} inapaswa kuwa kwako. Ukimkabidhi, tuma DELIVERED {code}.",
        "zh": "提醒：{buyer} 的订单 {code} 应已到你处。交货后请发送 DELIVERED {code}。",
    },
}


# How a status reads inside a sentence ("Order 1234567 is cancelled").
STATUS = {
    "placed": {"en": "awaiting payment", "sw": "inasubiri malipo", "zh": "待付款"},
    "paid": {"en": "paid", "sw": "imelipwa", "zh": "已付款"},
    "dispatched": {"en": "on its way", "sw": "iko njiani", "zh": "运送中"},
    "delivered": {"en": "delivered", "sw": "imekabidhiwa", "zh": "已交付"},
    "cancelled": {"en": "cancelled", "sw": "imeghairiwa", "zh": "已取消"},
    "expired": {"en": "expired", "sw": "imekwisha muda", "zh": "已过期"},
}


def status_word(status: str, lang: str) -> str:
    table = STATUS.get(status, {"en": status})
    return table.get(lang, table["en"])


def text(key: str, lang: str, **values) -> str:
    return pick(TEXTS[key], lang, **values)
