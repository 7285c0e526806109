// Highharm's one script: starts the GOV.UK Frontend components.
// Loaded as a module from our own host; no inline script anywhere (strict CSP).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

// Confirm buttons: <button data-confirm="Are you sure?">
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});
