// Projector, progressive enhancement: on each live update the screen's content is fetched again
// from the server (one rendering, the same as without JavaScript) and swapped in; the word cloud is
// then laid out with d3-cloud (served by the app) through wordcloud.js, shared with the survey's cloud. The list of words stays in the page as text.
(function () {
  'use strict';
  var screen = document.querySelector('.ws-screen[data-stream]');
  if (!screen) return;
  var offline = screen.querySelector('.ws-screen-offline');
  var pending = false;
  var again = false;

  function layoutCloud() {
    var cloud = document.querySelector('.ws-cloud[data-words]');
    if (!cloud || !window.artoisWordCloud) return;
    var words;
    try { words = JSON.parse(cloud.getAttribute('data-words')); } catch (e) { return; }
    if (!words.length) return;
    var box = document.createElement('div');
    box.className = 'ws-cloud-canvas';
    box.setAttribute('aria-hidden', 'true');
    cloud.insertBefore(box, cloud.firstChild);
    var w = box.clientWidth || 900;
    var h = box.clientHeight || 500;
    var max = words[0][1];
    var min = words[words.length - 1][1];
    var scale = function (n) { return max === min ? 64 : 26 + (n - min) / (max - min) * 84; };
    var palette = ['#ffffff', '#f2a900', '#9fcbdc', '#ffd27a', '#d7eaf1'];
    var laid = window.artoisWordCloud.layout(words.map(function (x) { return { text: x[0], size: scale(x[1]) }; }), w, h, function (placed) {
      placed.forEach(function (d, i) {
        var s = document.createElement('span');
        s.textContent = d.text;
        s.style.fontSize = d.size + 'px';
        s.style.left = (w / 2 + d.x) + 'px';
        s.style.top = (h / 2 + d.y) + 'px';
        s.style.transform = 'translate(-50%, -75%)';
        s.style.color = palette[i % palette.length];
        box.appendChild(s);
      });
      cloud.classList.add('is-laid-out');
    });
    if (!laid) box.parentNode.removeChild(box);
  }

  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    fetch(screen.getAttribute('data-fragment'), { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var body = screen.querySelector('#ecran-contenu');
        var tmp = document.createElement('div');
        tmp.innerHTML = html;
        var next = tmp.querySelector('#ecran-contenu');
        if (body && next) body.parentNode.replaceChild(next, body);
        layoutCloud();
      })
      .catch(function () { /* the next update or the reconnection tries again */ })
      .then(function () {
        pending = false;
        if (again) { again = false; refresh(); }
      });
  }

  layoutCloud();
  if (!window.EventSource) return;
  var source = new EventSource(screen.getAttribute('data-stream'));
  var first = true;
  source.addEventListener('update', function () {
    if (offline) offline.hidden = true;
    // The first event is the current state, already on screen.
    if (first) { first = false; return; }
    refresh();
  });
  source.addEventListener('error', function () {
    if (offline) offline.hidden = false;
    first = false;
  });
  source.addEventListener('open', function () { if (offline) offline.hidden = true; refresh(); });
})();
