-- wrk script: each thread drives ONE connection through whole buyer journeys, hop after hop, in
-- order (wrk calls response() and then request() for the next hop on the same connection), so run
-- wrk with as many threads as connections (-t C -c C). Every answer is checked for the screen the
-- hop must show; a wrong answer counts as an error and the thread starts a fresh session.
--
-- Arguments (after `--`): mode ("journey", "code", "hubtel" or "floor"), phone prefix digits (default
-- "25471"), a run id that keeps session ids (hence order request keys) unique across runs, where
-- the run's buyer numbers start (each run new buyers: bench/load.py), and (mode "code") the codes
-- of the five products bought, comma-separated.
-- "code" is the 8-hop journey that finds the product by its code at Search instead of browsing:
-- dial, Search, the code, Buy, 1, first pickup point, Cash, Confirm (an order every 8 hops).
-- "hubtel" is the same journey posted to /ussd/hubtel as Hubtel's JSON (the latest input only, hops
-- numbered by Sequence), its answers checked in Hubtel's JSON.
-- The last line printed is `BENCH {json}` for bench/__main__.py.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- The journey: dial, Shop, Food, a product, Buy, quantity 1, first pickup point, Cash, Confirm.
-- Thread t buys the (t mod 5 + 1)th product of the first page, so that 32 buyers do not all queue on
-- one product's stock row (bench/catalog.py gives the first nine products enough stock).
local INPUTS = {nil, "1", "1", "1", "1", "1", "1", "2", "1"}
local EXPECT = {"CON Welcome to", "CON Choose a category:", "\n1. ", "In stock:", "CON How many?",
                "CON Pickup point:", "CON How will you pay?", "1. Confirm", "END Order "}

function init(args)
  mode = args[1] or "journey"
  prefix = args[2] or "25471"
  run_id = args[3] or "0"
  INPUTS[4] = tostring(tid % 5 + 1)
  if mode == "code" then
    local codes = {}
    for c in string.gmatch(args[5] or "", "%d+") do table.insert(codes, c) end
    INPUTS = {nil, "2", codes[tid % #codes + 1], "1", "1", "1", "2", "1"}
    EXPECT = {"CON Welcome to", "CON Type a product name or code:", "In stock:", "CON How many?",
              "CON Pickup point:", "CON How will you pay?", "1. Confirm", "END Order "}
  end
  step = 1
  seq = tonumber(args[4] or "0")
  journeys = 0
  errors = 0
  text = ""
  hops = 0
  new_session()
end

function new_session()
  seq = seq + 1
  step = 1
  text = ""
  -- a new buyer each journey: +2547 1 TT SSSSS (a valid Kenyan mobile number)
  phone = string.format("%s%02d%05d", prefix, tid % 100, seq % 100000)
  session = string.format("ATUid_%s_%d_%d", run_id, tid, seq)
end

local HEADERS = {["Content-Type"] = "application/x-www-form-urlencoded"}
local JSON_HEADERS = {["Content-Type"] = "application/json"}
-- What each hop's Hubtel answer must hold (orjson writes it compact: no spaces, "\n" escaped).
local EXPECT_HUBTEL = {'{"Type":"Response","Message":"Welcome to', '"Message":"Choose a category:', '\\n1. ',
                       'In stock:', '"Message":"How many?', '"Message":"Pickup point:', '"Message":"How will you pay?',
                       '1. Confirm', '{"Type":"Release","Message":"Order '}

function request()
  if mode == "hubtel" then
    local first = step == 1
    local body = '{"Type":"' .. (first and "Initiation" or "Response") .. '","Mobile":"' .. phone ..
                 '","SessionId":"' .. session .. '","ServiceCode":"*384*123#","Message":"' ..
                 (first and "*384*123#" or INPUTS[step]) .. '","Operator":"mtn","Sequence":' .. step ..
                 ',"ClientState":""}'
    return wrk.format("POST", "/ussd/hubtel", JSON_HEADERS, body)
  end
  local body = "sessionId=" .. session .. "&serviceCode=%2A384%2A123%23&phoneNumber=%2B" .. phone
               .. "&text=" .. text .. "&networkCode=63902"
  return wrk.format("POST", "/ussd/africastalking", HEADERS, body)
end

function response(status, headers, body)
  hops = hops + 1
  if mode == "floor" then
    if status ~= 200 or string.sub(body, 1, 4) ~= "CON " then errors = errors + 1 end
    return
  end
  local expect = mode == "hubtel" and EXPECT_HUBTEL[step] or EXPECT[step]
  if status ~= 200 or not string.find(body, expect, 1, true) then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("unexpected answer at hop " .. step .. ": " .. status .. " " .. body .. "\n") end
    new_session()
    return
  end
  if step == #EXPECT then
    journeys = journeys + 1
    new_session()
    return
  end
  step = step + 1
  local input = INPUTS[step]
  if step == 2 then text = input else text = text .. "*" .. input end
end

function done(summary, latency, requests)
  local j, e, h, starved = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    j = j + t:get("journeys")
    e = e + t:get("errors")
    h = h + t:get("hops")
    -- A connection the server never answered: wrk counts no error for it (no reply ever came to
    -- time out), so it is counted here; a server that serves only some clients must not look fast.
    if t:get("hops") == 0 then starved = starved + 1 end
  end
  local s = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"hops_checked":%d,"journeys":%d,"wrong_answers":%d,' ..
    '"socket_errors":%d,"starved":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, h, j, e, s.connect + s.read + s.write + s.status + s.timeout, starved,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
