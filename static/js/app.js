// Small progressive enhancements on top of htmx. The pages work without this file.
(function () {
  "use strict";
  function toast(message) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.classList.add("show");
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.classList.remove("show"); }, 5000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var lang = document.documentElement.lang || "zh-CN";
    var zh = lang.indexOf("zh") === 0;
    if (xhr.status === 403) toast(zh ? "无权执行此操作。" : "Your role does not allow this action.");
    else if (xhr.status === 404) toast(zh ? "未找到该记录，或不在您的区划范围内。" : "Not found, or outside your region.");
    else if (xhr.status === 400) toast(zh ? "请求无效或页面已过期，请刷新后重试。" : "Bad request or expired page; reload and retry.");
    else toast((zh ? "出错了：" : "Error: ") + xhr.status);
  });
  document.addEventListener("htmx:sendError", function () {
    var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
    toast(zh ? "网络连接中断，请稍后重试。" : "Connection lost; try again.");
  });

  // List filters fold into "筛选" on a phone (the page closes them as it loads, see
  // macros/forms.html filter_more); on a wider screen they are open and the toggle is hidden.
  var narrow = window.matchMedia("(max-width: 719px)");
  function onNarrowChange() {
    if (narrow.matches) return;
    document.querySelectorAll("details.filter-more").forEach(function (d) { d.open = true; });
  }
  if (narrow.addEventListener) narrow.addEventListener("change", onNarrowChange);
  // closed on a phone as the page (or a block htmx swaps in) loads
  function foldFilters(root) {
    if (!narrow.matches || !root.querySelectorAll) return;
    root.querySelectorAll("details.filter-more").forEach(function (d) { d.open = false; });
  }
  foldFilters(document);
  document.addEventListener("htmx:load", function (event) {
    if (event.detail.elt !== document.body) foldFilters(event.detail.elt);
  });

  // Dates are typed and sent as yyyy-mm-dd (datetimes yyyy-mm-dd HH:MM) whatever the browser's
  // language: separators are added while typing digits, other common forms (2026/6/8,
  // 20260608, 2026年6月8日) are tidied on change, and a calendar button opens the browser's
  // own picker, whose value is ISO in every language. The server validates what is sent.
  function pad(n) { return n.length < 2 ? "0" + n : n; }
  function tidyDate(value, kind) {
    var v = value.trim().replace(/[年月/.]/g, "-").replace(/日/g, "").replace("T", " ");
    var m = /^(\d{4})-?(\d{1,2})-?(\d{1,2})(?:\s*(\d{1,2}):?(\d{2}))?$/.exec(v);
    if (!m || (kind !== "datetime" && m[4] !== undefined)) return value;
    var out = m[1] + "-" + pad(m[2]) + "-" + pad(m[3]);
    if (kind === "datetime" && m[4] !== undefined) out += " " + pad(m[4]) + ":" + m[5];
    return out;
  }
  function isDateInput(el) {
    return el && el.tagName === "INPUT" && el.dataset && el.dataset.date;
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!isDateInput(el) || !event.inputType || event.inputType.indexOf("insert") !== 0) return;
    if (el.selectionStart !== el.value.length) return; // editing in the middle: leave it
    var v = el.value.replace(/([-: ])[-: ]$/, "$1"); // a separator typed after the added one
    if (/^\d{4}$/.test(v) || /^\d{4}-\d{2}$/.test(v)) v += "-";
    else if (el.dataset.date === "datetime" && /^\d{4}-\d{2}-\d{2}$/.test(v)) v += " ";
    else if (el.dataset.date === "datetime" && /^\d{4}-\d{2}-\d{2} \d{2}$/.test(v)) v += ":";
    if (v !== el.value) el.value = v;
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (isDateInput(el)) {
      var tidy = tidyDate(el.value, el.dataset.date);
      if (tidy !== el.value) el.value = tidy;
    }
  }, true);

  var CALENDAR = '<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false"><rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor"/><path d="M1.5 6.5h13M5 1v3.5M11 1v3.5" stroke="currentColor" fill="none"/></svg>';
  function addPicker(input) {
    if (input.dataset.picker) return;
    input.dataset.picker = "true";
    var kind = input.dataset.date;
    var native = document.createElement("input");
    native.type = kind === "datetime" ? "datetime-local" : "date";
    if (native.type === "text" || typeof native.showPicker !== "function") return;
    native.className = "date-native";
    native.tabIndex = -1;
    native.setAttribute("aria-hidden", "true");
    var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "date-pick";
    button.innerHTML = CALENDAR;
    button.title = zh ? "从日历选择" : "Choose from a calendar";
    button.setAttribute("aria-label", button.title);
    button.addEventListener("click", function () {
      native.value = tidyDate(input.value, kind).replace(" ", "T");
      try { native.showPicker(); } catch (e) { input.focus(); }
    });
    native.addEventListener("change", function () {
      if (!native.value) return;
      input.value = native.value.replace("T", " ").slice(0, kind === "datetime" ? 16 : 10);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.parentNode.appendChild(button);
    input.parentNode.appendChild(native);
  }
  function addPickers(root) {
    if (!root || !root.querySelectorAll) return;
    if (isDateInput(root)) addPicker(root);
    root.querySelectorAll("input[data-date]").forEach(addPicker);
  }
  document.addEventListener("DOMContentLoaded", function () { addPickers(document); });
  document.addEventListener("htmx:load", function (event) { addPickers(event.detail.elt); });
})();
