// Progressive enhancement only: every page works without this file.
// - questions that depend on another answer of the same page appear and disappear live;
// - "Autre (précise)" fields show only when their option is chosen;
// - an exclusive option such as « Rien » unticks the others (and the reverse);
// - a character count under free-text fields;
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
  });

  // Character counts.
  var limited = form.querySelectorAll('[data-maxlength]');
  for (var j = 0; j < limited.length; j++) {
    (function (field) {
      var max = Number(field.getAttribute('data-maxlength'));
      var p = document.createElement('p');
      p.className = 'char-count';
      p.setAttribute('aria-live', 'polite');
      field.parentNode.insertBefore(p, field.nextSibling);
      function update() {
        var n = Array.from(field.value).length;
        var left = max - n;
        p.textContent = left >= 0 ? 'Il te reste ' + left + ' caractère' + (left > 1 ? 's' : '') + '.'
          : 'Tu as ' + (-left) + ' caractère' + (-left > 1 ? 's' : '') + ' en trop.';
        p.classList.toggle('over', left < 0);
      }
      field.addEventListener('input', update);
      update();
    })(limited[j]);
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

  // After a failed submit, take the focus to the list of problems so it is read out first.
  var summary = document.getElementById('erreurs');
  if (summary) summary.focus();
})();
