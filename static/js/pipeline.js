// Pipeline board: drag a card onto another column to move it (a progressive enhancement: each card
// also has arrow buttons and a « Déplacer… » menu, plain form posts that work without JavaScript).
(() => {
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".pipeline-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.market);
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    document.querySelectorAll(".drop-target").forEach((el) => el.classList.remove("drop-target"));
    dragged = null;
  });
  document.addEventListener("dragover", (event) => {
    const column = dragged && event.target.closest && event.target.closest(".pipeline-column");
    if (!column) return;
    event.preventDefault();
    document.querySelectorAll(".drop-target").forEach((el) => el !== column && el.classList.remove("drop-target"));
    column.classList.add("drop-target");
  });
  document.addEventListener("drop", (event) => {
    const column = dragged && event.target.closest && event.target.closest(".pipeline-column");
    if (!column) return;
    event.preventDefault();
    const form = dragged.querySelector("form.pipeline-move");
    const stage = column.dataset.stage;
    if (!form || dragged.closest(".pipeline-column") === column) return;
    const button = form.querySelector(`button[name=stage][value="${stage}"]`);
    if (button) button.click();  // a click: htmx (or the browser) posts the form with this stage
  });

  // A move that skips stages, closes or reopens a market comes back as a confirmation panel
  // ([data-pipeline-confirm]): focus goes to « Confirmer »; « Annuler » or Escape removes it (nothing was
  // changed on the server) and gives focus back to the card.
  const focusConfirm = () => {
    const button = document.querySelector("[data-pipeline-confirm-button]");
    if (button) button.focus();
  };
  const cancelConfirm = (panel) => {
    const card = document.getElementById(`marche-${panel.dataset.market}`);
    panel.remove();
    if (card) {
      card.classList.remove("pipeline-card-pending");
      card.focus();
    }
  };
  // A move made (the board swapped in place): the focus goes to the moved card in its new column (it
  // would fall to <body> with the button that had it), and what was done is announced.
  let moving = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const from = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-market]");
    if (from && from.closest("#pipeline-board")) moving = from.dataset.market;
  });
  const focusMoved = () => {
    const market = moving;
    moving = null;
    if (document.querySelector("[data-pipeline-confirm-button]")) return focusConfirm();
    const card = market && document.getElementById(`marche-${market}`);
    if (card) {
      const dropped = card.closest("details");
      if (dropped) dropped.open = true;
      card.focus();
    }
    const status = document.querySelector("#pipeline-board [role=status]");
    if (status && status.textContent.trim() && window.clausesFocus) window.clausesFocus.announce(status.textContent);
  };
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.id === "pipeline-board") focusMoved();
    else focusConfirm();
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-pipeline-cancel]");
    if (!link) return;
    event.preventDefault();
    cancelConfirm(link.closest("[data-pipeline-confirm]"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const panel = document.querySelector("[data-pipeline-confirm]");
    const focused = document.activeElement;
    if (!panel || (focused && focused !== document.body && !panel.contains(focused))) return;
    event.preventDefault();
    cancelConfirm(panel);
  });
})();
