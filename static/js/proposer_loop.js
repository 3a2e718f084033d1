// The requirement page's feedback drafts (templates/requirements/_proposer_loop.html): the copy
// button copies the drafted message, with the proposer status link put in where the message
// holds its placeholder when the link was just created on this page (#share-link-url).
(function () {
  "use strict";
  function messageText(area) {
    var text = area.value;
    var placeholder = area.getAttribute("data-link-placeholder");
    var link = document.getElementById("share-link-url");
    if (placeholder && link && link.value) text = text.split(placeholder).join(link.value);
    return text;
  }
  function report(button, ok) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) status.textContent = button.getAttribute(ok ? "data-copied" : "data-copy-failed") || "";
    button.setAttribute("data-copy-result", ok ? "copied" : "failed");
  }
  function fallbackCopy(area, text) {
    var previous = area.value;
    area.value = text;
    area.focus();
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.value = previous;
    return ok;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy-draft") : null;
    if (!button) return;
    var area = document.getElementById(button.getAttribute("data-copy-target"));
    if (!area) return;
    var text = messageText(area);
    button.setAttribute("data-copied-text", text);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { report(button, true); },
        function () { report(button, fallbackCopy(area, text)); });
    } else {
      report(button, fallbackCopy(area, text));
    }
  });
})();
