"""English, the reference: every key here is in sw.py and zh.py with the same {placeholders}."""

NAME = "English"

TEXTS: dict[str, str] = {
    # -- USSD screens (menus/buyer.py, menus/engine.py). st_*: a status as a screen shows it -----------
    "welcome": "Welcome to {shop}",
    "shop": "Shop",
    "search": "Search",
    "my_orders": "My orders",
    "language": "Language",
    "more": "More",
    "back": "Back",
    "home": "Home",
    "invalid": "Invalid choice, try again.",
    "too_long": "Too long, try again.",
    "resume": "Welcome back.",
    "continue": "Continue where you left off",
    "start_again": "Start again",
    "ended": "This session has ended. Dial again to continue.",
    "categories": "Choose a category:",
    "no_categories": "Nothing for sale yet. Please try later.",
    "empty_category": "{name}: nothing in stock now.",
    "search_prompt": "Type a product name or code:",
    "search_short": "Type at least 2 letters.",
    "no_results": "Nothing found for '{q}'. Try another word:",
    "bad_shortcut": "That code is not valid: choose from the menu.",
    "bad_code_hint": "That code is not valid. Check the digits and try again.",
    "no_results_hint": "Nothing found. Try another word.",
    "bad_quantity_hint": "Enter a number in the range shown.",
    "no_rate_hint": "Sorry, this product cannot be paid in your currency yet.",
    "results": "Results for '{q}':",
    "product": "{name}\n{price}\nSeller: {seller} (shop {shop})\nIn stock: {stock}",
    "product_gone": "Sorry, this product is no longer for sale.",
    "buy": "Buy",
    "quantity": "How many? (1-{max})",
    "pickup": "Pickup point:",
    "no_pickup": "No pickup points yet. Please try later.",
    "payment": "How will you pay?",
    "mobile_money": "Mobile money",
    "cash": "Cash to agent",
    "on_delivery": "Pay on delivery",
    "summary": "{qty} x {name}\nTotal {total}\nPickup: {village}\nPay: {method}",
    "rate_note": "(seller price {seller_total})",
    "confirm": "Confirm",
    "cancel": "Cancel",
    "no_rate": "Sorry, this seller's prices ({cur}) cannot be paid in {mine} yet. Choose another product.",
    "placed_mobile_money": (
        "Order {code} placed. Total {total}. You will get a prompt for your mobile money PIN."
    ),
    "placed_cash": (
        "Order {code} placed. Total {total}. Pay cash to the agent at {village}; the seller sends it once "
        "you have paid."
    ),
    "placed_on_delivery": "Order {code} placed. Total {total}. Pay when you collect it at {village}.",
    "just_placed": "Your order {code} was placed.",
    "order_again": "You ordered this a few minutes ago (order {code}). Order it again?",
    "order_again_yes": "Yes, order again",
    "order_kept": "Nothing new was ordered. Your order {code} stands; see My orders.",
    "out_of_stock": "Sorry, not enough in stock now. Choose a smaller quantity or another product.",
    "price_changed": "The price has just changed. Check the new total and confirm again.",
    "order_failed": "Sorry, the order could not be placed. Please try again.",
    "cancelled_choice": "Nothing was ordered. Dial again any time.",
    "no_orders": "You have no orders yet.",
    "orders": "Your orders:",
    "order_detail": "Order {code}: {status}\n{qty} x {name}\nTotal {total}\nPickup: {village}",
    "cancel_order": "Cancel order",
    "pay_now": "Pay now",
    "cancel_confirm": "Cancel order {code}?",
    "yes": "Yes",
    "no": "No",
    "order_cancelled": "Order {code} is cancelled.",
    "cannot_cancel": "Order {code} can no longer be cancelled.",
    "pay_prompt": "You will get a prompt for your mobile money PIN for order {code}.",
    # The rail that asks (issue 15): {rail} is its brand name, M-Pesa or MTN MoMo.
    "placed_mobile_money_rail": "Order {code} placed. Total {total}. {rail} will ask for your PIN.",
    "pay_prompt_rail": "{rail} will ask for your PIN for order {code}.",
    "choose_language": "Choose language:",
    "sorry_down": "Sorry, the service is busy. Please try again in a few minutes.",
    "st_placed": "awaiting payment",
    "st_paid": "paid",
    "st_dispatched": "on its way",
    "st_delivered": "delivered",
    "st_cancelled": "cancelled",
    "st_expired": "expired",
    # -- SMS replies to commands (menus/sms/) ----------------------------------------------------------
    "help_anyone": (
        "Soko: to sell, send JOIN and your shop name. LANG en/sw/zh sets the language. STOP ends "
        "messages. FOLLOW shop for a shop's news. To buy, dial the Soko USSD code."
    ),
    "help_seller": (
        "Soko seller: SELL name price qty | PRICE code price | STOCK code qty | REMOVE code | ITEMS | "
        "ORDERS | SENT order | SALES | NEWS text | REPORT code | CREDIT ON max weeks. LANG en/sw/zh. STOP ends "
        "messages."
    ),
    "help_agent": (
        "Soko agent: PAID order amount PIN when cash is paid | ARRIVED order PIN when goods reach you | "
        "DELIVERED order PIN when the buyer collects | BALANCE PIN | GROUP name phones PIN. Dial USSD to "
        "order for a customer. "
        "LANG en/sw/zh."
    ),
    "help_both": (
        "Soko: SELL name price qty | PRICE code price | STOCK code qty | REMOVE code | ITEMS | ORDERS | "
        "SENT order | SALES | NEWS text | CREDIT ON max weeks | PAID order amount PIN | ARRIVED order PIN | DELIVERED order PIN | "
        "BALANCE PIN | GROUP name phones PIN. LANG en/sw/zh."
    ),
    "not_understood": "Sorry, Soko did not understand that.",
    "usage_JOIN": "Send JOIN and your shop name, e.g. JOIN Mama Njeri Shop",
    "usage_LANG": "Send LANG en for English, LANG sw for Kiswahili or LANG zh for Chinese.",
    "usage_SELL": (
        "Send SELL name price quantity, e.g. SELL Maize flour 2kg 180 20. Add #2 to pick category 2 of "
        "the Shop menu."
    ),
    "usage_PRICE": "Send PRICE, the product code and the new price, e.g. PRICE 100017 200",
    "usage_STOCK": "Send STOCK, the product code and how many you have, e.g. STOCK 100017 30",
    "usage_REMOVE": "Send REMOVE and the product code, e.g. REMOVE 100017. ITEMS lists your codes.",
    "usage_ITEMS": "Send ITEMS for your listings, ITEMS 2 for the next page.",
    "usage_ORDERS": "Send ORDERS for your open orders, ORDERS 2 for the next page.",
    "usage_SENT": "Send SENT and the order codes once you have sent them, e.g. SENT 4829131 or SENT 4829131 2791849",
    "usage_PAID": "Send PAID, the order code, the cash received and your PIN, e.g. PAID 4829131 1,600 PIN",
    "usage_DELIVERED": (
        "Send DELIVERED, the order code and your PIN when the buyer collects, e.g. DELIVERED 4829131 PIN"
    ),
    "usage_RECEIVED": "Send RECEIVED and the order code once you have your goods, e.g. RECEIVED 4829131",
    "not_seller": "Only sellers can do that. Send JOIN and your shop name to start selling.",
    "seller_suspended": "Your shop is suspended. Please contact Soko.",
    "not_agent": "Only Soko agents can confirm cash or delivery. Ask Soko to register you as an agent.",
    "agent_suspended": "Your agent account is suspended. Please contact Soko.",
    "pin_missing": "Add your PIN at the end. {usage}",
    "pin_wrong": "Wrong PIN, nothing was recorded. {tries} tries left before a 15 minute lock.",
    "pin_locked": "Too many wrong PINs. Try again in {minutes} min, or ask Soko for help.",
    "bad_order_code": "{code} is not an order code. Check the digits and send again.",
    "bad_product_code": "{code} is not one of your product codes. Send ITEMS to see them.",
    "bad_price": "The price must be a number like {example}, in {currency}. {usage}",
    "bad_quantity": "The quantity must be a whole number up to {most}. {usage}",
    "busy": "Sorry, Soko is busy. Please send that again in a few minutes.",
    "joined": (
        "Welcome to Soko, {shop}! List a product: SELL name price quantity, e.g. SELL Maize flour 2kg 180 "
        "20. Your shop code is {code}: buyers follow you with FOLLOW {code}."
    ),
    "renamed": "Your shop is now called {shop}. Send HELP for your commands.",
    "sold": (
        "Listed {name} at {price}, {qty} in stock, in {category}. Code {code}: buyers find it by Search. "
        "Change it with PRICE {code} or STOCK {code}."
    ),
    "priced": "{name} ({code}) now costs {price}. Orders already placed keep their price.",
    "stocked": "{name} ({code}) now has {qty} in stock.",
    "removed": "{name} ({code}) is off sale. Open orders for it go on; SELL it again any time.",
    "no_items": "You have nothing on sale. Send SELL name price quantity to list a product.",
    "items": "Your items (code name price stock):",
    "items_more": "More: ITEMS {page}",
    "no_open_orders": "You have no open orders. Buyers order on USSD; you get an SMS for each.",
    "open_orders": "Open orders:",
    "orders_more": "More: ORDERS {page}",
    "page_empty": "No page {page}. Send {keyword} for the first page.",
    "lang_set": "Soko will answer you in English. Send HELP for your commands.",
    "stopped": "You will get no more Soko messages. Send START to get them again.",
    "started": "Soko messages are on again. Send HELP for your commands.",
    # -- Replies to the order lifecycle's commands: SENT, PAID, DELIVERED, RECEIVED (commerce/lifecycle.py) ---
    "bad_code": "{code} is not an order code. Check the digits and send again.",
    "not_yours": "There is no order {code} for you. Check the code and send again.",
    "is_closed": "Order {code} is {status}. Nothing was changed.",
    "sent_ok": "Order {code} marked sent. The buyer and the agent at {village} are told.",
    "sent_unpaid": "Order {code} is not paid yet ({due} due). Send it only when we tell you it is paid.",
    "paid_full_reply": "Recorded {amount} cash for order {code}. Paid in full. {next}",
    "next_wait_goods": "The seller will send it to you.",
    "next_hand_over": "Hand it over, then send DELIVERED {code}.",
    "paid_short_reply": (
        "Recorded {amount} cash for order {code}. Still due: {due}. Send PAID {code} <amount> when the "
        "rest comes."
    ),
    "paid_over_reply": (
        "Recorded {amount} cash for order {code}: {over} more than due. Flagged for the operator, who "
        "will contact you."
    ),
    "already_paid": "Order {code} is already paid. Nothing recorded.",
    "closed_no_cash": "Order {code} is {status}. No payment recorded; give the cash back to the buyer.",
    "bad_amount": "{reason}. Send PAID {code} <amount in {currency}>, e.g. PAID {code} {example}.",
    "delivered_reply": "Order {code} is closed as delivered. Thank you.",
    "delivered_cash_reply": "Order {code} is closed as delivered, with {amount} cash recorded. Thank you.",
    "unpaid_no_handover": (
        "Order {code} is not paid ({due} due). Take the cash with PAID {code} <amount> before you hand it "
        "over."
    ),
    "received_reply": "Thank you! Order {code} is closed as received.",
    "received_pay_first": "Order {code}: pay {due} to the agent at {village}; the agent closes the order.",
    "too_many": "Too many messages, wait a minute.",
    "amount_not_valid": "Amount not valid",
    # -- Notices of a new order, and of one the buyer cancelled (commerce/orders.py) -------------------
    "new_order": (
        "New order {code}: {qty} x {name}, {total}. Pickup: {village}. Pay: {method}. We will tell you "
        "when it is paid; then send it to the agent and reply SENT {code}"
    ),
    "new_order_pod": (
        "New order {code}: {qty} x {name}, {total}, paid on delivery. Send it to the agent at {village}, "
        "then reply SENT {code}"
    ),
    "receipt_mobile_money": (
        "Order {code} placed: {qty} x {name}, {total}. Pickup: {village}. Pay by mobile money: enter your "
        "PIN at the prompt, or choose Pay now in My orders."
    ),
    "receipt_cash": (
        "Order {code} placed: {qty} x {name}, {total}. Pickup: {village}. Pay {total} cash to the agent "
        "there; the seller sends it once you have paid."
    ),
    "receipt_layby": (
        "Order {code} placed and kept for you: {qty} x {name}, {total}. Pickup: {village}. Pay any amounts "
        "to the agent there or from My orders; the seller sends it once it is paid in full."
    ),
    "receipt_pay_later": (
        "Order {code} placed on pay later: {qty} x {name}, {total}. Pickup: {village}. The seller sends it "
        "now; pay weekly as My orders shows."
    ),
    "receipt_on_delivery": (
        "Order {code} placed: {qty} x {name}, {total}. Pickup: {village}. Pay {total} when you collect it."
    ),
    "agent_new_order": "Order {code} for {buyer} will come to your point: {qty} x {name}, {total} ({method}).",
    "order_cancelled_seller": (
        "Order {code} was cancelled by the buyer. Do not send it; the stock is back on your listing."
    ),
    "method_mobile_money": "Mobile money",
    "method_cash": "Cash to agent",
    "method_on_delivery": "Pay on delivery",
    # -- Notices of the order lifecycle and payments (commerce/order_state.Notices) --------------------
    "buyer_dispatched": (
        "Order {code} is on its way to {agent} at {village}. {pay}When you have it, reply RECEIVED "
        "{code}."
    ),
    "pay_at_handover": "Pay {due} when you collect it. ",
    "agent_dispatched": (
        "Order {code} for {buyer} is on its way to you. {pay}When it arrives, send ARRIVED {code}; when "
        "you hand it over, DELIVERED {code}."
    ),
    "collect_cash": "Collect {due}. ",
    "buyer_paid": (
        "We received {amount} for order {code}. Paid in full; we will tell you when it is on its way."
    ),
    "buyer_paid_collect": (
        "We received {amount} for order {code}. Paid in full; collect it from {agent} at {village}."
    ),
    "buyer_part_paid": (
        "We received {amount} for order {code}. Still due: {due}. Pay it to the agent at {village}."
    ),
    "seller_paid": "Order {code} is paid ({amount}). Send it to {agent} at {village}, then reply SENT {code}.",
    "buyer_payment_failed": (
        "Payment for order {code} did not go through. Try again from My orders on the USSD menu, or pay "
        "cash to the agent at {village}."
    ),
    "buyer_payment_mismatch": (
        "We received {amount} for order {code}, but {due} is due. The order is not paid yet; we will "
        "contact you."
    ),
    "buyer_late_payment": (
        "We received {amount} for order {code}, which is {status}. We will contact you to refund it."
    ),
    "checkout_no_answer": (
        "We got no answer to the payment request for order {code}. Try again from My orders on the USSD "
        "menu, or pay cash to the agent."
    ),
    "mobile_money_unavailable": (
        "Mobile money is not available right now for order {code}. Pay cash to the agent at {village}, or "
        "try later from My orders."
    ),
    "buyer_expired": "Order {code} has expired because it was not paid in time. You can order again any time.",
    "seller_expired": "Order {code} expired unpaid. Do not send it; the stock is back on your listing.",
    "agent_expired": "Order {code} expired unpaid; it will not come to your point.",
    "seller_delivered": "Order {code} was handed to the buyer. Thank you!",
    "buyer_delivered": "Order {code} is yours. Thank you for shopping with us!",
    "seller_paid_cash": "Order {code}: {amount} cash was paid to the agent.",
    "buyer_confirm_receipt": (
        "Did you get order {code}? Collect it from {agent} at {village}. If you have it, reply RECEIVED "
        "{code}."
    ),
    "seller_reminder": (
        "Reminder: order {code} is waiting. Send it to {agent} at {village}, then reply SENT {code}."
    ),
    "agent_reminder": (
        "Reminder: order {code} for {buyer} should be at your point. When you hand it over, send "
        "DELIVERED {code}."
    ),
    # -- Notices of an order cancelled by Soko's operator (commerce/admin.py) --------------------------
    "buyer_cancelled_by_soko": (
        "Order {code} was cancelled by Soko: {reason}.{refund} Dial again to order anew."
    ),
    "seller_cancelled_by_soko": (
        "Order {code} was cancelled by Soko: {reason}. Do not send it; the stock is back on your listing."
    ),
    "buyer_refund_due": " Your payment will be refunded.",
    # -- How a status reads inside a sentence ("Order 1234567 is cancelled"): status_word() ------------
    "status_placed": "awaiting payment",
    "status_paid": "paid",
    "status_dispatched": "on its way",
    "status_delivered": "delivered",
    "status_cancelled": "cancelled",
    "status_expired": "expired",
    # -- Village service points, the agent's side (SPEC §13; menus/service_point.py, commerce/lifecycle.py,
    #    commerce/agent_money.py) ------------------------------------------------------------------------
    "st_arrived": "arrived, to collect",
    "status_arrived": "waiting to be collected",
    "agent_order_for": "Order for a customer",
    "agent_pickups": "Pickups waiting",
    "assist_phone": "Customer's phone number (0 if they have none):",
    "assist_bad_phone": "That is not a phone number. Type it again, or 0 for none.",
    "assist_own_phone": "That is your own number. Type the customer's, or 0 for none.",
    "assist_name": "Customer's name:",
    "assist_bad_name": "Type the customer's name (2 to 40 letters).",
    "assist_for": "Order for {customer}:",
    "assist_summary_for": "For: {customer}",
    "assisted_placed": "Order {code} placed for {customer}. Total {total}. {next}",
    "assisted_next_cash": "Take the cash, then send PAID {code} amount PIN.",
    "assisted_next_on_delivery": "They pay when they collect it.",
    "assisted_next_mm_customer": "They get a mobile money PIN prompt now.",
    "assisted_next_mm_you": "You get a mobile money PIN prompt now.",
    "pickups_header": "Orders at your point:",
    "no_pickups": "No orders are waiting at your point.",
    "pickup_detail": "Order {code}: {status}\n{qty} x {name}\nTotal {total}, due {due}\nFor: {customer}",
    "usage_ARRIVED": "Send ARRIVED, the order code and your PIN when the goods reach you, e.g. ARRIVED 4829131 PIN",
    "usage_BALANCE": "Send BALANCE and your PIN, e.g. BALANCE PIN",
    "usage_NO": "To cancel an order an agent placed for you, send NO and the order code, e.g. NO 4829131",
    "arrived_reply": (
        "Order {code} marked arrived; the buyer is told to collect it. {pay}When you hand it over, send "
        "DELIVERED {code} PIN."
    ),
    "arrived_reply_tell": (
        "Order {code} marked arrived. Tell {customer} to collect it. {pay}When you hand it over, send "
        "DELIVERED {code} PIN."
    ),
    "already_arrived": "Order {code} is already marked arrived. When you hand it over, send DELIVERED {code} PIN.",
    "arrived_unpaid": (
        "Order {code} is not paid ({due} due), so the seller has not sent it. Take the cash with PAID {code} "
        "amount PIN first."
    ),
    "buyer_arrived": "Order {code} has arrived: collect it from {agent} at {village}. Bring this code.",
    "buyer_arrived_pay": (
        "Order {code} has arrived: collect it from {agent} at {village}. Bring {due} and this code."
    ),
    "balance_reply": "Cash held for sellers: {held}. Commission this week: {week}; unpaid: {unpaid}.",
    "assisted_customer": (
        "{agent} at {village} ordered for you: order {code}, {qty} x {name}, {total}. Not yours? Reply NO "
        "{code} within {minutes} min to cancel."
    ),
    "no_cancelled": "Order {code} is cancelled. You owe nothing for it.",
    "no_too_late": (
        "Order {code} was placed more than {minutes} min ago and can no longer be cancelled by SMS. Ask "
        "{agent} at {village}."
    ),
    "no_not_assisted": "You placed order {code} yourself: cancel it under My orders on the USSD menu.",
    "no_paid": "Order {code} is already paid or on its way and cannot be cancelled by SMS. Ask {agent} at {village}.",
    "agent_customer_cancelled": "Order {code} for {buyer} was cancelled by the customer. Take no cash for it.",
    # -- Credit (SPEC §15, issue 18; commerce/credit.py, commerce/groups.py, menus/) ------------------
    "layby": "Pay in parts",
    "pay_later": "Pay later",
    "summary_layby": "Pay any amounts by {day}; it is kept for you.",
    "summary_pay_later": "{weeks} weekly payments of {amount}, the first by {day}. No interest.",
    "placed_layby": "Order {code} placed and kept for you. Total {total}. Pay any amounts to the agent at {village} or from My orders by {day}.",
    "placed_pay_later": "Order {code} placed on pay later. Total {total}. The seller sends it now; collect it at {village}. First payment {amount} by {day}.",
    "credit_unavailable": "Pay later is not available for this order now. Choose another way to pay.",
    "dues_layby": "Paid {paid}, left {left}. Pay by {day}.",
    "dues_pay_later": "Next {amount} by {day}. Left {left}.",
    "pay_amount": "Pay an amount",
    "pay_amount_prompt": "Amount to pay now (up to {most}):",
    "pay_amount_bad": "Type an amount from 1 up to what is left.",
    "method_layby": "Pay in parts",
    "method_pay_later": "Pay later",
    "new_order_credit": "New order {code}: {qty} x {name}, {total}, on pay later: the buyer repays weekly through Soko. Send it to the agent at {village} now, then reply SENT {code}",
    "credit_part_paid": "We received {amount} for order {code}. {dues}",
    "credit_repaid": "We received {amount} for order {code}. It is fully paid. Thank you!",
    "credit_due_soon": "Soko: {amount} for order {code} is due on {day}. Pay from My orders, or cash to {agent} at {village}.",
    "credit_due_today": "Soko: {amount} for order {code} is due today. Pay from My orders, or cash to {agent} at {village}.",
    "credit_overdue": "Soko: {amount} for order {code} was due on {day}. Please pay it soon, from My orders or cash to {agent} at {village}.",
    "credit_arrears": "Soko: {amount} for order {code} is a week late. Until it is paid you cannot buy on pay later. No extra charge is added.",
    "layby_reminder": "Soko: order {code} is kept for you. Paid {paid}, left {due}. Pay by {day}, or it is cancelled and your money refunded.",
    "layby_cancelled_refund": "Order {code} was not paid up in time and is cancelled. The {paid} you paid will be refunded.",
    "layby_cancelled": "Order {code} was not paid up in time and is cancelled. You owe nothing.",
    "layby_cancelled_seller": "Pay-in-parts order {code} was not paid up in time and is cancelled. Do not send it; the stock is back on your listing.",
    "layby_cancelled_agent": "Pay-in-parts order {code} is cancelled; it will not come to your point. Take no cash for it.",
    "usage_CREDIT": "Send CREDIT ON, the most a buyer may owe you and the weeks to repay, e.g. CREDIT ON 2000 4. CREDIT OFF stops it; CREDIT shows your credit.",
    "credit_bad_weeks": "The weeks must be a number from 1 to {most}. {usage}",
    "credit_on_reply": "Pay later is on: buyers who qualify may owe you up to {max}, repaid in {weeks} weekly payments, no interest. CREDIT OFF stops it.",
    "credit_off_reply": "Pay later is off for new orders. Repayments already running go on. CREDIT shows them.",
    "credit_state_on": "on (up to {max}, {weeks} weeks)",
    "credit_state_off": "off",
    "credit_report": "Pay later {state}.",
    "credit_report_line": "{currency}: given {given} on {orders} orders; outstanding {outstanding}, late {arrears}.",
    "credit_report_none": "No credit given yet.",
    'usage_GROUP': "Send GROUP, a name, 2 to 5 members' phone numbers and your PIN, e.g. GROUP Umoja 0712000001 0712000002 PIN",
    "group_bad_phone": "{phone} is not a phone number. Nothing was registered. {usage}",
    "group_size": "A group has 2 to 5 members; you gave {n}. Nothing was registered.",
    "group_taken": "{phone} is already in a group. Nothing was registered.",
    "group_not_agent_self": "You register groups; you cannot be a member of one. Nothing was registered.",
    "group_registered": "Group {name} registered with {n} members. Each is told by SMS and may decline with NO.",
    "group_member_told": "{agent} at {village} put you in the Soko group {name} ({n} members). After one delivered order you may buy on pay later; while any member is late, no member gets new credit. Not agreed? Reply NO.",
    "group_declined": "You have left the group {name}. You can still buy on Soko.",
    "group_declined_agent": "A member left group {name}; it has {n} members now.",
    "group_none": "You are in no group. To cancel an order an agent placed for you, send NO and the order code.",
    "group_decline_owing": "You have pay-later credit open as a member of {name}: you stay until it is repaid.",
    # -- Seller reach (SPEC §14, issue 17): shop codes, followers, news, SALES, SENT of several orders ----
    "follow_invite": "Reply FOLLOW {shop} for news.",
    "follow_option": "Follow {shop}",
    "followed_ussd": "You follow {shop}: its news comes by SMS. Reply STOP {code} to stop it.",
    "followed": "You follow {shop}: its news comes by SMS, a few times a month at most. Reply STOP {code} to stop it.",
    "already_following": "You already follow {shop}. Reply STOP {code} to stop its news.",
    "unfollowed": "You no longer follow {shop}. Other Soko messages go on; STOP alone stops them all.",
    "not_following": "You do not follow {shop}. Nothing changed.",
    "follow_closed": "{shop} is not taking followers now.",
    "bad_shop_code": "{code} is not a shop code. Check the digits: the code is on the shop's product screens.",
    "usage_FOLLOW": "Send FOLLOW and the shop code, e.g. FOLLOW 10013. The code is on the shop's product screens and receipts.",
    "usage_UNFOLLOW": "Send UNFOLLOW and the shop code, e.g. UNFOLLOW 10013.",
    "usage_NEWS": "Send NEWS and your news, e.g. NEWS Fresh mangoes on Friday! You get a preview to confirm.",
    "usage_YES": "Send YES and the code of your news preview, e.g. YES 5812.",
    "usage_REPORT": "Send REPORT and the code of your news, e.g. REPORT 5812.",
    "usage_SALES": "Send SALES for today's and this week's orders.",
    "news_footer": "\n{shop}: reply STOP {code} to stop news.",
    "news_preview": "To {followers} followers, {segments} SMS each, about {cost}. Reply YES {code} to send.",
    "news_no_followers": "You have no followers yet. Buyers follow you with FOLLOW {shop}: it is on your product screens and receipts.",
    "news_too_long": "Your news is too long for 2 SMS with the stop line: cut {over} characters and send NEWS again.",
    "news_limit": "You have sent {n} news today, the most a day. Send NEWS again tomorrow.",
    "news_unknown": "You have no news {code}. Send NEWS and your text for a preview.",
    "news_expired": "News preview {code} has expired. Send NEWS again.",
    "news_already": "News {code} is already sending. REPORT {code} shows how far it is.",
    "news_not_sent": "News {code} was not sent. Send NEWS again for a new preview.",
    "news_when": "between {start} and {end} in each one's time, not on Sundays",
    "news_when_sundays": "between {start} and {end} in each one's time",
    "news_confirmed": "Sending news {code} to {followers} followers {when}. REPORT {code} shows how far it is.",
    "news_report": "News {code} of {day}, {recipients} followers: sent {sent}, delivered {delivered}, failed {failed}, opted out {opted_out}, waiting {waiting}.",
    "sales_report": "Today: {orders} orders, {units} items, {amount}. This week: {w_orders} orders, {w_units} items, {w_amount}.",
    "sales_credit": "Credit: given {given} on {orders} orders; outstanding {outstanding}, late {arrears}.",
    "sent_many_ok": "Marked sent: {codes}. Buyers and agents are told.",
}
