// Drag and drop on the task board. Without this file the "Move" buttons on each card
// do the same through plain forms.
document.addEventListener("DOMContentLoaded", () => {
  const board = document.querySelector("[data-board][data-sortable]");
  if (!board || typeof Sortable === "undefined") return;
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";

  // A column may show only its last cards (older done tasks): data-offset says how many
  // are hidden above them, for the count and for the position sent to the server.
  const offset = (list) => Number(list.dataset.offset || 0);

  const refreshCounts = () => {
    board.querySelectorAll(".board-column").forEach((column) => {
      const count = column.querySelector(".column-count");
      const empty = column.querySelector(".column-empty");
      const list = column.querySelector(".card-list");
      const n = column.querySelectorAll(".task-card").length;
      if (count) count.textContent = String(n + (list ? offset(list) : 0));
      if (empty) empty.hidden = n > 0;
    });
  };

  const send = async (card, columnId, position) => {
    const body = new FormData();
    body.append("csrf_token", token);
    body.append("column_id", columnId);
    body.append("position", String(position));
    body.append("version", card.dataset.version);
    try {
      const response = await fetch(card.dataset.moveUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
      });
      if (!response.ok) {
        // 409: someone moved it meanwhile. Show the board as it is now.
        window.location.reload();
        return;
      }
      const data = await response.json();
      card.dataset.version = String(data.version);
      card.querySelectorAll('input[name="version"]').forEach((input) => {
        input.value = String(data.version);
      });
    } catch (error) {
      window.location.reload();
    }
  };

  board.querySelectorAll(".card-list[data-column-id]").forEach((list) => {
    Sortable.create(list, {
      group: "tasks",
      animation: 150,
      draggable: ".task-card",
      filter: "a, button, summary, input, select",
      preventOnFilter: false,
      delay: 200,
      delayOnTouchOnly: true,
      ghostClass: "task-card-ghost",
      chosenClass: "task-card-chosen",
      onEnd: (event) => {
        if (event.from === event.to && event.oldDraggableIndex === event.newDraggableIndex) return;
        refreshCounts();
        send(event.item, event.to.dataset.columnId, offset(event.to) + event.newDraggableIndex);
      },
    });
  });
});
