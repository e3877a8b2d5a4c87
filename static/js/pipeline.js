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
})();
