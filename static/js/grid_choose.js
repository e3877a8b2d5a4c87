// The landing page of the grid (/heures/saisie/): the lot's field has the focus on load, holding the lot
// opened last, so that Enter opens its grid; typing searches another lot. Tab then goes to « ou
// entreprise », « Ouvrir la grille » and « Lot suivant à saisir » (the « × » of the fields are out of the
// tab order: autocomplete.js); Shift+Tab to the month.
(function () {
  "use strict";

  function start() {
    const form = document.querySelector("form[data-grid-autofocus]");
    const select = form && document.getElementById(form.dataset.gridAutofocus);
    if (!select) return;
    const control = select.tomselect;
    if (!control) {
      select.focus();
      return;
    }
    // The list opens as one types, not on focus, and lists the lots found, not the one shown: Enter at
    // once keeps the lot shown, Enter after typing takes the first lot found.
    const usual = { openOnFocus: control.settings.openOnFocus, preload: control.settings.preload };
    control.settings.openOnFocus = false;
    control.settings.preload = false;
    control.settings.hideSelected = true;
    control.focus();
    // A click on the field: its list, as everywhere else (the settings back before Tom Select's handler).
    control.wrapper.addEventListener(
      "click",
      function () {
        Object.assign(control.settings, usual);
      },
      { capture: true, once: true },
    );
    // Enter on the lot shown opens its grid; Enter on another lot of the list chooses it (a second Enter
    // opens it, or Tab goes on to the month or the button). Tom Select handles Enter first (it chooses
    // the highlighted lot of an open list): what it did decides.
    const input = control.control_input;
    let before = null;
    input.addEventListener(
      "keydown",
      function (event) {
        if (event.key === "Enter") before = control.getValue();
      },
      true,
    );
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || before === null) return;
      const kept = control.getValue() === before;
      before = null;
      if (kept && control.getValue() && !input.value) {
        event.preventDefault();
        control.close();
        form.requestSubmit();
      }
    });
  }

  // After autocomplete.js (which enhances the fields when the document is parsed).
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      window.setTimeout(start, 0);
    });
  } else {
    window.setTimeout(start, 0);
  }
})();
