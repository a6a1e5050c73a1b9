import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { validAnswers } from '../test/helpers.js';
import { FetchRespondent, formBody, hiddenFields } from '../test/support/fetch-respondent.js';
import { CONNECTIONS, type BenchClient } from './_submissions-server.js';

// Section submissions: how many « Suivant » per second the real app absorbs, compared with a
// "ceiling" (a bare Express server doing only the unavoidable work: parse the same form, find
// the draft, write the same rows in one transaction with the same durability pragmas), and how a
// classroom of 35 sending their last page within one second is served.
//
//   npx tsx bench/submissions.ts            (BENCH_ROUNDS=5 rounds of BENCH_SECONDS=3 s each)
//
// Each server runs alone in its own process (bench/_submissions-server.ts), as the app does in
// production; both stay up and are loaded in turn. The load generator (autocannon) runs here.

// Alternating short rounds (app, ceiling, app, ceiling…) rather than one long run each: whatever
// else the shared machine does meanwhile falls on both sides, and the median round ratio is kept.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_SECONDS = 2;
const CLASS_SIZE = 35;
const BURST_ROUNDS = 5;
const TARGET_RATIO = 0.8;
const TARGET_BURST_P99_MS = 100;
const RESULTS = path.resolve(import.meta.dirname, 'results', 'submissions.json');
const CLIENT_SETUP = path.resolve(import.meta.dirname, '_autocannon-client.cjs');

const q = loadQuestionnaire();
const SERVER = path.resolve(import.meta.dirname, '_submissions-server.ts');

type Started = { child: ChildProcess; base: string; clients: BenchClient[] };

/**
 * The V8 flags `npm start` gives node (package.json), so that both servers run as the app does in
 * production; BENCH_NODE_FLAGS replaces them to try others.
 */
function nodeFlags(): string[] {
  if (process.env.BENCH_NODE_FLAGS !== undefined) return process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);
  const script = (JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  return script.split(/\s+/).filter((a) => a.startsWith('--') && a !== '--import');
}

/** Starts one server process and waits for its "listening" line. */
async function startServer(kind: 'app' | 'ceiling', dir: string): Promise<Started> {
  const child = spawn(process.execPath, [...nodeFlags(), '--import', 'tsx', SERVER, kind, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serveur ${kind} arrêté (code ${code})`)));
  });
  const { base, clients } = JSON.parse(first) as { base: string; clients: BenchClient[] };
  return { child, base, clients };
}

async function stopServer(s: Started) {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

/** A respondent who has validated section 1 and is on section 2: cookies and the form to send. */
async function draftOnSection2(base: string): Promise<BenchClient> {
  const r = new FetchRespondent(base);
  const first = await r.answer(1, validAnswers[1]);
  if (first.location !== '/questionnaire/2') throw new Error(`section 1 : ${first.status}`);
  const page = await r.get('/questionnaire/2');
  return { cookie: r.cookieHeader(), body: formBody({ ...hiddenFields(page.text), website: '', action: 'next', ...validAnswers[2] }) };
}

// --- measuring -----------------------------------------------------------------------------------

type LoadResult = { postsPerSecond: number; p50: number; p99: number; requests: number; errors: number; cpuPerPostUs: number };

/** CPU time (user + system) the process has used so far, in microseconds (Linux /proc). */
function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

async function load(server: Started, clients: BenchClient[], seconds: number, dir: string, name: string): Promise<LoadResult> {
  const base = server.base;
  const cpu0 = cpuMicros(server.child.pid!);
  const file = path.join(dir, `${name}-clients.json`);
  fs.writeFileSync(file, JSON.stringify(clients));
  process.env.AVENIR_BENCH_CLIENTS = file; // read by the worker's setupClient
  const result = await autocannon({
    url: `${base}/questionnaire/2`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
    // In workers mode autocannon takes a file path here, which its typings do not know.
    setupClient: CLIENT_SETUP as unknown as (c: autocannon.Client) => void,
  });
  const ok = result['3xx'];
  const other = result['1xx'] + result['2xx'] + result['4xx'] + result['5xx'];
  if (other > 0 || result.errors > 0) {
    throw new Error(`${name} : ${other} réponses autres que 303, ${result.errors} erreurs (${JSON.stringify(result.statusCodeStats)})`);
  }
  // The server's own CPU per request: steadier than throughput when the machine is shared.
  const cpuPerPostUs = (cpuMicros(server.child.pid!) - cpu0) / ok;
  return { postsPerSecond: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99, requests: ok, errors: result.errors, cpuPerPostUs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** 35 respondents on the last section send it within one second; latency of each « Envoyer ». */
async function classroomBurst(base: string, db: Database.Database) {
  const latencies: number[] = [];
  const before = (db.prepare("SELECT count(*) AS n FROM responses WHERE status = 'complete'").get() as { n: number }).n;
  for (let round = 0; round < BURST_ROUNDS; round++) {
    const pupils = await Promise.all(
      Array.from({ length: CLASS_SIZE }, async () => {
        const r = new FetchRespondent(base);
        for (const step of [1, 2, 3]) {
          const res = await r.answer(step, validAnswers[step]);
          if (res.status !== 303) throw new Error(`préparation étape ${step} : ${res.status}`);
        }
        const page = await r.get('/questionnaire/4');
        return { r, body: formBody({ ...hiddenFields(page.text), website: '', action: 'next', ...validAnswers[4] }) };
      }),
    );
    // Spread at random over one second, as when a teacher says « envoyez ».
    const offsets = pupils.map(() => Math.random() * 1000);
    await Promise.all(
      pupils.map(async (p, i) => {
        await new Promise((resolve) => setTimeout(resolve, offsets[i]));
        const t0 = performance.now();
        const res = await p.r.request('POST', '/questionnaire/4', p.body);
        latencies.push(performance.now() - t0);
        if (res.status !== 303 || res.location !== '/merci') throw new Error(`envoi final : ${res.status} ${res.location}`);
      }),
    );
  }
  const after = (db.prepare("SELECT count(*) AS n FROM responses WHERE status = 'complete'").get() as { n: number }).n;
  if (after - before !== CLASS_SIZE * BURST_ROUNDS) throw new Error(`${after - before} réponses complètes au lieu de ${CLASS_SIZE * BURST_ROUNDS}`);
  latencies.sort((a, b) => a - b);
  return {
    respondents: CLASS_SIZE,
    rounds: BURST_ROUNDS,
    p50Ms: round1(percentile(latencies, 50)),
    p99Ms: round1(percentile(latencies, 99)),
    maxMs: round1(latencies[latencies.length - 1]),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function sqliteVersion(): string {
  const db = new Database(':memory:');
  const v = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return v;
}

function machine() {
  const cpus = os.cpus();
  return {
    // Other processes running during the measure lower every figure: keep the load with them.
    loadAverage1m: round1(os.loadavg()[0]),
    cpuModel: cpus[0]?.model ?? 'inconnu',
    cpuCount: cpus.length,
    totalMemoryGiB: round1(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    sqlite: sqliteVersion(),
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-bench-'));
  const host = machine(); // before the load, so that its load average is the machine's own
  const real = await startServer('app', dir);
  const ceiling = await startServer('ceiling', dir);
  // Read-only, beside the app's own connection (WAL): to check what the app acknowledged.
  const appDb = new Database(path.join(dir, 'app.db'), { readonly: true });
  try {
    const appClients = await Promise.all(Array.from({ length: CONNECTIONS }, () => draftOnSection2(real.base)));

    console.log(`Échauffement (${WARMUP_SECONDS} s chacun)…`);
    await load(real, appClients, WARMUP_SECONDS, dir, 'app');
    await load(ceiling, ceiling.clients, WARMUP_SECONDS, dir, 'plafond');
    console.log(`Mesure : ${CONNECTIONS} connexions, ${ROUNDS} manches de ${SECONDS} s en alternance, POST /questionnaire/2…`);
    const rounds: { app: LoadResult; ceiling: LoadResult; ratio: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await load(real, appClients, SECONDS, dir, 'app');
      const c = await load(ceiling, ceiling.clients, SECONDS, dir, 'plafond');
      rounds.push({ app: a, ceiling: c, ratio: a.postsPerSecond / c.postsPerSecond });
      console.log(
        `  manche ${i + 1} : application ${Math.round(a.postsPerSecond)}/s, plafond ${Math.round(c.postsPerSecond)}/s ` +
          `(${Math.round((100 * a.postsPerSecond) / c.postsPerSecond)} %) ; CPU par POST ${Math.round(a.cpuPerPostUs)} µs contre ${Math.round(c.cpuPerPostUs)} µs`,
      );
    }
    // The round whose ratio is the median speaks for the run (its figures stay consistent).
    const middle = [...rounds].sort((x, y) => x.ratio - y.ratio)[Math.floor(rounds.length / 2)];
    const app = middle.app;
    const top = middle.ceiling;
    // The drafts really were written: every connection's section 2 is on disk.
    const saved = (appDb.prepare('SELECT count(*) AS n FROM draft_sections WHERE section_id = ?').get(q.sections[1].id) as { n: number }).n;
    if (saved !== CONNECTIONS) throw new Error(`${saved} sections 2 enregistrées au lieu de ${CONNECTIONS}`);

    console.log(`Classe de ${CLASS_SIZE} qui envoie la dernière étape en une seconde (${BURST_ROUNDS} fois)…`);
    const burst = await classroomBurst(real.base, appDb);

    const ratio = middle.ratio;
    const results = {
      date: new Date().toISOString(),
      machine: host,
      settings: { nodeFlags: nodeFlags(), connections: CONNECTIONS, secondsPerRound: SECONDS, rounds: ROUNDS, loadGenerator: 'autocannon, 1 worker thread, same machine; each server alone in its own process', logger: 'silent' },
      sectionPost: {
        app: { postsPerSecond: Math.round(app.postsPerSecond), p50Ms: app.p50, p99Ms: app.p99, requests: app.requests, cpuPerPostUs: Math.round(app.cpuPerPostUs) },
        ceiling: { postsPerSecond: Math.round(top.postsPerSecond), p50Ms: top.p50, p99Ms: top.p99, requests: top.requests, cpuPerPostUs: Math.round(top.cpuPerPostUs) },
        ratio: Math.round(ratio * 1000) / 1000,
        roundRatios: rounds.map((r) => Math.round(r.ratio * 1000) / 1000),
        targetRatio: TARGET_RATIO,
        meetsTarget: ratio >= TARGET_RATIO,
      },
      classroomBurst: { ...burst, targetP99Ms: TARGET_BURST_P99_MS, meetsTarget: burst.p99Ms < TARGET_BURST_P99_MS },
    };
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);

    const pct = (x: number) => `${Math.round(x * 100)} %`;
    console.log('');
    console.log('| | POST de section/s | p50 | p99 |');
    console.log('| --- | ---: | ---: | ---: |');
    console.log(`| application | ${Math.round(app.postsPerSecond)} | ${app.p50} ms | ${app.p99} ms |`);
    console.log(`| plafond (Express + SQLite nus) | ${Math.round(top.postsPerSecond)} | ${top.p50} ms | ${top.p99} ms |`);
    console.log('');
    console.log(`Rapport application / plafond : ${pct(ratio)} (objectif ≥ ${pct(TARGET_RATIO)}) ${ratio >= TARGET_RATIO ? 'atteint' : 'NON atteint'}`);
    console.log(
      `Classe de ${CLASS_SIZE} en une seconde : p50 ${burst.p50Ms} ms, p99 ${burst.p99Ms} ms, max ${burst.maxMs} ms (objectif p99 < ${TARGET_BURST_P99_MS} ms) ` +
        `${burst.p99Ms < TARGET_BURST_P99_MS ? 'atteint' : 'NON atteint'}`,
    );
    console.log('');
    console.log('| date | machine | app POST/s | plafond POST/s | rapport | app p50 / p99 | classe de 35 : p99 |');
    console.log(
      `| ${results.date.slice(0, 10)} | ${results.machine.cpuCount} × ${results.machine.cpuModel}, ${results.machine.totalMemoryGiB} Gio, Node ${results.machine.node} | ` +
        `${Math.round(app.postsPerSecond)} | ${Math.round(top.postsPerSecond)} | ${pct(ratio)} | ${app.p50} / ${app.p99} ms | ${burst.p99Ms} ms |`,
    );
    console.log(`\nRésultats écrits dans ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    appDb.close();
    await Promise.all([stopServer(real), stopServer(ceiling)]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
