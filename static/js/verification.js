// Manual execution checklist: keyboard shortcuts on the run page. The page works without it.
//   j / k  next / previous step (opens its scenario)     p  pass     f  fail
// After p or f the cursor moves on to the next step, so a tester can go through a checklist
// with two keys. The cursor survives htmx swapping the marked row.
(function () {
  "use strict";
  var currentId = null;

  function steps() {
    return Array.prototype.slice.call(document.querySelectorAll("#checklist li.step"));
  }

  function current() {
    return currentId ? document.getElementById(currentId) : null;
  }

  function focusStep(li) {
    var old = document.querySelector("#checklist li.step.kb-current");
    if (old) old.classList.remove("kb-current");
    if (!li) { currentId = null; return; }
    var details = li.closest("details");
    if (details && !details.open) details.open = true;
    li.classList.add("kb-current");
    currentId = li.id;
    li.scrollIntoView({ block: "nearest" });
  }

  function move(delta) {
    var all = steps();
    if (!all.length) return;
    var index = all.indexOf(current());
    var next = index < 0 ? (delta > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + delta));
    focusStep(all[next]);
  }

  function mark(status) {
    var li = current();
    if (!li) { move(1); li = current(); }
    if (!li) return;
    var button = li.querySelector("button[data-mark='" + status + "']");
    if (!button) return;
    var all = steps();
    var following = all[all.indexOf(li) + 1];
    button.click();
    if (following) { currentId = following.id; }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("checklist")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "p": mark("passed"); break;
      case "f": mark("failed"); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  // A click on a step row makes it the cursor (p / f then advance from there).
  document.addEventListener("click", function (event) {
    var li = event.target.closest && event.target.closest("#checklist li.step");
    if (li) focusStep(li);
  });

  // htmx replaced the marked row: put the cursor back on the row it belongs to.
  document.addEventListener("htmx:afterSettle", function () {
    var li = current();
    if (li) focusStep(li);
  });
})();
