/* Web push for the citizen app: turn "your turn is near" notifications on or off.
 *
 * Needs a service worker already registered by the page (the queueing PWA) that includes
 * push-sw.js (importScripts("/static/integrations/push-sw.js")).
 *
 *   motcuaPush.enable({ticket: "A012"}).then(function (msg) { ... })   // resolves to a message
 *   motcuaPush.disable()
 *
 * A page outside the service worker's scope (the filing flow under /nop-truc-tuyen/) passes
 * the registration it made itself: enable({registration: promise, onSubscribed: fn}); fn gets
 * the subscription's endpoint once the server saved it.
 *
 * Promises reject with an Error whose message is Vietnamese and can be shown as is.
 */
(function () {
  "use strict";

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.error || "Không bật được thông báo."); }
        return data.message || "";
      });
    });
  }

  function enable(options) {
    options = options || {};
    if (!supported()) {
      return Promise.reject(new Error("Trình duyệt này không hỗ trợ thông báo đẩy."));
    }
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error("Bạn chưa cho phép trang này gửi thông báo.");
      }
      return Promise.all([
        options.registration || navigator.serviceWorker.ready,
        fetch("/thong-bao/vapid-public-key").then(function (r) { return r.json(); })
      ]);
    }).then(function (results) {
      var registration = results[0];
      var key = keyBytes(results[1].publicKey);
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: key
        });
      });
    }).then(function (subscription) {
      var body = subscription.toJSON();
      if (options.ticket) { body.ticket = String(options.ticket); }
      if (options.booking) { body.booking = String(options.booking); }
      return postJSON("/thong-bao/dang-ky-nhan/", body).then(function (message) {
        if (options.onSubscribed) { options.onSubscribed(subscription.endpoint); }
        return message;
      });
    });
  }

  function disable() {
    if (!supported()) { return Promise.resolve(""); }
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) { return ""; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return postJSON("/thong-bao/huy-dang-ky/", {endpoint: endpoint});
      });
    });
  }

  window.motcuaPush = {enable: enable, disable: disable, supported: supported};
})();
