// Poll the job's progress (a small JSON view) and update the bar; reload once it ends so
// the download links and the packet table appear.
(function () {
  "use strict";
  const box = document.getElementById("packet-progress");
  if (!box || box.dataset.finished === "1") return;
  const bar = box.querySelector("progress");
  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + " %";
    box.querySelectorAll("[data-field]").forEach(function (node) {
      const value = data[node.dataset.field];
      if (value === undefined) return;
      node.textContent = value;
      if (node.dataset.field === "error") node.hidden = !value;
    });
  }
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        show(data);
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
