// Participant page, progressive enhancement: follows the facilitator. When another activity goes
// on screen, or the current one opens or closes, the page reloads itself (the form works without
// this file; a plain link reloads). EventSource reconnects by itself after a network drop.
(function () {
  'use strict';
  var root = document.querySelector('.ws-participant[data-stream]');
  if (!root || !window.EventSource) return;
  var current = root.getAttribute('data-current');
  var state = root.getAttribute('data-state');
  var typing = false;
  document.addEventListener('input', function () { typing = true; });
  var source = new EventSource(root.getAttribute('data-stream'));
  source.addEventListener('update', function (e) {
    var d;
    try { d = JSON.parse(e.data); } catch (err) { return; }
    var nowCurrent = d.current === null ? null : String(d.current);
    var nowState = d.state === 'open' ? 'open' : (d.state ? 'closed' : null);
    var changed = nowCurrent !== (current === null ? null : current) || (nowCurrent !== null && nowState !== state);
    // Never throw away a proposal being typed because the facilitator closed the wall: the server
    // keeps the text with its message if it is sent.
    if (changed && !(typing && nowCurrent === current)) window.location.reload();
  });
})();
