/* Citizen app (PWA) of the queue: no framework, no build step, a few KB for 3G phones.
 *
 * - registers the service worker (/hang-doi/sw.js) that keeps the app readable offline;
 * - "Vé của tôi": tickets this phone took, kept in localStorage, listed even offline;
 * - the ticket page polls its JSON every ~15 s (slower when hidden, backing off on errors),
 *   updates in place, vibrates when the citizen is called and says when it is offline.
 * Texts come from the page (data-t-* attributes, translated by Django), never from here.
 */
(function () {
  "use strict";

  var STORE = "motcua.tickets";
  var KEEP_DAYS = 7;
  var MAX_SAVED = 10;
  var body = document.body;

  // --- service worker --------------------------------------------------------------------------
  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, {scope: body.dataset.swScope || "/hang-doi/"})
      .catch(function () { /* the app works without it, only not offline */ });
  }

  // --- "Vé của tôi" ------------------------------------------------------------------------------
  function loadSaved() {
    try {
      var list = JSON.parse(window.localStorage.getItem(STORE) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) { return []; }
  }

  function storeSaved(list) {
    try { window.localStorage.setItem(STORE, JSON.stringify(list)); } catch (e) { /* full/private */ }
  }

  // The commune's date as the server last said it (phones' clocks are often wrong); a page
  // from the offline cache may be older, so the latest date ever seen wins.
  function today() {
    var seen = "";
    try { seen = window.localStorage.getItem(STORE + ".today") || ""; } catch (e) { seen = ""; }
    var page = body.dataset.today || "";
    if (page > seen) {
      try { window.localStorage.setItem(STORE + ".today", page); } catch (e) { /* ignore */ }
      return page;
    }
    return seen;
  }

  function remember(ticket, state) {
    var limit = Date.now() - KEEP_DAYS * 86400000;
    var list = loadSaved().filter(function (t) {
      return t && t.token !== ticket.token && Date.parse(t.day) >= limit;
    });
    ticket.statusText = state ? state.status_text : ticket.statusText;
    ticket.finished = state ? !!state.finished : !!ticket.finished;
    list.unshift(ticket);
    storeSaved(list.slice(0, MAX_SAVED));
  }

  function showSaved() {
    var section = document.querySelector("[data-my-tickets]");
    if (!section) { return; }
    var list = loadSaved();
    var ul = section.querySelector("[data-list]");
    ul.textContent = "";
    list.forEach(function (t) {
      var old = t.day < today();
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = t.url;
      a.className = "mine" + (t.finished || old ? " done" : "");
      var code = document.createElement("span");
      code.className = "mine-code";
      code.textContent = t.code;
      var info = document.createElement("span");
      info.className = "mine-info";
      var day = t.day.split("-").reverse().join("/");
      info.textContent = t.service + " · " + (body.dataset.tTicketDay || "") + " " + day +
        (old ? " · " + (body.dataset.tExpired || "") : (t.statusText ? " · " + t.statusText : ""));
      a.appendChild(code);
      a.appendChild(info);
      li.appendChild(a);
      ul.appendChild(li);
    });
    section.hidden = list.length === 0;
  }

  // --- remote ticket form: one tap is one request -------------------------------------------------
  var take = document.querySelector("[data-take-form]");
  if (take) {
    take.addEventListener("submit", function () {
      window.setTimeout(function () {
        take.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }

  // --- the ticket page ------------------------------------------------------------------------------
  var card = document.querySelector("[data-ticket]");
  if (!card) { showSaved(); return; }

  var saved = JSON.parse(document.getElementById("ticket-saved").textContent);
  var state = JSON.parse(document.getElementById("ticket-state").textContent);
  var stateUrl = card.dataset.stateUrl;
  var base = (parseInt(card.dataset.poll, 10) || 15) * 1000;
  var delay = base;
  var timer = null;
  var asked = 0;    // polls sent; a poll answered after a later one was applied is dropped,
  var applied = 0;  // or a slow "waiting" answer would hide the "called" one that came first
  remember(saved, state);

  function field(name, value) {
    card.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
      el.textContent = value == null ? "" : String(value);
      if (name !== "code" && name !== "as_of_text") { el.hidden = !value; }
    });
  }

  function toggle(name, on) {
    document.querySelectorAll('[data-when="' + name + '"]').forEach(function (el) { el.hidden = !on; });
  }

  function setOnline() {
    card.querySelector("[data-offline]").hidden = true;
    card.querySelector("[data-asof]").hidden = false;
    card.classList.remove("is-offline");
  }

  function setOffline() {
    var note = card.querySelector("[data-offline]");
    note.textContent = (body.dataset.tOffline || "") + " " + state.as_of_text;
    note.hidden = false;
    card.querySelector("[data-asof]").hidden = true;
    card.classList.add("is-offline");
  }

  function apply(next) {
    var wasCalled = state.called;
    state = next;
    card.className = card.className.replace(/\bstatus-[a-z_]+/, "status-" + next.status);
    ["status_text", "ahead_text", "wait_text", "as_of_text"].forEach(function (n) { field(n, next[n]); });
    toggle("active", next.active);
    toggle("can_cancel", next.can_cancel);
    toggle("rate_url", !!next.rate_url);
    var rate = document.querySelector("[data-rate-link]");
    if (rate && next.rate_url) { rate.href = next.rate_url; }
    document.title = next.code + " — " + next.status_text;
    if (next.called && !wasCalled && navigator.vibrate) {
      navigator.vibrate([400, 150, 400, 150, 400]);
    }
    remember(saved, next);
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    if (!state.finished) { timer = window.setTimeout(poll, ms); }
  }

  function poll() {
    if (document.hidden) { schedule(base * 4); return; }
    var mine = ++asked;
    fetch(stateUrl, {credentials: "same-origin", cache: "no-store",
      headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (mine < applied) { return; }
        if (!response.ok) { throw new Error(String(response.status)); }
        var fromCache = response.headers.get("X-Motcua-Offline") === "1";
        return response.json().then(function (data) {
          if (mine < applied) { return; }
          applied = mine;
          apply(data);
          if (fromCache) { throw new Error("offline"); }
          setOnline();
          delay = base;
          schedule(base);
        });
      })
      .catch(function () {
        if (mine < applied) { return; }
        setOffline();
        delay = Math.min(delay * 2, base * 8);
        schedule(delay);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !state.finished) { poll(); }
  });
  window.addEventListener("online", function () { delay = base; poll(); });
  window.addEventListener("offline", setOffline);

  // A page older than a poll (from the offline cache, or back/forward) asks at once.
  var age = Date.now() - Date.parse(state.as_of);
  if (!navigator.onLine) { setOffline(); }
  if (!navigator.onLine || !(age < base)) { poll(); } else { schedule(base); }

  // --- push: "Bật thông báo khi sắp đến lượt" -----------------------------------------------------
  var pushButton = document.querySelector("[data-push-enable]");
  var pushMessage = document.querySelector("[data-push-message]");
  if (pushButton) {
    if (!window.motcuaPush || !window.motcuaPush.supported()) {
      pushButton.hidden = true;
    } else {
      // Remember per ticket: one phone's subscription follows the ticket it was last enabled for.
      var pushKey = "motcua-push-" + card.dataset.token;
      var pushOn = function (message) {
        pushButton.hidden = true;
        pushMessage.textContent = message || pushButton.dataset.onText;
      };
      try {
        if (localStorage.getItem(pushKey)) {
          navigator.serviceWorker.ready.then(function (registration) {
            return registration.pushManager.getSubscription();
          }).then(function (subscription) { if (subscription) { pushOn(""); } });
        }
      } catch (e) { /* storage off: the button stays */ }
      pushButton.addEventListener("click", function () {
        pushButton.disabled = true;
        window.motcuaPush.enable({ticket: card.dataset.token}).then(function (message) {
          try { localStorage.setItem(pushKey, "1"); } catch (e) { /* storage off */ }
          pushOn(message);
        }, function (error) {
          pushMessage.textContent = error.message;
          pushButton.disabled = false;
        });
      });
    }
  }
})();
