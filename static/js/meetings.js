// Live minutes on the meeting page: no lost text. The page works without this file.
//  - an autosaved textarea (.autosave) is "dirty" from a keystroke until the server has saved
//    exactly that text; leaving the page while one is dirty asks first (beforeunload);
//  - a save that failed for the network or the server (not a 4xx answer: those say why in the
//    marker) is retried when the browser is back online, and every 15 s meanwhile;
//  - the server's "meeting-locked" trigger (the minutes were finalised meanwhile) shows a toast.
(function () {
  "use strict";
  if (window.meetingsMinutes) return; // loaded again by a boosted navigation
  window.meetingsMinutes = true;

  // a canned reason, once chosen, is copied into the reason field (still editable)
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills]") || !select.value) return;
    var field = select.form && select.form.elements[select.getAttribute("data-fills")];
    if (field) field.value = select.value;
  });

  var RETRY_MS = 15000;
  var retryTimer = null;

  function autosaves() {
    return Array.prototype.slice.call(document.querySelectorAll("textarea.autosave"));
  }

  function isAutosave(el) {
    return el && el.classList && el.classList.contains("autosave");
  }

  function toast(message) {
    var box = document.getElementById("toast");
    if (!box || !message) return;
    box.textContent = message;
    box.classList.add("show");
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.classList.remove("show"); }, 6000);
  }

  function markFailed(el) {
    el.dataset.failed = "true";
    var marker = document.getElementById(el.dataset.savedMarker);
    if (marker) {
      marker.dataset.state = "error";
      marker.classList.add("error");
      marker.textContent = el.dataset.unsaved || "Not saved";
    }
    scheduleRetry();
  }

  function retry() {
    retryTimer = null;
    if (!window.htmx) return;
    autosaves().forEach(function (el) {
      if (el.dataset.failed === "true") window.htmx.trigger(el, "meeting-retry");
    });
  }

  function scheduleRetry() {
    if (retryTimer === null) retryTimer = setTimeout(retry, RETRY_MS);
  }

  document.addEventListener("input", function (event) {
    if (isAutosave(event.target)) event.target.dataset.dirty = "true";
  });

  // remember which text each request carries
  document.addEventListener("htmx:configRequest", function (event) {
    var el = event.detail.elt;
    if (isAutosave(el)) el._sending = el.value;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.detail.elt;
    if (!isAutosave(el)) return;
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 200 && xhr.status < 300) {
      delete el.dataset.failed;
      if (el.value === el._sending) delete el.dataset.dirty;
    } else if (!xhr || xhr.status === 0 || xhr.status >= 500) {
      markFailed(el); // network or server trouble: keep the text, try again
    } else {
      // 4xx: the marker says why (e.g. finalised); retrying will not help, the text stays unsaved
      delete el.dataset.failed;
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (isAutosave(event.detail.elt)) markFailed(event.detail.elt);
  });

  window.addEventListener("online", retry);

  window.addEventListener("beforeunload", function (event) {
    var unsaved = autosaves().some(function (el) { return el.dataset.dirty === "true"; });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
      return "";
    }
  });

  document.addEventListener("meeting-locked", function (event) {
    toast(event.detail && event.detail.message);
  });
})();
