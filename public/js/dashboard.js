// Dashboard enhancement: Chart.js charts over the tables (which stay, for screen readers and
// without JavaScript), PNG downloads of each chart, and live updates through Server-Sent Events.
// Every colour is a token of public/css/app.css, read from the page: charts, tables and mini-bars
// speak the same colour language.
(function () {
  'use strict';
  if (!window.Chart) return;
  var Chart = window.Chart;
  var pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var pct0 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
  var int = new Intl.NumberFormat('fr-FR');
  var style = getComputedStyle(document.documentElement);
  function token(name) { return style.getPropertyValue(name).trim() || '#000'; }
  var INK = token('--ink');
  var MUTED = token('--muted');
  var BORDER = token('--border');
  var FONT = token('--font') || 'system-ui, sans-serif';
  var FONT_SIZE = 14; // labels readable on a projector and a phone (never below 14 px)

  Chart.defaults.font.family = FONT;
  Chart.defaults.font.size = FONT_SIZE;
  Chart.defaults.color = INK;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function colorOf(c) { return Array.isArray(c) ? c.map(token) : token(c); }

  /** Dark colours get white text, light ones ink (WCAG relative luminance). */
  function textOn(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (!m) return INK;
    var l = [m[1], m[2], m[3]].map(function (h) {
      var c = parseInt(h, 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    return lum < 0.22 ? '#ffffff' : INK;
  }

  /** Long labels on several lines (Chart.js draws an array as lines). */
  function wrap(label, max) {
    var words = String(label).split(' ');
    var lines = [];
    var line = '';
    words.forEach(function (w) {
      if (line && (line + ' ' + w).length > max) { lines.push(line); line = w; }
      else line = line ? line + ' ' + w : w;
    });
    if (line) lines.push(line);
    return lines;
  }

  // The PNG of a slide has a white background (a transparent PNG turns black in some tools).
  var whiteBackground = {
    id: 'whiteBackground',
    beforeDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };

  // Figures written on the bars: the share at the end of a bar, or inside a stacked segment when
  // it fits; « moins de K » where a cell is hidden.
  function barLabels(spec) { return {
    id: 'barLabels',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = '600 ' + FONT_SIZE + 'px ' + FONT;
      ctx.textBaseline = 'middle';
      var stacked = spec.kind === 'diverging' || spec.kind === 'ranking';
      chart.data.datasets.forEach(function (ds, di) {
        var meta = chart.getDatasetMeta(di);
        if (meta.hidden) return;
        meta.data.forEach(function (bar, i) {
          var v = ds.data[i];
          if (v === null || v === undefined) {
            if (!stacked) {
              ctx.fillStyle = MUTED;
              ctx.textAlign = 'left';
              var source = spec.datasets[ds.$index] || {};
              ctx.fillText((source.notes && source.notes[i]) || spec.suppressedLabel, chart.scales.x.getPixelForValue(0) + 6, bar.y);
            }
            return;
          }
          var text = (stacked ? pct0.format(Math.abs(v)) : pct.format(Math.abs(v))) + ' %';
          var width = Math.abs(bar.x - bar.base);
          if (stacked) {
            if (width < ctx.measureText(text).width + 8) return;
            ctx.fillStyle = textOn(ds.backgroundColor);
            ctx.textAlign = 'center';
            ctx.fillText(text, (bar.x + bar.base) / 2, bar.y);
          } else {
            ctx.fillStyle = INK;
            ctx.textAlign = 'left';
            ctx.fillText(text, bar.x + 6, bar.y);
          }
        });
      });
      if (spec.kind === 'ranking') {
        // The total of the ranks at the end of each row.
        var last = chart.getDatasetMeta(chart.data.datasets.length - 1);
        last.data.forEach(function (bar, i) {
          var total = spec.totals ? spec.totals[i] : null;
          if (total === null || total === undefined) return;
          ctx.fillStyle = INK;
          ctx.textAlign = 'left';
          ctx.fillText(pct.format(total) + ' %', bar.x + 6, bar.y);
        });
      }
      ctx.restore();
    },
  }; }

  function rowHeight(spec) { return spec.kind === 'diverging' ? 56 : 40; }

  function tooltipLabel(spec) {
    return function (ctx) {
      var ds = spec.datasets[ctx.dataset.$index] || spec.datasets[0];
      var count = ds.counts[ctx.dataIndex];
      var v = ds.values[ctx.dataIndex];
      if (v === null) return ds.label + ' : ' + spec.suppressedLabel;
      return ds.label + ' : ' + pct.format(Math.abs(v)) + ' % (' + (count === null ? spec.suppressedLabel : int.format(count)) + ')';
    };
  }

  function barConfig(spec, width) {
    var narrow = width < 560;
    var labels = spec.labels.map(function (l) { return wrap(l, narrow ? 16 : 34); });
    var stacked = spec.kind === 'diverging' || spec.kind === 'ranking';
    var datasets = spec.datasets.map(function (d, i) {
      return {
        $index: i,
        label: d.label,
        data: d.values,
        backgroundColor: colorOf(d.color),
        borderWidth: stacked ? { left: 0, right: 1, top: 0, bottom: 0 } : 0,
        borderColor: '#ffffff',
        barPercentage: 0.9,
        categoryPercentage: 0.85,
        xAxisID: d.side === 'apart' ? 'x2' : 'x',
        stack: d.side === 'apart' ? 'apart' : 'main',
      };
    });
    if (spec.kind === 'diverging') {
      // Stacks grow from the centre line: on the left, the segment nearest the centre first.
      var neg = datasets.filter(function (d, i) { return spec.datasets[i].side === 'negative'; }).reverse();
      var rest = datasets.filter(function (d, i) { return spec.datasets[i].side !== 'negative'; });
      datasets = neg.concat(rest);
    }
    var x = {
      stacked: stacked,
      min: spec.kind === 'diverging' ? -spec.max : 0,
      max: spec.max,
      ticks: { callback: function (v) { return pct0.format(Math.abs(v)) + ' %'; }, maxTicksLimit: narrow ? 5 : 11 },
      grid: {
        color: function (c) { return c.tick && c.tick.value === 0 ? INK : BORDER; },
        lineWidth: function (c) { return c.tick && c.tick.value === 0 ? 2 : 1; },
      },
    };
    var scales = { x: x, y: { stacked: stacked, ticks: { autoSkip: false, color: INK }, grid: { display: false } } };
    if (spec.apartMax) {
      x.stack = 'grid';
      x.stackWeight = 4;
      scales.x2 = { stack: 'grid', stackWeight: 1, offset: true, stacked: true, min: 0, max: spec.apartMax, ticks: { callback: function (v) { return pct0.format(v) + ' %'; } } };
    }
    return {
      type: 'bar',
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: 'y',
        responsive: true,
        // Room on the right for the figure written after the longest bar.
        layout: { padding: { right: stacked && spec.kind !== 'ranking' ? 8 : 64, top: 4 } },
        plugins: {
          legend: {
            display: stacked,
            position: 'top',
            labels: {
              boxWidth: 16, boxHeight: 16, padding: 12,
              // Legend in the reading order of the scale (left to right).
              sort: function (a, b) { return datasets[a.datasetIndex].$index - datasets[b.datasetIndex].$index; },
              filter: function (item, data) {
                // A neutral answer split in two halves is listed once.
                var i = data.datasets[item.datasetIndex].$index;
                return spec.datasets.findIndex(function (d) { return d.label === spec.datasets[i].label; }) === i;
              },
            },
          },
          title: { display: false, text: spec.title, font: { size: 20, weight: '700' }, align: 'start', color: INK, padding: { top: 8, bottom: 4 } },
          subtitle: { display: false, text: spec.base, font: { size: 14 }, align: 'start', color: MUTED, padding: { bottom: 12 } },
          tooltip: { callbacks: { label: tooltipLabel(spec) } },
        },
        scales: scales,
      },
      plugins: [whiteBackground, barLabels(spec)],
    };
  }

  function timeConfig(spec, width) {
    var narrow = width < 560;
    return {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: [
          { type: 'bar', label: spec.seriesLabel, data: spec.counts, backgroundColor: token('--data-1'), yAxisID: 'y', order: 2, categoryPercentage: 1, barPercentage: 0.8 },
          { type: 'line', label: spec.cumulativeLabel, data: spec.cumulative, borderColor: token('--data-2'), backgroundColor: token('--data-2'), borderWidth: 3, pointRadius: 0, yAxisID: 'y2', order: 1, tension: 0 },
        ],
      },
      options: {
        responsive: true,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'top', align: 'start', labels: { boxWidth: 16, boxHeight: 16, sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
          title: { display: false, text: spec.title, font: { size: 20, weight: '700' }, align: 'start', color: INK },
          subtitle: { display: false, text: spec.base, font: { size: 14 }, align: 'start', color: MUTED, padding: { bottom: 12 } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ' : ' + int.format(c.parsed.y); } } },
        },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: narrow ? 4 : 10 }, grid: { display: false } },
          y: { beginAtZero: true, position: 'left', title: { display: !narrow, text: spec.seriesLabel }, ticks: { precision: 0, callback: function (v) { return int.format(v); } }, grid: { color: BORDER } },
          y2: { beginAtZero: true, position: 'right', title: { display: !narrow, text: spec.cumulativeLabel }, ticks: { precision: 0, callback: function (v) { return int.format(v); } }, grid: { display: false } },
        },
      },
      plugins: [whiteBackground],
    };
  }

  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute('data-chart'));
    var wrapEl = canvas.parentNode;
    wrapEl.hidden = false;
    var width = wrapEl.clientWidth || 600;
    if (spec.kind === 'time') {
      if (spec.counts.length < 2) { wrapEl.hidden = true; return null; }
      wrapEl.style.height = (width < 560 ? 260 : 340) + 'px';
    } else {
      var lines = spec.labels.reduce(function (a, l) { return a + Math.max(1, wrap(l, width < 560 ? 16 : 34).length); }, 0);
      var legend = spec.kind === 'diverging' || spec.kind === 'ranking' ? (width < 560 ? 72 : 44) : 0;
      wrapEl.style.height = Math.max(140, spec.labels.length * rowHeight(spec) + Math.max(0, lines - spec.labels.length) * 16 + 56 + legend) + 'px';
    }
    var chart = new Chart(canvas, spec.kind === 'time' ? timeConfig(spec, width) : barConfig(spec, width));
    chart.$spec = spec;
    var fig = canvas.closest('[data-figure]');
    var button = fig && fig.querySelector('[data-png]');
    if (button) button.hidden = false;
    return chart;
  }

  /** The chart as a PNG for a slide: white background, its title and base drawn in. */
  function downloadPng(fig) {
    var canvas = fig.querySelector('canvas[data-chart]');
    var chart = canvas && Chart.getChart(canvas);
    if (!chart) return;
    var o = chart.options;
    // A slide must say on whom: the base and, when filtered, the active filters.
    var chips = Array.prototype.map.call(document.querySelectorAll('.chip > span'), function (c) { return c.textContent.trim(); });
    var subtitle = o.plugins.subtitle.text;
    o.plugins.subtitle.text = chips.length ? [subtitle, 'Filtres : ' + chips.join(' ; ')] : subtitle;
    o.plugins.title.display = true;
    o.plugins.subtitle.display = true;
    var padding = o.layout.padding;
    o.layout.padding = { left: 24, right: 72, top: 16, bottom: 16 };
    var ratio = o.devicePixelRatio;
    o.devicePixelRatio = Math.max(2, window.devicePixelRatio || 1);
    var wrapEl = canvas.parentNode;
    var height = wrapEl.style.height;
    wrapEl.style.height = parseInt(height, 10) + (chips.length ? 112 : 88) + 'px';
    chart.resize();
    chart.update('none');
    var url = chart.toBase64Image('image/png', 1);
    o.plugins.title.display = false;
    o.plugins.subtitle.display = false;
    o.plugins.subtitle.text = subtitle;
    o.layout.padding = padding;
    o.devicePixelRatio = ratio;
    wrapEl.style.height = height;
    chart.resize();
    chart.update('none');
    var a = document.createElement('a');
    a.href = url;
    a.download = 'mon-avenir-en-artois-' + fig.getAttribute('data-figure').replace(/[^a-z0-9_-]/gi, '') + '.png';
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function drawIn(root) {
    var canvases = root.querySelectorAll('canvas[data-chart]');
    for (var i = 0; i < canvases.length; i++) {
      try { draw(canvases[i]); } catch (e) { canvases[i].parentNode.hidden = true; }
    }
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-png]');
    if (button) downloadPng(button.closest('[data-figure]'));
  });

  /**
   * Live: the page is fetched again and each figure whose figures changed is swapped and redrawn
   * (the server renders every kind of figure; folded tables stay as they were).
   */
  function refresh() {
    return fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        // Disclosure control: a selection crossing the threshold changes the page's shape
        // (a sentence instead of figures, or back): show the new page as a whole.
        if (Boolean(doc.querySelector('[data-withheld]')) !== Boolean(document.querySelector('[data-withheld]'))) {
          window.location.reload();
          return;
        }
        var blocks = doc.querySelectorAll('[data-figure], [data-live]');
        for (var i = 0; i < blocks.length; i++) {
          var fresh = blocks[i];
          var key = fresh.hasAttribute('data-figure') ? '[data-figure="' + fresh.getAttribute('data-figure') + '"]' : '[data-live="' + fresh.getAttribute('data-live') + '"]';
          var old = document.querySelector(key);
          if (!old || old.innerHTML === fresh.innerHTML) continue;
          var open = Array.prototype.map.call(old.querySelectorAll('details'), function (d) { return d.open; });
          var oldCanvas = old.querySelector('canvas[data-chart]');
          var oldChart = oldCanvas && Chart.getChart(oldCanvas);
          if (oldChart) oldChart.destroy();
          var node = document.importNode(fresh, true);
          old.replaceWith(node);
          Array.prototype.forEach.call(node.querySelectorAll('details'), function (d, j) { if (open[j] !== undefined) d.open = open[j]; });
          drawIn(node);
        }
      });
  }

  function live() {
    if (!window.EventSource || !window.fetch || !window.DOMParser) return;
    if (!document.querySelector('[data-total]')) return;
    var busy = false;
    var lastSeen = null; // completed responses overall, as the stream last said
    var source = new EventSource('/resultats/flux');
    source.addEventListener('update', function (e) {
      var data = JSON.parse(e.data);
      var first = lastSeen === null;
      if (busy || data.responses === lastSeen) return;
      lastSeen = data.responses;
      if (first) return; // the page was rendered with these figures already
      busy = true;
      refresh()
        .catch(function () {})
        .then(function () { busy = false; });
    });
  }

  drawIn(document);
  live();
})();
