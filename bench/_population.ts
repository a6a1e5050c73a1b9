import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../src/db/connection.js';
import type { Questionnaire } from '../src/questionnaire/schema.js';
import { insertRespondents, sortedIds } from '../src/demo/demo.js';
import { rebuildCounts } from '../src/results/counts.js';
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

/** The database of `count` responses made of copies of the generated ones (see populationDb). */
export function replicatedDbPath(count: number): string {
  return benchDbPath(count).replace(/\.db$/, '-copies.db');
}

/** Respondents generated one by one before a larger database is made of their copies. */
export const REPLICATION_BASE = 26_000;

/**
 * Opens the database of `count` generated completed responses, building it if needed.
 * `replicate`: above REPLICATION_BASE, the generated respondents are copied under new ids until
 * `count` (minutes instead of a quarter of an hour for a million on a small machine; every share
 * is that of the generated ones). Such a database is kept under its own name.
 */
export function populationDb(q: Questionnaire, count: number, log = console.log, opts: { replicate?: boolean } = {}): Db {
  const replicate = opts.replicate === true && count > REPLICATION_BASE;
  const file = replicate ? replicatedDbPath(count) : benchDbPath(count);
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
  if (replicate) return replicated(q, count, file, log);
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

function replicated(q: Questionnaire, count: number, file: string, log: typeof console.log): Db {
  populationDb(q, REPLICATION_BASE, log).close();
  log(`construction de ${count} réponses (les ${REPLICATION_BASE} générées, répétées) dans ${file}…`);
  const t0 = performance.now();
  const db = openDatabase(file);
  db.pragma('synchronous = OFF');
  db.exec(`ATTACH '${benchDbPath(REPLICATION_BASE).replace(/'/g, "''")}' AS base`);
  // Same answer key ids as the copied summaries (migration 006).
  db.exec('INSERT INTO answer_keys SELECT * FROM base.answer_keys');
  for (let copy = 0, done = 0; done < count; copy++) {
    const take = Math.min(REPLICATION_BASE, count - done);
    db.transaction(() => {
      // The copy's number in front of the generated id: unique, and each copy appended in key order.
      db.exec(`CREATE TEMP TABLE ids AS SELECT id AS old, printf('%02x', ${copy}) || id AS new FROM base.responses WHERE status = 'complete' ORDER BY id LIMIT ${take}`);
      db.exec(`INSERT INTO responses (id, questionnaire_id, questionnaire_version, channel, status, reached_section, started_hour, updated_hour, completed_hour)
               SELECT i.new, r.questionnaire_id, r.questionnaire_version, r.channel, r.status, r.reached_section, r.started_hour, r.updated_hour, r.completed_hour
               FROM temp.ids i JOIN base.responses r ON r.id = i.old ORDER BY i.new`);
      db.exec(`INSERT INTO answers SELECT i.new, a.question_id, a.option_code, a.value_text, a.value_num FROM temp.ids i JOIN base.answers a ON a.response_id = i.old ORDER BY i.new, a.question_id, a.option_code`);
      db.exec(`INSERT INTO response_codes SELECT i.new, c.codes FROM temp.ids i JOIN base.response_codes c ON c.response_id = i.old ORDER BY i.new`);
      db.exec('DROP TABLE temp.ids');
    })();
    done += take;
  }
  db.exec('DETACH base');
  rebuildCounts(db);
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
