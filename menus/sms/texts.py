"""What Soko answers by SMS, in English, Swahili and Chinese.

Swahili texts use the Swahili keywords, so a seller who writes in Swahili is taught Swahili.
Each text fits one segment with ordinary names (Chinese is UCS-2: 70 characters a segment); the
help texts may take two. Every reply says what to do next.
"""

from __future__ import annotations

from commerce.i18n import pick

T: dict[str, dict[str, str]] = {
    # -- help, by role -------------------------------------------------------------------------
    "help_anyone": {
        "en": "Soko: to sell, send JOIN and your shop name. LANG en/sw/zh sets the language. "
              "STOP ends messages. To buy, dial the Soko USSD code.",
        "sw": "Soko: kuuza, tuma JIUNGE na jina la duka lako. LUGHA en/sw/zh kubadili lugha. "
              "ACHA kusimamisha ujumbe. Kununua, piga namba ya USSD ya Soko.",
        "zh": "Soko: 开店请发送 JOIN 店名。LANG en/sw/zh 设置语言。STOP 停止消息。购物请拨打Soko USSD号码。",
    },
    "help_seller": {
        "en": "Soko seller: SELL name price qty | PRICE code price | STOCK code qty | REMOVE code | "
              "ITEMS | ORDERS | SENT order. LANG en/sw/zh. STOP ends messages.",
        "sw": "Muuzaji Soko: UZA jina bei idadi | BEI namba bei | IDADI namba idadi | ONDOA namba | "
              "BIDHAA | ODA | IMETUMWA oda. LUGHA en/sw/zh. ACHA kusimamisha.",
        "zh": "卖家: SELL 名称 价格 数量 | PRICE 编号 价格 | STOCK 编号 数量 | REMOVE 编号 | ITEMS | "
              "ORDERS | SENT 订单。LANG en/sw/zh",
    },
    "help_agent": {
        "en": "Soko agent: PAID order amount PIN when cash is paid | DELIVERED order PIN when the buyer "
              "collects. LANG en/sw/zh. STOP ends messages.",
        "sw": "Wakala Soko: IMELIPWA oda kiasi PIN ukipokea pesa | IMEFIKA oda PIN mnunuzi akichukua. "
              "LUGHA en/sw/zh. ACHA kusimamisha.",
        "zh": "代理: 收到现金发 PAID 订单 金额 PIN | 买家取货后发 DELIVERED 订单 PIN。LANG en/sw/zh",
    },
    "help_both": {
        "en": "Soko: SELL name price qty | PRICE code price | STOCK code qty | REMOVE code | ITEMS | "
              "ORDERS | SENT order | PAID order amount PIN | DELIVERED order PIN. LANG en/sw/zh.",
        "sw": "Soko: UZA jina bei idadi | BEI namba bei | IDADI namba idadi | ONDOA namba | BIDHAA | ODA | "
              "IMETUMWA oda | IMELIPWA oda kiasi PIN | IMEFIKA oda PIN. LUGHA en/sw/zh.",
        "zh": "SELL 名称 价格 数量|PRICE 编号 价格|STOCK 编号 数量|REMOVE 编号|ITEMS|ORDERS|SENT 订单|"
              "PAID 订单 金额 PIN|DELIVERED 订单 PIN",
    },
    "not_understood": {"en": "Sorry, Soko did not understand that.", "sw": "Samahani, Soko haikuelewa.",
                       "zh": "抱歉，无法识别。"},
    # -- usage of a command whose arguments did not fit --------------------------------------------
    "usage_JOIN": {"en": "Send JOIN and your shop name, e.g. JOIN Mama Njeri Shop",
                   "sw": "Tuma JIUNGE na jina la duka, mf. JIUNGE Duka la Mama Njeri",
                   "zh": "请发送 JOIN 店名，例如 JOIN Mama Njeri Shop"},
    "usage_LANG": {"en": "Send LANG en for English, LANG sw for Kiswahili or LANG zh for Chinese.",
                   "sw": "Tuma LUGHA sw kwa Kiswahili, LUGHA en kwa Kiingereza au LUGHA zh kwa Kichina.",
                   "zh": "发送 LANG zh 中文，LANG en 英文，LANG sw 斯瓦希里文。"},
    "usage_SELL": {"en": "Send SELL name price quantity, e.g. SELL Maize flour 2kg 180 20. Add #2 to pick "
                         "category 2 of the Shop menu.",
                   "sw": "Tuma UZA jina bei idadi, mf. UZA Unga wa mahindi 2kg 180 20. Ongeza #2 kuchagua "
                         "aina ya 2 ya menyu.",
                   "zh": "发送 SELL 名称 价格 数量，例如 SELL Rice 1kg 190 20。加 #2 选择第2类。"},
    "usage_PRICE": {"en": "Send PRICE, the product code and the new price, e.g. PRICE 100017 200",
                    "sw": "Tuma BEI, namba ya bidhaa na bei mpya, mf. BEI 100017 200",
                    "zh": "发送 PRICE 商品编号 新价格，例如 PRICE 100017 200"},
    "usage_STOCK": {"en": "Send STOCK, the product code and how many you have, e.g. STOCK 100017 30",
                    "sw": "Tuma IDADI, namba ya bidhaa na idadi uliyo nayo, mf. IDADI 100017 30",
                    "zh": "发送 STOCK 商品编号 数量，例如 STOCK 100017 30"},
    "usage_REMOVE": {"en": "Send REMOVE and the product code, e.g. REMOVE 100017. ITEMS lists your codes.",
                     "sw": "Tuma ONDOA na namba ya bidhaa, mf. ONDOA 100017. BIDHAA huonyesha namba zako.",
                     "zh": "发送 REMOVE 商品编号，例如 REMOVE 100017。ITEMS 查看编号。"},
    "usage_ITEMS": {"en": "Send ITEMS for your listings, ITEMS 2 for the next page.",
                    "sw": "Tuma BIDHAA kuona bidhaa zako, BIDHAA 2 kwa ukurasa unaofuata.",
                    "zh": "发送 ITEMS 查看商品，ITEMS 2 看下一页。"},
    "usage_ORDERS": {"en": "Send ORDERS for your open orders, ORDERS 2 for the next page.",
                     "sw": "Tuma ODA kuona oda zako, ODA 2 kwa ukurasa unaofuata.",
                     "zh": "发送 ORDERS 查看订单，ORDERS 2 看下一页。"},
    "usage_SENT": {"en": "Send SENT and the order code once you have sent it, e.g. SENT 4829131",
                   "sw": "Tuma IMETUMWA na namba ya oda ukishaituma, mf. IMETUMWA 4829131",
                   "zh": "发货后发送 SENT 订单号，例如 SENT 4829131"},
    "usage_PAID": {"en": "Send PAID, the order code, the cash received and your PIN, e.g. PAID 4829131 1,600 PIN",
                   "sw": "Tuma IMELIPWA, namba ya oda, pesa uliyopokea na PIN, mf. IMELIPWA 4829131 1,600 PIN",
                   "zh": "发送 PAID 订单号 金额 PIN，例如 PAID 4829131 1600 PIN"},
    "usage_DELIVERED": {"en": "Send DELIVERED, the order code and your PIN when the buyer collects, "
                              "e.g. DELIVERED 4829131 PIN",
                        "sw": "Tuma IMEFIKA, namba ya oda na PIN mnunuzi akichukua, mf. IMEFIKA 4829131 PIN",
                        "zh": "买家取货后发送 DELIVERED 订单号 PIN，例如 DELIVERED 4829131 PIN"},
    "usage_RECEIVED": {"en": "Send RECEIVED and the order code once you have your goods, e.g. RECEIVED 4829131",
                       "sw": "Tuma NIMEPOKEA na namba ya oda ukipata bidhaa, mf. NIMEPOKEA 4829131",
                       "zh": "收货后发送 RECEIVED 订单号，例如 RECEIVED 4829131"},
    # -- who may do what --------------------------------------------------------------------------
    "not_seller": {"en": "Only sellers can do that. Send JOIN and your shop name to start selling.",
                   "sw": "Wauzaji pekee wanaweza. Tuma JIUNGE na jina la duka kuanza kuuza.",
                   "zh": "只有卖家可以操作。发送 JOIN 店名 开店。"},
    "seller_suspended": {"en": "Your shop is suspended. Please contact Soko.",
                         "sw": "Duka lako limesimamishwa. Tafadhali wasiliana na Soko.",
                         "zh": "你的店铺已被暂停，请联系Soko。"},
    "not_agent": {"en": "Only Soko agents can confirm cash or delivery. Ask Soko to register you as an agent.",
                  "sw": "Mawakala wa Soko pekee wanaweza kuthibitisha. Omba Soko ikusajili kama wakala.",
                  "zh": "只有Soko代理可以确认付款或取货。请联系Soko注册。"},
    "agent_suspended": {"en": "Your agent account is suspended. Please contact Soko.",
                        "sw": "Akaunti yako ya wakala imesimamishwa. Wasiliana na Soko.",
                        "zh": "你的代理账户已被暂停，请联系Soko。"},
    "pin_missing": {"en": "Add your PIN at the end. {usage}", "sw": "Ongeza PIN yako mwishoni. {usage}",
                    "zh": "请在末尾加上PIN。{usage}"},
    "pin_wrong": {"en": "Wrong PIN, nothing was recorded. {tries} tries left before a 15 minute lock.",
                  "sw": "PIN si sahihi, hakuna kilichorekodiwa. Majaribio {tries} kabla ya kufungwa dakika 15.",
                  "zh": "PIN错误，未记录。再错{tries}次将锁定15分钟。"},
    "pin_locked": {"en": "Too many wrong PINs. Try again in {minutes} min, or ask Soko for help.",
                   "sw": "PIN zisizo sahihi nyingi. Jaribu tena baada ya dakika {minutes}, au omba msaada Soko.",
                   "zh": "PIN错误次数过多，请{minutes}分钟后再试。"},
    # -- codes and numbers ------------------------------------------------------------------------
    "bad_order_code": {"en": "{code} is not an order code. Check the digits and send again.",
                       "sw": "{code} si namba ya oda. Hakiki tarakimu na utume tena.",
                       "zh": "{code}不是有效订单号，请核对后重发。"},
    "bad_product_code": {"en": "{code} is not one of your product codes. Send ITEMS to see them.",
                         "sw": "{code} si namba ya bidhaa yako. Tuma BIDHAA kuziona.",
                         "zh": "{code}不是你的商品编号。发送 ITEMS 查看。"},
    "bad_price": {"en": "The price must be a number like {example}, in {currency}. {usage}",
                  "sw": "Bei iwe namba kama {example}, kwa {currency}. {usage}",
                  "zh": "价格须为数字，如{example}（{currency}）。{usage}"},
    "bad_quantity": {"en": "The quantity must be a whole number up to {most}. {usage}",
                     "sw": "Idadi iwe namba kamili hadi {most}. {usage}",
                     "zh": "数量须为不超过{most}的整数。{usage}"},
    "busy": {"en": "Sorry, Soko is busy. Please send that again in a few minutes.",
             "sw": "Samahani, Soko ina shughuli nyingi. Tuma tena baada ya dakika chache.",
             "zh": "抱歉，系统繁忙，请稍后重发。"},
    # -- seller replies ---------------------------------------------------------------------------
    "joined": {"en": "Welcome to Soko, {shop}! List a product: SELL name price quantity, e.g. "
                     "SELL Maize flour 2kg 180 20",
               "sw": "Karibu Soko, {shop}! Weka bidhaa: UZA jina bei idadi, mf. UZA Unga 2kg 180 20",
               "zh": "欢迎加入Soko，{shop}！上架商品: SELL 名称 价格 数量"},
    "renamed": {"en": "Your shop is now called {shop}. Send HELP for your commands.",
                "sw": "Duka lako sasa linaitwa {shop}. Tuma MSAADA kuona amri zako.",
                "zh": "店名已改为{shop}。发送 HELP 查看指令。"},
    "sold": {"en": "Listed {name} at {price}, {qty} in stock, in {category}. Code {code}: buyers find it "
                   "by Search. Change it with PRICE {code} or STOCK {code}.",
             "sw": "{name} imewekwa kwa {price}, idadi {qty}, aina {category}. Namba {code}: wanunuzi "
                   "wataipata kwa Tafuta. Badilisha kwa BEI {code} au IDADI {code}.",
             "zh": "已上架{name}，{price}，库存{qty}，类别{category}。编号{code}，可用 PRICE/STOCK 修改。"},
    "priced": {"en": "{name} ({code}) now costs {price}. Orders already placed keep their price.",
               "sw": "{name} ({code}) sasa ni {price}. Oda zilizokwisha wekwa zinabaki na bei yake.",
               "zh": "{name}({code})现价{price}。已下订单价格不变。"},
    "stocked": {"en": "{name} ({code}) now has {qty} in stock.",
                "sw": "{name} ({code}) sasa ina idadi {qty}.",
                "zh": "{name}({code})库存已改为{qty}。"},
    "removed": {"en": "{name} ({code}) is off sale. Open orders for it go on; SELL it again any time.",
                "sw": "{name} ({code}) imeondolewa. Oda zilizopo zinaendelea; UZA tena wakati wowote.",
                "zh": "{name}({code})已下架。现有订单照常进行。"},
    "no_items": {"en": "You have nothing on sale. Send SELL name price quantity to list a product.",
                 "sw": "Huna bidhaa sokoni. Tuma UZA jina bei idadi kuweka bidhaa.",
                 "zh": "你没有在售商品。发送 SELL 名称 价格 数量 上架。"},
    "items": {"en": "Your items (code name price stock):", "sw": "Bidhaa zako (namba jina bei idadi):",
              "zh": "你的商品(编号 名称 价格 库存):"},
    "items_more": {"en": "More: ITEMS {page}", "sw": "Zaidi: BIDHAA {page}", "zh": "更多: ITEMS {page}"},
    "no_open_orders": {"en": "You have no open orders. Buyers order on USSD; you get an SMS for each.",
                       "sw": "Huna oda zilizo wazi. Wanunuzi huagiza kwa USSD; utapata SMS kwa kila oda.",
                       "zh": "暂无进行中的订单。有新订单时会短信通知你。"},
    "open_orders": {"en": "Open orders:", "sw": "Oda zilizo wazi:", "zh": "进行中的订单:"},
    "orders_more": {"en": "More: ORDERS {page}", "sw": "Zaidi: ODA {page}", "zh": "更多: ORDERS {page}"},
    "page_empty": {"en": "No page {page}. Send {keyword} for the first page.",
                   "sw": "Hakuna ukurasa {page}. Tuma {keyword} kwa ukurasa wa kwanza.",
                   "zh": "没有第{page}页。发送 {keyword} 查看第一页。"},
    # -- anyone -----------------------------------------------------------------------------------
    "lang_set": {"en": "Soko will answer you in English. Send HELP for your commands.",
                 "sw": "Soko itakujibu kwa Kiswahili. Tuma MSAADA kuona amri zako.",
                 "zh": "Soko将用中文回复你。发送 HELP 查看指令。"},
    "stopped": {"en": "You will get no more Soko messages. Send START to get them again.",
                "sw": "Hutapokea tena ujumbe wa Soko. Tuma ANZA kuupata tena.",
                "zh": "你将不再收到Soko消息。发送 START 恢复。"},
    "started": {"en": "Soko messages are on again. Send HELP for your commands.",
                "sw": "Ujumbe wa Soko umewashwa tena. Tuma MSAADA kuona amri zako.",
                "zh": "已恢复Soko消息。发送 HELP 查看指令。"},
}


def t(lang: str, key: str, **values) -> str:
    return pick(T[key], lang, **values)
