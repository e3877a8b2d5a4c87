// Bilans page: show only the picker of the chosen scope (buyer, company, market; none for the
// territory). Without JavaScript every picker stays visible and the radio button decides.
(function () {
  "use strict";
  const form = document.getElementById("choix-bilan");
  if (!form) return;
  function update() {
    const checked = form.querySelector("input[name=scope]:checked");
    const scope = checked ? checked.value : "";
    form.querySelectorAll(".scope-field").forEach(function (field) {
      field.hidden = field.dataset.scope !== scope;
    });
  }
  form.querySelectorAll("input[name=scope]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
