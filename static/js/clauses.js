// Clauses: small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});

// A button with data-confirm asks before it submits. Without JavaScript the server asks instead (a
// confirmation page); data-confirm-field names the hidden field (value 1) telling it that it was asked.
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-confirm]");
  if (!button) return;
  if (!window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  const name = button.dataset.confirmField;
  if (name && button.form && !button.form.querySelector('input[type=hidden][name="' + name + '"]')) {
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = name;
    field.value = "1";
    button.form.appendChild(field);
  }
});

// A table wider than its scrolling wrapper (.table-responsive) can be scrolled from the keyboard: the
// wrapper takes a tab stop and a name (the table's caption), only while it overflows.
function markScrollableTables(root) {
  (root || document).querySelectorAll(".table-responsive").forEach((wrapper) => {
    const overflows = wrapper.scrollWidth > wrapper.clientWidth + 1;
    if (overflows && !wrapper.hasAttribute("tabindex")) {
      const caption = wrapper.querySelector("caption");
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tableau défilant");
      wrapper.dataset.scrollable = "1";
    } else if (!overflows && wrapper.dataset.scrollable) {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
      delete wrapper.dataset.scrollable;
    }
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => markScrollableTables(document));
} else {
  markScrollableTables(document);
}
window.addEventListener("resize", () => markScrollableTables(document));
document.addEventListener("htmx:load", (event) => markScrollableTables(event.target));
