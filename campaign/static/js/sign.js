// Institution autocomplete for the sign form: suggestions from the registry in a <datalist>;
// picking one fills the hidden institution id, typing anything else clears it (free text).
(function () {
  "use strict";
  function label(item) {
    return item.country ? item.name + " (" + item.country + ")" : item.name;
  }
  document.querySelectorAll("[data-institution-input]").forEach(function (input) {
    var form = input.form;
    var hidden = form.querySelector("input[name=institution]");
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-search-url");
    var results = [];
    var timer = null;
    input.addEventListener("input", function () {
      var match = results.find(function (item) { return label(item) === input.value; });
      hidden.value = match ? String(match.id) : "";
      if (match) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = input.value.trim();
        if (query.length < 2) { return; }
        fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            results = data.results || [];
            list.replaceChildren.apply(list, results.map(function (item) {
              var option = document.createElement("option");
              option.value = label(item);
              return option;
            }));
          })
          .catch(function () { results = []; });
      }, 200);
    });
  });
})();

// A form sent while the proof of work is still running would arrive without it and come back
// with an error: hold it, and send it as soon as the check is done.
(function () {
  "use strict";
  document.querySelectorAll("altcha-widget").forEach(function (widget) {
    var form = widget.closest("form");
    var status = form && form.querySelector("[data-pow-status]");
    var state = "unverified";
    var held = null;
    if (!form) { return; }
    widget.addEventListener("statechange", function (event) {
      state = event.detail.state;
      if (state !== "verifying" && held) {
        var submitter = held;
        held = null;
        if (status) { status.hidden = true; }
        if (state === "verified") { form.requestSubmit(submitter === true ? undefined : submitter); }
      }
    });
    form.addEventListener("submit", function (event) {
      if (state === "verified" || state === "error" || state === "expired") { return; }
      if (state === "unverified" && typeof widget.verify !== "function") { return; }
      event.preventDefault();
      held = event.submitter || true;
      if (status) { status.hidden = false; }
      if (state === "unverified") { widget.verify(); }
    });
  });
})();
