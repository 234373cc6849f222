// Coding: code colours from data attributes (CSP forbids inline styles), and the mouse or
// keyboard selection of a passage turned into the start/end fields of the span form.
(function () {
  "use strict";

  function paint() {
    document.querySelectorAll("[data-colour]").forEach(function (el) {
      if (/^#[0-9a-fA-F]{6}$/.test(el.dataset.colour)) {
        el.style.setProperty("--code-colour", el.dataset.colour);
      }
    });
  }

  function offsetIn(node, offset) {
    var p = node.nodeType === 1 ? node : node.parentElement;
    p = p && p.closest(".paragraph-text");
    if (!p) return null;
    return parseInt(p.dataset.start, 10) + Math.min(offset, p.textContent.length);
  }

  function watchSelection() {
    var form = document.getElementById("span-form");
    if (!form) return;
    var start = form.querySelector("[name=start]");
    var end = form.querySelector("[name=end]");
    var preview = document.getElementById("selection-preview");
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      var range = sel.getRangeAt(0);
      var a = offsetIn(range.startContainer, range.startOffset);
      var b = offsetIn(range.endContainer, range.endOffset);
      if (a === null || b === null || b <= a) return;
      start.value = a;
      end.value = b;
      var text = sel.toString();
      preview.textContent = "« " + (text.length > 200 ? text.slice(0, 200) + "…" : text) + " »";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    paint();
    watchSelection();
  });
})();
