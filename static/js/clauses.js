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
