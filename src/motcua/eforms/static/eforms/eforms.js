/* Hide a declaration's conditional fields while their condition does not hold (data-when, the
   same condition language as motcua.eforms.engine.holds). The server decides anyway: answers of
   hidden fields are ignored, so without this script the page still works. */
(function () {
  "use strict";
  function value(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"], [name$="-' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "checkbox") return el.checked;
      if (el.type === "radio") { if (el.checked) return el.value; continue; }
      return el.value.trim();
    }
    var saved = form.querySelector('[data-answer="' + name + '"]');
    return saved ? saved.getAttribute("data-value") : "";
  }
  function norm(v) { return v === true ? "true" : v === false ? "false" : String(v == null ? "" : v); }
  function holds(c, form) {
    if (c.all) return c.all.every(function (x) { return holds(x, form); });
    if (c.any) return c.any.some(function (x) { return holds(x, form); });
    if (c.not) return !holds(c.not, form);
    var v = value(form, c.field);
    var filled = v !== "" && v !== false && v !== null;
    if ("filled" in c) return filled === c.filled;
    if ("equals" in c) return norm(v) === norm(c.equals);
    return c["in"].map(norm).indexOf(norm(v)) >= 0;
  }
  function refresh(form) {
    form.querySelectorAll("[data-when]").forEach(function (el) {
      el.hidden = !holds(JSON.parse(el.getAttribute("data-when")), form);
    });
  }
  document.querySelectorAll("form[data-eform]").forEach(function (form) {
    form.addEventListener("input", function () { refresh(form); });
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
  });
})();
