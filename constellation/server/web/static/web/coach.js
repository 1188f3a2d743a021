// Remembers which fields of a coached form were typed in, in its hidden `touched` input (forms
// marked `data-coach-touched`), so the live coach speaks only about those until the form is
// sent. Without scripts the coach speaks when the form is sent, as before.
(function () {
  "use strict";
  function mark(form, names) {
    if (!form || !form.hasAttribute("data-coach-touched")) return;
    var input = form.querySelector('input[name="touched"]');
    if (!input) return;
    var seen = input.value ? input.value.split(" ") : [];
    names.forEach(function (name) {
      if (name && name !== "touched" && seen.indexOf(name) === -1) seen.push(name);
    });
    input.value = seen.join(" ");
  }
  function note(event) {
    var field = event.target;
    if (field && field.form) mark(field.form, [field.name]);
  }
  // Captured, so the name is noted before htmx sends the form for this input.
  document.addEventListener("input", note, true);
  document.addEventListener("change", note, true);
  // Numbers read from the statement fill the measure fields: they count as typed.
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail && event.detail.elt;
    if (button && button.form && button.hasAttribute("data-coach-fills")) {
      mark(button.form, button.getAttribute("data-coach-fills").split(" "));
    }
  });
})();
