// Counter console keyboard shortcuts: N R S F K press the button carrying data-shortcut,
// T opens the transfer box. Ignored while typing in a field or with Ctrl/Alt/Meta held.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) { return; }
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    var key = (event.key || "").toUpperCase();
    if (!/^[NRSFKT]$/.test(key)) { return; }
    var el = document.querySelector('[data-shortcut="' + key + '"]');
    if (!el) { return; }
    event.preventDefault();
    if (key === "T") {
      var box = el.closest("details");
      if (box) {
        box.open = true;
        var first = box.querySelector("select");
        if (first) { first.focus(); }
      }
      return;
    }
    if (el.disabled) { return; }
    var form = el.closest("form");
    var url = form && form.getAttribute("hx-post");
    if (window.htmx && url) {
      // Straight through htmx: a key pressed while the new panel is still being wired up
      // would otherwise submit the form as a full page (same answer, slower).
      window.htmx.ajax("POST", url, {
        source: form, target: form.getAttribute("hx-target"), swap: "outerHTML"
      });
    } else {
      el.click();
    }
  });
})();
