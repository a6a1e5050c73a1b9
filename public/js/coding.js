// Coding screen keyboard (progressive enhancement: the page is a plain form without it).
// 1-9 toggle the themes, 0 « non codable », Enter saves and goes on, → skips, ← goes back.
(function () {
  var form = document.getElementById('coder-form');
  if (!form) return;
  function typing(el) {
    return el && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName) || (el.tagName === 'INPUT' && !/^(checkbox|radio|submit|button)$/.test(el.type)));
  }
  function submit(action) {
    var button = form.querySelector('button[name="action"][value="' + action + '"]');
    if (!button) return;
    if (form.requestSubmit) form.requestSubmit(button);
    else button.click();
  }
  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
    if (/^[0-9]$/.test(e.key)) {
      var box = form.querySelector('input[data-key="' + e.key + '"]');
      if (!box) return;
      e.preventDefault();
      box.checked = !box.checked;
      // « Non codable » and themes exclude each other.
      if (box.name === 'non_codable' && box.checked) form.querySelectorAll('input[name="theme"]').forEach(function (b) { b.checked = false; });
      if (box.name === 'theme' && box.checked) { var u = form.querySelector('input[name="non_codable"]'); if (u) u.checked = false; }
    } else if (e.key === 'Enter') {
      // Enter on a link or a button keeps its own meaning.
      if (e.target && /^(A|BUTTON)$/.test(e.target.tagName)) return;
      e.preventDefault();
      submit('save');
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      submit('skip');
    } else if (e.key === 'ArrowLeft') {
      var back = form.querySelector('[data-action="previous"]');
      if (back) { e.preventDefault(); window.location.href = back.href; }
    }
  });
  form.addEventListener('change', function (e) {
    var t = e.target;
    if (t.name === 'non_codable' && t.checked) form.querySelectorAll('input[name="theme"]').forEach(function (b) { b.checked = false; });
    if (t.name === 'theme' && t.checked) { var u = form.querySelector('input[name="non_codable"]'); if (u) u.checked = false; }
  });
})();
