// The phone simulator: a USSD handset and an SMS inbox, talking to Soko's real webhooks.
// Plain JavaScript, no build step. Africa's Talking's USSD protocol: every hop posts
// sessionId, serviceCode, phoneNumber and `text` (all inputs so far joined by "*"); the answer is
// "CON <screen>" (the session goes on) or "END <screen>" (it is over). The other aggregators
// (Hubtel, Arkesel, Nalo, Beem: SPEC §11) post JSON with only the latest input and answer JSON.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("sim-config").textContent);
  // The page posts to /simulator/send/..., which adds the webhooks' tokens on the server: no token
  // is in this page. The CSRF header proves the post comes from this page of a signed-in operator.
  const FORM = { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": cfg.csrf };
  const JSON_POST = { "Content-Type": "application/json", "X-CSRF-Token": cfg.csrf };
  const $ = (id) => document.getElementById(id);
  const screen = $("screen"), entry = $("entry"), budget = $("budget"), phoneInput = $("phone");
  const softLeft = $("soft-left"), softRight = $("soft-right"), aggSelect = $("aggregator");

  // GSM 03.38: a screen of only these characters is GSM-7 (extension characters count twice);
  // any other character makes the whole screen UCS-2, with a smaller budget.
  const GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const GSM_EXT = "^{}\\[~]|€\f";

  function units(text) {
    let gsm = 0;
    for (const ch of text) {
      if (GSM_BASIC.includes(ch)) gsm += 1;
      else if (GSM_EXT.includes(ch)) gsm += 2;
      else return { used: text.length, budget: Math.min(80, Math.floor(cfg.maxChars / 2)), coding: "UCS-2" };
    }
    return { used: gsm, budget: cfg.maxChars, coding: "GSM-7" };
  }

  // -- the USSD session ---------------------------------------------------------------------------
  let state = "idle"; // idle | waiting | menu | ended
  let session = null; // {id, code, prefix, inputs, hops, started}

  function phone() { return phoneInput.value.trim(); }
  function aggregator() {
    return cfg.aggregators.find((a) => a.name === aggSelect.value) || cfg.aggregators[0];
  }

  // One hop in an aggregator's JSON: kind is start, input or release; `dial` is the whole dial
  // string (Hubtel and Nalo pass it on the first hop; Arkesel and Beem do not).
  function jsonBody(name, kind, input, dial) {
    const s = session, msisdn = phone().replace(/^\+/, "");
    if (name === "hubtel") {
      return { Type: { start: "Initiation", input: "Response", release: "Release" }[kind], Mobile: msisdn,
        SessionId: s.id, ServiceCode: s.code, Message: kind === "start" ? dial : input, Operator: "mtn",
        Sequence: s.hops, ClientState: "" };
    }
    if (name === "arkesel") {
      return { sessionID: s.id, userID: "SIMULATOR", newSession: kind === "start", msisdn: msisdn,
        userData: kind === "start" ? s.code : input, network: "MTN" };
    }
    if (name === "nalo") {
      return { USERID: "simulator", MSISDN: msisdn, USERDATA: kind === "start" ? dial : input,
        MSGTYPE: kind === "start", NETWORK: "VODAFONE", SESSIONID: s.id };
    }
    return { command: { start: "initiate", input: "continue", release: "terminate" }[kind], msisdn: msisdn,
      operator: "vodacom", session_id: s.id, payload: { request_id: s.hops, response: kind === "start" ? "" : input } };
  }

  // An aggregator's JSON answer as "CON …" / "END …".
  function fromJson(name, a) {
    if (name === "hubtel") return (a.Type === "Response" ? "CON " : "END ") + a.Message;
    if (name === "arkesel") return (a.continueSession ? "CON " : "END ") + a.message;
    if (name === "nalo") return (a.MSGTYPE ? "CON " : "END ") + a.MSG;
    return (a.command === "continue" ? "CON " : "END ") + a.payload.request;
  }

  function show(text, mode) {
    screen.textContent = text;
    screen.scrollTop = 0;
    state = mode;
    entry.disabled = mode === "ended" || mode === "waiting";
    entry.value = "";
    softLeft.textContent = mode === "idle" ? "Call" : mode === "menu" ? "Send" : "OK";
    softRight.textContent = mode === "menu" ? "Cancel" : mode === "idle" ? "Clear" : "";
    if (!entry.disabled) entry.focus();
  }

  function idle(note) {
    session = null;
    budget.textContent = "";
    budget.classList.remove("over");
    show((note ? note + "\n\n" : "") + "Dial " + cfg.serviceCode + "\nthen press the green key.", "idle");
  }

  function newSessionId() {
    const rnd = new Uint32Array(2);
    crypto.getRandomValues(rnd);
    return "ATUid_sim_" + rnd[0].toString(16) + rnd[1].toString(16);
  }

  // AT: `text` is the whole path. Others: `json` is [kind, latest input, dial string].
  async function hop(text, json) {
    session.hops += 1;
    show("Please wait...", "waiting");
    const agg = session.agg, url = agg.name === "africastalking" ? cfg.ussdUrl : agg.url;
    let res, body;
    try {
      if (agg.name === "africastalking") {
        res = await fetch(url, {
          method: "POST",
          headers: FORM,
          body: new URLSearchParams({
            sessionId: session.id, serviceCode: session.code, phoneNumber: phone(), text: text, networkCode: "63902",
          }),
        });
      } else {
        res = await fetch(url, {
          method: "POST", headers: JSON_POST,
          body: JSON.stringify(jsonBody(agg.name, json[0], json[1], json[2])),
        });
      }
      body = await res.text();
      if (res.ok && agg.name !== "africastalking") body = fromJson(agg.name, JSON.parse(body));
    } catch (err) {
      return fail("Connection problem or invalid MMI code.", "No answer from " + url);
    }
    if (!res.ok) return fail("Connection problem or invalid MMI code.", res.status + ": " + body.trim());
    const u = units(body);
    budget.textContent = u.used + "/" + u.budget + " characters · " + u.coding +
      (u.used > u.budget ? " · longer than a handset shows!" : "");
    budget.classList.toggle("over", u.used > u.budget);
    if (body.startsWith("CON ")) {
      show(body.slice(4), "menu");
    } else if (body.startsWith("END ")) {
      show(body.slice(4), "ended");
      report("Success", body);
    } else {
      fail("Connection problem or invalid MMI code.", "The answer did not start with CON or END");
    }
  }

  function fail(text, detail) {
    // A handset shows only a generic error; the detail is for whoever is testing.
    show(text, "ended");
    budget.textContent = detail;
    budget.classList.add("over");
  }

  // Africa's Talking's end-of-session notification, as the gateway would get it; Hubtel's
  // Release and Beem's terminate when the caller hangs up (Arkesel and Nalo send nothing).
  function report(status, last) {
    if (!session) return;
    const s = session;
    if (s.agg.name !== "africastalking") {
      if (status === "Incomplete" && (s.agg.name === "hubtel" || s.agg.name === "beem")) {
        s.hops += 1;
        fetch(s.agg.url, { method: "POST", headers: JSON_POST,
          body: JSON.stringify(jsonBody(s.agg.name, "release", "", "")) }).catch(() => {});
      }
      return;
    }
    fetch(cfg.ussdEventsUrl, {
      method: "POST",
      headers: FORM,
      body: new URLSearchParams({
        sessionId: s.id, serviceCode: s.code, phoneNumber: phone(), networkCode: "63902", status: status,
        durationInMillis: String(Date.now() - s.started), hopsCount: String(s.hops),
        input: s.inputs.join("*"), lastAppResponse: last || "", date: new Date().toISOString(),
      }),
    }).catch(() => {});
  }

  function dial() {
    const dialed = entry.value.trim();
    if (!/^\*[0-9*]+#$/.test(dialed)) {
      screen.textContent = "Type a USSD code like " + cfg.serviceCode + "\nthen press the green key.";
      return;
    }
    // *384*123*1*2# on a *384*123# service arrives as text "1*2" on the first hop.
    const base = cfg.serviceCode.slice(0, -1);
    let code = dialed, prefix = "";
    if (dialed.startsWith(base + "*")) {
      code = cfg.serviceCode;
      prefix = dialed.slice(base.length + 1, -1);
    }
    session = { id: newSessionId(), code: code, prefix: prefix, inputs: [], hops: 0, started: Date.now(),
      agg: aggregator() };
    if (session.agg.name !== "africastalking") return hop("", ["start", "", dialed]);
    hop(prefix);
  }

  function send() {
    const value = entry.value;
    session.inputs.push(value);
    if (session.agg.name !== "africastalking") return hop("", ["input", value]);
    const all = session.prefix ? [session.prefix].concat(session.inputs) : session.inputs;
    hop(all.join("*"));
  }

  function green() {
    if (state === "idle") dial();
    else if (state === "menu") send();
    else if (state === "ended") idle();
  }

  function red() {
    if (state === "menu") {
      report("Incomplete", screen.textContent);
      idle("Session cancelled.");
    } else if (state === "ended") idle();
    else if (state === "idle") entry.value = "";
  }

  $("call").addEventListener("click", green);
  $("hangup").addEventListener("click", red);
  $("clear").addEventListener("click", () => { entry.value = entry.value.slice(0, -1); entry.focus(); });
  document.querySelectorAll(".key").forEach((key) => key.addEventListener("click", () => {
    if (state === "ended") return;
    entry.value += key.dataset.key;
    entry.focus();
  }));
  entry.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); green(); }
    if (e.key === "Escape") { e.preventDefault(); red(); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.target !== document.body) return;
    if (e.key === "Enter") green();
    else if (e.key === "Escape") red();
  });

  // -- who is holding the phone -------------------------------------------------------------------
  const smsHint = $("sms-text").placeholder;
  function markPerson() {
    let hint = smsHint;  // an agent's or seller's own commands when acting as them
    document.querySelectorAll(".person").forEach((b) => {
      b.classList.toggle("active", b.dataset.phone === phone());
      if (b.dataset.phone === phone() && b.dataset.hint) hint = b.dataset.hint;
    });
    $("sms-text").placeholder = hint;
    $("sms-number").textContent = phone();
  }
  function switchPhone() {
    if (state === "menu") report("Incomplete", screen.textContent);
    idle();
    markPerson();
    lastInbox = "";
    refreshInbox();
  }
  phoneInput.addEventListener("change", switchPhone);
  // Another aggregator: its network on the status bar and, unless a number was typed, a number of its country.
  aggSelect.addEventListener("change", () => {
    const a = aggregator();
    $("net").textContent = a.network;
    if (cfg.aggregators.some((x) => x.phone === phone()) && phone() !== a.phone) {
      phoneInput.value = a.phone;
    }
    switchPhone();
  });
  document.querySelectorAll(".person").forEach((b) => b.addEventListener("click", () => {
    phoneInput.value = b.dataset.phone;
    switchPhone();
  }));

  // -- SMS ------------------------------------------------------------------------------------
  const inbox = $("inbox"), smsStatus = $("sms-status");
  let lastInbox = "";

  function smsDate() {
    return new Date().toISOString().slice(0, 19).replace("T", " ");
  }

  async function refreshInbox() {
    let data;
    try {
      const res = await fetch(cfg.inboxUrl + "?phone=" + encodeURIComponent(phone()));
      data = await res.json();
      if (!res.ok) { smsStatus.textContent = data.error || "Cannot read the inbox"; return; }
    } catch (err) {
      return;
    }
    const key = JSON.stringify(data.messages);
    if (key === lastInbox) return;
    lastInbox = key;
    inbox.textContent = "";
    if (!data.messages.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No SMS for this number yet.";
      inbox.appendChild(li);
    }
    for (const m of data.messages) {
      const li = document.createElement("li");
      li.className = m.direction;
      li.textContent = m.body;
      const meta = document.createElement("small");
      const at = (m.created_at || "").replace("T", " ").replace("Z", " UTC");
      meta.textContent = m.direction === "in" ? "you → " + (m.to || cfg.shortCode) + " · " + at : at + " · " + m.status;
      li.appendChild(meta);
      inbox.appendChild(li);
    }
    inbox.scrollTop = inbox.scrollHeight;
  }

  $("sms-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("sms-text").value.trim();
    if (!text) { smsStatus.textContent = "Type a message first."; return; }
    smsStatus.textContent = "Sending...";
    const id = "sim-" + newSessionId().slice(10);
    try {
      const res = await fetch(cfg.smsUrl, {
        method: "POST",
        headers: FORM,
        body: new URLSearchParams({ from: phone(), to: cfg.shortCode, text: text, date: smsDate(), id: id, linkId: id }),
      });
      if (res.ok) {
        $("sms-text").value = "";
        smsStatus.textContent = "Sent. The reply appears here when Soko sends it.";
      } else {
        smsStatus.textContent = "Not accepted (" + res.status + "): " + (await res.text()).trim();
      }
    } catch (err) {
      smsStatus.textContent = "Could not reach " + cfg.smsUrl;
    }
    refreshInbox();
  });

  function tick() {
    const d = new Date();
    $("clock").textContent = String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  tick();
  setInterval(tick, 30000);
  setInterval(refreshInbox, 2000);
  markPerson();
  idle();
  refreshInbox();
})();
