// Dashboard enhancement: Chart.js bars over the tables (which stay, for screen readers and
// without JavaScript), and live updates through Server-Sent Events.
(function () {
  'use strict';
  var pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var int = new Intl.NumberFormat('fr-FR');
  var charts = {};

  function barChart(canvas, data) {
    var wrap = canvas.parentNode;
    wrap.hidden = false;
    // Height follows the number of bars so labels stay readable.
    canvas.height = Math.max(120, data.labels.length * 34 + 40);
    return new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: [{ data: data.percents, backgroundColor: '#0b5d7a', borderWidth: 0 }],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return pct.format(ctx.parsed.x) + ' % (' + int.format(data.counts[ctx.dataIndex]) + ')';
              },
            },
          },
        },
        scales: {
          x: { beginAtZero: true, suggestedMax: 100, ticks: { callback: function (v) { return v + ' %'; } } },
          y: { ticks: { autoSkip: false } },
        },
      },
    });
  }

  function drawAll() {
    if (!window.Chart) return;
    var canvases = document.querySelectorAll('canvas[data-chart]');
    for (var i = 0; i < canvases.length; i++) {
      var c = canvases[i];
      var id = c.closest('[data-table]').getAttribute('data-table');
      charts[id] = { chart: barChart(c, JSON.parse(c.getAttribute('data-chart'))), canvas: c };
    }
    var days = document.querySelector('canvas[data-chart-days]');
    if (days) {
      var d = JSON.parse(days.getAttribute('data-chart-days'));
      if (d.labels.length > 1) {
        days.parentNode.hidden = false;
        new window.Chart(days, {
          type: 'bar',
          data: { labels: d.labels, datasets: [{ data: d.counts, backgroundColor: '#0b5d7a' }] },
          options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
        });
      }
    }
  }

  /** Writes fresh figures into the tables and charts already on the page. */
  function apply(results) {
    var total = document.querySelector('[data-total]');
    // Disclosure control (issue 9): a selection that crosses the threshold changes the page's
    // shape (sentence instead of figures, or back): let the server render it again.
    if (total && (results.responses === null) !== total.hasAttribute('data-withheld')) {
      window.location.reload();
      return;
    }
    // Hidden cells' labels come from the page (the sentences live in src/strings.ts).
    var labels = {
      small: (total && total.getAttribute('data-small-label')) || '',
      complementary: (total && total.getAttribute('data-complementary-label')) || '',
      base: (total && total.getAttribute('data-hidden-base-label')) || '',
    };
    if (total) {
      total.setAttribute('data-total', results.responses);
      total.textContent = int.format(results.responses) + ' réponses complètes';
    }
    results.questions.forEach(function (q) {
      q.tables.forEach(function (t) {
        var fig = document.querySelector('[data-table="' + t.id + '"]');
        if (!fig) return;
        var base = fig.querySelector('[data-base]');
        if (base) base.textContent = t.base === null ? labels.base : int.format(t.base);
        t.options.forEach(function (o) {
          var row = fig.querySelector('tr[data-code="' + o.code + '"]');
          if (!row) return;
          // A hidden cell shows « moins de 5 » or « masqué », no percentage and no bar.
          row.querySelector('[data-count]').textContent = o.suppressed ? (o.reason === 'small' ? labels.small : labels.complementary) : int.format(o.count);
          row.querySelector('[data-percent]').textContent = o.suppressed ? '' : o.percent === null ? '–' : pct.format(o.percent) + '\u202f%';
          var meter = row.querySelector('meter');
          if (meter) {
            meter.value = o.percent || 0;
            meter.hidden = Boolean(o.suppressed);
          }
        });
        var entry = charts[t.id];
        if (entry) {
          var byCode = {};
          t.options.forEach(function (o) { byCode[o.code] = o; });
          var rows = fig.querySelectorAll('tr[data-code]');
          var data = [];
          for (var i = 0; i < rows.length; i++) {
            var o = byCode[rows[i].getAttribute('data-code')];
            data.push(o && o.suppressed ? null : o && o.percent ? o.percent : 0);
          }
          entry.chart.data.datasets[0].data = data;
          entry.chart.update('none');
        }
      });
    });
  }

  function live() {
    if (!window.EventSource || !window.fetch) return;
    var total = document.querySelector('[data-total]');
    if (!total) return;
    var query = window.location.search;
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
      fetch('/api/results.json' + query, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (results) { if (results) apply(results); })
        .catch(function () {})
        .then(function () { busy = false; });
    });
  }

  drawAll();
  live();
})();
