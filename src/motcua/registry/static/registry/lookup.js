// "Tra cứu CSDL dân cư" on the reception form (no inline script: CSP).
// The button posts the typed citizen ID to the registry's lookup endpoint (CSRF header);
// found: the applicant's name and address are filled, the lookup's id goes into the hidden
// field `registry_lookup` (the reception service decides whether it verifies the applicant);
// not found / registry down: the server's Vietnamese message, the officer goes on typing.
// Changing the ID afterwards forgets the lookup. Without JS the button submits the form with
// action=lookup and the reception view answers the same way (dossiers.counter_views).
(function () {
  "use strict";

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function show(out, kind, message, person, labels) {
    out.hidden = false;
    out.className = "ctr-registry " + kind;
    out.replaceChildren(text("p", message, "ctr-registry-msg"));
    if (!person) { return; }
    var dl = document.createElement("dl");
    [["full_name", labels.name], ["date_of_birth", labels.dob], ["sex", labels.sex],
     ["permanent_residence", labels.permanent], ["current_residence", labels.current]
    ].forEach(function (pair) {
      var row = document.createElement("div");
      row.appendChild(text("dt", pair[1]));
      row.appendChild(text("dd", person[pair[0]] || "—"));
      row.setAttribute("data-field", pair[0]);
      dl.appendChild(row);
    });
    out.appendChild(dl);
  }

  function lookup(button) {
    var form = button.closest("form");
    var idInput = form.querySelector('[name="applicant_id_number"]');
    var hidden = form.querySelector('[name="registry_lookup"]');
    var out = form.querySelector(".ctr-registry");
    var d = button.dataset;
    var labels = {name: d.lName, dob: d.lDob, sex: d.lSex, permanent: d.lPermanent, current: d.lCurrent};
    var body = new URLSearchParams();
    body.set("citizen_id", idInput.value);
    body.set("purpose", "reception");
    hidden.value = "";
    button.disabled = true;
    show(out, "busy", d.busy);
    fetch(d.registryLookup, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": form.querySelector('[name="csrfmiddlewaretoken"]').value
      },
      body: body.toString()
    }).then(function (response) {
      return response.json().catch(function () { return {}; });
    }).then(function (data) {
      if (data.found && data.person) {
        hidden.value = String(data.lookup);
        form.querySelector('[name="applicant_name"]').value = data.person.full_name;
        var address = form.querySelector('[name="applicant_address"]');
        if (address) { address.value = data.person.permanent_residence; }
        show(out, "ok", data.message, data.person, labels);
      } else {
        show(out, "warn", data.message || data.error || d.failed);
      }
    }).catch(function () {
      show(out, "warn", d.failed);
    }).then(function () {
      button.disabled = false;
    });
  }

  document.querySelectorAll("[data-registry-lookup]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      lookup(button);
    });
    var form = button.closest("form");
    var idInput = form.querySelector('[name="applicant_id_number"]');
    idInput.addEventListener("input", function () {
      var hidden = form.querySelector('[name="registry_lookup"]');
      if (hidden.value) {
        hidden.value = "";
        form.querySelector(".ctr-registry").hidden = true;
      }
    });
  });
})();
