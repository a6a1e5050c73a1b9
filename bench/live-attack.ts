import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { hashPassword } from '../src/staff/passwords.js';
import { createStaffStore } from '../src/staff/store.js';
import { machine } from './_population.js';
import { cpuMs, processFootprint, startServer, stopServer, type Server } from './_server.js';

// Issue 9, part 4: the stream-opening attack against the real server (src/server.ts started as
// `npm start` starts it, default settings). One facilitator session once opened 19,970 streams
// to /resultats/flux; the process ran out of file descriptors and /healthz and / stopped
// answering. Here, while an attacker in another process opens streams:
//   A. 20,000 attempts from one session (SSE_MAX_PER_SESSION streams accepted, the rest 429);
//   B. streams from hundreds of sessions up to the process cap (SSE_MAX_TOTAL), held, then
//      5,000 more attempts from fresh sessions (all 429);
// /healthz and / are requested one after the other, each on a new connection (a monitor and a
// visitor), and their p50/p99 compared with the same requests with no attack, measured just
// before in the same run. The server's RSS and open file descriptors are read from /proc.
//
//   npx tsx bench/live-attack.ts     (ATTACK_OPENS=20000, ATTACK_CONCURRENCY=32)

const OPENS = Number(process.env.ATTACK_OPENS ?? 20_000);
const CONCURRENCY = Number(process.env.ATTACK_CONCURRENCY ?? 32);
const EXTRA_OPENS = 5_000;
const config = defaultConfig();
const PER_SESSION = config.sseMaxPerSession;
const TOTAL = config.sseMaxTotal;
const BASELINE_MS = 4_000;
const OUT = path.join(import.meta.dirname, 'results', 'live-attack.json');
const MiB = 1024 * 1024;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const frN = (x: number) => x.toLocaleString('fr-FR');

// --- the database: one facilitator, sessions made directly (no argon2 per session) --------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-attack-'));
const dbPath = path.join(dir, 'app.db');
const db = openDatabase(dbPath);
const store = createStaffStore(db);
const user = store.create('anim@example.org', 'facilitator', await hashPassword('mot-de-passe-du-banc'));
const sessionsForCap = Math.ceil(TOTAL / PER_SESSION);
const cookies = Array.from({ length: sessionsForCap + 51 }, () => `avenir_equipe=${store.createSession(user.id, Date.now())}`);
db.close();

// --- timing /healthz and / --------------------------------------------------------------------
const fresh = new http.Agent({ keepAlive: false });
function get(port: number, urlPath: string): Promise<{ ms: number; status: number; error?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent: fresh }, (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode! }));
      })
      .on('error', (e) => resolve({ ms: performance.now() - t0, status: 0, error: (e as NodeJS.ErrnoException).code }));
  });
}

type Probe = { healthz: number[]; home: number[]; failures: number };
/** /healthz then /, again and again, one at a time, until stop() resolves. */
async function probe(port: number, until: Promise<unknown>): Promise<Probe> {
  const p: Probe = { healthz: [], home: [], failures: 0 };
  let stop = false;
  void until.then(() => (stop = true));
  while (!stop) {
    for (const [urlPath, into] of [['/healthz', p.healthz], ['/', p.home]] as const) {
      const r = await get(port, urlPath);
      if (r.status === 200) into.push(r.ms);
      else {
        p.failures++;
        if (process.env.ATTACK_DEBUG) console.log(`échec : ${urlPath} ${r.status} ${r.error ?? ''}`);
      }
    }
  }
  return p;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const summary = (xs: number[]) => ({ n: xs.length, p50Ms: round(pct(xs, 0.5), 2), p99Ms: round(pct(xs, 0.99), 2) });

// --- the attacker -----------------------------------------------------------------------------
function attacker(): ChildProcess {
  return fork(path.join(import.meta.dirname, '_sse-attacker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
}
type OpenResult = { statuses: Record<string, number>; ms: number; held: number };
const ask = <T>(child: ChildProcess, msg: object): Promise<T> =>
  new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });

/** Samples the server's footprint every 50 ms while `until` runs; the peak. */
async function peak(pid: number, until: Promise<unknown>) {
  let max = processFootprint(pid);
  let done = false;
  void until.then(() => (done = true));
  while (!done) {
    const f = processFootprint(pid);
    max = { rss: Math.max(max.rss, f.rss), fds: Math.max(max.fds, f.fds) };
    await new Promise((r) => setTimeout(r, 50));
  }
  return max;
}

const server: Server = await startServer({ DATABASE_PATH: dbPath });
const child = attacker();
try {
  await new Promise((r) => setTimeout(r, 500));
  // Warm up both routes (first render compiles the templates), then the reference.
  await probe(server.port, new Promise((r) => setTimeout(r, 500)));
  const idle = processFootprint(server.pid);
  const before = await probe(server.port, new Promise((r) => setTimeout(r, BASELINE_MS / 2)));

  // A. one session, OPENS attempts
  const aCpu0 = cpuMs(server.pid);
  const aDone = ask<OpenResult>(child, { cmd: 'open', port: server.port, cookies: [cookies[0]], attempts: OPENS, concurrency: CONCURRENCY });
  const [aProbe, aPeak, a] = await Promise.all([probe(server.port, aDone), peak(server.pid, aDone), aDone]);
  const aCpu = cpuMs(server.pid) - aCpu0;
  await ask(child, { cmd: 'release' });
  await new Promise((r) => setTimeout(r, 500));

  // B. every session its share, up to the process cap, held; then more from fresh sessions
  const bFill = ask<OpenResult>(child, { cmd: 'open', port: server.port, cookies: cookies.slice(1, sessionsForCap + 1), attempts: sessionsForCap * PER_SESSION, concurrency: 100 });
  const [bFillPeak, bFilled] = await Promise.all([peak(server.pid, bFill), bFill]);
  const atCap = processFootprint(server.pid);
  const bCpu0 = cpuMs(server.pid);
  const bDone = ask<OpenResult>(child, { cmd: 'open', port: server.port, cookies: cookies.slice(sessionsForCap + 1), attempts: EXTRA_OPENS, concurrency: CONCURRENCY });
  const [bProbe, bPeak, b] = await Promise.all([probe(server.port, bDone), peak(server.pid, bDone), bDone]);
  const bCpu = cpuMs(server.pid) - bCpu0;
  await ask(child, { cmd: 'release' });
  // Past the server's keep-alive timeout (5 s): the attacker's idle connections are closed too.
  await new Promise((r) => setTimeout(r, 6000));
  const after = processFootprint(server.pid);
  // The reference: no attack, half before and half after (the machine is shared: drift).
  const afterProbe = await probe(server.port, new Promise((r) => setTimeout(r, BASELINE_MS / 2)));
  const baseline: Probe = { healthz: [...before.healthz, ...afterProbe.healthz], home: [...before.home, ...afterProbe.home], failures: before.failures + afterProbe.failures };

  const ratio = (x: number, ref: number) => round(x / ref, 2);
  const scenario = (p: Probe) => ({
    healthz: { ...summary(p.healthz), p50Ratio: ratio(pct(p.healthz, 0.5), pct(baseline.healthz, 0.5)), p99Ratio: ratio(pct(p.healthz, 0.99), pct(baseline.healthz, 0.99)) },
    home: { ...summary(p.home), p50Ratio: ratio(pct(p.home, 0.5), pct(baseline.home, 0.5)), p99Ratio: ratio(pct(p.home, 0.99), pct(baseline.home, 0.99)) },
    failures: p.failures,
  });
  const fp = (f: { rss: number; fds: number }) => ({ rssMiB: round(f.rss / MiB), fds: f.fds });
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    limits: { perSession: PER_SESSION, total: TOTAL, fdLimit: Number(/^Max open files\s+(\d+)/m.exec(fs.readFileSync(`/proc/${server.pid}/limits`, 'utf8'))?.[1]) },
    baseline: { healthz: summary(baseline.healthz), home: summary(baseline.home), failures: baseline.failures, server: fp(idle) },
    oneSession: { attempts: OPENS, concurrency: CONCURRENCY, statuses: a.statuses, opensPerSecond: Math.round(OPENS / (a.ms / 1000)), serverCpuPerOpenUs: Math.round((aCpu * 1000) / OPENS), ...scenario(aProbe), serverPeak: fp(aPeak) },
    processCap: {
      sessions: sessionsForCap,
      filled: bFilled.statuses,
      serverAtCap: fp(atCap),
      perStreamKiB: round((atCap.rss - idle.rss) / 1024 / (bFilled.statuses['200'] ?? 1)),
      fillPeak: fp(bFillPeak),
      extraAttempts: EXTRA_OPENS,
      statuses: b.statuses,
      serverCpuPerOpenUs: Math.round((bCpu * 1000) / EXTRA_OPENS),
      ...scenario(bProbe),
      serverPeak: fp(bPeak),
    },
    afterRelease: fp(after),
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');

  const st = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${frN(v)} × ${k === '0' ? 'erreur' : k}`).join(', ');
  console.log(`Limites : ${PER_SESSION} flux par session, ${frN(TOTAL)} par processus (descripteurs permis : ${frN(result.limits.fdLimit)})`);
  console.log(`Sans attaque (avant et après) : /healthz p50 ${result.baseline.healthz.p50Ms} ms, p99 ${result.baseline.healthz.p99Ms} ms ; / p50 ${result.baseline.home.p50Ms} ms, p99 ${result.baseline.home.p99Ms} ms ; ${fp(idle).rssMiB} Mio, ${idle.fds} descripteurs`);
  for (const [name, s, peakF] of [
    [`A. ${frN(OPENS)} ouvertures d’une session (${st(a.statuses)} ; ${frN(result.oneSession.opensPerSecond)}/s)`, result.oneSession, aPeak],
    [`B. ${frN(bFilled.statuses['200'] ?? 0)} flux de ${frN(sessionsForCap)} sessions tenus, puis ${frN(EXTRA_OPENS)} ouvertures (${st(b.statuses)})`, result.processCap, bPeak],
  ] as const) {
    console.log(name);
    console.log(`   /healthz p50 ${s.healthz.p50Ms} ms (${s.healthz.p50Ratio} ×), p99 ${s.healthz.p99Ms} ms (${s.healthz.p99Ratio} ×) ; / p50 ${s.home.p50Ms} ms (${s.home.p50Ratio} ×), p99 ${s.home.p99Ms} ms (${s.home.p99Ratio} ×) ; échecs : ${s.failures}`);
    console.log(`   CPU du serveur par ouverture refusée ou acceptée : ${s.serverCpuPerOpenUs} µs (sondes comprises)`);
    console.log(`   serveur au pic : ${fp(peakF).rssMiB} Mio, ${peakF.fds} descripteurs`);
  }
  console.log(`Au plafond : ${result.processCap.serverAtCap.rssMiB} Mio, ${atCap.fds} descripteurs (${result.processCap.perStreamKiB} Kio par flux) ; après fermeture : ${result.afterRelease.rssMiB} Mio, ${after.fds} descripteurs`);
} finally {
  child.kill();
  await stopServer(server);
  fs.rmSync(dir, { recursive: true, force: true });
}
