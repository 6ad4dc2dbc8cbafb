// E-mail files dropped on the journal (or chosen with its button) are uploaded at once.
// The form works without this script: choose the files, then "Upload".
(function () {
  "use strict";

  function formFor(target) {
    const section = target.closest && target.closest("#journal");
    return section ? section.querySelector("form[data-mail-drop]") : null;
  }

  document.addEventListener("change", function (event) {
    const input = event.target;
    if (input.matches && input.matches("input[data-submit-on-change]") && input.files.length) input.form.requestSubmit();
  });

  document.addEventListener("dragover", function (event) {
    const form = formFor(event.target);
    if (!form || !event.dataTransfer || !Array.from(event.dataTransfer.types).includes("Files")) return;
    event.preventDefault();
    form.closest("#journal").classList.add("is-dropping");
  });

  document.addEventListener("dragleave", function (event) {
    const section = event.target.closest && event.target.closest("#journal");
    if (section && !section.contains(event.relatedTarget)) section.classList.remove("is-dropping");
  });

  document.addEventListener("drop", function (event) {
    const form = formFor(event.target);
    if (!form || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    form.closest("#journal").classList.remove("is-dropping");
    const input = form.querySelector("input[type=file]");
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
})();
