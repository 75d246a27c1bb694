/* Offline-tolerant recording for the digital-tech team's phone.
 *
 * A submit is sent as JSON (with the page's CSRF token). If the network is down, the record
 * (with its client_uuid, so replays are harmless) is kept in localStorage and sent again when
 * the browser comes back online, on the next page load, or every 30 seconds.
 * Without JavaScript the forms post normally.
 */
(function () {
  "use strict";
  var KEY = "motcua.outreach.pending";
  var status = document.getElementById("offline-status");
  var flushing = false;

  function uuid4() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function pending() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); }

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text, ok) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("ok", !!ok);
    status.hidden = !text;
  }
  function msg(name, values) {
    var text = (status && status.dataset[name]) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function showPending() {
    var n = pending().length;
    if (n) {
      say(msg("msgSaved", { n: n }), false);
      Array.prototype.forEach.call(document.querySelectorAll(".js-result.warn"), function (box) {
        box.textContent = msg("msgSaved", { n: n });
      });
    }
    return n;
  }

  /* resolves to {state: "done"|"rejected"|"retry", data, code} */
  function send(item) {
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(item.body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (resp.status === 200 || resp.status === 201) { return { state: "done", data: data }; }
        if (resp.status === 400 || resp.status === 404) { return { state: "rejected", data: data, code: resp.status }; }
        return { state: "retry", data: data, code: resp.status };
      });
    }, function () { return { state: "retry", code: 0 }; });
  }

  function flush() {
    if (flushing || !pending().length) { return Promise.resolve(); }
    flushing = true;
    var sent = 0;
    var rejected = [];
    function next() {
      var items = pending();
      if (!items.length) { return Promise.resolve(); }
      return send(items[0]).then(function (r) {
        if (r.state === "retry") { return; }
        if (r.state === "done") { sent += 1; } else { rejected.push((r.data && r.data.message) || r.code); }
        save(pending().filter(function (x) { return x.body.client_uuid !== items[0].body.client_uuid; }));
        return next();
      });
    }
    return next().then(function () {
      flushing = false;
      if (showPending()) { return; }
      Array.prototype.forEach.call(document.querySelectorAll(".js-result.warn"), function (box) {
        box.hidden = true;
      });
      if (rejected.length) { say(msg("msgRejected", { n: rejected.length, reason: rejected.join("; ") }), false); }
      else if (sent) { say(msg("msgSent", { n: sent }), true); }
    });
  }

  /* the answer next to the button the member just tapped: "ok", "error" or "warn" */
  function result(form, text, tone) {
    var box = form.querySelector(".js-result");
    if (!box) { return; }
    box.textContent = text;
    box.classList.toggle("error", tone === "error");
    box.classList.toggle("warn", tone === "warn");
    box.hidden = !text;
  }

  function freshForm(form) {
    var village = form.querySelector("[name=village]");
    var keep = village ? village.value : null;
    var kinds = form.querySelector("[name=kind]:checked");
    var keepKind = kinds ? kinds.value : null;
    form.reset();
    if (village) { village.value = keep; }
    if (keepKind) {
      var k = form.querySelector("[name=kind][value='" + keepKind + "']");
      if (k) { k.checked = true; }
    }
    form.querySelector("[name=client_uuid]").value = uuid4();
    var when = form.querySelector("[name=occurred_at]");
    if (when) { when.value = ""; }
  }

  function onSubmit(event) {
    var form = event.target;
    event.preventDefault();
    var body = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") { body[name] = value; }
    });
    if ("occurred_at" in body && !body.occurred_at) { body.occurred_at = new Date().toISOString(); }
    var item = { url: form.action, body: body };
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    send(item).then(function (r) {
      if (button) { button.disabled = false; }
      if (r.state === "done") {
        result(form, r.data.message || "", "ok");
        freshForm(form);
        flush();
      } else if (r.state === "rejected") {
        result(form, (r.data && r.data.message) || msg("msgFailed", { code: r.code }), "error");
      } else {
        var items = pending();
        items.push(item);
        save(items);
        freshForm(form);
        result(form, msg("msgSaved", { n: showPending() }), "warn");
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline]"), function (form) {
    form.addEventListener("submit", onSubmit);
  });
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  showPending();
  flush();
})();
