import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { writeResponsesCsv } from '../src/exports/responses-csv.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { benchDbPath, machine, populationDb } from './_population.js';

// responses.csv for 100,000 generated responses: responses and answer rows per second, and the
// process's peak memory, written to a file and to a slow in-memory client; compared with the
// sqlite3 command-line tool writing the same long-format rows as CSV (no pivot, no quoting work
// beyond its own), when the sqlite3 binary is installed.
//
//   npx tsx bench/export.ts           (BENCH_EXPORT_SIZE=100000 by default)

const SIZE = Number(process.env.BENCH_EXPORT_SIZE ?? 100_000);
const OUT = path.resolve(import.meta.dirname, 'results', 'export.json');
const q = loadQuestionnaire();
const MB = 1024 * 1024;

/** A client reading asynchronously with a small buffer: the export must wait for it. */
class SlowClient extends Writable {
  bytes = 0;
  constructor() {
    super({ highWaterMark: 64 * 1024, decodeStrings: false });
  }
  _write(chunk: string | Buffer, _e: BufferEncoding, cb: () => void) {
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    setImmediate(cb);
  }
}

async function measure(label: string, run: () => Promise<number>) {
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const t0 = performance.now();
  const bytes = await run();
  const ms = performance.now() - t0;
  clearInterval(timer);
  const r = {
    label,
    seconds: Math.round(ms) / 1000,
    responsesPerSecond: Math.round((SIZE * 1000) / ms),
    answerRowsPerSecond: Math.round((answerRows * 1000) / ms),
    megabytes: Math.round((bytes / MB) * 10) / 10,
    peakRssMiB: Math.round((peakRss / MB) * 10) / 10,
    rssGrowthMiB: Math.round(((peakRss - base.rss) / MB) * 10) / 10,
    heapGrowthMiB: Math.round(((peakHeap - base.heapUsed) / MB) * 10) / 10,
  };
  console.log(
    `  ${label} : ${r.seconds} s, ${r.responsesPerSecond.toLocaleString('fr-FR')} réponses/s, ` +
      `${r.answerRowsPerSecond.toLocaleString('fr-FR')} lignes de réponses/s, ${r.megabytes} Mo, ` +
      `mémoire : rss max ${r.peakRssMiB} Mio (+${r.rssGrowthMiB}), tas +${r.heapGrowthMiB} Mio`,
  );
  return r;
}

const db = populationDb(q, SIZE);
const answerRows = (db.prepare('SELECT count(*) AS n FROM answers').get() as { n: number }).n;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-export-'));
console.log(`\nresponses.csv, ${SIZE.toLocaleString('fr-FR')} réponses (${answerRows.toLocaleString('fr-FR')} lignes de réponses)`);

const toFile = (file: string, opts: Parameters<typeof writeResponsesCsv>[3]) => async () => {
  const out = fs.createWriteStream(file);
  const closed = new Promise<void>((resolve) => out.on('close', () => resolve()));
  await writeResponsesCsv(db, q, out, opts);
  await closed;
  return fs.statSync(file).size;
};

// Warm the page cache and the JIT once.
await toFile(path.join(tmp, 'warm.csv'), {})();

const ours = [
  await measure('fichier, codes', toFile(path.join(tmp, 'responses.csv'), {})),
  await measure('client lent (tampon 64 Kio)', async () => {
    const client = new SlowClient();
    const finished = new Promise((resolve) => client.on('finish', resolve));
    await writeResponsesCsv(db, q, client);
    await finished;
    return client.bytes;
  }),
  await measure('fichier, Excel (BOM, ;, CRLF) et libellés', toFile(path.join(tmp, 'responses-excel.csv'), { excel: true, labels: true })),
];

// The sqlite3 command-line tool on the same rows, in the same order, as plain long-format CSV.
let cli: Record<string, unknown> | { available: false; note: string };
const probe = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
if (probe.status === 0) {
  const file = path.join(tmp, 'cli.csv');
  const sql = `SELECT r.id, r.questionnaire_version, r.channel, substr(r.completed_hour, 1, 10), a.question_id, a.option_code, a.value_text, a.value_num
    FROM responses r JOIN answers a ON a.response_id = r.id WHERE r.status = 'complete' ORDER BY r.id;`;
  const fd = fs.openSync(file, 'w');
  const t0 = performance.now();
  const run = spawnSync('sqlite3', ['-readonly', '-csv', benchDbPath(SIZE), sql], { stdio: ['ignore', fd, 'pipe'] });
  const ms = performance.now() - t0;
  fs.closeSync(fd);
  if (run.status !== 0) throw new Error(`sqlite3 : ${run.stderr}`);
  cli = {
    available: true,
    version: probe.stdout.trim().split(' ')[0],
    seconds: Math.round(ms) / 1000,
    answerRowsPerSecond: Math.round((answerRows * 1000) / ms),
    megabytes: Math.round((fs.statSync(file).size / MB) * 10) / 10,
    note: 'format long (une ligne par réponse à une question), sans pivot : ce que notre export lit avant de le mettre en colonnes',
  };
  console.log(
    `  sqlite3 -csv (format long, sans pivot) : ${cli.seconds} s, ${(cli.answerRowsPerSecond as number).toLocaleString('fr-FR')} lignes de réponses/s, ${cli.megabytes} Mo`,
  );
  console.log(`  rapport lignes de réponses/s, notre export (fichier) / sqlite3 : ${(ours[0].answerRowsPerSecond / (cli.answerRowsPerSecond as number)).toFixed(2)}`);
} else {
  cli = { available: false, note: 'binaire sqlite3 absent : pas de comparaison' };
  console.log('  sqlite3 absent : pas de comparaison avec la ligne de commande');
}

fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(
  OUT,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machine(db),
      responses: SIZE,
      answerRows,
      columns: (fs.readFileSync(path.join(tmp, 'responses.csv'), 'utf8').split('\n', 1)[0] ?? '').split(',').length,
      ours,
      sqlite3Cli: cli,
      ratioAnswerRowsPerSecondVsCli: 'answerRowsPerSecond' in cli ? Math.round((ours[0].answerRowsPerSecond / (cli.answerRowsPerSecond as number)) * 100) / 100 : null,
    },
    null,
    2,
  ) + '\n',
);
fs.rmSync(tmp, { recursive: true, force: true });
db.close();
console.log(`\nRésultats écrits dans ${path.relative(process.cwd(), OUT)}`);
