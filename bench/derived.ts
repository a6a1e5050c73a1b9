import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../src/db/connection.js';
import { responsesCsvChunks } from '../src/exports/responses-csv.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { computeResults } from '../src/results/aggregate.js';
import { ensureAnswered } from '../src/results/answered.js';
import { saveRecode } from '../src/results/derived.js';
import { compileFilter, NO_FILTER, parseFilters, type Filter } from '../src/results/filters.js';
import { benchDbPath, machine, median, populationDb, timed } from './_population.js';

// Derived variables (issues #12, #13): what a recode and a coded free-text question cost the
// results and responses.csv. Two copies of the same generated population, one without derived
// variables, one with a recode of envisager_industrie and a codebook of 4 themes applied to every
// answer of mots_industrie (the worst case: everything coded, as after « appliquer les règles »),
// timed in alternation. References: the results of the copy without derived variables plus the
// plain SQL counts of the themes over the same responses (what the themes cannot cost less than);
// for the recode filter, the same filter written with the two source codes; for responses.csv,
// the export of the copy without derived variables.
//
//   npx tsx bench/derived.ts                     size 26000
//   BENCH_SIZES=26000,1000000 npx tsx bench/derived.ts

const SIZES = (process.env.BENCH_SIZES ?? '26000').split(',').map(Number);
const OUT = path.resolve(import.meta.dirname, 'results', 'derived.json');
const q = loadQuestionnaire();
const CEILING = { results: 1.3, recodeFilter: 1.15, responsesCsv: 1.3 };

const filterOf = (query: Record<string, string | string[]>, db: Db): Filter => {
  const r = parseFilters(query, q, { db });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
};

/**
 * A private copy of the shared generated population (built first if missing): this benchmark
 * writes derived variables, and other benchmarks read the shared file.
 */
function copyOf(size: number, name: string): Db {
  if (!fs.existsSync(benchDbPath(size))) populationDb(q, size).close();
  const file = path.join(os.tmpdir(), `avenir-bench-derived-${name}-${size}.db`);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  for (const suffix of ['', '-wal']) if (fs.existsSync(benchDbPath(size) + suffix)) fs.copyFileSync(benchDbPath(size) + suffix, file + suffix);
  const db = openDatabase(file);
  ensureAnswered(db);
  return db;
}

function addDerived(db: Db) {
  saveRecode(db, {
    id: 'envisager_industrie_oui',
    label: 'Envisage l’industrie',
    source: 'envisager_industrie',
    groups: [
      { code: 'oui', label: 'Oui', sources: ['oui_tout_a_fait', 'plutot_oui'] },
      { code: 'non', label: 'Non', sources: ['plutot_non', 'pas_du_tout'] },
      { code: 'nsp', label: 'Ne sait pas', sources: ['nsp'] },
    ],
  });
  db.transaction(() => {
    ['emploi', 'conditions', 'environnement', 'valeurs'].forEach((code, i) =>
      db.prepare('INSERT INTO themes (source, code, label, position) VALUES (?, ?, ?, ?)').run('mots_industrie', code, code, i + 1),
    );
    db.exec(`INSERT INTO codings (source, coder, response_id) SELECT 'mots_industrie', '', response_id FROM answers WHERE question_id = 'mots_industrie' AND option_code = ''`);
    // One or two themes per answer, spread by the response id.
    db.exec(`INSERT INTO coding_themes (source, coder, response_id, code)
      SELECT 'mots_industrie', '', response_id, CASE substr(response_id, 1, 1) WHEN '0' THEN 'valeurs' WHEN '1' THEN 'environnement' WHEN '2' THEN 'conditions' WHEN '3' THEN 'conditions' ELSE 'emploi' END FROM codings;
      INSERT OR IGNORE INTO coding_themes (source, coder, response_id, code)
      SELECT 'mots_industrie', '', response_id, 'conditions' FROM codings WHERE substr(response_id, 2, 1) IN ('a', 'b', 'c', 'd');`);
  })();
}

/** Alternates the two (a load change hits both) and keeps the medians. */
function compare(runs: number, ours: () => unknown, reference: () => unknown) {
  ours();
  reference();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(timed(ours).ms);
    b.push(timed(reference).ms);
  }
  const oursMs = median(a);
  const refMs = median(b);
  return { oursMs: round(oursMs), referenceMs: round(refMs), ratio: Math.round((oursMs / refMs) * 100) / 100 };
}
const round = (ms: number) => Math.round(ms * 10) / 10;
const csv = (db: Db) => () => {
  let n = 0;
  for (const chunk of responsesCsvChunks(db, q)) n += chunk.length;
  return n;
};

const report: Record<string, unknown>[] = [];
let machineInfo: ReturnType<typeof machine> | undefined;
let failed = false;
for (const size of SIZES) {
  const plain = copyOf(size, 'sans');
  const derived = copyOf(size, 'avec');
  addDerived(derived);
  machineInfo ??= machine(derived);
  const coded = derived.prepare(`SELECT count(*) FROM codings`).pluck(true).get() as number;
  console.log(`\n${size.toLocaleString('fr-FR')} réponses, ${coded.toLocaleString('fr-FR')} textes codés`);
  const runs = size >= 500_000 ? 3 : 11;
  const girls = { 'f.genre': 'feminin' };
  // The plain SQL of the themes' figures over the responses of a filter.
  const rawThemes = (filter: Filter) => {
    const c = compileFilter(derived, q, filter, 'r');
    const codedSql = derived.prepare(`SELECT count(*) FROM codings x JOIN responses r ON r.id = x.response_id WHERE x.source = 'mots_industrie' AND x.coder = '' AND ${c.where}`);
    const themesSql = derived.prepare(
      `SELECT x.code, count(*) FROM coding_themes x JOIN responses r ON r.id = x.response_id WHERE x.source = 'mots_industrie' AND x.coder = '' AND ${c.where} GROUP BY x.code`,
    );
    return () => [codedSql.pluck(true).get(...c.params), themesSql.raw(true).all(...c.params)];
  };
  const unfilteredThemes = rawThemes(NO_FILTER);
  const unfiltered = compare(runs * 3, () => computeResults(derived, q, NO_FILTER), () => [computeResults(plain, q, NO_FILTER), unfilteredThemes()]);
  const girlsThemes = rawThemes(filterOf(girls, derived));
  const filtered = compare(runs, () => computeResults(derived, q, filterOf(girls, derived)), () => [computeResults(plain, q, filterOf(girls, plain)), girlsThemes()]);
  const recode = compare(
    runs,
    () => computeResults(derived, q, filterOf({ 'f.envisager_industrie_oui': 'oui' }, derived)),
    () => computeResults(derived, q, filterOf({ 'f.envisager_industrie': ['oui_tout_a_fait', 'plutot_oui'] }, derived)),
  );
  const theme = median(Array.from({ length: runs }, () => timed(() => computeResults(derived, q, filterOf({ 'f.mots_industrie__theme': 'conditions' }, derived))).ms));
  const responses = compare(size >= 500_000 ? 1 : 3, csv(derived), csv(plain));
  const checks = {
    unfiltered: unfiltered.ratio <= CEILING.results,
    filtered: filtered.ratio <= CEILING.results,
    recodeFilter: recode.ratio <= CEILING.recodeFilter,
    responsesCsv: responses.ratio <= CEILING.responsesCsv,
  };
  console.log(`  résultats sans filtre : ${unfiltered.oursMs} ms contre ${unfiltered.referenceMs} ms (sans variables dérivées + SQL brut des thèmes ; × ${unfiltered.ratio}, plafond × ${CEILING.results})`);
  console.log(`  résultats f.genre=feminin : ${filtered.oursMs} ms contre ${filtered.referenceMs} ms (idem ; × ${filtered.ratio}, plafond × ${CEILING.results})`);
  console.log(`  filtre f.envisager_industrie_oui=oui : ${recode.oursMs} ms contre ${recode.referenceMs} ms pour les deux codes sources (× ${recode.ratio}, plafond × ${CEILING.recodeFilter})`);
  console.log(`  filtre f.mots_industrie__theme=conditions : ${round(theme)} ms`);
  console.log(`  responses.csv : ${responses.oursMs} ms contre ${responses.referenceMs} ms (× ${responses.ratio}, plafond × ${CEILING.responsesCsv})`);
  for (const [k, ok] of Object.entries(checks)) if (!ok) (failed = true), console.log(`  AU-DESSUS DU PLAFOND : ${k}`);
  report.push({ responses: size, coded, unfiltered, filtered, recodeFilter: recode, themeFilterMs: round(theme), responsesCsv: responses, withinCeilings: checks });
  for (const db of [plain, derived]) {
    const file = db.name;
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }
}

fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(
  OUT,
  JSON.stringify(
    { date: new Date().toISOString(), machine: machineInfo, ceilings: CEILING, method: 'médianes, en alternance, deux copies de la même population', sizes: report },
    null,
    2,
  ) + '\n',
);
console.log(`\nRésultats écrits dans ${path.relative(process.cwd(), OUT)}`);
process.exit(failed ? 1 : 0);
