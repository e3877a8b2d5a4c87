// Autocompletion: turns every <select data-autocomplete-url> (clauses_site.forms.AutocompleteSelect)
// into a Tom Select search box fed by the JSON endpoint. Without JavaScript the <select> still holds
// the current value. Initialises on page load and on content swapped in by htmx.
(function () {
  "use strict";

  function enhance(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    const url = select.dataset.autocompleteUrl;
    const control = new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      maxOptions: 20,
      preload: "focus",
      loadThrottle: 250,
      allowEmptyOption: false,
      // The « × » that empties the field: clickable, out of the tab order (Backspace empties it too).
      plugins: select.required ? {} : { clear_button: { tabindex: -1, title: "Effacer" } },
      placeholder: select.dataset.placeholder || "Tapez pour rechercher…",
      // The server already searched (accents and case ignored): keep its order, filter nothing.
      score: function () {
        return function () {
          return 1;
        };
      },
      load: function (query, callback) {
        const self = this;
        // While the choices load, the list (role="listbox") holds only the spinner: say it is busy.
        const list = self.dropdown_content;
        list.setAttribute("aria-busy", "true");
        // Answers may come back out of order (the choices asked on focus, then what was typed): only the
        // latest search fills the list; an older answer arriving after it is dropped.
        const ticket = (self.clausesSearch = (self.clausesSearch || 0) + 1);
        const latest = function () {
          return ticket === self.clausesSearch;
        };
        const done = function (results) {
          if (latest()) list.removeAttribute("aria-busy");
          callback(latest() ? results : undefined);
        };
        fetch(url + "?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
          .then(function (response) {
            return response.ok ? response.json() : { results: [] };
          })
          .then(function (data) {
            if (latest()) self.clearOptions();
            done(data.results);
          })
          .catch(function () {
            done();
          });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">Aucun résultat</div>';
        },
        loading: function () {
          // No role here: the list of choices (role="listbox") may hold only options (axe
          // aria-required-children).
          return '<div class="spinner-border spinner-border-sm m-2"><span class="visually-hidden">Recherche…</span></div>';
        },
      },
    });
    // The search box is the field (Tom Select gave it the label): hide the <select> it drives from
    // assistive technologies, so that a screen reader meets one field, not a second one without a name.
    // It stays out of the tab order (tabindex="-1") and still submits the value.
    control.input.setAttribute("aria-hidden", "true");
  }

  function init(root) {
    (root || document).querySelectorAll("select[data-autocomplete-url]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
