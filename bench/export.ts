import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { openDatabase } from '../src/db/connection.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { hashPassword } from '../src/staff/passwords.js';
import { createStaffStore } from '../src/staff/store.js';
import { machine, populationDb } from './_population.js';
import { startArgs, startServer as startChild, stopServer, type Server } from './_server.js';

// Issue #4: responses.csv from the real server. For each size, src/server.ts runs as `npm start`
// runs it (the command of package.json, without npm) in a child process, on a copy of the generated
// database; an analyst's
// API token downloads the export over HTTP (fast reader, deliberately slow reader, Excel variant,
// gzip as R and Python ask for it) while the child's memory is read from /proc/<pid>/status:
// VmRSS every 2 ms, and VmHWM, the kernel's exact peak, reset before each download (clear_refs).
// Compared with the sqlite3 command-line tool writing the same answer rows as CSV.
//
//   npx tsx bench/export.ts        (BENCH_EXPORT_SIZES=26000,100000 by default)

const SIZES = (process.env.BENCH_EXPORT_SIZES ?? '26000,100000').split(',').map(Number);
const TARGET_MIB = 150;
const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'results', 'export.json');
const q = loadQuestionnaire();
const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
const fr = (n: number) => n.toLocaleString('fr-FR');

// ---------------------------------------------------------------------------------------------
// Memory of another process, from /proc

type Status = { rss: number; hwm: number; anon: number; file: number };

function status(pid: number): Status | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // exited
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Resets the kernel's peak (VmHWM) to the current RSS; false where not allowed. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** VmRSS sampled every 2 ms; max() since the last reset. */
function sampler(pid: number) {
  let max = 0;
  let samples = 0;
  const timer = setInterval(() => {
    const s = status(pid);
    if (!s) return;
    samples++;
    if (s.rss > max) max = s.rss;
  }, 2);
  return {
    reset() {
      max = status(pid)?.rss ?? 0;
      samples = 0;
    },
    max: () => max,
    samples: () => samples,
    stop: () => clearInterval(timer),
  };
}

// ---------------------------------------------------------------------------------------------
// The server in a child process

// Started exactly as `npm start` (bench/_server.ts); a first start on an older database rebuilds
// the derived tables, hence the longer wait.
const startServer = (databasePath: string): Promise<Server> => startChild({ DATABASE_PATH: databasePath }, { readyTimeoutMs: 300_000 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Downloads

type Reader = 'fast' | 'slow' | 'gzip';

/**
 * GET with the token. 'slow' takes a break of SLOW_PAUSE_MS after every chunk received (a few
 * megabytes a second: the server has to wait for it); 'gzip' asks for compression, as R's httr2
 * and Python's requests do, and inflates. Counts the CSV bytes and lines.
 */
const SLOW_PAUSE_MS = 5;
function download(port: number, urlPath: string, token: string, reader: Reader) {
  return new Promise<{ ms: number; bytes: number; wireBytes: number; lines: number; header: string; encoding: string }>((resolve, reject) => {
    const t0 = performance.now();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (reader === 'gzip') headers['Accept-Encoding'] = 'gzip';
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`${urlPath} : HTTP ${res.statusCode}`));
        }
        const encoding = String(res.headers['content-encoding'] ?? 'identity');
        let wireBytes = 0;
        let bytes = 0;
        let lines = 0;
        let header = '';
        res.on('data', (chunk: Buffer) => {
          wireBytes += chunk.length;
          if (reader === 'slow') {
            res.pause();
            setTimeout(() => res.resume(), SLOW_PAUSE_MS);
          }
        });
        const body = encoding === 'gzip' ? res.pipe(zlib.createGunzip()) : res;
        body.on('data', (chunk: Buffer) => {
          if (!header.includes('\n') && header.length < 64 * 1024) header += chunk.toString('utf8');
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        body.on('end', () => resolve({ ms: performance.now() - t0, bytes, wireBytes, lines, header: header.split(/\r?\n/)[0], encoding }));
        body.on('error', reject);
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------

/** RSS of node alone and of node with the options of `npm start` (tsx…), running an empty program. */
function floor() {
  const print = `const s = require('fs').readFileSync('/proc/self/status', 'utf8'); console.log(/VmRSS:\\s+(\\d+)/.exec(s)[1]);`;
  const rss = (args: string[]) => {
    const r = spawnSync(process.execPath, [...args, '-e', print], { cwd: ROOT, encoding: 'utf8' });
    return mib(Number(r.stdout.trim()) * 1024);
  };
  return { nodeMiB: rss([]), nodeTsxMiB: rss(startArgs().filter((a) => a !== 'src/server.ts')) };
}

const CASES: { label: string; path: string; reader: Reader }[] = [
  { label: 'lecteur rapide', path: '/export/responses.csv', reader: 'fast' },
  { label: `lecteur lent (pause de ${SLOW_PAUSE_MS} ms par paquet)`, path: '/export/responses.csv', reader: 'slow' },
  { label: 'Excel (BOM, ;, CRLF) et libellés', path: '/export/responses.csv?excel=1&labels=1', reader: 'fast' },
  { label: 'gzip (comme R et Python)', path: '/export/responses.csv', reader: 'gzip' },
];

async function benchSize(size: number, tmp: string) {
  console.log(`\n— ${fr(size)} réponses`);
  // The cached database stays untouched: the server works on a consistent copy (backup API).
  const file = path.join(tmp, `avenir-${size}.db`);
  const source = populationDb(q, size);
  const answerRows = (
    source.prepare(`SELECT count(*) AS n FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.status = 'complete'`).get() as { n: number }
  ).n;
  const host = machine(source);
  await source.backup(file);
  source.close();

  // An analyst and a personal API token, as /compte/jetons makes them.
  const db = openDatabase(file);
  const store = createStaffStore(db);
  const analyst = store.create('banc-export@exemple.fr', 'analyst', await hashPassword(crypto.randomBytes(18).toString('base64url')));
  const { token } = store.createToken(analyst.id, 'banc d’essai export');
  db.close();

  // First start on this copy: migrations and derived tables the generated database may lack.
  const first = await startServer(file);
  const firstStartPeak = status(first.pid)!.hwm;
  await stopServer(first);

  // The measured start: an ordinary restart.
  const server = await startServer(file);
  const startPeak = status(server.pid)!.hwm;
  await sleep(2000);
  const idle = status(server.pid)!;
  console.log(
    `  serveur : premier démarrage ${mib(firstStartPeak)} Mio au plus, redémarrage prêt en ${(server.readyMs / 1000).toFixed(1)} s, ` +
      `pic ${mib(startPeak)} Mio, au repos ${mib(idle.rss)} Mio (anonyme ${mib(idle.anon)}, fichiers ${mib(idle.file)})`,
  );

  const samples = sampler(server.pid);
  const cases = [];
  let columns = 0;
  for (const c of CASES) {
    const before = status(server.pid)!.rss;
    const exact = resetPeak(server.pid);
    samples.reset();
    const r = await download(server.port, c.path, token, c.reader);
    const after = status(server.pid)!;
    // Without clear_refs, VmHWM would be the peak since the start: the samples only then.
    const peak = exact ? Math.max(after.hwm, samples.max()) : samples.max();
    if (!r.header.replace(/^\ufeff/, '').startsWith('response_id')) throw new Error(`${c.path} : en-tête inattendu ${r.header.slice(0, 60)}`);
    if (r.lines < size + 1) throw new Error(`${c.path} : ${r.lines} lignes pour ${size} réponses`);
    if (c.reader === 'fast' && !c.path.includes('excel')) columns = r.header.split(',').length;
    const row = {
      label: c.label,
      path: c.path,
      reader: c.reader,
      contentEncoding: r.encoding,
      seconds: Math.round(r.ms) / 1000,
      megabytes: mib(r.bytes),
      transferredMegabytes: mib(r.wireBytes),
      responsesPerSecond: Math.round((size * 1000) / r.ms),
      answerRowsPerSecond: Math.round((answerRows * 1000) / r.ms),
      rssBeforeMiB: mib(before),
      peakRssMiB: mib(peak),
      growthMiB: mib(peak - before),
      rssAfterMiB: mib(after.rss),
      peakSource: exact ? 'VmHWM remis à zéro avant le téléchargement (exact)' : 'VmRSS toutes les 2 ms',
      rssSamples: samples.samples(),
    };
    cases.push(row);
    console.log(
      `  ${c.label} : ${row.seconds} s, ${fr(row.responsesPerSecond)} réponses/s, ${fr(row.answerRowsPerSecond)} lignes de réponses/s, ` +
        `${row.megabytes} Mo${c.reader === 'gzip' ? ` (${row.transferredMegabytes} Mo transférés)` : ''} ; mémoire : pic ${row.peakRssMiB} Mio (+${row.growthMiB} pendant le téléchargement)`,
    );
  }
  samples.stop();
  await stopServer(server);

  // The sqlite3 command-line tool on the same answer rows, in the same order, as plain CSV.
  let cli: Record<string, unknown> = { available: false, note: 'binaire sqlite3 absent : pas de comparaison' };
  const probe = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  if (probe.status === 0) {
    const out = path.join(tmp, 'cli.csv');
    const sql = `SELECT r.id, r.questionnaire_version, r.channel, substr(r.completed_hour, 1, 10), a.question_id, a.option_code, a.value_text, a.value_num
      FROM responses r JOIN answers a ON a.response_id = r.id WHERE r.status = 'complete' ORDER BY r.id;`;
    const fd = fs.openSync(out, 'w');
    const t0 = performance.now();
    const run = spawnSync('sqlite3', ['-readonly', '-csv', file, sql], { stdio: ['ignore', fd, 'pipe'] });
    const ms = performance.now() - t0;
    fs.closeSync(fd);
    if (run.status !== 0) throw new Error(`sqlite3 : ${run.stderr}`);
    cli = {
      available: true,
      version: probe.stdout.trim().split(' ')[0],
      seconds: Math.round(ms) / 1000,
      answerRowsPerSecond: Math.round((answerRows * 1000) / ms),
      megabytes: mib(fs.statSync(out).size),
      note: 'format long (une ligne par réponse à une question), sans pivot, écrit dans un fichier : ce que notre export lit avant de le mettre en colonnes',
    };
    fs.rmSync(out);
    console.log(`  sqlite3 -csv (format long, sans pivot, vers un fichier) : ${cli.seconds} s, ${fr(cli.answerRowsPerSecond as number)} lignes de réponses/s`);
  }
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const fast = cases[0];
  return {
    responses: size,
    answerRows,
    columns,
    machine: host,
    server: {
      firstStartPeakMiB: mib(firstStartPeak),
      readySeconds: Math.round(server.readyMs) / 1000,
      startPeakMiB: mib(startPeak),
      idleRssMiB: mib(idle.rss),
      idleAnonMiB: mib(idle.anon),
      idleFileMiB: mib(idle.file),
    },
    cases,
    peakRssMiB: Math.max(...cases.map((c) => c.peakRssMiB)),
    sqlite3Cli: cli,
    ratioAnswerRowsPerSecondVsCli: cli.available ? Math.round((fast.answerRowsPerSecond / (cli.answerRowsPerSecond as number)) * 100) / 100 : null,
  };
}

// ---------------------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-export-'));
const base = floor();
console.log(`Plancher : node seul ${base.nodeMiB} Mio, node avec les options de npm start (tsx…) ${base.nodeTsxMiB} Mio (programmes vides)`);
const sizes = [];
try {
  for (const size of SIZES) sizes.push(await benchSize(size, tmp));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const peak = Math.max(...sizes.map((s) => Math.max(s.peakRssMiB, s.server.startPeakMiB)));
const growths = sizes.map((s) => Math.max(...s.cases.map((c) => c.growthMiB)));
const firstStart = Math.max(...sizes.map((s) => s.server.firstStartPeakMiB));
const met = peak < TARGET_MIB;
const command = `node ${startArgs().join(' ')}`;
const result = {
  date: new Date().toISOString(),
  machine: sizes[0]?.machine ?? machine(),
  targetMiB: TARGET_MIB,
  measured: `processus serveur réel (${command}, comme npm start) ; VmRSS toutes les 2 ms et VmHWM de /proc/<pid>/status`,
  floor: base,
  sizes: sizes.map(({ machine: _m, ...s }) => s),
  peakRssMiB: peak,
  targetMet: met,
  note:
    'pics mesurés sur un redémarrage ; le premier démarrage sur une base générée (firstStartPeakMiB) ' +
    'comprend les migrations et le calcul des tables dérivées, une seule fois par base',
};
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);

console.log(`\nExport responses.csv par le vrai serveur (${command}), mémoire résidente du processus`);
console.log(`Objectif : moins de ${TARGET_MIB} Mio, démarrage compris, sans hausse avec la taille.`);
console.log('| réponses | au repos | pic au démarrage | pic pendant l’export | hausse pendant l’export | lignes de réponses/s | sqlite3 -csv | rapport |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [i, s] of sizes.entries()) {
  const cli = s.sqlite3Cli.available ? `${fr(s.sqlite3Cli.answerRowsPerSecond as number)} /s` : '—';
  console.log(
    `| ${fr(s.responses)} | ${s.server.idleRssMiB} Mio | ${s.server.startPeakMiB} Mio | ${s.peakRssMiB} Mio | +${growths[i]} Mio au plus | ` +
      `${fr(s.cases[0].answerRowsPerSecond)} /s | ${cli} | ${s.ratioAnswerRowsPerSecondVsCli ?? '—'} × |`,
  );
}
if (sizes.length > 1) {
  const a = sizes[0];
  const b = sizes[sizes.length - 1];
  console.log(
    `De ${fr(a.responses)} à ${fr(b.responses)} réponses (× ${(b.responses / a.responses).toFixed(1)}) : pic pendant l’export ${a.peakRssMiB} → ${b.peakRssMiB} Mio, ` +
      `hausse pendant l’export +${growths[0]} → +${growths[growths.length - 1]} Mio.`,
  );
}
console.log(
  `Objectif < ${TARGET_MIB} Mio : ${met ? 'atteint' : 'NON ATTEINT'} (pic le plus haut ${peak} Mio ; ` +
    `plancher : node + tsx ${base.nodeTsxMiB} Mio, node seul ${base.nodeMiB} Mio, programmes vides).`,
);
console.log(
  `Premier démarrage sur une base générée (migrations, tables dérivées, une seule fois) : jusqu’à ${firstStart} Mio` +
    `${firstStart >= TARGET_MIB ? ', au-delà de l’objectif' : ''}.`,
);
console.log(`Résultats écrits dans ${path.relative(process.cwd(), OUT)}`);
