import { beforeEach, describe, expect, it } from 'vitest';
import { addTheme, listThemes, replaceCodebook } from '../../src/coding/codebook.js';
import { readCoding, saveCoding } from '../../src/coding/codings.js';
import { applyRules, compileRules, planRules } from '../../src/coding/rules.js';
import { NO_THEME_FRAGMENTS, REPORT_SHARES, REPORT_SOURCE, REPORT_THEMES, reportAnswers, THEME_FRAGMENTS } from '../../src/coding/reportThemes.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { keywordMatcher } from '../../src/text/normalise.js';
import { computeResults } from '../../src/results/aggregate.js';
import { q, SOURCE, seedTexts } from './helpers.js';

// Keyword rules: the shared normalisation (plurals, elisions, accents, case, « * »), suggestions,
// the preview and the bulk application; and the report's four shares reproduced from generated
// answers.

const themes = REPORT_THEMES.map((t, i) => ({ ...t, position: i }));
const rules = compileRules(themes);

describe('keyword rules', () => {
  it.each([
    ['Usines', ['productivite_emploi']],
    ["l'usine d'à côté", ['productivite_emploi']],
    ['L’USINE', ['productivite_emploi']],
    ['des emplois', ['productivite_emploi']],
    ['penibilité', ['conditions_difficiles']],
    ['Des conditions de travail dures', ['conditions_difficiles']],
    ['le travail et ses conditions', []],
    ['travail à la chaîne', ['conditions_difficiles']],
    ['ça pollue, les polluants, la pollution', ['environnement']],
    ['fumées', ['environnement']],
    ['l’esprit d’équipe', ['valeurs_humaines']],
    ['usine, pollution, fatigue et solidarité', ['productivite_emploi', 'conditions_difficiles', 'environnement', 'valeurs_humaines']],
    ['je sais pas', []],
    ['', []],
  ])('« %s » → %o', (text, codes) => {
    expect(rules.suggest(text)).toEqual(codes);
  });

  it('matches a final « * » as a word start, nowhere else', () => {
    const match = keywordMatcher(['pollu*', 'emploi*', 'conditions de trav*']);
    expect(match('Polluée')).toEqual(['pollu*']);
    expect(match('emplois précaires')).toEqual(['emploi*']);
    expect(match('des conditions de travail')).toEqual(['conditions de trav*']);
    expect(match('antipollution')).toEqual([]);
    expect(match('conditions de vie')).toEqual([]);
  });

  it('each fragment of the generated answers carries its own theme and no other', () => {
    for (const [code, fragments] of Object.entries(THEME_FRAGMENTS)) {
      for (const f of fragments) expect(rules.suggest(f), f).toEqual([code]);
    }
    for (const f of NO_THEME_FRAGMENTS) expect(rules.suggest(f), f).toEqual([]);
  });
});

describe('preview and bulk application', () => {
  let db: Db;
  let ids: string[];
  beforeEach(() => {
    db = openDatabase(':memory:');
    replaceCodebook(db, REPORT_SOURCE, REPORT_THEMES);
    ids = seedTexts(db, ['Usines et fumées', 'pénible', 'rien', 'POLLUTION', 'déjà codée : usine', '', 'Solidarité']);
  });

  it('previews what it would code, writes nothing, then codes exactly that', () => {
    saveCoding(db, REPORT_SOURCE, '', ids[4], { codes: ['valeurs_humaines'], uncodable: false });
    const plan = planRules(db, SOURCE, listThemes(db, REPORT_SOURCE));
    expect(plan.uncoded).toBe(5);
    expect(plan.matched).toBe(4);
    expect(plan.perTheme.map((p) => [p.code, p.count])).toEqual([
      ['productivite_emploi', 1],
      ['conditions_difficiles', 1],
      ['environnement', 2],
      ['valeurs_humaines', 1],
    ]);
    expect(readCoding(db, REPORT_SOURCE, '', ids[0])).toBeUndefined();
    const done = applyRules(db, SOURCE, listThemes(db, REPORT_SOURCE));
    expect(done.matched).toBe(4);
    expect(readCoding(db, REPORT_SOURCE, '', ids[0])).toEqual({ codes: ['productivite_emploi', 'environnement'], uncodable: false });
    expect(readCoding(db, REPORT_SOURCE, '', ids[3])).toEqual({ codes: ['environnement'], uncodable: false });
    // No rule matched: still to code by hand. Already coded: untouched.
    expect(readCoding(db, REPORT_SOURCE, '', ids[2])).toBeUndefined();
    expect(readCoding(db, REPORT_SOURCE, '', ids[4])).toEqual({ codes: ['valeurs_humaines'], uncodable: false });
    // Applying again codes nothing more.
    expect(applyRules(db, SOURCE, listThemes(db, REPORT_SOURCE)).matched).toBe(0);
  });

  it('codes nothing without keywords', () => {
    const db2 = openDatabase(':memory:');
    seedTexts(db2, ['usine']);
    addTheme(db2, REPORT_SOURCE, { code: 'emploi', label: 'Emploi', definition: '', keywords: [] });
    expect(planRules(db2, SOURCE, listThemes(db2, REPORT_SOURCE))).toMatchObject({ uncoded: 1, matched: 0 });
  });
});

describe('the report’s theme shares', () => {
  it('reproduces 49.8 / 19.5 / 12 / 2.6 % of the respondents who answered from generated answers', () => {
    const db = openDatabase(':memory:');
    replaceCodebook(db, REPORT_SOURCE, REPORT_THEMES);
    // 1,000 who answered and 180 who left the question blank (they are not in the base).
    const answers = reportAnswers(1000, 2023);
    seedTexts(db, [...answers.map((a) => a.text), ...Array(180).fill('')]);
    // Some answers carry two themes or more: shares of respondents, not of codings.
    expect(answers.filter((a) => a.themes.length > 1).length).toBeGreaterThan(50);
    applyRules(db, SOURCE, listThemes(db, REPORT_SOURCE));
    // Shares computed here in SQL over the completed responses that answered the question, then
    // read from the results engine below.
    const rows = db
      .prepare(
        `WITH answered AS (SELECT a.response_id FROM answers a JOIN responses r ON r.id = a.response_id
           WHERE a.question_id = 'mots_industrie' AND a.option_code = '' AND a.value_text <> '' AND r.status = 'complete')
         SELECT t.code, round(100.0 * count(ct.response_id) / (SELECT count(*) FROM answered), 1) AS share
         FROM themes t LEFT JOIN coding_themes ct ON ct.source = t.source AND ct.code = t.code AND ct.coder = ''
           AND ct.response_id IN (SELECT response_id FROM answered)
         WHERE t.source = 'mots_industrie' GROUP BY t.code ORDER BY t.position`,
      )
      .all() as { code: string; share: number }[];
    expect(rows).toEqual([
      { code: 'productivite_emploi', share: 49.8 },
      { code: 'conditions_difficiles', share: 19.5 },
      { code: 'environnement', share: 12 },
      { code: 'valeurs_humaines', share: 2.6 },
    ]);
    expect(Object.values(REPORT_SHARES)).toEqual([498, 195, 120, 26]);
    // The same shares from the results engine's derived variable « mots_industrie__theme ».
    const table = computeResults(db, q).questions.flatMap((x) => x.tables).find((x) => x.id === 'mots_industrie__theme')!;
    expect(table.base).toBe(1000);
    expect(table.options.map((o) => [o.code, o.count])).toEqual([
      ['productivite_emploi', 498],
      ['conditions_difficiles', 195],
      ['environnement', 120],
      ['valeurs_humaines', 26],
    ]);
  });
});
