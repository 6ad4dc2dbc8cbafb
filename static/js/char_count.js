// Near a text field's length limit, say how many characters are left (the name of an
// opportunity: new, detail). Delegated, so fields that htmx swaps in count too.
(function () {
  "use strict";

  function counterFor(field) {
    let counter = field.nextElementSibling;
    if (!counter || !counter.classList.contains("char-count")) {
      counter = document.createElement("span");
      counter.className = "field-help char-count";
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
    }
    return counter;
  }

  function update(field) {
    const limit = field.maxLength;
    if (!(limit >= 100) || field.type === "search") return;
    const left = limit - field.value.length;
    const near = left <= Math.max(20, Math.round(limit * 0.2));
    const existing = field.nextElementSibling;
    if (!near) {
      if (existing && existing.classList.contains("char-count")) existing.remove();
      return;
    }
    const template = document.body.dataset.charsLeftMessage || "{count} characters left";
    counterFor(field).textContent = template.replace("{count}", String(left));
  }

  ["input", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      const field = event.target;
      if (field.matches && field.matches("input[maxlength]:not([type=hidden]), textarea[maxlength]")) update(field);
    });
  });
})();
