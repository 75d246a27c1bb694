// Hall display board: live snapshot by server-sent events, polling fallback, chime + voice.
// No inline scripts (CSP script-src 'self'): data comes from <script type="application/json">.
(function () {
  "use strict";
  var body = document.body;
  var TZ = "Asia/Ho_Chi_Minh";
  var POLL_MS = 3000;
  var SSE_GIVE_UP_AFTER = 20;  // failed connects in a row before polling for good
  var L = JSON.parse(document.getElementById("display-labels").textContent);
  var snap = JSON.parse(document.getElementById("display-snapshot").textContent);
  var els = {
    counters: document.querySelector("[data-counters]"),
    recent: document.querySelector("[data-recent]"),
    waiting: document.querySelector("[data-waiting]"),
    announce: document.querySelector("[data-announce]"),
    clock: document.querySelector("[data-clock]"),
    date: document.querySelector("[data-date]"),
    status: document.querySelector("[data-status]"),
    sound: document.querySelector("[data-sound]"),
    soundState: document.querySelector("[data-sound-state]")
  };
  var lastCallId = maxCallId(snap);  // calls made before the page opened are not announced
  var clockOffset = 0;               // server clock - this device's clock (TV boxes drift)
  var soundOn = false;
  var queue = [];
  var playing = false;
  var viVoice = null;

  function maxCallId(s) {
    return (s.calls || []).reduce(function (m, c) { return Math.max(m, c.id); }, 0);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function colsFor(n) {
    if (n <= 4) { return Math.max(n, 1); }
    if (n <= 6) { return 3; }
    if (n <= 8) { return 4; }
    return n <= 10 ? 5 : 6;
  }

  var timeFmt = new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hour12: false });
  var clockFmt = new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  var dateFmt = new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, weekday: "long", day: "2-digit", month: "2-digit", year: "numeric" });

  function render(s, fresh) {
    // counters
    var counters = s.counters || [];
    els.counters.className = "board-counters cols-" + colsFor(counters.length);
    els.counters.replaceChildren.apply(els.counters, counters.map(function (c) {
      var card = el("article", "counter-card");
      if (!c.is_open) { card.classList.add("is-closed"); }
      else { card.classList.add(c.ticket ? "is-" + c.status : "is-idle"); }
      if (fresh[c.number]) { card.classList.add("is-new"); }
      card.dataset.counter = c.number;
      card.dataset.testid = "counter-" + c.number;
      card.append(el("p", "counter-label", L.counter + " " + c.number));
      var code = el("p", "counter-code", c.is_open && c.ticket ? c.ticket : "—");
      code.dataset.testid = "counter-" + c.number + "-code";
      card.append(code);
      card.append(el("p", "counter-note", !c.is_open ? L.closed : (c.ticket ? c.service : L.idle)));
      return card;
    }));
    // recent calls
    var calls = s.calls || [];
    if (!calls.length) {
      els.recent.replaceChildren(el("li", "recent-empty", L.noCalls));
    } else {
      els.recent.replaceChildren.apply(els.recent, calls.map(function (c) {
        var li = el("li");
        li.append(el("span", "recent-code", c.ticket), el("span", "recent-arrow", "→"),
          el("span", "recent-counter", L.counter + " " + c.counter));
        var t = el("time", "recent-time", c.at ? timeFmt.format(new Date(c.at)) : "");
        if (c.at) { t.setAttribute("datetime", c.at); }
        li.append(t);
        return li;
      }));
    }
    // waiting per service
    els.waiting.replaceChildren.apply(els.waiting, (s.waiting || []).map(function (w) {
      var li = el("li");
      li.append(el("span", "waiting-letter", w.code), el("span", "waiting-name", w.name),
        el("span", "waiting-count", w.waiting));
      return li;
    }));
  }

  function onSnapshot(s) {
    if (s.server_time) { clockOffset = Date.parse(s.server_time) - Date.now(); }
    var fresh = {};
    var newCalls = (s.calls || []).filter(function (c) { return c.id > lastCallId; })
      .sort(function (a, b) { return a.id - b.id; });
    newCalls.forEach(function (c) { fresh[c.counter] = true; });
    snap = s;
    render(s, fresh);
    if (newCalls.length) {
      lastCallId = newCalls[newCalls.length - 1].id;
      els.announce.textContent = newCalls[newCalls.length - 1].text;
      els.announce.classList.remove("flash");
      void els.announce.offsetWidth;  // restart the highlight animation
      els.announce.classList.add("flash");
      newCalls.forEach(function (c) { queue.push(c); });
      playNext();
    }
  }

  // --- sound: chime, then a Vietnamese browser voice, else the server's WAV ----------------
  function pickVoice() {
    if (!("speechSynthesis" in window)) { return; }
    var voices = window.speechSynthesis.getVoices() || [];
    viVoice = voices.filter(function (v) { return (v.lang || "").toLowerCase().indexOf("vi") === 0; })[0] || null;
    if (soundOn) { els.soundState.textContent = viVoice ? L.soundOn : L.voiceServer; }
  }
  if ("speechSynthesis" in window) {
    pickVoice();
    window.speechSynthesis.addEventListener("voiceschanged", pickVoice);
  }

  function playAudio(url, done) {
    var a = new Audio(url);
    var finished = false;
    function end() { if (!finished) { finished = true; done(); } }
    a.addEventListener("ended", end);
    a.addEventListener("error", end);  // 503: no server voice; the text is on the board
    var p = a.play();
    if (p && p.catch) { p.catch(end); }
    window.setTimeout(end, 15000);
  }

  function speak(call, done) {
    if (viVoice) {
      var u = new SpeechSynthesisUtterance(call.speech || call.text);
      u.voice = viVoice;
      u.lang = viVoice.lang;
      u.rate = 0.9;
      u.onend = done;
      u.onerror = done;
      window.speechSynthesis.speak(u);
    } else if (call.audio) {
      playAudio(call.audio, done);
    } else {
      done();
    }
  }

  function playNext() {
    if (!soundOn) { queue.length = 0; return; }
    if (playing || !queue.length) { return; }
    playing = true;
    var call = queue.shift();
    playAudio(body.dataset.chimeUrl, function () {
      speak(call, function () { playing = false; window.setTimeout(playNext, 600); });
    });
  }

  els.sound.addEventListener("click", function () {
    soundOn = true;                 // the user gesture that lets this page play sound
    els.sound.hidden = true;
    els.soundState.hidden = false;
    pickVoice();
    els.soundState.textContent = viVoice ? L.soundOn : L.voiceServer;
    playAudio(body.dataset.chimeUrl, function () {});
  });

  // --- live updates -------------------------------------------------------------------------
  function setStatus(key) {
    els.status.textContent = L[key];
    els.status.dataset.state = key;
  }

  // Polling runs only while the stream is down; it stops as soon as the stream is back.
  var pollTimer = null;
  var polling = false;
  function poll() {
    var url = body.dataset.stateUrl + "?since=" + encodeURIComponent(snap.version) +
      "&fp=" + encodeURIComponent(snap.fingerprint || "");
    fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (r) {
      if (r.status === 200) { return r.json().then(onSnapshot); }
      if (r.status !== 204) { throw new Error(String(r.status)); }
    }).then(function () { if (polling) { setStatus("polling"); } },
            function () { if (polling) { setStatus("offline"); } })
      .then(function () { if (polling) { pollTimer = window.setTimeout(poll, POLL_MS); } });
  }

  function startPolling() {
    if (polling) { return; }
    polling = true;
    poll();
  }

  function stopPolling() {
    polling = false;
    if (pollTimer !== null) { window.clearTimeout(pollTimer); pollTimer = null; }
  }

  function connect() {
    if (!("EventSource" in window)) { startPolling(); return; }
    var failures = 0;
    var opened = false;
    var es = new EventSource(body.dataset.eventsUrl);
    es.addEventListener("open", function () { opened = true; failures = 0; stopPolling(); setStatus("online"); });
    es.addEventListener("snapshot", function (e) {
      stopPolling();
      setStatus("online");
      onSnapshot(JSON.parse(e.data));
    });
    es.addEventListener("error", function () {
      // The server ends each stream after a few minutes and EventSource reconnects by itself
      // (sending Last-Event-ID): nothing to do. A stream that cannot open (a proxy that breaks
      // SSE, a server restarting): poll every 3 s meanwhile; give the stream up after many tries.
      if (opened) { opened = false; return; }
      failures += 1;
      startPolling();
      if (es.readyState === EventSource.CLOSED || failures >= SSE_GIVE_UP_AFTER) {
        es.close();
      }
    });
  }

  function tick() {
    var now = new Date(Date.now() + clockOffset);
    els.clock.textContent = clockFmt.format(now);
    els.date.textContent = dateFmt.format(now);
  }

  tick();
  window.setInterval(tick, 1000);
  render(snap, {});
  connect();
})();
