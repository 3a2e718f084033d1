// Manual execution checklist: keyboard shortcuts on the run page. The page works without it.
//   j / k  next / previous step (opens its scenario)     p  pass     f  fail
// After p or f the cursor moves on to the next step, so a tester can go through a checklist
// with two keys. The cursor survives htmx swapping the marked row. The page lists scenario
// heads only: the cursor opens a scenario (htmx loads its steps) and, past the last one, asks
// for the next page (the "more" link), then goes on there; before the first one of a page
// opened past the first, it asks for the earlier page (the "earlier" link).
// A page opened at a scenario (?scenario=<id>, e.g. from the history matrix) has it open: it is
// scrolled into view and j / k start from it.
(function () {
  "use strict";
  var currentId = null;
  // the scenario the page was opened at (?scenario=): where j / k start when no step is current
  var startId = null;
  // Where the cursor goes once htmx has loaded it: a scenario opened for its steps
  // ({id, which: "first" | "last"}) or the next page of scenarios ({after, which: "first"}).
  var pending = null;

  function scenarios() {
    return Array.prototype.slice.call(document.querySelectorAll("#checklist details.scenario"));
  }

  function stepsOf(details) {
    return Array.prototype.slice.call(details.querySelectorAll("li.step"));
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

  // Put the cursor on the first or last step of a scenario; a scenario whose steps are not
  // loaded yet is opened (htmx loads it) and the cursor lands there when it arrives.
  function enter(details, which) {
    if (details.dataset.lazy) {
      pending = { id: details.id, which: which };
      // load it directly: a scenario that has just arrived with the next page may not be
      // wired up by htmx yet, so opening it (its `toggle` trigger) could go unheard
      if (!details.dataset.requested) {
        details.dataset.requested = "true";
        window.htmx.ajax("GET", details.getAttribute("hx-get"), { target: details, swap: "outerHTML" });
      }
      return;
    }
    var list = stepsOf(details);
    if (!list.length) return;
    focusStep(which === "last" ? list[list.length - 1] : list[0]);
  }

  // The scenario after (delta 1) or before (-1) `details`; past the last one on the page,
  // the next page is asked for and the cursor enters its first scenario when it arrives.
  function neighbour(details, delta, which) {
    var all = scenarios();
    var next = all[all.indexOf(details) + delta];
    if (next) { enter(next, which); return true; }
    var more = document.getElementById("checklist-more");
    if (delta > 0 && more) {
      pending = { after: details.id, which: which };
      window.htmx.trigger(more, "click");
      return true;
    }
    var earlier = document.getElementById("checklist-earlier");
    if (delta < 0 && earlier) {
      pending = { before: details.id, which: which };
      window.htmx.trigger(earlier, "click");
      return true;
    }
    return false;
  }

  function move(delta) {
    if (pending && pending.id) {
      // the cursor is on its way into a scenario still loading: moving back out of it goes on
      // from that scenario; moving further in waits for it
      var waiting = document.getElementById(pending.id);
      if (waiting && (delta < 0) === (pending.which === "first")) {
        pending = null;
        neighbour(waiting, delta, delta > 0 ? "first" : "last");
      }
      return;
    }
    if (pending) return;
    var li = current();
    var start = !li && startId ? document.getElementById(startId) : null;
    if (start) {
      startId = null;
      enter(start, delta > 0 ? "first" : "last");
      return;
    }
    if (!li) {
      var all = scenarios();
      if (all.length) enter(delta > 0 ? all[0] : all[all.length - 1], delta > 0 ? "first" : "last");
      return;
    }
    var details = li.closest("details.scenario");
    var list = stepsOf(details);
    var index = list.indexOf(li);
    if (index + delta >= 0 && index + delta < list.length) { focusStep(list[index + delta]); return; }
    neighbour(details, delta, delta > 0 ? "first" : "last");
  }

  function mark(status) {
    var li = current();
    if (!li) { move(1); li = current(); }
    if (!li) return;
    var button = li.querySelector("button[data-mark='" + status + "']");
    if (!button) return;
    var details = li.closest("details.scenario");
    var list = stepsOf(details);
    var following = list[list.indexOf(li) + 1];
    button.click();
    // the cursor moves on: to the next step, or into the next scenario (loaded if need be)
    if (following) { currentId = following.id; } else { neighbour(details, 1, "first"); }
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
    if (li) { pending = null; focusStep(li); }
  });

  // htmx swapped something in: a scenario or a page the cursor was waiting for, or the
  // marked row (put the cursor back on the row it belongs to). The next page replaces the
  // "more" link (outerHTML), whose own settle event fires on the detached link, so new content
  // is also caught by htmx:load (fired on each element htmx adds to the page).
  function resume() {
    if (pending && pending.id) {
      var details = document.getElementById(pending.id);
      if (!details) { pending = null; return; }
      if (details.dataset.lazy) return;
      var which = pending.which;
      pending = null;
      enter(details, which);
      return;
    }
    if (pending && pending.before) {
      var below = document.getElementById(pending.before);
      var heads = scenarios();
      var previous = below ? heads[heads.indexOf(below) - 1] : null;
      if (!previous && document.getElementById("checklist-earlier")) return; // not arrived yet
      var back = pending.which;
      pending = null;
      if (previous) enter(previous, back);
      return;
    }
    if (pending && pending.after) {
      var anchor = document.getElementById(pending.after);
      var all = scenarios();
      var next = anchor ? all[all.indexOf(anchor) + 1] : null;
      if (!next && document.getElementById("checklist-more")) return; // not arrived yet
      var into = pending.which;
      pending = null;
      if (next) enter(next, into);
      return;
    }
    var li = current();
    if (li) focusStep(li);
  }
  document.addEventListener("htmx:afterSettle", resume);
  document.addEventListener("htmx:load", resume);

  // The page opened at a scenario: bring it into view (once: the mark is taken off), whether the
  // page was loaded or swapped in by a boosted link, and let j / k start from it.
  function openAt() {
    var checklist = document.getElementById("checklist");
    var id = checklist && checklist.dataset.openScenario;
    if (!id) return;
    delete checklist.dataset.openScenario;
    var details = document.getElementById("sc-" + id);
    if (!details) return;
    if (!details.open) details.open = true;
    startId = details.id;
    currentId = null;
    details.scrollIntoView({ block: "start" });
    var summary = details.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openAt);
  } else {
    openAt();
  }
  document.addEventListener("htmx:load", openAt);
  document.addEventListener("htmx:afterSettle", openAt);
})();
