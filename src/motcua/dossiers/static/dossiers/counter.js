// Counter screens, keyboard first (no inline script: CSP).
// - Procedure search: Enter opens the first result, Down/Up move through the results.
// - Reception form: Enter moves to the next field instead of submitting; Alt+S submits.
// - After reception: I prints the receipt, N starts a new reception (press the button
//   carrying data-shortcut). Shortcuts are ignored while typing or with Ctrl/Meta held.
// - Cases: ticking a condition ("Trẻ bị bỏ rơi") ticks the papers asked for in that case,
//   unticking it unticks them; choosing a fee case does the same for papers of that case.
(function () {
  "use strict";

  function syncPapers(label, on) {
    document.querySelectorAll("#reception-form input[data-when]").forEach(function (box) {
      if (box.getAttribute("data-when") === label) { box.checked = on; }
    });
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.closest || !el.closest("#reception-form")) { return; }
    if (el.hasAttribute("data-condition")) { syncPapers(el.value, el.checked); }
    if (el.type === "radio" && el.name === "fee_case") {
      document.querySelectorAll('#reception-form input[name="fee_case"]').forEach(function (r) {
        syncPapers(r.value, r.checked);
      });
    }
  });

  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#proc-results .ctr-result"));
  }

  function fields(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll("input:not([type=hidden]):not([disabled]), select, textarea, button[type=submit]:not([data-registry-lookup])")
    ).filter(function (el) { return el.offsetParent !== null; });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var key = event.key || "";

    if (target && target.id === "q" && target.closest(".ctr-search")) {
      var list = results();
      if (key === "Enter" && list.length) {
        event.preventDefault();
        window.location.href = list[0].href;
        return;
      }
      if (key === "ArrowDown" && list.length) {
        event.preventDefault();
        list[0].focus();
        return;
      }
    }
    if (target && target.classList && target.classList.contains("ctr-result")) {
      var items = results();
      var i = items.indexOf(target);
      if (key === "ArrowDown" && i < items.length - 1) { event.preventDefault(); items[i + 1].focus(); return; }
      if (key === "ArrowUp") {
        event.preventDefault();
        if (i > 0) { items[i - 1].focus(); } else { document.getElementById("q").focus(); }
        return;
      }
    }

    var form = document.getElementById("reception-form");
    if (form && event.altKey && (key === "s" || key === "S")) {
      event.preventDefault();
      var main = form.querySelector("[data-testid=submit-reception]");
      if (main) { main.click(); }
      return;
    }
    if (form && key === "Enter" && !event.shiftKey && target && form.contains(target) &&
        target.tagName === "INPUT" && target.type !== "submit" && target.type !== "file") {
      event.preventDefault();
      var all = fields(form);
      var next = all[all.indexOf(target) + 1];
      if (next) { next.focus(); }
      return;
    }

    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) { return; }
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    var upper = key.toUpperCase();
    if (!/^[IN]$/.test(upper)) { return; }
    var el = document.querySelector('[data-shortcut="' + upper + '"]');
    if (!el) { return; }
    event.preventDefault();
    el.click();
  });
})();
