// Loaded by autocannon inside its worker thread (a function cannot be passed to a worker, only a
// file path). Gives each connection its own respondent: draft cookie, CSRF cookie and the form
// body carrying the matching token, as prepared by submissions.ts in the file named below.
'use strict';
const fs = require('node:fs');

const clients = JSON.parse(fs.readFileSync(process.env.AVENIR_BENCH_CLIENTS, 'utf8'));
let next = 0;

module.exports = function setupClient(client) {
  const c = clients[next++ % clients.length];
  client.setHeadersAndBody({ cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, c.body);
};
