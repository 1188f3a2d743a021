// Warns before leaving a page with input typed into a form not yet saved: every form inside an
// element marked `data-warn-unsaved`. A form is clean again once it is submitted, or once htmx
// replaces it with the saved version.
(function () {
  "use strict";
  var dirty = new Set();
  function inside(target) {
    return target && target.closest && target.closest("[data-warn-unsaved] form");
  }
  document.addEventListener("input", function (event) {
    var form = inside(event.target);
    if (form) dirty.add(form);
  });
  document.addEventListener("change", function (event) {
    var form = inside(event.target);
    if (form) dirty.add(form);
  });
  document.addEventListener("submit", function (event) {
    dirty.delete(event.target);
  });
  document.addEventListener("htmx:afterSwap", function () {
    dirty.forEach(function (form) {
      if (!document.body.contains(form)) dirty.delete(form);
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.size === 0) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
