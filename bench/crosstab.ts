import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../src/db/connection.js';
import { protectCrosstab } from '../src/privacy/crosstab.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { crossVariables, crosstab, type CrossVariable } from '../src/results/crosstab.js';
import { crosstabMargins } from '../src/results/crosstabMargins.js';
import { NO_FILTER } from '../src/results/filters.js';
import { machine, median, populationDb, replicatedDbPath, timed } from './_population.js';

// Crosstab engine (issue 12) at 26,000 and 1,000,000 generated responses, against the equivalent
// raw SQL measured in the same run: one GROUP BY over the answers joined twice to the completed
// responses,
//   SELECT a.option_code, b.option_code, count(*) FROM responses r
//     JOIN answers a ON a.response_id = r.id AND a.question_id = ?
//     JOIN answers b ON b.response_id = r.id AND b.question_id = ?
//   WHERE r.status = 'complete' GROUP BY 1, 2
// The engine does that pass too, plus what the raw query does not give: the number of responses,
// each variable's margins among those who answered the other one, and those who answered both
// (then the statistics). Both must give the same cell counts. The ceiling is the number of passes
// over the answers the engine makes (the grouped cells, both margins, the base: four), plus half a
// pass for the rest: 4.5 ×.
// The facilitators' protected crosstab (margins over the selection + suppression) is timed too.
//
//   npx tsx bench/crosstab.ts                 sizes 26000 and 1000000
//   BENCH_SIZES=26000 npx tsx bench/crosstab.ts
// Databases are shared with the other benchmarks (bench/_population.ts, kept in the temporary
// folder); the million is built on first use (minutes).

const SIZES = (process.env.BENCH_SIZES ?? '26000,1000000').split(',').map(Number);
const OUT = path.resolve(import.meta.dirname, 'results', 'crosstab.json');
const q = loadQuestionnaire();
const vars = new Map(crossVariables(q).map((v) => [v.id, v]));

const PAIRS: [string, string, number][] = [
  ['genre', 'envisager_industrie', 4.5],
  ['situation', 'points_forts', 4.5],
  ['points_faibles', 'points_forts', 4.5],
];

/** The answers' question_id of a questionnaire variable (the pairs benchmarked are no derived ones). */
function answerIdOf(v: CrossVariable): string {
  const m = v.source.match;
  if (m.kind !== 'option') throw new Error(`variable non mesurée ici : ${v.id}`);
  return m.answerId;
}

function rawQuery(db: Db, row: CrossVariable, col: CrossVariable) {
  const stmt = db.prepare(
    `SELECT a.option_code AS rc, b.option_code AS cc, count(*) AS n FROM responses r
     JOIN answers a ON a.response_id = r.id AND a.question_id = ?
     JOIN answers b ON b.response_id = r.id AND b.question_id = ?
     WHERE r.status = 'complete' GROUP BY 1, 2`,
  );
  return () => stmt.all(answerIdOf(row), answerIdOf(col)) as { rc: string; cc: string; n: number }[];
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const report: Record<string, unknown>[] = [];
let failed = false;
let machineInfo: ReturnType<typeof machine> | undefined;
for (const size of SIZES) {
  if (size >= 500_000 && !fs.existsSync(replicatedDbPath(size)) && process.env.BENCH_BUILD !== '1') {
    console.log(`\n${size.toLocaleString('fr-FR')} réponses : base absente (${replicatedDbPath(size)}) ; BENCH_BUILD=1 pour la construire (copies des 26 000 générées, quelques minutes).`);
    continue;
  }
  // A million: copies of the 26,000 generated respondents (bench/_population.ts), built in minutes.
  const db = populationDb(q, size, console.log, { replicate: true });
  machineInfo ??= machine(db);
  const runs = size >= 500_000 ? 5 : 15;
  console.log(`\n${size.toLocaleString('fr-FR')} réponses`);
  const pairs = PAIRS.map(([r, c, CEILING]) => {
    const row = vars.get(r)!;
    const col = vars.get(c)!;
    const raw = rawQuery(db, row, col);
    const ours = () => crosstab(db, q, row, col);
    // Same counts: every non-zero cell of one is the other's.
    const ct = ours();
    const fromRaw = new Map(raw().map((x) => [`${x.rc}|${x.cc}`, x.n]));
    const fromOurs = new Map(ct.cells.flat().filter((x) => x.count > 0).map((x) => [`${x.row}|${x.col}`, x.count]));
    const same = fromRaw.size === fromOurs.size && [...fromRaw].every(([key, n]) => fromOurs.get(key) === n);
    if (!same) failed = true;
    raw();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(timed(ours).ms);
      b.push(timed(raw).ms);
    }
    const oursMs = median(a);
    const rawMs = median(b);
    const ratio = Math.round((oursMs / rawMs) * 100) / 100;
    const released = { ...NO_FILTER, releasedOnly: true };
    const protectedMs = median(Array.from({ length: Math.min(runs, 5) }, () => timed(() => db.transaction(() => protectCrosstab(crosstab(db, q, row, col, released), crosstabMargins(db, q, row, col, released), 5))()).ms));
    if (ratio > CEILING) failed = true;
    console.log(
      `  ${r} × ${c} : moteur ${round(oursMs)} ms, requête brute ${round(rawMs)} ms (× ${ratio}, plafond ${CEILING}) ; ` +
        `mêmes effectifs : ${same ? 'oui' : 'NON'} ; croisement protégé des animateurs ${round(protectedMs)} ms`,
    );
    return { pair: `${r} × ${c}`, oursMs: round(oursMs), rawMs: round(rawMs), ratio, ceiling: CEILING, withinCeiling: ratio <= CEILING, sameCounts: same, protectedMs: round(protectedMs), runs };
  });
  report.push({ responses: size, pairs });
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
        'médianes ; crosstab() du moteur (effectifs, marges, base, tests) contre « SELECT a.option_code, b.option_code, count(*) FROM responses r JOIN answers a … JOIN answers b … GROUP BY 1, 2 », en alternance ; plafond : nombre de passages du moteur + 0,5',
      sizes: report,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nRésultats écrits dans ${path.relative(process.cwd(), OUT)}`);
if (failed) {
  console.error('Plafond dépassé ou effectifs différents.');
  process.exit(1);
}
