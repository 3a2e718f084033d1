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
})();
