// Masking a passage by hand, progressive enhancement: a selection made in the answer is written
// into the « Passage à masquer » field (typing it works without JavaScript).
(function () {
  'use strict';
  var answer = document.getElementById('reponse');
  var field = document.getElementById('passage');
  if (!answer || !field) return;
  function take() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return;
    var range = sel.getRangeAt(0);
    if (!answer.contains(range.commonAncestorContainer)) return;
    var text = sel.toString();
    if (text.trim()) field.value = text;
  }
  answer.addEventListener('mouseup', take);
  answer.addEventListener('keyup', take);
  answer.addEventListener('touchend', function () { setTimeout(take, 0); });
})();
