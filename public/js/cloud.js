// The survey's word cloud, progressive enhancement: the page lists the words as sized text (no
// JavaScript needed); here each list is drawn on a canvas with the workshops' layout
// (wordcloud.js, d3-cloud), and the same canvas is offered as a PNG for a slide.
(function () {
  'use strict';
  var W = 1600;
  var H = 900;
  var HEAD = 160;

  function token(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (v && v.trim()) || fallback;
  }

  function draw(box) {
    var data;
    try { data = JSON.parse(box.getAttribute('data-cloud')); } catch (e) { return; }
    if (!data.words || !data.words.length || !window.artoisWordCloud) return;
    var palette = [token('--accent-dark', '#083f53'), token('--data-2', '#e07b39'), token('--data-1', '#0b5d7a'), token('--data-3', '#6a4c93'), token('--data-4', '#2a9d8f')];
    var ink = token('--ink', '#1d1d1b');
    var muted = token('--muted', '#4a4a48');
    var font = window.artoisWordCloud.font;
    var max = data.max || data.words[0][1] || 1;
    // The same scale in every cloud of the page: the same size means the same share.
    var size = function (share) { return Math.round(22 + 98 * Math.sqrt(share / max)); };
    var canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    canvas.className = 'cloud-canvas';
    canvas.setAttribute('aria-hidden', 'true');
    var ok = window.artoisWordCloud.layout(
      data.words.map(function (w, i) { return { text: w[0], size: size(w[1]), index: i }; }),
      W - 80,
      H - HEAD - 40,
      function (placed) {
        var ctx = canvas.getContext('2d');
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(0, 0, W, H);
        ctx.textBaseline = 'alphabetic';
        ctx.textAlign = 'left';
        // The heading of the slide: the group (when compared) or the question, then the rest.
        var fit = function (text, px) {
          if (ctx.measureText(text).width <= W - 80) return text;
          while (text.length > 1 && ctx.measureText(text + '…').width > W - 80) text = text.slice(0, -1);
          return text + '…';
        };
        ctx.fillStyle = ink;
        ctx.font = '700 44px ' + font;
        ctx.fillText(fit(data.group || data.title), 40, 66);
        ctx.fillStyle = muted;
        ctx.font = '400 28px ' + font;
        if (data.group) ctx.fillText(fit(data.title), 40, 106);
        ctx.fillText(fit(data.base), 40, data.group ? 142 : 106);
        ctx.textAlign = 'center';
        var cx = W / 2;
        var cy = HEAD + (H - HEAD) / 2;
        placed.forEach(function (d) {
          ctx.font = '800 ' + d.size + 'px ' + font;
          ctx.fillStyle = palette[d.index % palette.length];
          ctx.fillText(d.text, cx + d.x, cy + d.y);
        });
        box.insertBefore(canvas, box.firstChild);
        box.classList.add('is-drawn');
        box.setAttribute('data-drawn', String(placed.length));
        var png = box.querySelector('.cloud-png');
        if (png && canvas.toBlob) {
          png.hidden = false;
          png.querySelector('button').addEventListener('click', function () {
            canvas.toBlob(function (blob) {
              var a = document.createElement('a');
              a.href = URL.createObjectURL(blob);
              a.download = data.file || 'nuage.png';
              document.body.appendChild(a);
              a.click();
              setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
            }, 'image/png');
          });
        }
      },
      { padding: 5 }
    );
    if (!ok) return;
  }

  var boxes = document.querySelectorAll('.word-cloud[data-cloud]');
  for (var i = 0; i < boxes.length; i++) draw(boxes[i]);
})();
