// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Close an open dropdown when another one opens or when clicking elsewhere.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.dropdown[open]").forEach((el) => {
      if (!el.contains(event.target)) el.removeAttribute("open");
    });
  });
  // Ask before collective or destructive actions marked with data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
