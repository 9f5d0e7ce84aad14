// Review queue keys: j / k move between articles, c confirms the focused article's first
// suggestion, x rejects it, a jumps to "attach to another event", u opens "add an update".
// Progressive enhancement only: every action is a real button or link without this file.
(function () {
  "use strict";
  var keys = { c: "button.confirm", x: "button.reject", a: "input[data-key='a']", u: "a[data-key='u']" };

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".review-row")); }

  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".review-row") : null;
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = all[Math.min(all.length - 1, Math.max(0, index < 0 ? 0 : index + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    if (event.key === "j") { move(1); event.preventDefault(); return; }
    if (event.key === "k") { move(-1); event.preventDefault(); return; }
    var selector = keys[event.key];
    var row = current();
    if (!selector || !row) { return; }
    var control = row.querySelector(selector);
    if (!control) { return; }
    event.preventDefault();
    if (control.tagName === "INPUT") { control.focus(); } else { control.click(); }
  });

  // After htmx redraws a row, keep the keyboard where it was.
  var lastRowId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.target.closest && event.target.closest(".review-row");
    lastRowId = row ? row.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastRowId) { return; }
    var row = document.getElementById(lastRowId);
    if (row) { row.focus(); }
    lastRowId = null;
  });
})();
