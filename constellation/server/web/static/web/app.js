// Small comforts on top of pages that work without scripts.
(function () {
  "use strict";
  // A select marked `data-submit-on-change` acts at once (its button is in <noscript>).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-submit-on-change]") && select.form) {
      select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    }
  });
  // A "Print" button prints the page (a handler here: the pages run no inline script).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("button[data-print]")) window.print();
  });
  // An open account menu closes on a click elsewhere or on Escape, as menus do.
  function closeMenus(except) {
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.account-menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.account-menu[open]");
    if (open) {
      closeMenus(null);
      open.querySelector("summary").focus();
    }
  });
})();
