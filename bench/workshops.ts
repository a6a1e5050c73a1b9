// Workshops under load: ten rooms at once, 200 participants each following their room's page
// (one event stream per phone) and answering a poll within 10 seconds, while each room's
// projector watches. Measured: the time from a participant's answer (its 303) to the projector's
// next update, against a bare SSE broadcast in the same run (node:http writing the event to the
// projector as soon as the answer arrives, no database, no coalescing); the answer's latency; and
// the server's memory per connected participant.
//   npx tsx bench/workshops.ts        (WS_ROOMS=10 WS_PARTICIPANTS=200 WS_SECONDS=10)
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { buildCampaign } from '../src/campaign/campaign.js';
import { defaultConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { silentLogger } from '../src/http/requestLog.js';
import { createSseHub } from '../src/live/hub.js';
import { hashPassword } from '../src/staff/passwords.js';
import { createStaffStore } from '../src/staff/store.js';
import { readWorkshop } from '../src/workshops/activities.js';
import { createWorkshopStore } from '../src/workshops/store.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';

const ROOMS = Number(process.env.WS_ROOMS ?? 10);
const PARTICIPANTS = Number(process.env.WS_PARTICIPANTS ?? 200);
const SECONDS = Number(process.env.WS_SECONDS ?? 10);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function get(port: number, p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}
function post(port: number, p: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', agent, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}
/** An event stream; calls onUpdate at each "update" event. */
function stream(port: number, p: string, headers: Record<string, string>, onUpdate: () => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: streamAgent, headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`flux ${p} : ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        for (let i = c.split('event: update').length - 1; i > 0; i--) onUpdate();
      });
      resolve(req);
    });
    req.on('error', reject);
  });
}
const cookiesOf = (h: http.IncomingHttpHeaders) => ((h['set-cookie'] ?? []) as string[]).map((c) => c.split(';')[0]).join('; ');
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** Each room: answers spread evenly over SECONDS; each answer waits for the projector's next update. */
async function runRooms(rooms: { answer: (i: number) => Promise<number>; nextUpdate: () => Promise<void> }[]) {
  const answerMs: number[] = [];
  const updateMs: number[] = [];
  let failures = 0;
  await Promise.all(
    rooms.map(async (room) => {
      const jobs: Promise<void>[] = [];
      for (let i = 0; i < PARTICIPANTS; i++) {
        await new Promise((r) => setTimeout(r, (SECONDS * 1000) / PARTICIPANTS));
        jobs.push(
          (async () => {
            const t0 = performance.now();
            const update = room.nextUpdate();
            const status = await room.answer(i);
            const t1 = performance.now();
            if (status !== 303 && status !== 204) failures++;
            answerMs.push(t1 - t0);
            await update;
            updateMs.push(performance.now() - t1);
          })(),
        );
      }
      await Promise.all(jobs);
    }),
  );
  return { answerMs, updateMs: updateMs.map((x) => Math.max(0, x)), failures };
}

function waiter() {
  const waiting: (() => void)[] = [];
  return {
    next: () => new Promise<void>((r) => waiting.push(r)),
    fire: () => waiting.splice(0).forEach((r) => r()),
  };
}

// --- the app -----------------------------------------------------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-ateliers-'));
const db = openDatabase(path.join(dir, 'app.db'));
const q = loadQuestionnaire();
createStaffStore(db).create('anim@example.org', 'facilitator', await hashPassword('mot-de-passe-du-banc'));
// One bench session plays every room's projector: its per-session stream cap (6 by default,
// see src/live/hub.ts) is lifted to the number of rooms, and the process cap fits the run.
const hub = createSseHub({ maxPerSecond: 4, maxPerOwner: ROOMS, maxTotal: ROOMS * (PARTICIPANTS + 1) });
const app = createApp({ db, hub, config: defaultConfig(), campaign: buildCampaign({}), logger: silentLogger });
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const port = (server.address() as AddressInfo).port;
const login = await get(port, '/login');
const csrf = /name="_csrf" value="([^"]+)"/.exec(login.body)![1];
const loginCookie = cookiesOf(login.headers);
const signedStatus = await new Promise<http.IncomingHttpHeaders>((resolve) => {
  const body = new URLSearchParams({ _csrf: csrf, email: 'anim@example.org', password: 'mot-de-passe-du-banc' }).toString();
  const req = http.request({ host: '127.0.0.1', port, path: '/login', method: 'POST', headers: { Cookie: loginCookie, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) } }, (res) => {
    res.resume();
    resolve(res.headers);
  });
  req.end(body);
});
const staffCookie = [loginCookie, cookiesOf(signedStatus)].join('; ');

const store = createWorkshopStore(db);
const def = readWorkshop({ title: 'Banc', activities: [{ type: 'poll', prompt: 'Pourrais-tu envisager de travailler dans l’industrie ?', question_id: 'envisager_industrie' }] }, q);
if (!def.ok) throw new Error('définition');
const codes = ['oui_tout_a_fait', 'plutot_oui', 'plutot_non', 'pas_du_tout', 'nsp'];

const rssBefore = process.memoryUsage().rss;
const appRooms = [];
const openStreams: http.ClientRequest[] = [];
for (let r = 0; r < ROOMS; r++) {
  const w = store.create(def.workshop, null);
  store.setCurrent(w.id, 0);
  const phones: { cookie: string; csrf: string }[] = [];
  for (let i = 0; i < PARTICIPANTS; i++) {
    const page = await get(port, `/w/${w.code}`);
    const phone = { cookie: cookiesOf(page.headers), csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1] };
    phones.push(phone);
    openStreams.push(await stream(port, `/w/${w.code}/flux`, { Cookie: phone.cookie }, () => {}));
  }
  const projector = waiter();
  openStreams.push(await stream(port, `/ateliers/${w.id}/flux`, { Cookie: staffCookie }, projector.fire));
  appRooms.push({
    answer: (i: number) => post(port, `/w/${w.code}/activite/0`, `_csrf=${phones[i].csrf}&choice=${codes[i % codes.length]}`, { Cookie: phones[i].cookie }),
    nextUpdate: projector.next,
  });
}
global.gc?.();
const rssConnected = process.memoryUsage().rss;
const appRun = await runRooms(appRooms);
const answered = (db.prepare('SELECT count(*) AS n FROM workshop_answers').get() as { n: number }).n;
openStreams.forEach((s) => s.destroy());
server.close();
hub.close();

// --- the ceiling: bare node:http, each answer written to the room's projector at once ------------
const projectors = new Map<string, http.ServerResponse>();
const bare = http.createServer((req, res) => {
  const room = req.url!.split('/')[2];
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write('event: update\ndata: {}\n\n');
    projectors.set(room, res);
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(303, { Location: '/', 'Content-Length': '0' }).end();
    projectors.get(room)?.write('event: update\ndata: {"participants":1}\n\n');
  });
});
bare.listen(0, '127.0.0.1');
await new Promise((r) => bare.once('listening', r));
const bport = (bare.address() as AddressInfo).port;
const bareRooms = [];
const bareStreams: http.ClientRequest[] = [];
for (let r = 0; r < ROOMS; r++) {
  const projector = waiter();
  bareStreams.push(await stream(bport, `/room/${r}`, {}, projector.fire));
  bareRooms.push({ answer: () => post(bport, `/room/${r}`, 'choice=nsp', {}), nextUpdate: projector.next });
}
const bareRun = await runRooms(bareRooms);
bareStreams.forEach((s) => s.destroy());
bare.close();

const round = (x: number) => Math.round(x * 10) / 10;
const result = {
  date: new Date().toISOString(),
  machine: { cpuModel: os.cpus()[0]?.model, cpuCount: os.cpus().length, node: process.version, loadAverage1m: round(os.loadavg()[0]) },
  rooms: ROOMS,
  participantsPerRoom: PARTICIPANTS,
  seconds: SECONDS,
  app: {
    answers: answered,
    failures: appRun.failures,
    answerP50Ms: round(pct(appRun.answerMs, 50)),
    answerP99Ms: round(pct(appRun.answerMs, 99)),
    projectorUpdateP50Ms: round(pct(appRun.updateMs, 50)),
    projectorUpdateP99Ms: round(pct(appRun.updateMs, 99)),
    rssPerParticipantKiB: round((rssConnected - rssBefore) / (ROOMS * PARTICIPANTS) / 1024),
  },
  ceiling: { answerP50Ms: round(pct(bareRun.answerMs, 50)), projectorUpdateP50Ms: round(pct(bareRun.updateMs, 50)), projectorUpdateP99Ms: round(pct(bareRun.updateMs, 99)) },
  target: { projectorUpdateMs: 1000 },
};
const meets = result.app.projectorUpdateP99Ms < 1000 && result.app.failures === 0 && answered === ROOMS * PARTICIPANTS;
fs.mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(import.meta.dirname, 'results', 'workshops.json'), JSON.stringify({ ...result, meetsTarget: meets }, null, 2) + '\n');
console.log(`${ROOMS} ateliers × ${PARTICIPANTS} participants connectés, réponses étalées sur ${SECONDS} s`);
console.log('| | réponse p50 | écran mis à jour p50 | p99 |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| application | ${result.app.answerP50Ms} ms | ${result.app.projectorUpdateP50Ms} ms | ${result.app.projectorUpdateP99Ms} ms |`);
console.log(`| plafond (SSE nu) | ${result.ceiling.answerP50Ms} ms | ${result.ceiling.projectorUpdateP50Ms} ms | ${result.ceiling.projectorUpdateP99Ms} ms |`);
console.log(`Rapport écran p99 application / plafond : ${(result.app.projectorUpdateP99Ms / Math.max(0.1, result.ceiling.projectorUpdateP99Ms)).toFixed(1)} × (l’application regroupe les mises à jour : au plus ${4} par seconde et par écran)`);
console.log(`Mémoire par participant connecté (RSS) : ${result.app.rssPerParticipantKiB} Kio ; ${answered} réponses enregistrées, ${appRun.failures} échecs`);
console.log(`Objectif : écran à jour en moins d’une seconde (p99), aucune réponse perdue : ${meets ? 'atteint' : 'NON atteint'}`);
