// Small progressive enhancements; every page works without this file.
// Loaded with the CSP nonce; no inline handlers, no eval, no inline styles.
(function () {
  "use strict";

  // Close open <details data-menu> menus on outside click and on Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
        menu.removeAttribute("open");
        const summary = menu.querySelector("summary");
        if (summary) summary.focus();
      });
    }
    // "/" jumps to the page's search box, as in most web apps.
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const active = document.activeElement;
      const typing = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
      const search = document.querySelector("[data-search-shortcut]");
      if (!typing && search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
  });

  // "Cancel" in an inline form: with JavaScript, remove the form instead of
  // following the link (which reloads the page for those without JavaScript).
  document.addEventListener("click", function (event) {
    const trigger = event.target.closest("[data-remove-closest]");
    if (!trigger) return;
    const target = trigger.closest(trigger.getAttribute("data-remove-closest"));
    if (target) {
      event.preventDefault();
      target.remove();
    }
  });

  // Enter in a search box inside a bigger form (the organization picker of "New
  // opportunity") searches there instead of submitting the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !window.htmx) return;
    const input = event.target.closest && event.target.closest("input[data-enter-searches]");
    if (!input) return;
    event.preventDefault();
    window.htmx.trigger(input, "search");
  });

  // Swapped-in content: focus the first field with an error, else honour
  // autofocus (browsers only do so on page load).
  document.addEventListener("htmx:load", function (event) {
    const root = event.detail.elt;
    if (!root || root === document.body || !root.querySelector) return;
    const focus = root.querySelector("[aria-invalid=true]") || root.querySelector("[autofocus]");
    if (focus) focus.focus();
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    const el = event.detail.target;
    if (el && el.querySelector) {
      const added = el.querySelectorAll(".is-new");
      const fresh = added[added.length - 1];
      if (fresh && fresh.scrollIntoView) fresh.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  });

  // htmx does not swap error responses; tell the person instead of doing nothing.
  function toast(message, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "toast" + (kind ? " toast-" + kind : "");
    item.setAttribute("role", "alert");
    item.textContent = message;
    box.appendChild(item);
    window.setTimeout(function () {
      item.remove();
    }, 6000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    const data = document.body.dataset;
    // 503: the database is unreachable (crm.views.server_error); say so and that retrying helps.
    const message = { 403: data.forbiddenMessage, 503: data.unavailableMessage }[status];
    toast(message || data.errorMessage, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast(document.body.dataset.networkMessage, "error");
  });

  // A session that expired mid-htmx-request answers with the login page:
  // load it as a page instead of inside a fragment.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr || !xhr.responseURL) return;
    const url = new URL(xhr.responseURL);
    if (/\/accounts\/login\/$/.test(url.pathname)) {
      event.detail.shouldSwap = false;
      url.searchParams.set("next", window.location.pathname + window.location.search);
      window.location.href = url.toString();
    }
  });
})();
