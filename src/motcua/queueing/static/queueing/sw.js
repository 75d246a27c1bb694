/* Service worker of the citizen app, served at /hang-doi/sw.js (scope /hang-doi/).
 *
 * The server prepends `self.MOTCUA_SW = {version, precache, offline, pushSw}`: the app shell's
 * URLs (hashed names in production), so a deploy changes this file and phones update.
 *
 * - the shell (css, js, icons, offline page) is precached and served cache-first;
 * - ticket pages, their JSON and the unit's home go network-first into a small cache, so a
 *   ticket still shows on a phone without signal; the JSON taken from the cache carries the
 *   header X-Motcua-Offline: 1 so the page says "ngoại tuyến, cập nhật lúc HH:MM";
 * - anything else (kiosk, display board, booking, POSTs) is left to the network untouched.
 */
/* global MOTCUA_SW */
"use strict";

var CONFIG = self.MOTCUA_SW || {precache: [], offline: "/hang-doi/ngoai-tuyen/", version: "dev"};
var SHELL = "motcua-shell-" + CONFIG.version;
var PAGES = "motcua-pages";
var MAX_PAGES = 30;
var NAV_TIMEOUT_MS = 6000;

if (CONFIG.pushSw) { importScripts(CONFIG.pushSw); }

var TICKET_PAGE = /^\/hang-doi\/ve\/[^/]+\/$/;
var TICKET_JSON = /^\/hang-doi\/ve\/[^/]+\/trang-thai\.json$/;
var UNIT_HOME = /^\/hang-doi\/[0-9A-Za-z_-]+\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(CONFIG.precache);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("motcua-shell-") === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function trim(cache) {
  return cache.keys().then(function (keys) {
    var extra = keys.length - MAX_PAGES;
    return Promise.all(keys.slice(0, Math.max(extra, 0)).map(function (k) { return cache.delete(k); }));
  });
}

function keep(request, response) {
  if (!response || !response.ok || response.type !== "basic") { return; }
  var copy = response.clone();
  caches.open(PAGES).then(function (cache) {
    return cache.delete(request).then(function () { return cache.put(request, copy); })
      .then(function () { return trim(cache); });
  });
}

function fromCache(request) {
  return caches.open(PAGES).then(function (cache) { return cache.match(request); });
}

function markedOffline(response) {
  var headers = new Headers(response.headers);
  headers.set("X-Motcua-Offline", "1");
  return response.blob().then(function (body) {
    return new Response(body, {status: 200, statusText: "OK", headers: headers});
  });
}

/* A page: the network, unless it fails or takes too long and a cached copy exists. */
function page(request) {
  var network = fetch(request).then(function (response) {
    keep(request, response);
    return response;
  });
  var slow = new Promise(function (resolve) {
    setTimeout(function () { fromCache(request).then(resolve); }, NAV_TIMEOUT_MS);
  });
  return Promise.race([network, slow.then(function (cached) { return cached || network; })])
    .catch(function () {
      return fromCache(request).then(function (cached) {
        return cached || caches.match(CONFIG.offline);
      });
    });
}

/* The ticket's JSON: the network, or the last answer marked as offline. */
function state(request) {
  return fetch(request).then(function (response) {
    keep(request, response);
    return response;
  }).catch(function () {
    return fromCache(request).then(function (cached) {
      if (!cached) { throw new Error("offline and never seen"); }
      return markedOffline(cached);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var path = url.pathname;
  if (CONFIG.precache.indexOf(path) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  } else if (TICKET_JSON.test(path)) {
    event.respondWith(state(request));
  } else if (request.mode === "navigate" && (TICKET_PAGE.test(path) || UNIT_HOME.test(path))) {
    event.respondWith(page(request));
  }
});
