import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../src/db/connection.js';
import type { Questionnaire } from '../src/questionnaire/schema.js';
import { insertRespondents, sortedIds } from '../src/demo/demo.js';
import { demoChannels, reportProfile } from '../src/demo/profile.js';
import { syntheticRespondents } from '../src/results/synthetic.js';
import { territory } from '../src/territory/communes.js';

// Databases of generated responses for the results and export benchmarks. Building a million
// responses takes minutes, so each size is kept in the system's temporary folder and reused
// (BENCH_REBUILD=1 forces a new one).

export const SEED = 7;

/** Machine description stored with every benchmark result. */
export function machine(db?: Db) {
  return {
    loadAverage1m: Math.round(os.loadavg()[0] * 10) / 10,
    cpuModel: os.cpus()[0]?.model ?? 'inconnu',
    cpuCount: os.cpus().length,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    sqlite: db ? (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v : undefined,
  };
}

export function benchDbPath(count: number): string {
  return path.join(os.tmpdir(), `avenir-bench-${count}-seed${SEED}.db`);
}

/** Opens the database of `count` generated completed responses, building it if needed. */
export function populationDb(q: Questionnaire, count: number, log = console.log): Db {
  const file = benchDbPath(count);
  if (fs.existsSync(file) && process.env.BENCH_REBUILD !== '1') {
    const db = openDatabase(file);
    const n = (db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`).get() as { n: number }).n;
    if (n === count) {
      log(`base existante : ${file} (${n} réponses)`);
      return db;
    }
    db.close();
  }
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  log(`construction de ${count} réponses dans ${file}…`);
  const t0 = performance.now();
  const db = openDatabase(file);
  // Build only: nothing to protect against a power cut while generating test data.
  db.pragma('synchronous = OFF');
  const people = syntheticRespondents(q, { count, seed: SEED, profile: reportProfile, territory: territory(), channels: demoChannels });
  insertRespondents(db, q, people, { ids: sortedIds(count), counts: 'rebuild', batchSize: 20_000 });
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  log(`  construite en ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return db;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}
