// The petition form: the proof-of-work of the anonymous form, and "use my position".
// No third party: SHA-256 is computed here (a compact implementation, FIPS 180-4), so it works
// on plain-HTTP commune networks where crypto.subtle is missing, and offline.
(function () {
  "use strict";
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Uint32Array(64);

  function ascii(text) {
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
    return out;
  }

  // The first 32 bits of SHA-256(bytes), enough to count leading zero bits up to 32.
  function sha256(bytes) {
    var n = bytes.length, total = ((n + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(total);
    m.set(bytes);
    m[n] = 0x80;
    var bits = n * 8;
    m[total - 4] = (bits >>> 24) & 0xff; m[total - 3] = (bits >>> 16) & 0xff;
    m[total - 2] = (bits >>> 8) & 0xff; m[total - 1] = bits & 0xff;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
        h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var off = 0; off < total; off += 64) {
      for (var t = 0; t < 16; t++) {
        var j = off + t * 4;
        W[t] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
      }
      for (t = 16; t < 64; t++) {
        var w15 = W[t - 15], w2 = W[t - 2];
        var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
        var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return h0 >>> 0;
  }

  function zeroBits(word) {
    return word === 0 ? 32 : Math.clz32(word);
  }

  function solve(form) {
    var challenge = form.querySelector("input[name=challenge]").value;
    var wanted = parseInt(form.dataset.bits, 10);
    var nonceInput = form.querySelector("#nonce");
    var submit = form.querySelector("button[type=submit]");
    var status = document.getElementById("pow-status");
    var nonce = 0;
    function chunk() {
      var stop = nonce + 20000;
      for (; nonce < stop; nonce++) {
        if (zeroBits(sha256(ascii(challenge + ":" + nonce))) >= wanted) {
          nonceInput.value = String(nonce);
          submit.disabled = false;
          status.textContent = document.getElementById("pow-ready-text").textContent;
          status.dataset.ready = "1";
          return;
        }
      }
      setTimeout(chunk, 0);
    }
    setTimeout(chunk, 0);
  }

  function locate() {
    var button = document.getElementById("locate");
    if (!button || !navigator.geolocation) return;
    var text = document.getElementById("location-text");
    button.hidden = false;
    button.addEventListener("click", function () {
      text.textContent = document.getElementById("locating-text").textContent;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lat = pos.coords.latitude.toFixed(6), lng = pos.coords.longitude.toFixed(6);
        document.getElementById("latitude").value = lat;
        document.getElementById("longitude").value = lng;
        text.textContent = lat + ", " + lng;
      }, function () {
        text.textContent = document.getElementById("no-location-text").textContent;
      }, { timeout: 15000, maximumAge: 60000 });
    });
  }

  function anonymity() {
    var box = document.getElementById("anonymous"), contact = document.getElementById("contact");
    if (!box || !contact) return;
    function sync() { contact.hidden = box.checked; }
    box.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-pow]");
    if (form) solve(form);
    locate();
    anonymity();
  });
})();
