// Progressive enhancement only: every page works without this file.
// - questions that depend on another answer of the same page appear and disappear live;
// - "Autre (précise)" fields show only when their option is chosen;
// - an exclusive option such as « Rien » unticks the others (and the reverse);
// - a live character count in the length hint of free-text fields;
// - a « 3 choix au maximum » question stops at 3 while ticking;
// - the commune datalist is completed with communes from all of France as you type.
(function () {
  'use strict';
  var form = document.querySelector('form.survey-form');
  if (!form) return;

  function chosenValues(name) {
    var out = [];
    var fields = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if ((f.type === 'radio' || f.type === 'checkbox') ? f.checked : f.value) out.push(f.value);
    }
    return out;
  }

  function refreshConditions() {
    var blocks = form.querySelectorAll('[data-show-if]');
    for (var i = 0; i < blocks.length; i++) {
      var b = blocks[i];
      var wanted = b.getAttribute('data-show-values').split(' ');
      var have = chosenValues(b.getAttribute('data-show-if'));
      var show = have.some(function (v) { return wanted.indexOf(v) !== -1; });
      b.classList.toggle('is-hidden', !show);
      var hint = b.querySelector('.hint.condition');
      if (hint) hint.hidden = true;
    }
  }

  function refreshOthers() {
    var others = form.querySelectorAll('[data-other-of]');
    for (var i = 0; i < others.length; i++) {
      var box = document.getElementById(others[i].getAttribute('data-other-of'));
      var input = others[i].querySelector('input');
      var show = box.checked || (input && input.value !== '' && others[i].querySelector('.field-error'));
      others[i].classList.toggle('is-hidden', !show);
    }
  }

  form.addEventListener('change', function (e) {
    var t = e.target;
    if (t.type === 'checkbox' && t.checked) {
      var group = form.querySelectorAll('input[type="checkbox"][name="' + t.name + '"]');
      for (var i = 0; i < group.length; i++) {
        var g = group[i];
        if (g === t) continue;
        if (t.hasAttribute('data-exclusive') || g.hasAttribute('data-exclusive')) g.checked = false;
      }
    }
    refreshConditions();
    refreshOthers();
    refreshCaps();
  });

  // Character counts: the length hint becomes one live phrase, numbers written the French way.
  var fmt = window.Intl ? new Intl.NumberFormat('fr-FR') : { format: String };
  var limited = form.querySelectorAll('[data-maxlength]');
  for (var j = 0; j < limited.length; j++) {
    (function (field) {
      var max = Number(field.getAttribute('data-maxlength'));
      var p = document.getElementById(field.id + '-longueur');
      if (!p || !p.getAttribute('data-left')) return;
      p.setAttribute('aria-live', 'polite');
      p.classList.add('char-count');
      function update() {
        var left = max - Array.from(field.value).length;
        var tpl = p.getAttribute(left >= 0 ? 'data-left' : 'data-over');
        p.textContent = tpl.replace('{n}', fmt.format(Math.abs(left)));
        p.classList.toggle('over', left < 0);
      }
      field.addEventListener('input', update);
      update();
    })(limited[j]);
  }

  // « 3 choix au maximum »: once the limit is ticked, the other boxes are disabled and a live
  // hint says why. The server still checks the limit (a page without JavaScript may send more).
  var capped = form.querySelectorAll('[data-max]');
  function refreshCaps() {
    for (var k = 0; k < capped.length; k++) {
      var box = capped[k];
      var max = Number(box.getAttribute('data-max'));
      var inputs = box.querySelectorAll('input[type="checkbox"]');
      var ticked = 0;
      for (var m = 0; m < inputs.length; m++) if (inputs[m].checked) ticked++;
      var full = ticked >= max;
      for (var m2 = 0; m2 < inputs.length; m2++) {
        // An exclusive option (« Rien ») stays available: ticking it unticks the others.
        if (!inputs[m2].checked && !inputs[m2].hasAttribute('data-exclusive')) inputs[m2].disabled = full;
      }
      var hint = box.querySelector('.max-hint');
      if (!hint) {
        hint = document.createElement('p');
        hint.className = 'max-hint';
        hint.setAttribute('aria-live', 'polite');
        box.appendChild(hint);
      }
      hint.textContent = full ? box.getAttribute('data-max-reached') : '';
    }
  }

  // Commune autocomplete: adds matches from all of France to the datalist.
  var commune = form.querySelector('input[data-commune]');
  if (commune && window.fetch) {
    var list = document.getElementById(commune.getAttribute('list'));
    var timer = null;
    var base = list ? list.innerHTML : '';
    commune.addEventListener('input', function () {
      clearTimeout(timer);
      var q = commune.value.trim();
      if (q.length < 2 || !list) return;
      timer = setTimeout(function () {
        fetch('/api/communes?q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.innerHTML = base;
            items.forEach(function (c) {
              var o = document.createElement('option');
              o.value = c.nom;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }

  refreshConditions();
  refreshOthers();
  refreshCaps();

  // After a failed submit, take the focus to the list of problems so it is read out first.
  var summary = document.getElementById('erreurs');
  if (summary) summary.focus();
})();
