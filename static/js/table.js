// Opportunity table: select-all, collapsible groups, column order arrows.
// Everything here is an enhancement; the page works without it.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    const all = event.target.closest("[data-select-all]");
    if (!all) return;
    document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-group-toggle]");
    if (toggle) {
      const expanded = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!expanded));
      document.querySelectorAll('[data-group-row="' + CSS.escape(toggle.dataset.groupToggle) + '"]').forEach(function (row) {
        row.hidden = expanded;
      });
      return;
    }
    const move = event.target.closest("[data-move]");
    if (move) {
      const item = move.closest("li");
      if (move.dataset.move === "up" && item.previousElementSibling) {
        item.parentNode.insertBefore(item, item.previousElementSibling);
      } else if (move.dataset.move === "down" && item.nextElementSibling) {
        item.parentNode.insertBefore(item.nextElementSibling, item);
      }
      move.focus();
    }
  });
})();
