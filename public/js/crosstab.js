// Crosstab page, progressive enhancement: a Chart.js bar chart over the table (which stays, for
// screen readers and without JavaScript). Exclusive answers: 100 % stacked bars, one per group;
// a multiple-choice variable: grouped bars. Colours are the design system's data tokens.
(function () {
  'use strict';
  var canvas = document.getElementById('croise-graphique');
  if (!canvas || !window.Chart) return;
  var data;
  try { data = JSON.parse(canvas.getAttribute('data-crosstab')); } catch (e) { return; }
  var css = getComputedStyle(document.documentElement);
  var token = function (name, fallback) { return (css.getPropertyValue(name) || '').trim() || fallback; };
  var palette = ['--data-1', '--data-2', '--data-3', '--data-4', '--rank-2', '--rank-3', '--diverging-neg-1', '--diverging-pos-1', '--data-muted']
    .map(function (n, i) { return token(n, ['#0b5d7a', '#e07b39', '#6a4c93', '#2a9d8f', '#3d8bab', '#9fcbdc', '#ef8a62', '#67a9cf', '#9aa5ab'][i]); });
  var pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var wrap = canvas.parentNode;
  wrap.hidden = false;
  canvas.height = Math.max(160, data.rows.length * (data.stacked ? 44 : 24 * data.cols.length) + 80);
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.rows,
      datasets: data.cols.map(function (c, j) {
        return { label: c, data: data.percents.map(function (r) { return r[j]; }), backgroundColor: palette[j % palette.length], borderWidth: 0 };
      }),
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { position: 'bottom', labels: { font: { size: 14 } } },
        tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ' : ' + pct.format(ctx.parsed.x) + ' %'; } } },
      },
      scales: {
        x: { stacked: data.stacked, beginAtZero: true, max: data.stacked ? 100 : undefined, ticks: { font: { size: 14 }, callback: function (v) { return v + ' %'; } } },
        y: { stacked: data.stacked, ticks: { autoSkip: false, font: { size: 14 } } },
      },
    },
  });
})();
