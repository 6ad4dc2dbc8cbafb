// Close open dropdown panels (<details class="dropdown">) on a click outside
// them or on Escape, like menus everywhere else. Without JS they toggle on click.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (details) {
      if (!except || !details.contains(except)) details.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeAll(event.target);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAll(null);
  });
})();
