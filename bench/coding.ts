import fs from 'node:fs';
import path from 'node:path';
import type { TextSource } from '../src/analysis/freeText.js';
import { listThemes, replaceCodebook } from '../src/coding/codebook.js';
import { planRules, uncodedAnswers } from '../src/coding/rules.js';
import { REPORT_SOURCE, REPORT_THEMES, reportAnswers } from '../src/coding/reportThemes.js';
import { openDatabase } from '../src/db/connection.js';
import { insertRespondents, sortedIds } from '../src/demo/demo.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { contentWords, keywordMatcher } from '../src/text/normalise.js';
import { machine, median, timed } from './_population.js';

// Keyword rules on 26,000 answers (issue 13): the preview of « Appliquer les règles » (read every
// uncoded answer, normalise each distinct text once, look its words up in the keyword index)
// against a ceiling measured in the same run: 1.5 × the cost of reading the same answers and
// normalising each once without matching anything. The naive way (one keywordMatcher call per
// theme, so each answer normalised once per theme) is timed too, for reference. The generated
// answers repeat fragments as real short answers do; BENCH_CODING_DISTINCT=1 makes every text
// distinct (a number appended), the worst case for the per-text memo.
//   npx tsx bench/coding.ts        (BENCH_CODING_SIZE=26000 by default)

const SIZE = Number(process.env.BENCH_CODING_SIZE ?? 26000);
const CEILING = 1.5;
const RUNS = 7;
const OUT = path.resolve(import.meta.dirname, 'results', 'coding.json');
const q = loadQuestionnaire();
const db = openDatabase(':memory:');
const ids = sortedIds(SIZE);
insertRespondents(
  db,
  q,
  reportAnswers(SIZE, 2023).map((a, i) => ({
    drafts: [],
    rows: [{ questionId: REPORT_SOURCE, optionCode: '', valueText: process.env.BENCH_CODING_DISTINCT === '1' ? `${a.text} ${i}` : a.text, valueNum: null }],
    channel: null,
    startedHour: '2026-11-20T10',
    completedHour: '2026-11-20T10',
  })),
  { ids, counts: 'rebuild' },
);
replaceCodebook(db, REPORT_SOURCE, REPORT_THEMES);
const themes = listThemes(db, REPORT_SOURCE);
const source: TextSource = { key: REPORT_SOURCE, questionId: REPORT_SOURCE, optionCode: '', label: '', section: '' };

const ours = () => planRules(db, source, themes).matched;
const floor = () => {
  let n = 0;
  for (const a of uncodedAnswers(db, source)) n += contentWords(a.text).length;
  return n;
};
const matchers = themes.map((t) => keywordMatcher(t.keywords));
const naive = () => {
  let n = 0;
  for (const a of uncodedAnswers(db, source)) if (matchers.some((m) => m(a.text).length)) n++;
  return n;
};

if (ours() !== naive()) throw new Error('les deux méthodes ne codent pas les mêmes réponses');
floor();
const a: number[] = [];
const b: number[] = [];
const c: number[] = [];
for (let i = 0; i < RUNS; i++) {
  a.push(timed(ours).ms);
  b.push(timed(floor).ms);
  c.push(timed(naive).ms);
}
const round = (x: number) => Math.round(x * 10) / 10;
const oursMs = median(a);
const floorMs = median(b);
const naiveMs = median(c);
const ratio = Math.round((oursMs / floorMs) * 100) / 100;
const ok = ratio <= CEILING;
console.log(`${SIZE} réponses, ${ours()} codées par les règles (${themes.reduce((n, t) => n + t.keywords.length, 0)} mots-clés, ${themes.length} thèmes)`);
console.log(`aperçu des règles : ${round(oursMs)} ms ; lire et normaliser chaque réponse une fois : ${round(floorMs)} ms ; rapport ${ratio} (plafond ${CEILING}) ${ok ? 'OK' : 'TROP LENT'}`);
console.log(`pour mémoire, une normalisation par thème : ${round(naiveMs)} ms (${Math.round((naiveMs / oursMs) * 10) / 10} × plus lent)`);
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, `${JSON.stringify({ size: SIZE, oursMs: round(oursMs), floorMs: round(floorMs), naiveMs: round(naiveMs), ratio, ceiling: CEILING, ok, runs: RUNS, machine: machine(db) }, null, 2)}\n`);
process.exit(ok ? 0 : 1);
