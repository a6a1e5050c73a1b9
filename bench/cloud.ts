// The survey's word cloud on 26,000 answers (the size of a large consultation): one pass over a
// source's texts, each screened (automatic and manual masks) then split into entries. Measured
// against a ceiling taken in the same run: the same rows read from SQLite and put through the
// bare shared normalisation (contentWords), no screening, no tally. Also: the list of masked
// personal data (every source), and a cached page (same filter, same data).
//   npx tsx bench/cloud.ts        (CLOUD_RESPONSES=26000)
import { textSources } from '../src/analysis/freeText.js';
import { computeCloud, cachedCloud } from '../src/cloud/data.js';
import { openDatabase } from '../src/db/connection.js';
import { insertRespondents, sortedIds } from '../src/demo/demo.js';
import { demoChannels, reportProfile } from '../src/demo/profile.js';
import { syntheticRespondents } from '../src/results/synthetic.js';
import { territory } from '../src/territory/communes.js';
import { scanMasked } from '../src/privacy/maskedList.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { compileFilter, NO_FILTER } from '../src/results/filters.js';
import { filterVariables } from '../src/results/model.js';
import { contentWords } from '../src/text/normalise.js';
import { machine } from './_population.js';

const COUNT = Number(process.env.CLOUD_RESPONSES ?? 26_000);
// The cloud may cost this many times a bare read-and-normalise pass (screening is most of it).
const MAX_RATIO = 6;

const q = loadQuestionnaire();
const db = openDatabase(':memory:');
let t0 = performance.now();
const people = syntheticRespondents(q, { count: COUNT, seed: 5, profile: reportProfile, territory: territory(), channels: demoChannels });
insertRespondents(db, q, people, { ids: sortedIds(COUNT), counts: 'rebuild', batchSize: 20_000 });
// Longer, varied answers with personal data here and there (the demo's are short lists).
const extra = [
  "L'usine de mon père, Lucas Martin 06 12 34 56 78, c'est dur",
  'pas d’avenir dans les usines du bassin minier, trop de pollution',
  'Écologie, pollution, usines, innovation, emploi, salaires, conditions de travail difficiles',
  'je sais pas trop, des machines et des ouvriers, mon snap c’est kevin62',
  'Travail à la chaîne, horaires décalés, fatigue, mais bien payé',
];
const rows = db.prepare(`SELECT response_id FROM answers WHERE question_id = 'mots_industrie' AND option_code = ''`).all() as { response_id: string }[];
const update = db.prepare(`UPDATE answers SET value_text = ? WHERE response_id = ? AND question_id = 'mots_industrie' AND option_code = ''`);
db.transaction(() => rows.forEach((r, i) => i % 2 === 0 && update.run(extra[i % extra.length], r.response_id)))();
db.prepare(`INSERT INTO manual_masks (response_id, source, passage, kind) VALUES (?, 'mots_industrie', 'bassin minier', 'masque')`).run(rows[0].response_id);
console.log(`${COUNT} réponses générées (${rows.length} textes « mots_industrie ») en ${Math.round(performance.now() - t0)} ms`);

const source = textSources(q).find((s) => s.key === 'mots_industrie')!;
const genre = filterVariables(q).find((v) => v.id === 'genre')!;

function bare(): number {
  const c = compileFilter(db, q, NO_FILTER, 'r');
  let n = 0;
  for (const [text] of db
    .prepare(`SELECT a.value_text FROM answers a JOIN responses r ON r.id = a.response_id WHERE a.question_id = ? AND a.option_code = ? AND a.value_text <> '' AND ${c.where}`)
    .raw(true)
    .iterate(source.questionId, source.optionCode, ...c.params) as Iterable<[string]>) {
    n += contentWords(text).length;
  }
  return n;
}
const best = (fn: () => unknown, runs = 5) => {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    min = Math.min(min, performance.now() - s);
  }
  return min;
};

bare();
computeCloud(db, q, source, NO_FILTER);
const ceiling = best(bare);
const cloud = best(() => computeCloud(db, q, source, NO_FILTER));
const compared = best(() => computeCloud(db, q, source, NO_FILTER, genre));
cachedCloud(db, q, source, NO_FILTER, genre);
const cached = best(() => cachedCloud(db, q, source, NO_FILTER, genre), 20);
t0 = performance.now();
const list = scanMasked(db, textSources(q));
const scan = performance.now() - t0;
const tally = computeCloud(db, q, source, NO_FILTER);
const ratio = cloud / ceiling;
console.log(
  JSON.stringify(
    {
      machine: machine(db),
      answers: tally.base,
      entries: tally.entries.length,
      bareReadAndNormaliseMs: Math.round(ceiling),
      cloudMs: Math.round(cloud),
      cloudComparedByGenreMs: Math.round(compared),
      cachedMs: Math.round(cached * 100) / 100,
      maskedListAllSourcesMs: Math.round(scan),
      maskedAnswers: list.answers.length,
      ratio: Math.round(ratio * 100) / 100,
      maxRatio: MAX_RATIO,
    },
    null,
    2,
  ),
);
// No name or phone number ever becomes an entry (the manual mask hides « bassin minier » in one
// answer only: the word stays from the others).
const leaked = tally.entries.filter((e) => /lucas|martin|kevin|^06$/i.test(e.key));
if (leaked.length) {
  console.error(`Données personnelles dans le nuage : ${leaked.map((e) => e.key).join(', ')}`);
  process.exit(1);
}
console.log(ratio <= MAX_RATIO ? `OK : nuage ${ratio.toFixed(2)} × la lecture nue (plafond ${MAX_RATIO} ×)` : `ÉCHEC : nuage ${ratio.toFixed(2)} × la lecture nue (plafond ${MAX_RATIO} ×)`);
process.exit(ratio <= MAX_RATIO ? 0 : 1);
