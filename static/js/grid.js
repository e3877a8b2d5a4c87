// The monthly hours grid: spreadsheet-like keyboard entry and a live total. The page works without it
// (the server checks every cell and re-displays what was typed).
//   Enter / Shift+Enter: next / previous row, same column (Enter never submits the form);
//   Arrow Down / Arrow Up: same; Tab: next cell (the browser's own order: hours, training, next row).
(function () {
  "use strict";

  const form = document.getElementById("grid-form");
  if (!form) return;
  const body = document.getElementById("grid-body");
  // The most hours of a month and the messages, as the server checks them (hours.grid.cell_rules).
  const rules = JSON.parse(document.getElementById("grid-rules").textContent);
  const MAX = Number(rules.max_hours);
  const MESSAGES = rules.messages;
  const fmt = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  let dirty = false;
  let submitting = false;

  function parse(text) {
    // Same rules as hours.grid.parse_hours: returns {value} or {error}; empty -> {value: null}.
    let t = (text || "").replace(/[\s\u00a0\u202f]/g, "").toLowerCase();
    if (t.endsWith("h")) t = t.slice(0, -1);
    t = t.replace(",", ".");
    if (t === "") return { value: null };
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return { error: MESSAGES.invalid };
    const value = Number(t);
    if (value < 0) return { error: MESSAGES.min_value };
    if (value > MAX) return { error: MESSAGES.max_value };
    if (/\.\d{3,}$/.test(t) && !/\.\d{2}0+$/.test(t)) return { error: MESSAGES.max_decimal_places };
    return { value: value };
  }

  function cells(col) {
    return Array.from(body.querySelectorAll('input.grid-cell[data-col="' + col + '"]'));
  }

  function check(input) {
    const result = parse(input.value);
    const feedback = document.getElementById(input.id + "_error");
    if (result.error) {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      if (feedback) {
        feedback.textContent = result.error;
        feedback.classList.add("d-block");
        input.setAttribute("aria-describedby", feedback.id);
      }
    } else {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      if (feedback) {
        feedback.textContent = "";
        feedback.classList.remove("d-block");
      }
    }
    return result;
  }

  function total(col) {
    let sum = 0;
    body.querySelectorAll("tr").forEach(function (tr) {
      const input = tr.querySelector('input.grid-cell[data-col="' + col + '"]');
      if (input) {
        const r = parse(input.value);
        if (r.value) sum += r.value;
      } else {
        const cell = tr.querySelector('td[data-col="' + col + '"]');
        if (cell && cell.dataset.value) sum += Number(cell.dataset.value);
      }
    });
    return sum;
  }

  function refreshTotals() {
    const h = document.getElementById("total-h");
    const t = document.getElementById("total-t");
    // Same thousands separator as the server's (no-break space), whatever the browser's locale data.
    if (h) h.textContent = fmt.format(total("h")).replace(/[\u202f\s]/g, "\u00a0");
    if (t) t.textContent = fmt.format(total("t")).replace(/[\u202f\s]/g, "\u00a0");
  }

  function markDirty(input) {
    const changed = input.value !== input.defaultValue;
    input.classList.toggle("grid-changed", changed);
    dirty = body.querySelector(".grid-changed") !== null;
    const badge = document.getElementById("grid-dirty");
    if (badge) badge.classList.toggle("d-none", !dirty);
  }

  function move(input, step) {
    const column = cells(input.dataset.col);
    const next = column[column.indexOf(input) + step];
    if (next) {
      next.focus();
    } else if (step > 0) {
      document.getElementById("grid-save").focus();
    }
  }

  body.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("grid-cell")) return;
    if (event.key === "Enter") {
      event.preventDefault(); // never submit from a cell
      move(input, event.shiftKey ? -1 : 1);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      move(input, 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(input, -1);
    }
  });

  let lastCell = null;
  body.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("grid-cell")) {
      lastCell = event.target;
      event.target.select();
    }
  });

  body.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("grid-cell")) return;
    markDirty(input);
    refreshTotals();
    if (input.classList.contains("is-invalid")) check(input); // clear the error as soon as it is fixed
  });

  // « reprendre cette valeur » under a conflicting cell: the colleague's value back in the input.
  body.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button.grid-take");
    if (!button) return;
    const input = document.getElementById(button.dataset.cell);
    if (!input) return;
    input.value = button.dataset.value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    check(input);
    input.focus();
  });

  body.addEventListener("focusout", function (event) {
    const input = event.target;
    if (input.classList && input.classList.contains("grid-cell")) check(input);
  });

  form.addEventListener("submit", function (event) {
    let firstError = null;
    body.querySelectorAll("input.grid-cell").forEach(function (input) {
      if (check(input).error && !firstError) firstError = input;
    });
    if (firstError) {
      event.preventDefault();
      firstError.focus();
      return;
    }
    submitting = true;
    remember(event.submitter);
  });

  // After a save the page comes back (a redirect to the same grid): the focus goes back to the cell the
  // user was in (or the button used when no cell was), the message of the save is announced (focus.js).
  const SAVED = "clauses-grille";
  function remember(submitter) {
    try {
      window.sessionStorage.setItem(
        SAVED,
        JSON.stringify({
          url: window.location.pathname + window.location.search,
          cell: lastCell ? lastCell.id : null,
          button: submitter ? submitter.id : null,
        }),
      );
    } catch (e) {
      /* private mode: the focus goes to the first cell */
    }
  }
  function recalled() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(SAVED) || "null");
      window.sessionStorage.removeItem(SAVED);
      return saved && saved.url === window.location.pathname + window.location.search ? saved : null;
    } catch (e) {
      return null;
    }
  }

  // A save posts the cells in one field, « cellules » (JSON): the values every row was rendered with and
  // the cells changed, so that a grid of 1 100 rows stays far under the server's limit of fields
  // (hours.forms.posted_cells spreads them out again; without JavaScript, each cell is a field).
  const CELL = /^o?[ht]\d+$/;
  form.addEventListener("formdata", function (event) {
    const data = event.formData;
    const posted = {};
    for (const [name, value] of data.entries()) {
      if (CELL.test(name)) posted[name] = value;
    }
    const cells = {};
    Object.keys(posted).forEach(function (name) {
      data.delete(name);
      if (name[0] === "o" || posted[name] !== posted["o" + name]) cells[name] = posted[name];
    });
    data.set("cellules", JSON.stringify(cells));
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // The footer's count of rows (« 5 lignes ; 1 validée, 2 en brouillon »), as the server writes it.
  function refreshCount() {
    const count = document.getElementById("grid-count");
    if (!count) return;
    const rows = body.querySelectorAll("tr[data-row]");
    const validated = body.querySelectorAll("tr[data-row] td[data-col=h]").length;
    const drafts = body.querySelectorAll("tr[data-row] a.badge.text-bg-warning").length;
    const s = function (n) {
      return n > 1 ? "s" : ""; // French: plural from 2 on, as the server writes it
    };
    count.textContent =
      "(" + rows.length + " ligne" + s(rows.length) + " ; " + validated + " validée" + s(validated) + ", " +
      drafts + " en brouillon)";
  }

  // « Ajouter une personne »: the form in a modal (htmx), the new row appended to the grid; the focus goes
  // to the new row's first cell once the modal is closed (Bootstrap gives it back to the button first).
  const modalElement = document.getElementById("add-modal");
  document.body.addEventListener("grid-row-added", function (event) {
    const detail = event.detail || {};
    if (!document.getElementById("grid-save")) {
      // A fully validated grid has no save buttons: the page again, with them for the new row.
      window.location.reload();
      return;
    }
    const toastBody = document.getElementById("grid-toast-body");
    const toast = document.getElementById("grid-toast");
    const message = detail.message || "Personne ajoutée.";
    if (toastBody && toast && window.bootstrap) {
      toastBody.textContent = message;
      bootstrap.Toast.getOrCreateInstance(toast).show();
    }
    if (window.clausesFocus) window.clausesFocus.announce(message);
    const toNewRow = function () {
      const row = body.querySelector('tr[data-row="' + String(detail.row) + '"]');
      const input = row && row.querySelector("input.grid-cell");
      refreshTotals();
      refreshCount();
      if (input) input.focus();
    };
    const modal = modalElement && window.bootstrap ? bootstrap.Modal.getInstance(modalElement) : null;
    if (modal && modalElement.classList.contains("show")) {
      modalElement.addEventListener("hidden.bs.modal", () => window.setTimeout(toNewRow, 0), { once: true });
      modal.hide();
    } else {
      window.setTimeout(toNewRow, 0);
    }
  });

  if (modalElement) {
    // The dialog's first field, once it is there: the form comes by htmx, before or after the dialog
    // has opened; a form sent back with errors: its first faulty field.
    const modalBody = document.getElementById("add-modal-body");
    const focusForm = function () {
      if (!modalElement.classList.contains("show") || !window.clausesFocus) return;
      const invalid = modalBody.querySelector(".is-invalid");
      let target = null;
      if (invalid) {
        const wrapper = invalid.closest(".mb-3, .col-md-6, .col-12") || invalid.parentElement;
        target = window.clausesFocus.firstField(wrapper);
      }
      target = target || window.clausesFocus.firstField(modalBody.querySelector("form") || modalBody);
      if (target) target.focus();
    };
    modalElement.addEventListener("shown.bs.modal", focusForm);
    modalBody.addEventListener("htmx:afterSettle", function () {
      window.setTimeout(focusForm, 0); // after autocomplete.js has built its search boxes
    });
  }

  const saved = recalled(); // read once, whatever this page is (a save refused comes back without redirect)
  const errors = document.getElementById("grid-errors");
  const conflicts = document.getElementById("grid-conflicts");
  if (conflicts) {
    // A refused save (a colleague changed these cells meanwhile): to the first conflicting cell.
    const firstConflict = body.querySelector("input.grid-conflict") || conflicts;
    firstConflict.focus();
  } else if (errors) {
    const firstInvalid = body.querySelector("input.is-invalid");
    if (firstInvalid) firstInvalid.focus();
  } else {
    const back = saved && (document.getElementById(saved.cell) || document.getElementById(saved.button));
    const first = body.querySelector("input.grid-cell");
    if (back && window.clausesFocus && window.clausesFocus.isFocusable(back)) {
      back.focus();
    } else if (first) {
      first.focus();
    } else if (saved && window.clausesFocus) {
      // Nothing left to type (the month validated): the message of the save.
      window.clausesFocus.place(document.querySelector("main .messages .alert") || document.getElementById("grid-locked"));
    }
  }
})();
