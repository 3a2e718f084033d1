// The top bar's menu button (a phone, ≤ 700 px, shows only it and the brand): it opens and closes
// the panel of main links named by its aria-controls. Listeners sit on the document, so a top bar
// that htmx swapped in (boosted links replace the body) works without setting up again.
// The "管理" group is a <details>: a click elsewhere or Escape closes it.
(function () {
  "use strict";
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".nav-toggle");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
      return;
    }
    document.querySelectorAll("details.nav-group[open]").forEach(function (group) {
      if (!group.contains(event.target)) group.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.nav-group[open]").forEach(function (group) { group.open = false; });
    var button = document.querySelector(".nav-toggle[aria-expanded='true']");
    if (button) {
      setOpen(button, false);
      button.focus();
    }
  });
})();
