// Focus that follows the work (issue 15 item 2), for every page:
//   - clausesFocus.announce(text): said by screen readers (a polite live region that stays in the page);
//     the messages of a page just loaded (« Heures … enregistrées », errors) are announced that way;
//   - after an htmx swap that removed the focused element, the focus goes to its counterpart in the new
//     content (same id, else same name), else to its [autofocus] or faulty field, else to the new content
//     itself (a result, read out, Tab going on from it), never to <body> (a page's own script may place
//     it first: this runs after);
//   - after a list's filters are applied (a page loaded by the filter form), the focus goes to the count
//     of results, which is announced.
(function () {
  "use strict";

  let region = null;
  function liveRegion() {
    if (!region) {
      region = document.createElement("div");
      region.id = "clauses-annonce";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.setAttribute("aria-atomic", "true");
      document.body.appendChild(region);
    }
    return region;
  }

  function announce(text) {
    const live = liveRegion();
    live.textContent = "";
    // A change the reader notices: emptied, then filled a moment later.
    window.setTimeout(function () {
      live.textContent = (text || "").replace(/\s+/g, " ").trim();
    }, 100);
  }

  function isFocusable(el) {
    return (
      el &&
      !el.disabled &&
      el.getAttribute("aria-hidden") !== "true" &&
      el.getClientRects().length > 0 &&
      getComputedStyle(el).visibility !== "hidden"
    );
  }

  const FIELDS =
    'input:not([type=hidden]):not([tabindex="-1"]), select:not([tabindex="-1"]), textarea, button, a[href], [tabindex="0"]';

  function firstField(root) {
    if (!root) return null;
    return Array.from(root.querySelectorAll(FIELDS)).find(isFocusable) || null;
  }

  function place(el) {
    if (!el) return false;
    if (!el.matches(FIELDS) && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    return document.activeElement === el;
  }

  function focusLost() {
    const active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  // --- htmx swaps ---------------------------------------------------------------------------------------
  let lost = null; // {id, name} of the focused element a swap is about to replace
  document.addEventListener("htmx:beforeSwap", function (event) {
    const active = document.activeElement;
    const target = event.detail.target;
    lost = null;
    if (active && active !== document.body && target && (target === active || target.contains(active))) {
      lost = { id: active.id, name: active.getAttribute("name") };
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    const was = lost;
    lost = null;
    if (!was) return;
    window.setTimeout(function () {
      if (!focusLost()) return;
      const content = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : event.detail.target;
      let next = was.id ? document.getElementById(was.id) : null;
      if (!isFocusable(next) && was.name && content) {
        next = content.querySelector('[name="' + CSS.escape(was.name) + '"]');
      }
      if (!isFocusable(next) && content) next = content.querySelector("[autofocus]");
      if (!isFocusable(next) && content) next = firstField(content.querySelector(".is-invalid")?.parentElement);
      if (isFocusable(next)) place(next);
      else if (content && content.isConnected) place(content); // a result: read, and Tab goes on from it
    }, 0);
  });

  // --- page load: messages and filtered lists -----------------------------------------------------------
  const FILTERED = "clauses-filtre";
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.matches && form.matches("form.filters")) {
      try {
        window.sessionStorage.setItem(FILTERED, window.location.pathname);
      } catch (e) {
        /* private mode: the focus simply stays at the top */
      }
    }
  });

  function onLoad() {
    const messages = document.querySelector("main .messages");
    const texts = [];
    if (messages && messages.textContent.trim()) texts.push(messages.textContent);
    let filtered = null;
    try {
      filtered = window.sessionStorage.getItem(FILTERED);
      window.sessionStorage.removeItem(FILTERED);
    } catch (e) {
      filtered = null;
    }
    const count = document.querySelector('[data-testid="result-count"]');
    if (filtered === window.location.pathname && count) {
      place(count);
      texts.push(count.textContent);
    }
    if (texts.length) announce(texts.join(" "));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onLoad);
  else onLoad();

  window.clausesFocus = { announce: announce, place: place, firstField: firstField, isFocusable: isFocusable };
})();
