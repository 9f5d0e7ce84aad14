// Selecting words in the article text fills the quote field and the hidden span inputs with
// the selection's character offsets in the article text (code points, as the server counts).
// Without this file the editor pastes the quote and the server finds its span.
(function () {
  "use strict";
  var source = document.getElementById("article-text");
  var quote = document.getElementById("id_quote");
  var start = document.getElementById("id_span_start");
  var end = document.getElementById("id_span_end");
  var status = document.getElementById("quote-status");
  if (!source || !quote || !start || !end) { return; }

  function codePoints(text) { return Array.from(text).length; }

  function offsetIn(node, offset) {
    // Characters (UTF-16 units) of the article text before (node, offset).
    var range = document.createRange();
    range.selectNodeContents(source);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function take() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!source.contains(range.startContainer) || !source.contains(range.endContainer)) { return; }
    var text = source.textContent;
    var from = offsetIn(range.startContainer, range.startOffset);
    var to = offsetIn(range.endContainer, range.endOffset);
    // Leading and trailing white space is not part of a quote.
    while (from < to && /\s/.test(text.charAt(from))) { from += 1; }
    while (to > from && /\s/.test(text.charAt(to - 1))) { to -= 1; }
    if (from >= to) { return; }
    quote.value = text.slice(from, to);
    start.value = String(codePoints(text.slice(0, from)));
    end.value = String(codePoints(text.slice(0, to)));
    if (status) {
      status.textContent = status.dataset.template
        ? status.dataset.template.replace("%s", start.value).replace("%s", end.value)
        : "Quote taken from characters " + start.value + "–" + end.value + ".";
    }
  }

  source.addEventListener("mouseup", take);
  source.addEventListener("keyup", take);
  source.addEventListener("touchend", take);
  // A quote typed by hand has no known span: the server locates it.
  quote.addEventListener("input", function () {
    start.value = "";
    end.value = "";
    if (status) { status.textContent = ""; }
  });
})();
