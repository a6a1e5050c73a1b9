import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../src/db/connection.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { completionFunnel, computeResults, selectionOf } from '../src/results/aggregate.js';
import { parseFilters, type Filter } from '../src/results/filters.js';
import { machine, median, populationDb, timed } from './_population.js';
import { ensureAnswered } from '../src/results/answered.js';

// Results engine (issue 5): time to compute every question's results at 26,000 and 1,000,000
// generated responses, without filter (running totals, target < 100 ms) and with filters (target:
// within 1.2 × the plain grouped query on the same responses:
//   SELECT question_id, option_code, count(*) FROM answers WHERE response_id IN (<filtered>) GROUP BY …).
// Ours reads the per-response summaries of migration 006 (what the application does); each timed
// run computes from the database (no cache). The same computation from the answers table (used for
// responses without a summary) is timed too, for reference.
//
//   npx tsx bench/results.ts                  sizes 26000 and 1000000
//   BENCH_SIZES=26000 npx tsx bench/results.ts
// Generated databases are kept in the temporary folder (a million responses take a few minutes
// to build the first time); BENCH_REBUILD=1 rebuilds them.

const SIZES = (process.env.BENCH_SIZES ?? '26000,1000000').split(',').map(Number);
const OUT = path.resolve(import.meta.dirname, 'results', 'results.json');
const TARGET_UNFILTERED_MS = 100;
const TARGET_RATIO = 1.2;
/**
 * Weighted results (weighted=1, src/results/weighted.ts) against the plain grouped query that sums
 * the weights over the same answers: ours adds the selection's temporary table, the probes of the
 * multiple choice bases and the building of three result sets (raw, Σw, Σw²).
 */
const TARGET_WEIGHTED_RATIO = 1.5;
const WEIGHTED_SCENARIOS: { name: string; query: Record<string, string | string[]> }[] = [
  { name: 'pondéré, sans filtre (weighted=1)', query: { weighted: '1' } },
  { name: 'pondéré, deux filtres (weighted=1, f.genre=feminin, f.commune__epci=call)', query: { weighted: '1', 'f.genre': 'feminin', 'f.commune__epci': 'call' } },
];
const q = loadQuestionnaire();

const SCENARIOS: { name: string; query: Record<string, string | string[]> }[] = [
  { name: 'deux filtres sur les réponses (f.genre=feminin, f.commune__epci=call)', query: { 'f.genre': 'feminin', 'f.commune__epci': 'call' } },
  {
    name: 'canal, dates et une réponse (channel=lycee-carnot, décembre 2022, f.genre=masculin)',
    query: { channel: 'lycee-carnot', from: '2022-12-01', to: '2022-12-31', 'f.genre': 'masculin' },
  },
  // Running totals minus the flagged responses (none flagged here: the cost is finding them).
  { name: 'seulement « exclure les réponses signalées » (exclude_flagged=1)', query: { exclude_flagged: '1' } },
];

function filterOf(query: Record<string, string | string[]>): Filter {
  const r = parseFilters(query, q);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
}

/** The reference: the plain grouped count over the same filtered responses (same selection SQL). */
function rawQuery(db: Db, filter: Filter) {
  const f = selectionOf(db, q, filter);
  const stmt = db.prepare(
    `SELECT question_id, option_code, count(*) FROM answers
     WHERE response_id IN (SELECT r.id FROM responses r WHERE ${f.where})
     GROUP BY question_id, option_code`,
  );
  return () => stmt.raw(true).all(...f.params);
}

/** The reference of weighted results: Σw and Σw² per (question, option) over the filtered answers. */
function rawWeightedQuery(db: Db, filter: Filter) {
  const f = selectionOf(db, q, filter);
  const stmt = db.prepare(
    `SELECT a.question_id, a.option_code, count(*), total(w.weight), total(w.weight * w.weight)
     FROM answers a JOIN response_weights w ON w.response_id = a.response_id
     WHERE a.response_id IN (SELECT r.id FROM responses r WHERE ${f.where})
     GROUP BY a.question_id, a.option_code`,
  );
  return () => stmt.raw(true).all(...f.params);
}

/** Alternates the two (so a load change on the machine hits both) and keeps the medians. */
function compare(runs: number, ours: () => unknown, raw: () => unknown) {
  ours();
  raw();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(timed(ours).ms);
    b.push(timed(raw).ms);
  }
  const oursMs = median(a);
  const rawMs = median(b);
  return { oursMs: round(oursMs), rawMs: round(rawMs), ratio: Math.round((oursMs / rawMs) * 100) / 100, runs, oursAll: a.map(round), rawAll: b.map(round) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

const report: Record<string, unknown>[] = [];
let machineInfo: ReturnType<typeof machine> | undefined;
for (const size of SIZES) {
  const db = populationDb(q, size);
  // As the app does at start: the per-response summaries of the answers (migration 006).
  const tAnswered = performance.now();
  ensureAnswered(db);
  console.log(`résumés par réponse prêts en ${Math.round(performance.now() - tAnswered)} ms`);
  machineInfo ??= machine(db);
  const runs = size >= 500_000 ? 5 : 15;
  console.log(`\n${size.toLocaleString('fr-FR')} réponses`);

  // Unfiltered: running totals, against the same computation over every response, and the raw query.
  const unfiltered: number[] = [];
  computeResults(db, q);
  for (let i = 0; i < 30; i++) unfiltered.push(timed(() => computeResults(db, q)).ms);
  const unfilteredMs = median(unfiltered);
  const scan = compare(size >= 500_000 ? 3 : 9, () => computeResults(db, q, undefined, { source: 'answers' }), rawQuery(db, { answers: [], channels: [], excludeFlagged: false }));
  console.log(
    `  sans filtre : ${unfilteredMs.toFixed(1)} ms (totaux courants, cible < ${TARGET_UNFILTERED_MS} ms) — ` +
      `même calcul sur toutes les réponses (résumés) ${scan.oursMs} ms, requête brute ${scan.rawMs} ms (× ${scan.ratio})`,
  );

  const scenarios = SCENARIOS.map((s) => {
    const filter = filterOf(s.query);
    const responses = computeResults(db, q, filter).responses;
    const r = compare(filter.answers.length || filter.channels.length ? runs : Math.min(runs, 3), () => computeResults(db, q, filter), rawQuery(db, filter));
    // For reference: the same figures from the answers table (responses without a summary).
    const fromTable = () => computeResults(db, q, filter, { answersFrom: 'table' });
    const tableMs = median(Array.from({ length: size >= 500_000 ? 3 : 5 }, () => timed(fromTable).ms));
    const answersTable = { medianMs: round(tableMs), ratio: Math.round((tableMs / r.rawMs) * 100) / 100 };
    console.log(
      `  ${s.name} : ${responses} réponses, ${r.oursMs} ms contre ${r.rawMs} ms (× ${r.ratio}, cible ≤ ${TARGET_RATIO}) ; ` +
        `secours depuis la table answers (réponses sans résumé) ${answersTable.medianMs} ms (× ${answersTable.ratio})`,
    );
    return { scenario: s.name, query: s.query, responses, ...r, withinTarget: r.ratio <= TARGET_RATIO, answersTable };
  });

  // Weighted results: weights of mean about 1 for every completed response (what a raking leaves
  // in response_weights), in a TEMP table of that name, which unqualified names resolve to first:
  // the kept database file (which other benchmarks may be reading) is not written.
  db.exec(`CREATE TEMP TABLE response_weights (response_id TEXT PRIMARY KEY, weight REAL NOT NULL) WITHOUT ROWID;
           INSERT INTO temp.response_weights (response_id, weight)
           SELECT id, 0.5 + (abs(random()) % 1000) / 1000.0 FROM responses WHERE status = 'complete'`);
  const weighted = WEIGHTED_SCENARIOS.map((s) => {
    const filter = filterOf(s.query);
    const responses = computeResults(db, q, filter).responses;
    const r = compare(size >= 500_000 ? 3 : 9, () => computeResults(db, q, filter), rawWeightedQuery(db, filter));
    console.log(`  ${s.name} : ${responses} réponses, ${r.oursMs} ms contre ${r.rawMs} ms (× ${r.ratio}, cible ≤ ${TARGET_WEIGHTED_RATIO})`);
    return { scenario: s.name, query: s.query, responses, ...r, targetRatio: TARGET_WEIGHTED_RATIO, withinTarget: r.ratio <= TARGET_WEIGHTED_RATIO };
  });
  db.exec('DROP TABLE temp.response_weights');

  const funnel = median(Array.from({ length: 5 }, () => timed(() => completionFunnel(db, q)).ms));
  console.log(`  entonnoir de complétion : ${funnel.toFixed(1)} ms`);

  report.push({
    responses: size,
    answerRows: (db.prepare('SELECT count(*) AS n FROM answers').get() as { n: number }).n,
    unfiltered: { medianMs: round(unfilteredMs), runs: unfiltered.length, targetMs: TARGET_UNFILTERED_MS, withinTarget: unfilteredMs < TARGET_UNFILTERED_MS },
    unfilteredFromAnswers: scan,
    filtered: scenarios,
    weighted,
    funnelMs: round(funnel),
  });
  db.close();
}

fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(
  OUT,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machineInfo,
      method:
        'médianes ; calcul complet des résultats (toutes les questions, depuis les résumés par réponse de la migration 006, sans cache) contre « SELECT question_id, option_code, count(*) FROM answers WHERE response_id IN (<réponses filtrées>) GROUP BY question_id, option_code », exécutés en alternance ; answersTable : le même calcul depuis la table answers (réponses sans résumé), pour mémoire',
      sizes: report,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nRésultats écrits dans ${path.relative(process.cwd(), OUT)}`);
