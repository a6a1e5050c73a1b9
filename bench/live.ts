// Live updates: 1,000 Server-Sent Events clients on one dashboard; how long until an update
// reaches all of them, and the memory each connection costs. The ceiling, measured in the same
// run: a bare node:http server writing the same event to 1,000 open responses.
//   npx tsx bench/live.ts            (LIVE_CLIENTS=2000 to change the count)
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { buildCampaign } from '../src/campaign/campaign.js';
import { defaultConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { silentLogger } from '../src/http/requestLog.js';
import { createSseHub } from '../src/live/hub.js';
import { RESULTS_TOPIC } from '../src/results/routes.js';
import { hashPassword } from '../src/staff/passwords.js';
import { createStaffStore } from '../src/staff/store.js';
import { formBody } from '../test/helpers.js';

const CLIENTS = Number(process.env.LIVE_CLIENTS ?? 1000);
const ROUNDS = 5;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** Opens n event streams; resolves with a function that waits for the k-th "update" on all. */
async function connect(url: string, n: number, cookie?: string) {
  const counts = new Array<number>(n).fill(0);
  const waiters: { k: number; resolve: () => void }[] = [];
  const requests: http.ClientRequest[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (counts.every((c) => c >= w.k)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<void>((resolve, reject) => {
        const req = http.get(url, { agent, headers: cookie ? { Cookie: cookie } : {} }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`flux ${i} : ${res.statusCode}`));
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            counts[i] += chunk.split('event: update').length - 1;
            check();
          });
          resolve();
        });
        req.on('error', reject);
        requests.push(req);
      }),
    ),
  );
  return {
    /** Resolves once every client has received `k` updates in total (the first is the initial state). */
    waitAll: (k: number) => new Promise<void>((resolve) => { waiters.push({ k, resolve }); check(); }),
    close: () => requests.forEach((r) => r.destroy()),
  };
}

async function timeRounds(trigger: () => void, conn: Awaited<ReturnType<typeof connect>>) {
  const times: number[] = [];
  await conn.waitAll(1);
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    trigger();
    await conn.waitAll(round + 2);
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 600)); // past the hub's rate limit
  }
  return times.sort((a, b) => a - b);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-live-'));

// --- the app: a dashboard's stream, behind a staff session ---------------------------------------
const db = openDatabase(path.join(dir, 'app.db'));
createStaffStore(db).create('anim@example.org', 'facilitator', await hashPassword('mot-de-passe-du-banc'));
// One session opens every stream here (the fan-out is what is measured): its cap is lifted.
// The caps themselves are measured by bench/live-attack.ts.
const hub = createSseHub({ maxPerSecond: 2, maxPerOwner: CLIENTS, maxTotal: CLIENTS });
const app = createApp({ db, hub, config: defaultConfig(), campaign: buildCampaign({}), logger: silentLogger });
const login = request.agent(app);
const page = await login.get('/login');
const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
const signed = await login.post('/login').type('form').send(formBody({ _csrf: csrf, email: 'anim@example.org', password: 'mot-de-passe-du-banc' }));
const cookie = (signed.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const heapBefore = process.memoryUsage();
const appConn = await connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}/resultats/flux`, CLIENTS, cookie);
global.gc?.();
const heapAfter = process.memoryUsage();
const appTimes = await timeRounds(() => hub.notify(RESULTS_TOPIC), appConn);
appConn.close();
server.close();

// --- the ceiling: bare node:http writing the same event to every open response -----------------
const open = new Set<http.ServerResponse>();
const bare = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  res.write('event: update\ndata: {"responses":0}\n\n');
  open.add(res);
  res.on('close', () => open.delete(res));
});
bare.listen(0, '127.0.0.1');
await new Promise((r) => bare.once('listening', r));
const bareConn = await connect(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, CLIENTS);
let n = 0;
const bareTimes = await timeRounds(() => {
  const data = `event: update\ndata: ${JSON.stringify({ responses: ++n })}\n\n`;
  for (const res of open) res.write(data);
}, bareConn);
bareConn.close();
bare.close();
hub.close();

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
// The hub waits up to 1/maxPerSecond before sending (coalescing): that delay is by design.
const perConnKiB = (heapAfter.rss - heapBefore.rss) / CLIENTS / 1024;
const result = {
  date: new Date().toISOString(),
  machine: { cpuModel: os.cpus()[0]?.model, cpuCount: os.cpus().length, totalMemoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10, node: process.version, loadAverage1m: Math.round(os.loadavg()[0] * 10) / 10 },
  clients: CLIENTS,
  rounds: ROUNDS,
  app: { medianMs: Math.round(median(appTimes)), maxMs: Math.round(appTimes[appTimes.length - 1]), rssPerConnectionKiB: Math.round(perConnKiB * 10) / 10 },
  ceiling: { medianMs: Math.round(median(bareTimes) * 10) / 10, maxMs: Math.round(bareTimes[bareTimes.length - 1] * 10) / 10 },
  target: { maxMs: 1000 },
  meetsTarget: appTimes[appTimes.length - 1] < 1000,
};
fs.mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(import.meta.dirname, 'results', 'live.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`| | ${CLIENTS} clients : médiane | max |`);
console.log('| --- | ---: | ---: |');
console.log(`| application (mise à jour groupée, ≤ 2/s) | ${result.app.medianMs} ms | ${result.app.maxMs} ms |`);
console.log(`| plafond (node:http nu) | ${result.ceiling.medianMs} ms | ${result.ceiling.maxMs} ms |`);
console.log(`Rapport application / plafond (médianes) : ${(median(appTimes) / median(bareTimes)).toFixed(1)} ×`);
console.log(`Mémoire par connexion (RSS) : ${result.app.rssPerConnectionKiB} Kio`);
console.log(`Objectif < 1 s pour atteindre les ${CLIENTS} clients : ${result.meetsTarget ? 'atteint' : 'NON atteint'}`);
