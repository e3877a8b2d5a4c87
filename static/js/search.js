// The search box of the navigation: results listed under it while typing (htmx); Escape or a click
// elsewhere closes the list; Arrow Down moves into it. Enter submits to the results page.
(function () {
  "use strict";
  const input = document.getElementById("recherche-globale");
  const results = document.getElementById("recherche-resultats");
  if (!input || !results) return;

  function close() {
    results.innerHTML = "";
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
    if (event.key === "ArrowDown") {
      const first = results.querySelector("a");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  results.addEventListener("keydown", function (event) {
    const links = Array.from(results.querySelectorAll("a"));
    const index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < links.length - 1) {
      event.preventDefault();
      links[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? links[index - 1] : input).focus();
    } else if (event.key === "Escape") {
      close();
      input.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".nav-search")) close();
  });
  input.addEventListener("input", function () {
    if (!input.value.trim()) close();
  });
})();
