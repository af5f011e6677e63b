// Show only the audience fields that apply to the chosen audience.
(function () {
  "use strict";
  const form = document.getElementById("packet-job-form");
  if (!form) return;
  function update() {
    const chosen = form.querySelector("input[name=audience]:checked");
    const value = chosen ? chosen.value : "";
    form.querySelectorAll("[data-audience]").forEach(function (block) {
      block.hidden = block.dataset.audience !== value;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "audience") update();
  });
  update();
})();
