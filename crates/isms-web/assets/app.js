// ISMS Workbench — small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form when changed (the button stays
  // for keyboard and no-JS users).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      if (sel.form && sel.value !== "") { sel.form.submit(); }
    });
  });
  // Forms marked data-confirm ask before they send.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // Buttons marked data-copy copy the text of the element they point at.
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var el = document.querySelector(btn.getAttribute("data-copy"));
      if (!el || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(el.textContent.trim()).then(function () {
        var old = btn.textContent; btn.textContent = "Copied";
        setTimeout(function () { btn.textContent = old; }, 1500);
      });
    });
  });
})();
// After saving a questionnaire answer the page opens at the next item (#item-…): put
// the keyboard focus on its first field so the person can carry straight on.
(function () {
  "use strict";
  var id = window.location.hash.slice(1);
  if (!id || id.indexOf("item-") !== 0) { return; }
  // After the browser has scrolled to the fragment (which resets focus to the page).
  window.addEventListener("load", function () {
    setTimeout(function () {
      var item = document.getElementById(id);
      var field = item && item.querySelector("select, input:not([type=hidden]), textarea");
      if (field) { field.focus(); }
    }, 0);
  });
})();

// In the gap questionnaire, the reason field only matters when "Not applicable" is ticked.
(function () {
  "use strict";
  document.querySelectorAll("input[name=not_applicable]").forEach(function (box) {
    var reason = box.form && box.form.querySelector("input[name=na_reason]");
    var holder = reason && reason.parentElement;
    if (!holder) { return; }
    var sync = function () { holder.hidden = !box.checked && reason.value === ""; };
    box.addEventListener("change", sync);
    sync();
  });
})();
