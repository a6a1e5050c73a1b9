// Word-cloud layout shared by the workshop projector and the survey's word cloud (progressive
// enhancement: both pages list their words as text without JavaScript). d3-cloud places the words;
// this file owns the look: horizontal words, heavy weight, the same padding and font.
(function () {
  'use strict';
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';

  // A seeded generator: the same words give the same cloud on the page and in its PNG.
  function seeded(seed) {
    var s = seed >>> 0 || 1;
    return function () {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 4294967296;
    };
  }

  /**
   * Lays out words = [{ text, size }] (size in px) in a width × height box; calls done(placed)
   * with { text, size, x, y } centred on the box's middle. False when d3-cloud is missing.
   */
  function layout(words, width, height, done, opts) {
    if (!window.d3 || !window.d3.layout || !window.d3.layout.cloud) return false;
    opts = opts || {};
    window.d3.layout.cloud()
      .size([width, height])
      .words(words.map(function (w) { return { text: w.text, size: w.size, index: w.index }; }))
      .padding(opts.padding || 6)
      .rotate(function () { return 0; })
      .random(seeded(opts.seed || 7))
      .font(FONT)
      .fontWeight(800)
      .fontSize(function (d) { return d.size; })
      .on('end', done)
      .start();
    return true;
  }

  window.artoisWordCloud = { layout: layout, font: FONT };
})();
