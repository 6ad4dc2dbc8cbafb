// Pipeline board: drag a card to another column with pointer events (mouse,
// touch and pen alike), then POST the move through htmx. The server decides:
// on success it removes the card here and inserts it in the new column, with
// fresh column figures (out-of-band swaps); on a conflict it returns the fresh
// card with a message. A refused move (403, 5xx, no network) swaps nothing: the
// card stays where it was and app.js shows the message. Only cards the user may
// move carry data-move-url and can be dragged. Without JavaScript every card
// has a "Move to…" form.
(function () {
  "use strict";

  const THRESHOLD = 6; // pixels before a press becomes a drag (clicks stay clicks)
  let drag = null;

  // The column under the pointer: the whole column counts, its head and the
  // empty space of a collapsed column included, wherever the board is scrolled.
  function columnAt(x, y) {
    const element = document.elementFromPoint(x, y);
    const column = element ? element.closest("[data-drop-column]") : null;
    if (column) return column;
    const scroller = document.querySelector(".board-scroll");
    if (!scroller) return null;
    const area = scroller.getBoundingClientRect();
    if (y < area.top || y > area.bottom) return null;
    const columns = scroller.querySelectorAll("[data-drop-column]");
    for (let i = 0; i < columns.length; i++) {
      const box = columns[i].getBoundingClientRect();
      if (x >= box.left && x <= box.right) return columns[i];
    }
    return null;
  }

  function clearTargets() {
    document.querySelectorAll(".is-drop-target").forEach(function (el) {
      el.classList.remove("is-drop-target");
    });
  }

  function autoScroll(x) {
    const scroller = document.querySelector(".board-scroll");
    if (!scroller) return;
    const box = scroller.getBoundingClientRect();
    if (x > box.right - 60) scroller.scrollLeft += 18;
    else if (x < box.left + 60) scroller.scrollLeft -= 18;
  }

  document.addEventListener("pointerdown", function (event) {
    const card = event.target.closest(".board-card[data-move-url]");
    if (!card || event.button !== 0) return;
    if (event.target.closest("a, button, select, input, textarea, summary, details[open]")) return;
    drag = { card: card, startX: event.clientX, startY: event.clientY, ghost: null, pointerId: event.pointerId };
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!drag.ghost) {
      if (Math.abs(dx) + Math.abs(dy) < THRESHOLD) return;
      const box = drag.card.getBoundingClientRect();
      drag.ghost = drag.card.cloneNode(true);
      drag.ghost.removeAttribute("id");
      drag.ghost.classList.add("drag-ghost");
      drag.ghost.style.width = box.width + "px";
      drag.offsetX = drag.startX - box.left;
      drag.offsetY = drag.startY - box.top;
      document.body.appendChild(drag.ghost);
      drag.card.classList.add("is-dragging");
      document.body.classList.add("is-dragging-card");
    }
    event.preventDefault();
    drag.ghost.style.transform =
      "translate(" + (event.clientX - drag.offsetX) + "px," + (event.clientY - drag.offsetY) + "px) rotate(1.5deg)";
    clearTargets();
    const column = columnAt(event.clientX, event.clientY);
    if (column && column.dataset.dropColumn !== drag.card.dataset.column) column.classList.add("is-drop-target");
    autoScroll(event.clientX);
  });

  function endDrag(event, cancelled) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const current = drag;
    drag = null;
    clearTargets();
    document.body.classList.remove("is-dragging-card");
    if (!current.ghost) return; // a click, not a drag
    current.ghost.remove();
    current.card.classList.remove("is-dragging");
    if (cancelled) return;
    const column = columnAt(event.clientX, event.clientY);
    if (!column || column.dataset.dropColumn === current.card.dataset.column) return;
    move(current.card, column.dataset.dropColumn);
  }

  document.addEventListener("pointerup", function (event) { endDrag(event, false); });
  document.addEventListener("pointercancel", function (event) { endDrag(event, true); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && drag) {
      endDrag({ pointerId: drag.pointerId }, true);
    }
  });

  function move(card, to) {
    const board = document.getElementById("board");
    card.classList.add("is-moving");
    // The card is the source: its own request, and htmx:responseError /
    // htmx:sendError (app.js) report a refusal; the response handling in
    // base.html swaps nothing for those, so the board stays as it was.
    htmx
      .ajax("POST", card.dataset.moveUrl, {
        source: card,
        target: card,
        swap: "outerHTML",
        values: {
          group: board.dataset.group,
          to: to,
          version: card.dataset.version,
          board_query: board.dataset.boardQuery,
        },
      })
      .catch(function () {})
      .finally(function () {
        card.classList.remove("is-moving");
      });
  }

  // Touch: stop the page from scrolling while a card is dragged.
  document.addEventListener(
    "touchmove",
    function (event) {
      if (drag && drag.ghost) event.preventDefault();
    },
    { passive: false }
  );

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      const dialog = event.target.closest("dialog");
      if (dialog) dialog.remove();
    }
  });
})();
