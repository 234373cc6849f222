// Starts the vendored Swagger UI on the API reference page (no inline script: CSP).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // Try-it-out sends the bearer token typed in "Authorize"; it is never stored.
    persistAuthorization: false,
  });
});
