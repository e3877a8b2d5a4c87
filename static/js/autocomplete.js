// Autocompletion: turns every <select data-autocomplete-url> (clauses_site.forms.AutocompleteSelect)
// into a Tom Select search box fed by the JSON endpoint. Without JavaScript the <select> still holds
// the current value. Initialises on page load and on content swapped in by htmx.
(function () {
  "use strict";

  function enhance(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    const url = select.dataset.autocompleteUrl;
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      maxOptions: 20,
      preload: "focus",
      loadThrottle: 250,
      allowEmptyOption: false,
      plugins: select.required ? [] : ["clear_button"],
      placeholder: select.dataset.placeholder || "Tapez pour rechercher…",
      // The server already searched (accents and case ignored): keep its order, filter nothing.
      score: function () {
        return function () {
          return 1;
        };
      },
      load: function (query, callback) {
        const self = this;
        fetch(url + "?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
          .then(function (response) {
            return response.ok ? response.json() : { results: [] };
          })
          .then(function (data) {
            self.clearOptions();
            callback(data.results);
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">Aucun résultat</div>';
        },
        loading: function () {
          return '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">Recherche…</span></div>';
        },
      },
    });
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
