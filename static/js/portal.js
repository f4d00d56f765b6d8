/*
 * HIT Portal page behaviour. The Content-Security-Policy forbids inline scripts and on* attributes,
 * so everything a page needs is here, switched on by markup:
 *
 *   #error-summary                    focused on load, so screen readers announce the problems
 *   data-confirm="Question?"          on a submit button, form or link: ask before going ahead
 *   data-show-when-field="name"       on a wrapper inside a form: show it (and enable its controls)
 *   data-show-when-value="a b"        only while the form's control "name" has one of these values
 *   .table-responsive                 while its table is wider than the screen: a named region keyboard
 *                                     users can tab to and scroll with the arrow keys
 *
 * Every page works without it; this only adds polish. For htmx-driven elements use hx-confirm.
 */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  // A link in the error summary jumps to its field. Browsers scroll the field to the very top,
  // hiding its label, so bring the label into view and then focus the field.
  function onErrorSummaryClick(event) {
    var link = event.target.closest("#error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']") ||
      field.closest("fieldset");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  }

  function confirmMessage(element) {
    return element ? element.getAttribute("data-confirm") : null;
  }

  function onSubmit(event) {
    var message = confirmMessage(event.submitter) || confirmMessage(event.target);
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }

  function onLinkClick(event) {
    var link = event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }

  // Conditional fields. Hidden controls are also disabled, so a value chosen before the user changed
  // their mind is not submitted (e.g. "merged into" after switching away from "merged").
  function updateConditionalFields(form) {
    var wrappers = form.querySelectorAll("[data-show-when-field]");
    wrappers.forEach(function (wrapper) {
      var control = form.elements.namedItem(wrapper.getAttribute("data-show-when-field"));
      var wanted = (wrapper.getAttribute("data-show-when-value") || "").split(" ");
      var show = control !== null && wanted.indexOf(control.value) !== -1;
      wrapper.hidden = !show;
      wrapper.querySelectorAll("input, select, textarea, button").forEach(function (element) {
        element.disabled = !show;
      });
    });
  }

  function initConditionalFields(root) {
    var forms = new Set();
    var form = root.closest ? root.closest("form") : null;
    if (form) {
      forms.add(form); // the swapped-in element may itself sit inside a form with conditional fields
    }
    root.querySelectorAll("[data-show-when-field]").forEach(function (wrapper) {
      var owner = wrapper.closest("form");
      if (owner) {
        forms.add(owner);
      }
    });
    forms.forEach(updateConditionalFields);
  }

  // A table wider than the screen scrolls sideways inside its .table-responsive box. Keyboard users
  // must be able to reach that box to scroll it (WCAG 2.1.1), and screen readers hear it named after
  // the table's caption. Only boxes that really scroll become tab stops; a resize re-checks.
  function markScrollingTables(root) {
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
        box.setAttribute("data-scroll-region", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  function onChange(event) {
    var form = event.target.form;
    if (form && form.querySelector("[data-show-when-field]")) {
      updateConditionalFields(form);
    }
  }

  document.addEventListener("click", onErrorSummaryClick);
  document.addEventListener("click", onLinkClick);
  document.addEventListener("submit", onSubmit);
  document.addEventListener("change", onChange);

  // A directory search refused for going too fast answers 429 with only the status line under the
  // search box (and HX-Reswap: none, so the list stays); htmx drops error answers unless told.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr.status === 429 && detail.elt.closest && detail.elt.closest(".directory-lookup")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  // Content that htmx swaps in gets the same treatment as the first page load.
  document.addEventListener("htmx:load", function (event) {
    initConditionalFields(event.detail.elt);
    markScrollingTables(document);
  });
  window.addEventListener("resize", function () {
    markScrollingTables(document);
  });

  function onReady() {
    initConditionalFields(document);
    markScrollingTables(document);
    focusErrorSummary();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
