// Hour entries list: « tout sélectionner » for the validation of a selection.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    const name = master.dataset.selectAll;
    master.addEventListener("change", function () {
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = master.checked;
      });
    });
  });
})();
