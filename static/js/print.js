// The printable documents (minutes, acceptance report): the 打印 button prints the page. A file
// of its own because these pages load no other script, and the CSP allows no inline handler.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) window.print();
});
