import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../src/db/connection.js';
import { insertRespondents, sortedIds } from '../src/demo/demo.js';
import { demoChannels, reportProfile } from '../src/demo/profile.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { syntheticRespondents } from '../src/results/synthetic.js';
import { territory } from '../src/territory/communes.js';
import { computeWeighting, dropMembers, materializeMembers, resolveSpec, writeWeights, type WeightingSpec } from '../src/weights/raking.js';
import type { ResolvedMargin } from '../src/weights/margins.js';
import { machine, median, SEED, timed } from './_population.js';

// Raking weights (issue 12) at 26,000 and 1,000,000 generated responses, on the four seeded
// margins with answers (sex, track, schooling of the 15-17, intercommunality, all ages): ours
// (GROUP BY the margins' categories, rake the cells, one INSERT … SELECT into response_weights)
// against the equivalent raw SQL measured in the same run: the same IPF done with SQL UPDATE
// statements on a table of every response (one UPDATE per margin and iteration), then the same
// INSERT into response_weights. Both from the same answers, with the same tolerance: the weights
// must agree. Printed: each median and the ratio ours / raw SQL (target ≤ 1: never slower).
//
//   npx tsx bench/raking.ts          sizes 26000 and 1000000
//   BENCH_SIZES=26000 npx tsx bench/raking.ts
// Only the identity section of each generated respondent is stored (raking reads nothing else):
// the databases (kept in the temporary folder, BENCH_REBUILD=1 rebuilds) stay small and quick to
// build. Everything the runs write is rolled back.

const SIZES = (process.env.BENCH_SIZES ?? '26000,1000000').split(',').map(Number);
const OUT = path.resolve(import.meta.dirname, 'results', 'raking.json');
const TARGET_RATIO = 1;
const BASE = 26_000;
const SPEC: WeightingSpec = { margins: ['sexe_15_24', 'voie_lycee', 'scolarisation_15_17', 'epci_tous_ages'], tolerance: 1e-6, maxIterations: 100, cap: null };
const q = loadQuestionnaire();

function identityDb(count: number): Db {
  const file = path.join(os.tmpdir(), `avenir-bench-raking-${count}-seed${SEED}.db`);
  if (fs.existsSync(file) && process.env.BENCH_REBUILD !== '1') {
    const db = openDatabase(file);
    if ((db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`).get() as { n: number }).n === count) return db;
    db.close();
  }
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  if (count > BASE) return replicated(count, file);
  console.log(`construction de ${count.toLocaleString('fr-FR')} réponses (section « Mon identité ») dans ${file}…`);
  const t0 = performance.now();
  const db = openDatabase(file);
  db.pragma('synchronous = OFF');
  const identity = new Set(q.sections[0].questions.map((x) => x.id));
  const keep = (id: string) => identity.has(id.split('__')[0]);
  function* people() {
    for (const p of syntheticRespondents(q, { count, seed: SEED, profile: reportProfile, territory: territory(), channels: demoChannels })) {
      yield { ...p, rows: p.rows.filter((r) => keep(r.questionId)) };
    }
  }
  insertRespondents(db, q, people(), { ids: sortedIds(count), counts: 'rebuild', batchSize: 20_000 });
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`  construite en ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return db;
}

/**
 * A large database: the BASE generated respondents repeated under new ids until `count`
 * (generating a million respondents one by one would take a quarter of an hour on a small
 * machine; the shares of every variable are those of the generated ones).
 */
function replicated(count: number, file: string): Db {
  const base = identityDb(BASE);
  base.close();
  console.log(`construction de ${count.toLocaleString('fr-FR')} réponses (les ${BASE.toLocaleString('fr-FR')} générées, répétées) dans ${file}…`);
  const t0 = performance.now();
  const db = openDatabase(file);
  db.pragma('synchronous = OFF');
  db.exec(`ATTACH '${path.join(os.tmpdir(), `avenir-bench-raking-${BASE}-seed${SEED}.db`).replace(/'/g, "''")}' AS base`);
  for (let copy = 0, done = 0; done < count; copy++) {
    const take = Math.min(BASE, count - done);
    db.transaction(() => {
      // The copy's number in front of the generated id: unique, and each copy appended in key order
      // (random keys would make every insert land anywhere in the tables' B-trees).
      db.exec(`CREATE TEMP TABLE ids AS SELECT id AS old, printf('%02x', ${copy}) || id AS new FROM base.responses ORDER BY id LIMIT ${take}`);
      db.exec(`INSERT INTO responses (id, questionnaire_id, questionnaire_version, channel, status, reached_section, started_hour, updated_hour, completed_hour)
               SELECT i.new, r.questionnaire_id, r.questionnaire_version, r.channel, r.status, r.reached_section, r.started_hour, r.updated_hour, r.completed_hour
               FROM temp.ids i JOIN base.responses r ON r.id = i.old ORDER BY i.new`);
      db.exec(`INSERT INTO answers SELECT i.new, a.question_id, a.option_code, a.value_text, a.value_num FROM temp.ids i JOIN base.answers a ON a.response_id = i.old ORDER BY i.new, a.question_id, a.option_code`);
      db.exec('DROP TABLE temp.ids');
    })();
    done += take;
  }
  db.exec('DETACH base');
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`  construite en ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return db;
}

/** Ours: what ensureWeights does when the weights are stale. */
function ours(db: Db, resolved: ResolvedMargin[]) {
  materializeMembers(db, resolved);
  const c = computeWeighting(db, resolved, SPEC, { materialized: true });
  writeWeights(db, c);
  dropMembers(db);
  return c.summary.iterations.length;
}

/**
 * The raw SQL reference: a table of every response with its categories and a weight, raked by
 * UPDATE statements (per margin: the factor of each category from a GROUP BY, then one UPDATE of
 * every row), with the same targets, rule for the categories the census lacks, stopping test and
 * final mean of 1.
 */
function rawSql(db: Db, resolved: ResolvedMargin[]) {
  const k = resolved.length;
  const cols = resolved.map((_, j) => `c${j}`);
  db.exec('DROP TABLE IF EXISTS temp.ipf');
  db.prepare(
    `CREATE TEMP TABLE ipf AS SELECT r.id AS id, ${resolved.map((m, j) => `${m.categorySql} AS c${j}`).join(', ')}, 1.0 AS w FROM responses r WHERE r.status = 'complete'`,
  ).run(...resolved.flatMap((m) => m.categoryParams));
  const n = (db.prepare('SELECT count(*) AS n FROM temp.ipf').get() as { n: number }).n;
  // Target totals: the reference shares of the covered respondents; -1 (outside) keeps its count.
  for (let j = 0; j < k; j++) {
    const shares = resolved[j].margin.categories.map((c) => c.share as number);
    const sum = shares.reduce((a, b) => a + b, 0);
    db.exec(`DROP TABLE IF EXISTS temp.tgt${j}; CREATE TEMP TABLE tgt${j} (c INTEGER PRIMARY KEY, total REAL NOT NULL)`);
    const outside = (db.prepare(`SELECT count(*) AS n FROM temp.ipf WHERE c${j} < 0 OR c${j} >= ?`).get(shares.length) as { n: number }).n;
    const ins = db.prepare(`INSERT INTO temp.tgt${j} VALUES (?, ?)`);
    shares.forEach((s, c) => ins.run(c, ((n - outside) * s) / sum));
    ins.run(-1, outside);
    db.exec(`UPDATE temp.ipf SET c${j} = -1 WHERE c${j} >= ${shares.length}`);
  }
  // Per margin: the factors of its categories into a small table, then one UPDATE … FROM of every row.
  db.exec('DROP TABLE IF EXISTS temp.fac; CREATE TEMP TABLE fac (c INTEGER PRIMARY KEY, f REAL NOT NULL)');
  const factors = cols.map((c, j) => {
    const fill = db.prepare(`INSERT INTO temp.fac SELECT s.c, t.total / s.sw FROM (SELECT ${c} AS c, sum(w) AS sw FROM temp.ipf GROUP BY ${c}) s JOIN temp.tgt${j} t ON t.c = s.c WHERE s.sw > 0`);
    const update = db.prepare(`UPDATE temp.ipf SET w = w * fac.f FROM temp.fac WHERE fac.c = temp.ipf.${c}`);
    return () => {
      db.exec('DELETE FROM temp.fac');
      fill.run();
      update.run();
    };
  });
  // Per category: weighted total against target; the largest gap, in share of the total.
  const gap = db.prepare(
    `SELECT max(g) FROM (${cols.map((c, j) => `SELECT abs(coalesce(s.sw, 0) - t.total) / (SELECT sum(w) FROM temp.ipf) AS g FROM temp.tgt${j} t LEFT JOIN (SELECT ${c} AS c, sum(w) AS sw FROM temp.ipf GROUP BY ${c}) s ON s.c = t.c`).join(' UNION ALL ')})`,
  ).pluck(true);
  let iterations = 0;
  if ((gap.get() as number) > SPEC.tolerance) {
    for (let it = 1; it <= SPEC.maxIterations; it++) {
      for (const f of factors) f();
      iterations = it;
      if ((gap.get() as number) <= SPEC.tolerance) break;
    }
  }
  db.exec(`UPDATE temp.ipf SET w = w * ${n} / (SELECT sum(w) FROM temp.ipf)`);
  db.exec('DELETE FROM response_weights');
  db.exec('INSERT INTO response_weights (response_id, weight) SELECT id, w FROM temp.ipf');
  return iterations;
}

/** Runs fn inside a transaction rolled back: the database is left as it was. */
function rolledBack<T>(db: Db, fn: () => T): T {
  db.exec('BEGIN');
  try {
    return fn();
  } finally {
    db.exec('ROLLBACK');
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const report: Record<string, unknown>[] = [];
let machineInfo: ReturnType<typeof machine> | undefined;
for (const size of SIZES) {
  const db = identityDb(size);
  machineInfo ??= machine(db);
  const r = resolveSpec(db, q, SPEC);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const resolved = r.resolved;
  console.log(`\n${size.toLocaleString('fr-FR')} réponses`);

  // Agreement (and the first timed run of each): both weightings of every response, compared.
  const a: number[] = [];
  const b: number[] = [];
  const check = rolledBack(db, () => {
    const o = timed(() => ours(db, resolved));
    a.push(o.ms);
    const itOurs = o.value;
    const weights = new Map((db.prepare('SELECT response_id, weight FROM response_weights').raw(true).all() as [string, number][]).map(([id, w]) => [id, w]));
    const x = timed(() => rawSql(db, resolved));
    b.push(x.ms);
    const itRaw = x.value;
    let maxDiff = 0;
    let missing = 0;
    for (const [id, w] of db.prepare('SELECT response_id, weight FROM response_weights').raw(true).iterate() as Iterable<[string, number]>) {
      const v = weights.get(id);
      if (v === undefined) missing++;
      else maxDiff = Math.max(maxDiff, Math.abs(v - w));
    }
    return { iterationsOurs: itOurs, iterationsRaw: itRaw, responses: weights.size, maxAbsDifference: maxDiff, missing };
  });
  const agree = check.maxAbsDifference < 1e-6 && check.missing === 0 && check.iterationsOurs === check.iterationsRaw;
  console.log(`  accord : ${check.iterationsOurs} itérations des deux côtés, écart maximal des poids ${check.maxAbsDifference.toExponential(2)} → ${agree ? 'identiques' : 'DIFFÉRENTS'}`);

  // A million: the raw SQL takes about a minute a run; one run each (the agreement's) is kept.
  const runs = size >= 500_000 ? 1 : 7;
  for (let i = 1; i < runs; i++) {
    a.push(timed(() => rolledBack(db, () => ours(db, resolved))).ms);
    b.push(timed(() => rolledBack(db, () => rawSql(db, resolved))).ms);
  }
  const oursMs = median(a);
  const rawMs = median(b);
  const ratio = Math.round((oursMs / rawMs) * 1000) / 1000;
  console.log(`  calage (4 marges) : ${round(oursMs)} ms contre ${round(rawMs)} ms en SQL brut (× ${ratio}, cible ≤ ${TARGET_RATIO})`);
  report.push({ responses: size, oursMs: round(oursMs), rawMs: round(rawMs), ratio, withinTarget: ratio <= TARGET_RATIO, runs, oursAll: a.map(round), rawAll: b.map(round), agreement: { ...check, agree } });
  db.close();
  if (!agree) process.exitCode = 1;
}

// Sizes not run this time (BENCH_SIZES) keep their last measurement, with its date.
const previous = fs.existsSync(OUT) ? (JSON.parse(fs.readFileSync(OUT, 'utf8')) as { date: string; sizes: { responses: number; date?: string }[] }) : null;
const now = new Date().toISOString();
const kept: Record<string, unknown>[] = (previous?.sizes ?? []).filter((x) => !SIZES.includes(x.responses)).map((x) => ({ date: previous!.date, ...x }));
const sizes = [...kept, ...report.map((x): Record<string, unknown> => ({ date: now, ...x }))].sort((x, y) => Number(x.responses) - Number(y.responses));
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(
  OUT,
  JSON.stringify(
    {
      date: now,
      machine: machineInfo,
      method:
        'médianes, en alternance, chaque exécution annulée (ROLLBACK) ; nous : GROUP BY des catégories des 4 marges, calage des cellules, un INSERT … SELECT dans response_weights ; SQL brut : table de toutes les réponses, un UPDATE par marge et itération, même tolérance (1e-6), même règle « hors recensement », même INSERT ; accord vérifié poids par poids',
      margins: SPEC.margins,
      sizes,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nRésultats écrits dans ${path.relative(process.cwd(), OUT)}`);
