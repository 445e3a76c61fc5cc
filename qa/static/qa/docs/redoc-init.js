// Starts Redoc on the schema URL the page names (kept out of the page: no inline scripts under the CSP).
const container = document.getElementById("redoc-container");
Redoc.init(container.dataset.schemaUrl, {}, container);
