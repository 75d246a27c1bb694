/* The filing flow's "Nhận thông báo qua": shows the field the chosen channel needs, and for
 * "this phone" turns web push on through the integrations push API (push.js), with the queue
 * app's service worker (/hang-doi/sw.js, which imports push-sw.js) and its VAPID key. The
 * browser's subscription endpoint goes into the form; the server keeps the subscription and
 * points it at the dossier once it is submitted. Without JavaScript the push choice is refused
 * with a plain message and SMS or e-mail still work. */
(function () {
  "use strict";
  var form = document.getElementById("delivery-form");
  if (!form) { return; }
  var endpointInput = document.getElementById("push-endpoint");
  var status = document.getElementById("push-status");
  var button = document.getElementById("push-enable");

  function chosen() {
    var picked = form.querySelector('input[name="thong-bao"]:checked');
    return picked ? picked.value : "";
  }

  function show() {
    var value = chosen();
    var boxes = form.querySelectorAll("[data-channel]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var channel = box.getAttribute("data-channel");
      // phone and e-mail stay visible (optional contacts); the push box only for push
      if (channel === "push") { box.hidden = value !== "push"; }
    }
  }

  function registration() {
    return navigator.serviceWorker.register("/hang-doi/sw.js", {scope: "/hang-doi/"})
      .then(function (reg) {
        if (reg.active) { return reg; }
        return new Promise(function (resolve) {
          var worker = reg.installing || reg.waiting;
          if (!worker) { resolve(reg); return; }
          worker.addEventListener("statechange", function () {
            if (worker.state === "activated") { resolve(reg); }
          });
        });
      });
  }

  function enable() {
    if (!window.motcuaPush || !window.motcuaPush.supported()) {
      status.textContent = "Trình duyệt này không hỗ trợ thông báo đẩy. Hãy chọn SMS hoặc thư điện tử.";
      return Promise.resolve(false);
    }
    status.textContent = "Đang bật thông báo...";
    return window.motcuaPush.enable({
      registration: registration(),
      onSubscribed: function (endpoint) { endpointInput.value = endpoint; }
    }).then(function (message) {
      status.textContent = message || "Đã bật thông báo trên thiết bị này.";
      return true;
    }, function (error) {
      status.textContent = error.message;
      return false;
    });
  }

  // a browser that already subscribed (this draft or another page) fills the endpoint silently
  if ("serviceWorker" in navigator && "PushManager" in window) {
    navigator.serviceWorker.getRegistration("/hang-doi/").then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    }).then(function (sub) {
      if (sub && !endpointInput.value) { endpointInput.value = sub.endpoint; }
    }).catch(function () {});
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "thong-bao") { show(); }
  });
  button.addEventListener("click", function () { enable(); });
  form.addEventListener("submit", function (event) {
    if (chosen() === "push" && !endpointInput.value) {
      event.preventDefault();
      enable().then(function (ok) { if (ok && endpointInput.value) { form.submit(); } });
    }
  });
  show();
})();
