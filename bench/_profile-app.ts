// Profiling aid (not a benchmark): runs only the real app under the submissions load, so that
// `node --cpu-prof --import tsx bench/_profile-app.ts` shows where a section POST spends its time.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createApp } from '../src/app.js';
import { buildCampaign } from '../src/campaign/campaign.js';
import { defaultConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { silentLogger } from '../src/http/requestLog.js';
import { FetchRespondent, hiddenFields } from '../test/support/fetch-respondent.js';
import { formBody, validAnswers } from '../test/helpers.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-profile-'));
const db = openDatabase(path.join(dir, 'app.db'));
const app = createApp({ db, config: defaultConfig({ submitRateLimit: 0, minSectionSeconds: 0 }), campaign: buildCampaign({}), logger: silentLogger });
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const clients = [];
for (let i = 0; i < 50; i++) {
  const r = new FetchRespondent(base);
  await r.answer(1, validAnswers[1]);
  const page = await r.get('/questionnaire/2');
  clients.push({ cookie: r.cookieHeader(), body: formBody({ ...hiddenFields(page.text), website: '', action: 'next', ...validAnswers[2] }) });
}
const file = path.join(dir, 'clients.json');
fs.writeFileSync(file, JSON.stringify(clients));
process.env.AVENIR_BENCH_CLIENTS = file;
const result = await autocannon({
  url: `${base}/questionnaire/2`,
  method: 'POST',
  connections: 50,
  duration: seconds,
  workers: 1,
  setupClient: path.resolve(import.meta.dirname, '_autocannon-client.cjs') as unknown as (c: autocannon.Client) => void,
});
console.log(`${Math.round(result['3xx'] / result.duration)} POST/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, autres ${result['2xx'] + result['4xx'] + result['5xx']}`);
server.close();
db.close();
