"""Kiswahili. SMS texts name the Swahili keywords, so a seller who writes in Swahili is taught Swahili."""

NAME = "Kiswahili"

TEXTS: dict[str, str] = {
    # -- USSD screens (menus/buyer.py, menus/engine.py). st_*: a status as a screen shows it -----------
    "welcome": "Karibu {shop}",
    "shop": "Nunua",
    "search": "Tafuta",
    "my_orders": "Oda zangu",
    "language": "Lugha",
    "more": "Zaidi",
    "back": "Rudi",
    "home": "Mwanzo",
    "invalid": "Chaguo si sahihi, jaribu tena.",
    "too_long": "Ndefu mno, jaribu tena.",
    "resume": "Karibu tena.",
    "continue": "Endelea ulipoachia",
    "start_again": "Anza upya",
    "ended": "Kipindi hiki kimeisha. Piga tena kuendelea.",
    "categories": "Chagua aina:",
    "no_categories": "Hakuna bidhaa bado. Jaribu baadaye.",
    "empty_category": "{name}: hakuna bidhaa sasa.",
    "search_prompt": "Andika jina au namba ya bidhaa:",
    "search_short": "Andika herufi 2 au zaidi.",
    "no_results": "Hakuna kilichopatikana kwa '{q}'. Jaribu neno jingine:",
    "bad_shortcut": "Namba hiyo si sahihi: chagua kwenye menyu.",
    "bad_code_hint": "Namba hiyo si sahihi. Angalia tarakimu ujaribu tena.",
    "no_results_hint": "Hakuna kilichopatikana. Jaribu neno jingine.",
    "bad_quantity_hint": "Andika namba iliyo ndani ya kiwango.",
    "no_rate_hint": "Samahani, bidhaa hii haiwezi kulipwa kwa sarafu yako bado.",
    "results": "Matokeo ya '{q}':",
    "product": "{name}\n{price}\nMuuzaji: {seller} (duka {shop})\nZipo: {stock}",
    "product_gone": "Samahani, bidhaa hii haiuzwi tena.",
    "buy": "Nunua",
    "quantity": "Ngapi? (1-{max})",
    "pickup": "Mahali pa kuchukua:",
    "no_pickup": "Hakuna mahali pa kuchukua bado. Jaribu baadaye.",
    "payment": "Utalipa vipi?",
    "mobile_money": "Pesa ya simu",
    "cash": "Taslimu kwa wakala",
    "on_delivery": "Lipa ukipokea",
    "summary": "{qty} x {name}\nJumla {total}\nKuchukua: {village}\nMalipo: {method}",
    "rate_note": "(bei ya muuzaji {seller_total})",
    "confirm": "Thibitisha",
    "cancel": "Ghairi",
    "no_rate": (
        "Samahani, bei za muuzaji huyu ({cur}) haziwezi kulipwa kwa {mine} bado. Chagua bidhaa nyingine."
    ),
    "placed_mobile_money": "Oda {code} imepokelewa. Jumla {total}. Utapokea ombi la PIN ya pesa ya simu.",
    "placed_cash": (
        "Oda {code} imepokelewa. Jumla {total}. Lipa taslimu kwa wakala wa {village}; muuzaji ataituma "
        "ukishalipa."
    ),
    "placed_on_delivery": "Oda {code} imepokelewa. Jumla {total}. Lipa ukiichukua {village}.",
    "just_placed": "Oda yako {code} imepokelewa.",
    "order_again": "Uliagiza hiki dakika chache zilizopita (oda {code}). Uagize tena?",
    "order_again_yes": "Ndiyo, agiza tena",
    "order_kept": "Hakuna oda mpya. Oda yako {code} ipo; tazama Oda zangu.",
    "out_of_stock": "Samahani, hazitoshi sasa. Chagua idadi ndogo au bidhaa nyingine.",
    "price_changed": "Bei imebadilika sasa hivi. Angalia jumla mpya uthibitishe tena.",
    "order_failed": "Samahani, oda haikuweza kuwekwa. Jaribu tena.",
    "cancelled_choice": "Hakuna oda iliyowekwa. Piga tena wakati wowote.",
    "no_orders": "Huna oda bado.",
    "orders": "Oda zako:",
    "order_detail": "Oda {code}: {status}\n{qty} x {name}\nJumla {total}\nKuchukua: {village}",
    "cancel_order": "Ghairi oda",
    "pay_now": "Lipa sasa",
    "cancel_confirm": "Ghairi oda {code}?",
    "yes": "Ndiyo",
    "no": "Hapana",
    "order_cancelled": "Oda {code} imeghairiwa.",
    "cannot_cancel": "Oda {code} haiwezi kughairiwa tena.",
    "pay_prompt": "Utapokea ombi la PIN ya pesa ya simu kwa oda {code}.",
    "placed_mobile_money_rail": "Oda {code} imepokelewa. Jumla {total}. {rail} itakuomba PIN yako.",
    "pay_prompt_rail": "{rail} itakuomba PIN yako kwa oda {code}.",
    "choose_language": "Chagua lugha:",
    "sorry_down": "Samahani, huduma ina shughuli nyingi. Jaribu tena baada ya dakika chache.",
    "st_placed": "inasubiri malipo",
    "st_paid": "imelipwa",
    "st_dispatched": "iko njiani",
    "st_delivered": "imefika",
    "st_cancelled": "imeghairiwa",
    "st_expired": "imekwisha muda",
    # -- SMS replies to commands (menus/sms/) ----------------------------------------------------------
    "help_anyone": (
        "Soko: kuuza, tuma JIUNGE na jina la duka lako. LUGHA en/sw/zh kubadili lugha. ACHA kusimamisha "
        "ujumbe. FUATA duka kupata habari zake. Kununua, piga namba ya USSD ya Soko."
    ),
    "help_seller": (
        "Muuzaji Soko: UZA jina bei idadi | BEI namba bei | IDADI namba idadi | ONDOA namba | BIDHAA | "
        "ODA | IMETUMWA oda | MAUZO | HABARI maandishi | RIPOTI namba | MKOPO ON kiasi wiki. LUGHA en/sw/zh. "
        "ACHA kusimamisha."
    ),
    "help_agent": (
        "Wakala Soko: IMELIPWA oda kiasi PIN ukipokea pesa | IMEFIKA oda PIN bidhaa zikifika | "
        "IMEKABIDHIWA oda PIN mnunuzi akichukua | SALIO PIN | KIKUNDI jina simu PIN. Piga USSD kuagiza kwa "
        "mteja. LUGHA en/sw/zh."
    ),
    "help_both": (
        "Soko: UZA jina bei idadi | BEI namba bei | IDADI namba idadi | ONDOA namba | BIDHAA | ODA | "
        "IMETUMWA oda | MAUZO | HABARI maandishi | MKOPO ON kiasi wiki | IMELIPWA oda kiasi PIN | IMEFIKA oda PIN | IMEKABIDHIWA oda "
        "PIN | SALIO PIN | KIKUNDI jina simu PIN. LUGHA en/sw/zh."
    ),
    "not_understood": "Samahani, Soko haikuelewa.",
    "usage_JOIN": "Tuma JIUNGE na jina la duka, mf. JIUNGE Duka la Mama Njeri",
    "usage_LANG": "Tuma LUGHA sw kwa Kiswahili, LUGHA en kwa Kiingereza au LUGHA zh kwa Kichina.",
    "usage_SELL": (
        "Tuma UZA jina bei idadi, mf. UZA Unga wa mahindi 2kg 180 20. Ongeza #2 kuchagua aina ya 2 ya "
        "menyu."
    ),
    "usage_PRICE": "Tuma BEI, namba ya bidhaa na bei mpya, mf. BEI 100017 200",
    "usage_STOCK": "Tuma IDADI, namba ya bidhaa na idadi uliyo nayo, mf. IDADI 100017 30",
    "usage_REMOVE": "Tuma ONDOA na namba ya bidhaa, mf. ONDOA 100017. BIDHAA huonyesha namba zako.",
    "usage_ITEMS": "Tuma BIDHAA kuona bidhaa zako, BIDHAA 2 kwa ukurasa unaofuata.",
    "usage_ORDERS": "Tuma ODA kuona oda zako, ODA 2 kwa ukurasa unaofuata.",
    "usage_SENT": "Tuma IMETUMWA na namba za oda ukishazituma, mf. IMETUMWA 4829131 au IMETUMWA 4829131 2791849",
    "usage_PAID": "Tuma IMELIPWA, namba ya oda, pesa uliyopokea na PIN, mf. IMELIPWA 4829131 1,600 PIN",
    "usage_DELIVERED": (
        "Tuma IMEKABIDHIWA, namba ya oda na PIN mnunuzi akichukua, mf. IMEKABIDHIWA 4829131 PIN"
    ),
    "usage_RECEIVED": "Tuma NIMEPOKEA na namba ya oda ukipata bidhaa, mf. NIMEPOKEA 4829131",
    "not_seller": "Wauzaji pekee wanaweza. Tuma JIUNGE na jina la duka kuanza kuuza.",
    "seller_suspended": "Duka lako limesimamishwa. Tafadhali wasiliana na Soko.",
    "not_agent": "Mawakala wa Soko pekee wanaweza kuthibitisha. Omba Soko ikusajili kama wakala.",
    "agent_suspended": "Akaunti yako ya wakala imesimamishwa. Wasiliana na Soko.",
    "pin_missing": "Ongeza PIN yako mwishoni. {usage}",
    "pin_wrong": "PIN si sahihi, hakuna kilichorekodiwa. Majaribio {tries} kabla ya kufungwa dakika 15.",
    "pin_locked": "PIN zisizo sahihi nyingi. Jaribu tena baada ya dakika {minutes}, au omba msaada Soko.",
    "bad_order_code": "{code} si namba ya oda. Hakiki tarakimu na utume tena.",
    "bad_product_code": "{code} si namba ya bidhaa yako. Tuma BIDHAA kuziona.",
    "bad_price": "Bei iwe namba kama {example}, kwa {currency}. {usage}",
    "bad_quantity": "Idadi iwe namba kamili hadi {most}. {usage}",
    "busy": "Samahani, Soko ina shughuli nyingi. Tuma tena baada ya dakika chache.",
    "joined": "Karibu Soko, {shop}! Weka bidhaa: UZA jina bei idadi, mf. UZA Unga 2kg 180 20. Namba ya duka lako ni {code}: wanunuzi wanakufuata kwa FUATA {code}.",
    "renamed": "Duka lako sasa linaitwa {shop}. Tuma MSAADA kuona amri zako.",
    "sold": (
        "{name} imewekwa kwa {price}, idadi {qty}, aina {category}. Namba {code}: wanunuzi wataipata kwa "
        "Tafuta. Badilisha kwa BEI {code} au IDADI {code}."
    ),
    "priced": "{name} ({code}) sasa ni {price}. Oda zilizokwisha wekwa zinabaki na bei yake.",
    "stocked": "{name} ({code}) sasa ina idadi {qty}.",
    "removed": "{name} ({code}) imeondolewa. Oda zilizopo zinaendelea; UZA tena wakati wowote.",
    "no_items": "Huna bidhaa sokoni. Tuma UZA jina bei idadi kuweka bidhaa.",
    "items": "Bidhaa zako (namba jina bei idadi):",
    "items_more": "Zaidi: BIDHAA {page}",
    "no_open_orders": "Huna oda zilizo wazi. Wanunuzi huagiza kwa USSD; utapata SMS kwa kila oda.",
    "open_orders": "Oda zilizo wazi:",
    "orders_more": "Zaidi: ODA {page}",
    "page_empty": "Hakuna ukurasa {page}. Tuma {keyword} kwa ukurasa wa kwanza.",
    "lang_set": "Soko itakujibu kwa Kiswahili. Tuma MSAADA kuona amri zako.",
    "stopped": "Hutapokea tena ujumbe wa Soko. Tuma ANZA kuupata tena.",
    "started": "Ujumbe wa Soko umewashwa tena. Tuma MSAADA kuona amri zako.",
    # -- Replies to the order lifecycle's commands: SENT, PAID, DELIVERED, RECEIVED (commerce/lifecycle.py) ---
    "bad_code": "{code} si namba ya oda. Hakiki tarakimu na utume tena.",
    "not_yours": "Hakuna oda {code} kwako. Hakiki namba na utume tena.",
    "is_closed": "Oda {code} {status}. Hakuna kilichobadilishwa.",
    "sent_ok": "Oda {code} imewekwa kuwa imetumwa. Mnunuzi na wakala wa {village} wamearifiwa.",
    "sent_unpaid": "Oda {code} bado haijalipwa ({due} inadaiwa). Itume tu tukikuarifu imelipwa.",
    "paid_full_reply": "Umeandika {amount} taslimu kwa oda {code}. Imelipwa yote. {next}",
    "next_wait_goods": "Muuzaji ataileta kwako.",
    "next_hand_over": "Mkabidhi, kisha tuma DELIVERED {code}.",
    "paid_short_reply": (
        "Umeandika {amount} taslimu kwa oda {code}. Bado inadaiwa: {due}. Tuma PAID {code} <kiasi> salio "
        "likifika."
    ),
    "paid_over_reply": (
        "Umeandika {amount} taslimu kwa oda {code}: {over} zaidi ya deni. Msimamizi ataarifiwa na "
        "atakupigia."
    ),
    "already_paid": "Oda {code} imeshalipwa. Hakuna kilichoandikwa.",
    "closed_no_cash": "Oda {code} {status}. Hakuna malipo yaliyoandikwa; mrudishie mnunuzi pesa.",
    "bad_amount": "{reason}. Tuma PAID {code} <kiasi kwa {currency}>, mfano PAID {code} {example}.",
    "delivered_reply": "Oda {code} imefungwa, imekabidhiwa. Asante.",
    "delivered_cash_reply": "Oda {code} imefungwa, imekabidhiwa; {amount} taslimu imeandikwa. Asante.",
    "unpaid_no_handover": (
        "Oda {code} haijalipwa ({due} inadaiwa). Pokea pesa kwa PAID {code} <kiasi> kabla ya kukabidhi."
    ),
    "received_reply": "Asante! Oda {code} imefungwa, umeipokea.",
    "received_pay_first": "Oda {code}: lipa {due} kwa wakala wa {village}; wakala ataifunga oda.",
    "too_many": "Ujumbe mwingi mno, subiri dakika moja.",
    "amount_not_valid": "Kiasi si sahihi",
    # -- Notices of a new order, and of one the buyer cancelled (commerce/orders.py) -------------------
    "new_order": (
        "Oda mpya {code}: {qty} x {name}, {total}. Kuchukua: {village}. Malipo: {method}. Tutakujulisha "
        "ikilipwa; kisha ipeleke kwa wakala na ujibu SENT {code}"
    ),
    "new_order_pod": (
        "Oda mpya {code}: {qty} x {name}, {total}, malipo ukipokea. Ipeleke kwa wakala wa {village}, "
        "kisha jibu SENT {code}"
    ),
    "receipt_mobile_money": (
        "Oda {code} imepokelewa: {qty} x {name}, {total}. Kuchukua: {village}. Lipa kwa pesa ya simu: weka "
        "PIN ukiombwa, au chagua Lipa sasa katika Oda zangu."
    ),
    "receipt_cash": (
        "Oda {code} imepokelewa: {qty} x {name}, {total}. Kuchukua: {village}. Lipa {total} taslimu kwa "
        "wakala huko; muuzaji ataituma ukishalipa."
    ),
    "receipt_layby": (
        "Oda {code} imepokelewa na tunakuwekea: {qty} x {name}, {total}. Kuchukua: {village}. Lipa kiasi "
        "chochote kwa wakala huko au kupitia Oda zangu; muuzaji ataituma ukimaliza kulipa."
    ),
    "receipt_pay_later": (
        "Oda {code} imepokelewa, lipa baadaye: {qty} x {name}, {total}. Kuchukua: {village}. Muuzaji "
        "anaituma sasa; lipa kila wiki kama Oda zangu inavyoonyesha."
    ),
    "receipt_on_delivery": (
        "Oda {code} imepokelewa: {qty} x {name}, {total}. Kuchukua: {village}. Lipa {total} ukiichukua."
    ),
    "agent_new_order": "Oda {code} ya {buyer} itafika kwako: {qty} x {name}, {total} ({method}).",
    "order_cancelled_seller": (
        "Oda {code} imeghairiwa na mnunuzi. Usiitume; bidhaa imerudi kwenye orodha yako."
    ),
    "method_mobile_money": "Pesa ya simu",
    "method_cash": "Pesa taslimu kwa wakala",
    "method_on_delivery": "Lipa ukipokea",
    # -- Notices of the order lifecycle and payments (commerce/order_state.Notices) --------------------
    "buyer_dispatched": "Oda {code} iko njiani kwa {agent}, {village}. {pay}Ukiipokea, jibu RECEIVED {code}.",
    "pay_at_handover": "Lipa {due} ukiichukua. ",
    "agent_dispatched": (
        "Oda {code} ya {buyer} inakuja kwako. {pay}Ikifika, tuma IMEFIKA {code}; ukimkabidhi, IMEKABIDHIWA "
        "{code}."
    ),
    "collect_cash": "Pokea {due}. ",
    "buyer_paid": "Tumepokea {amount} kwa oda {code}. Imelipwa yote; tutakuarifu ikiwa njiani.",
    "buyer_paid_collect": "Tumepokea {amount} kwa oda {code}. Imelipwa yote; ichukue kwa {agent}, {village}.",
    "buyer_part_paid": (
        "Tumepokea {amount} kwa oda {code}. Bado inadaiwa: {due}. Lipa kwa wakala wa {village}."
    ),
    "seller_paid": "Oda {code} imelipwa ({amount}). Ipeleke kwa {agent}, {village}, kisha jibu SENT {code}.",
    "buyer_payment_failed": (
        "Malipo ya oda {code} hayakufanikiwa. Jaribu tena kupitia Oda zangu kwenye menyu ya USSD, au lipa "
        "taslimu kwa wakala wa {village}."
    ),
    "buyer_payment_mismatch": (
        "Tumepokea {amount} kwa oda {code}, lakini {due} inadaiwa. Oda bado haijalipwa; tutawasiliana "
        "nawe."
    ),
    "buyer_late_payment": (
        "Tumepokea {amount} kwa oda {code}, ambayo {status}. Tutawasiliana nawe kukurudishia."
    ),
    "checkout_no_answer": (
        "Hatukupata jibu la ombi la malipo ya oda {code}. Jaribu tena kupitia Oda zangu kwenye USSD, au "
        "lipa taslimu kwa wakala."
    ),
    "mobile_money_unavailable": (
        "Pesa ya simu haipatikani sasa kwa oda {code}. Lipa taslimu kwa wakala wa {village}, au jaribu "
        "baadaye kupitia Oda zangu."
    ),
    "buyer_expired": (
        "Oda {code} imekwisha muda kwa sababu haikulipwa kwa wakati. Unaweza kuagiza tena wakati wowote."
    ),
    "seller_expired": "Oda {code} imekwisha muda bila kulipwa. Usiitume; bidhaa imerudi kwenye orodha yako.",
    "agent_expired": "Oda {code} imekwisha muda bila kulipwa; haitafika kwako.",
    "seller_delivered": "Oda {code} imekabidhiwa kwa mnunuzi. Asante!",
    "buyer_delivered": "Oda {code} ni yako. Asante kwa kununua kwetu!",
    "seller_paid_cash": "Oda {code}: {amount} taslimu imelipwa kwa wakala.",
    "buyer_confirm_receipt": (
        "Umepokea oda {code}? Ichukue kwa {agent}, {village}. Kama umeipokea, jibu RECEIVED {code}."
    ),
    "seller_reminder": (
        "Kumbusho: oda {code} inasubiri. Ipeleke kwa {agent}, {village}, kisha jibu SENT {code}."
    ),
    "agent_reminder": (
        "Kumbusho: oda {code} ya {buyer} inapaswa kuwa kwako. Ukimkabidhi, tuma DELIVERED {code}."
    ),
    # -- Notices of an order cancelled by Soko's operator (commerce/admin.py) --------------------------
    "buyer_cancelled_by_soko": "Oda {code} imeghairiwa na Soko: {reason}.{refund} Piga tena kuagiza upya.",
    "seller_cancelled_by_soko": (
        "Oda {code} imeghairiwa na Soko: {reason}. Usiitume; bidhaa imerudi kwenye orodha yako."
    ),
    "buyer_refund_due": " Malipo yako yatarudishwa.",
    # -- How a status reads inside a sentence ("Order 1234567 is cancelled"): status_word() ------------
    "status_placed": "inasubiri malipo",
    "status_paid": "imelipwa",
    "status_dispatched": "iko njiani",
    "status_delivered": "imekabidhiwa",
    "status_cancelled": "imeghairiwa",
    "status_expired": "imekwisha muda",
    # -- Village service points, the agent's side (SPEC §13) ------------------------------------------
    "st_arrived": "imefika, ichukue",
    "status_arrived": "inasubiri kuchukuliwa",
    "agent_order_for": "Agiza kwa mteja",
    "agent_pickups": "Oda zinazosubiri",
    "assist_phone": "Namba ya simu ya mteja (0 kama hana):",
    "assist_bad_phone": "Hiyo si namba ya simu. Iandike tena, au 0 kama hana.",
    "assist_own_phone": "Hiyo ni namba yako. Andika ya mteja, au 0 kama hana.",
    "assist_name": "Jina la mteja:",
    "assist_bad_name": "Andika jina la mteja (herufi 2 hadi 40).",
    "assist_for": "Oda ya {customer}:",
    "assist_summary_for": "Ya: {customer}",
    "assisted_placed": "Oda {code} imewekwa kwa {customer}. Jumla {total}. {next}",
    "assisted_next_cash": "Pokea pesa, kisha tuma IMELIPWA {code} kiasi PIN.",
    "assisted_next_on_delivery": "Atalipa akichukua.",
    "assisted_next_mm_customer": "Atapata ombi la PIN ya pesa kwa simu sasa.",
    "assisted_next_mm_you": "Utapata ombi la PIN ya pesa kwa simu sasa.",
    "pickups_header": "Oda kwenye kituo chako:",
    "no_pickups": "Hakuna oda inayosubiri kwenye kituo chako.",
    "pickup_detail": "Oda {code}: {status}\n{qty} x {name}\nJumla {total}, deni {due}\nYa: {customer}",
    "usage_ARRIVED": "Tuma IMEFIKA, namba ya oda na PIN bidhaa zikifika kwako, mf. IMEFIKA 4829131 PIN",
    "usage_BALANCE": "Tuma SALIO na PIN yako, mf. SALIO PIN",
    "usage_NO": "Kughairi oda uliyoagiziwa na wakala, tuma NO na namba ya oda, mf. NO 4829131",
    "arrived_reply": (
        "Oda {code} imefika; mnunuzi ameambiwa aichukue. {pay}Ukimkabidhi, tuma IMEKABIDHIWA {code} PIN."
    ),
    "arrived_reply_tell": (
        "Oda {code} imefika. Mwambie {customer} aichukue. {pay}Ukimkabidhi, tuma IMEKABIDHIWA {code} PIN."
    ),
    "already_arrived": "Oda {code} imeshawekwa kama imefika. Ukimkabidhi, tuma IMEKABIDHIWA {code} PIN.",
    "arrived_unpaid": (
        "Oda {code} haijalipwa (deni {due}), kwa hiyo muuzaji hajaituma. Pokea pesa kwa IMELIPWA {code} "
        "kiasi PIN kwanza."
    ),
    "buyer_arrived": "Oda {code} imefika: ichukue kwa {agent}, {village}. Njoo na namba hii.",
    "buyer_arrived_pay": "Oda {code} imefika: ichukue kwa {agent}, {village}. Njoo na {due} na namba hii.",
    "balance_reply": "Pesa za wauzaji ulizonazo: {held}. Kamisheni wiki hii: {week}; haijalipwa: {unpaid}.",
    "assisted_customer": (
        "{agent} wa {village} amekuagizia: oda {code}, {qty} x {name}, {total}. Si yako? Jibu NO {code} "
        "ndani ya dakika {minutes} kughairi."
    ),
    "no_cancelled": "Oda {code} imeghairiwa. Huna deni lake.",
    "no_too_late": (
        "Oda {code} iliwekwa zaidi ya dakika {minutes} zilizopita; haiwezi kughairiwa kwa SMS. Muulize "
        "{agent} wa {village}."
    ),
    "no_not_assisted": "Uliweka oda {code} mwenyewe: ighairi kwenye Oda zangu kwenye menyu ya USSD.",
    "no_paid": "Oda {code} imeshalipwa au iko njiani; haiwezi kughairiwa kwa SMS. Muulize {agent} wa {village}.",
    "agent_customer_cancelled": "Oda {code} ya {buyer} imeghairiwa na mteja. Usipokee pesa yake.",
    # -- Credit (SPEC §15, issue 18; commerce/credit.py, commerce/groups.py, menus/) ------------------
    "layby": "Lipa kidogo kidogo",
    "pay_later": "Lipa baadaye",
    "summary_layby": "Lipa kiasi chochote kabla ya {day}; tunakuwekea.",
    "summary_pay_later": "Malipo {weeks} ya kila wiki ya {amount}, la kwanza kabla ya {day}. Bila riba.",
    "placed_layby": "Oda {code} imewekwa na tunakuwekea. Jumla {total}. Lipa kiasi chochote kwa wakala wa {village} au kupitia Oda zangu kabla ya {day}.",
    "placed_pay_later": "Oda {code} imewekwa, lipa baadaye. Jumla {total}. Muuzaji anaituma sasa; ichukue {village}. Malipo ya kwanza {amount} kabla ya {day}.",
    "credit_unavailable": "Lipa baadaye haipatikani kwa oda hii sasa. Chagua njia nyingine ya kulipa.",
    "dues_layby": "Umelipa {paid}, imebaki {left}. Lipa kabla ya {day}.",
    "dues_pay_later": "Ijayo {amount} kabla ya {day}. Imebaki {left}.",
    "pay_amount": "Lipa kiasi",
    "pay_amount_prompt": "Kiasi cha kulipa sasa (hadi {most}):",
    "pay_amount_bad": "Andika kiasi kuanzia 1 hadi kilichobaki.",
    "method_layby": "Lipa kidogo kidogo",
    "method_pay_later": "Lipa baadaye",
    "new_order_credit": "Oda mpya {code}: {qty} x {name}, {total}, lipa baadaye: mnunuzi analipa kila wiki kupitia Soko. Ipeleke kwa wakala wa {village} sasa, kisha jibu SENT {code}",
    "credit_part_paid": "Tumepokea {amount} kwa oda {code}. {dues}",
    "credit_repaid": "Tumepokea {amount} kwa oda {code}. Imelipwa yote. Asante!",
    "credit_due_soon": "Soko: {amount} ya oda {code} inadaiwa tarehe {day}. Lipa kupitia Oda zangu, au pesa taslimu kwa {agent} wa {village}.",
    "credit_due_today": "Soko: {amount} ya oda {code} inadaiwa leo. Lipa kupitia Oda zangu, au pesa taslimu kwa {agent} wa {village}.",
    "credit_overdue": "Soko: {amount} ya oda {code} ilidaiwa tarehe {day}. Tafadhali lipa mapema, kupitia Oda zangu au pesa taslimu kwa {agent} wa {village}.",
    "credit_arrears": "Soko: {amount} ya oda {code} imechelewa wiki moja. Hadi ilipwe huwezi kununua kwa lipa baadaye. Hakuna ada ya ziada.",
    "layby_reminder": "Soko: oda {code} tunakuwekea. Umelipa {paid}, imebaki {due}. Lipa kabla ya {day}, la sivyo itaghairiwa na pesa zako kurudishwa.",
    "layby_cancelled_refund": "Oda {code} haikulipwa yote kwa wakati na imeghairiwa. {paid} ulizolipa zitarudishwa.",
    "layby_cancelled": "Oda {code} haikulipwa yote kwa wakati na imeghairiwa. Hudaiwi chochote.",
    "layby_cancelled_seller": "Oda ya kulipa kidogo kidogo {code} haikulipwa kwa wakati na imeghairiwa. Usiitume; bidhaa zimerudi kwenye orodha yako.",
    "layby_cancelled_agent": "Oda ya kulipa kidogo kidogo {code} imeghairiwa; haitakuja kwako. Usipokee pesa kwa ajili yake.",
    "usage_CREDIT": "Tuma CREDIT ON, kiasi cha juu mnunuzi anachoweza kukudai na wiki za kulipa, mfano CREDIT ON 2000 4. CREDIT OFF inasimamisha; CREDIT inaonyesha mikopo yako.",
    "credit_bad_weeks": "Wiki ziwe namba kuanzia 1 hadi {most}. {usage}",
    "credit_on_reply": "Lipa baadaye imewashwa: wanunuzi wanaostahili wanaweza kudaiwa hadi {max}, kulipwa kwa malipo {weeks} ya kila wiki, bila riba. CREDIT OFF inasimamisha.",
    "credit_off_reply": "Lipa baadaye imezimwa kwa oda mpya. Malipo yanayoendelea yanaendelea. CREDIT inayaonyesha.",
    "credit_state_on": "imewashwa (hadi {max}, wiki {weeks})",
    "credit_state_off": "imezimwa",
    "credit_report": "Lipa baadaye {state}.",
    "credit_report_line": "{currency}: umetoa {given} kwa oda {orders}; inadaiwa {outstanding}, imechelewa {arrears}.",
    "credit_report_none": "Bado hujatoa mkopo.",
    "usage_GROUP": "Tuma GROUP, jina, namba za simu za wanachama 2 hadi 5 na PIN yako, mfano GROUP Umoja 0712000001 0712000002 PIN",
    "group_bad_phone": "{phone} si namba ya simu. Hakuna kilichosajiliwa. {usage}",
    "group_size": "Kikundi kina wanachama 2 hadi 5; umetoa {n}. Hakuna kilichosajiliwa.",
    "group_taken": "{phone} tayari yuko kwenye kikundi. Hakuna kilichosajiliwa.",
    "group_not_agent_self": "Wewe unasajili vikundi; huwezi kuwa mwanachama. Hakuna kilichosajiliwa.",
    "group_registered": "Kikundi {name} kimesajiliwa na wanachama {n}. Kila mmoja ataambiwa kwa SMS na anaweza kukataa kwa NO.",
    "group_member_told": "{agent} wa {village} amekuweka kwenye kikundi cha Soko {name} (wanachama {n}). Baada ya oda moja kukabidhiwa unaweza kununua kwa lipa baadaye; mwanachama yeyote akichelewa, hakuna anayepata mkopo mpya. Hukubali? Jibu NO.",
    "group_declined": "Umetoka kwenye kikundi {name}. Bado unaweza kununua Soko.",
    "group_declined_agent": "Mwanachama ametoka kwenye kikundi {name}; sasa kina wanachama {n}.",
    "group_none": "Hauko kwenye kikundi. Kughairi oda aliyoweka wakala, tuma NO na namba ya oda.",
    "group_decline_owing": "Una mkopo wa lipa baadaye kama mwanachama wa {name}: utabaki hadi ulipwe.",
    # -- Seller reach (SPEC §14, issue 17): shop codes, followers, news, SALES, SENT of several orders ----
    "follow_invite": "Jibu FUATA {shop} kupata habari.",
    "follow_option": "Fuata {shop}",
    "followed_ussd": "Unafuata {shop}: habari zake zitakuja kwa SMS. Jibu ACHA {code} kuziacha.",
    "followed": "Unafuata {shop}: habari zake zitakuja kwa SMS, mara chache kwa mwezi. Jibu ACHA {code} kuziacha.",
    "already_following": "Tayari unafuata {shop}. Jibu ACHA {code} kuacha habari zake.",
    "unfollowed": "Huifuati tena {shop}. Ujumbe mwingine wa Soko unaendelea; ACHA peke yake husimamisha yote.",
    "not_following": "Huifuati {shop}. Hakuna kilichobadilika.",
    "follow_closed": "{shop} haipokei wafuasi sasa.",
    "bad_shop_code": "{code} si namba ya duka. Hakiki tarakimu: namba iko kwenye bidhaa za duka.",
    "usage_FOLLOW": "Tuma FUATA na namba ya duka, mf. FUATA 10013. Namba iko kwenye bidhaa na risiti za duka.",
    "usage_UNFOLLOW": "Tuma UNFOLLOW na namba ya duka, mf. UNFOLLOW 10013.",
    "usage_NEWS": "Tuma HABARI na habari zako, mf. HABARI Maembe mapya Ijumaa! Utapata muhtasari wa kuthibitisha.",
    "usage_YES": "Tuma NDIO na namba ya muhtasari wa habari, mf. NDIO 5812.",
    "usage_REPORT": "Tuma RIPOTI na namba ya habari zako, mf. RIPOTI 5812.",
    "usage_SALES": "Tuma MAUZO kuona oda za leo na za wiki hii.",
    "news_footer": "\n{shop}: jibu ACHA {code} kuacha habari.",
    "news_preview": "Kwa wafuasi {followers}, SMS {segments} kila mmoja, takriban {cost}. Jibu NDIO {code} kutuma.",
    "news_no_followers": "Huna wafuasi bado. Wanunuzi wanakufuata kwa FUATA {shop}: iko kwenye bidhaa na risiti zako.",
    "news_too_long": "Habari zako ni ndefu mno kwa SMS 2 pamoja na mstari wa kuacha: punguza herufi {over} na utume HABARI tena.",
    "news_limit": "Umetuma habari {n} leo, kiwango cha siku. Tuma HABARI tena kesho.",
    "news_unknown": "Huna habari {code}. Tuma HABARI na maandishi yako kupata muhtasari.",
    "news_expired": "Muhtasari wa habari {code} umepitwa na wakati. Tuma HABARI tena.",
    "news_already": "Habari {code} zinatumwa tayari. RIPOTI {code} inaonyesha zilipofika.",
    "news_not_sent": "Habari {code} hazikutumwa. Tuma HABARI tena kupata muhtasari mpya.",
    "news_when": "kati ya {start} na {end} saa za kila mmoja, si Jumapili",
    "news_when_sundays": "kati ya {start} na {end} saa za kila mmoja",
    "news_confirmed": "Habari {code} zinatumwa kwa wafuasi {followers} {when}. RIPOTI {code} inaonyesha zilipofika.",
    "news_report": "Habari {code} za {day}, wafuasi {recipients}: zimetumwa {sent}, zimefika {delivered}, zimeshindwa {failed}, wamejiondoa {opted_out}, zinasubiri {waiting}.",
    "sales_report": "Leo: oda {orders}, bidhaa {units}, {amount}. Wiki hii: oda {w_orders}, bidhaa {w_units}, {w_amount}.",
    "sales_credit": "Mkopo: umetolewa {given} kwa oda {orders}; unadaiwa {outstanding}, umechelewa {arrears}.",
    "sent_many_ok": "Zimetumwa: {codes}. Wanunuzi na mawakala wameambiwa.",
}
