/* Rating faces: "Không hài lòng" opens the reason step in place instead of sending at once.
   Without JavaScript the server answers that tap with the same step, so nothing is lost. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-needs-reason]");
    if (!button) return;
    var form = button.closest("form");
    var step = form && form.querySelector(".reason-step");
    if (!step) return;
    event.preventDefault();
    step.hidden = false;
    button.setAttribute("aria-pressed", "true");
    form.querySelector(".faces").setAttribute("data-chosen", "not_satisfied");
    var first = step.querySelector("input[type=radio]");
    if (first) first.focus({ preventScroll: true });
    step.scrollIntoView({ behavior: "smooth", block: "start" });
  });
  /* Pressing "Gửi đánh giá" twice, or a face then the button, sends one request. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-rate-form]")) return;
    if (form.getAttribute("data-sending") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
    window.setTimeout(function () { form.removeAttribute("data-sending"); }, 4000);
  });
})();
