/* Service-worker side of web push: show the message, open its page when tapped.
 * Include from the app's service worker: importScripts("/static/integrations/push-sw.js");
 * The payload is {"title", "body", "url"} (motcua.integrations.senders.push_payload).
 */
(function () {
  "use strict";

  self.addEventListener("push", function (event) {
    var data = {};
    try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
    var title = data.title || "Một cửa điện tử";
    event.waitUntil(self.registration.showNotification(title, {
      body: data.body || "",
      lang: "vi",
      tag: "motcua-" + (data.url || "thong-bao"),
      renotify: true,
      data: {url: data.url || "/"}
    }));
  });

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    var target = new URL(event.notification.data && event.notification.data.url || "/",
                         self.location.origin);
    if (target.origin !== self.location.origin) { target = new URL("/", self.location.origin); }
    event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true})
      .then(function (windows) {
        for (var i = 0; i < windows.length; i++) {
          if (windows[i].url === target.href && "focus" in windows[i]) {
            return windows[i].focus();
          }
        }
        return self.clients.openWindow(target.href);
      }));
  });
})();
