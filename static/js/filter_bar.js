// Filter bar (table and board): send and push only the parameters that are set.
// A form sends every field, so the URL read ?q=&phase=2&organization=&state=&…; an empty
// field means "no filter", so it is left out. Without JS the server redirects to the same
// short URL (opportunities.views.table.opportunity_list).
(function () {
  "use strict";
  if (window.crmFilterBar) return;
  window.crmFilterBar = true;

  document.addEventListener("htmx:configRequest", function (event) {
    const detail = event.detail;
    if (detail.verb !== "get" || !detail.elt.closest || !detail.elt.closest("#filter-form")) return;
    const data = detail.formData;
    Array.from(new Set(data.keys())).forEach(function (name) {
      const values = data.getAll(name);
      const kept = values.filter(function (value) { return value !== ""; });
      if (kept.length === values.length) return;
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
  });
})();
