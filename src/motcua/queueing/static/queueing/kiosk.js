// Kiosk and printed ticket: no inline scripts (CSP script-src 'self').
(function () {
  "use strict";
  // Kiosk screen: after the first tap, further taps do nothing (the server is idempotent too).
  var form = document.querySelector("[data-kiosk-form]");
  if (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }
  // Ticket slip: print at once on the kiosk, then go back to the start screen.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var body = document.body;
  if (body.dataset.autoprint === "1") {
    window.setTimeout(function () { window.print(); }, 300);
    var left = parseInt(body.dataset.returnSeconds || "12", 10);
    var url = body.dataset.returnUrl;
    var label = document.querySelector("[data-countdown]");
    var text = label ? label.textContent : "";
    var timer = window.setInterval(function () {
      left -= 1;
      if (label) { label.textContent = text.replace(/\d+/, String(Math.max(left, 0))); }
      if (left <= 0 && url) {
        window.clearInterval(timer);
        window.location.assign(url);
      }
    }, 1000);
  }
})();
