import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { codebookRows } from '../../src/exports/codebook.js';
import { responsesCsvChunks } from '../../src/exports/responses-csv.js';
import { resultsRows } from '../../src/exports/results-csv.js';
import { allowedFilterVariables } from '../../src/privacy/disclosure.js';
import { protectResults } from '../../src/privacy/results.js';
import { computeResults } from '../../src/results/aggregate.js';
import { createResultsCache } from '../../src/results/cache.js';
import { crossVariables, crosstab } from '../../src/results/crosstab.js';
import { allVariables, deleteRecode, derivedChanged, derivedFor, saveRecode, validateRecode, type RecodeInput } from '../../src/results/derived.js';
import { compileFilter, NO_FILTER, parseFilters, type Filter } from '../../src/results/filters.js';
import { filterWords } from '../../src/results/filterWords.js';
import { filterForm } from '../../src/results/dashboardView.js';
import { questionFigures } from '../../src/results/figures.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import type { Db } from '../../src/db/connection.js';
import { code, RECODE, seedDerived, SPECS } from './derived-fixture.js';
import { freshDb, q } from './helpers.js';

const selected = (db: Db, f: Filter) => {
  const c = compileFilter(db, q, f);
  return (db.prepare(`SELECT id FROM responses r WHERE ${c.where} ORDER BY id`).all(...c.params) as { id: string }[]).map((r) => r.id);
};
const table = (db: Db, id: string, f: Filter = NO_FILTER) => computeResults(db, q, f).questions.flatMap((x) => x.tables).find((t) => t.id === id);
const counts = (t: { options: { code: string; count: number | null }[] } | undefined) => Object.fromEntries((t?.options ?? []).map((o) => [o.code, o.count]));
const filter = (query: Record<string, string | string[]>, db: Db): Filter => {
  const p = parseFilters(query, q, { db });
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.filter;
};

describe('recode validation', () => {
  const base: RecodeInput = { ...RECODE, groups: RECODE.groups.map((g) => ({ ...g, sources: [...g.sources] })) };
  const cases: { name: string; input: Partial<RecodeInput>; errors: { field: string; message: string }[] }[] = [
    { name: 'a valid recode', input: {}, errors: [] },
    { name: 'no id', input: { id: ' ' }, errors: [{ field: 'id', message: 'Donne un identifiant à la variable.' }] },
    {
      name: 'an id with capitals, accents or "__"',
      input: { id: 'Envisagé__oui' },
      errors: [{ field: 'id', message: expect.stringContaining('minuscules sans accent') }],
    },
    { name: 'the id of a question', input: { id: 'genre' }, errors: [{ field: 'id', message: expect.stringContaining('« genre » est déjà l’identifiant') }] },
    { name: 'a reserved export column', input: { id: 'weight' }, errors: [{ field: 'id', message: expect.stringContaining('« weight »') }] },
    { name: 'no label', input: { label: '' }, errors: [{ field: 'label', message: 'Donne un libellé en français.' }] },
    {
      name: 'a source that is not single choice (multiple, free text, commune)',
      input: { source: 'convaincre_industrie', groups: [] },
      errors: [
        { field: 'source', message: '« convaincre_industrie » n’est pas une question à choix unique que l’on peut regrouper.' },
        { field: 'groups', message: expect.stringContaining('Crée au moins un groupe') },
      ],
    },
    {
      name: 'a source code twice, an unknown code, a group without code, label or codes',
      input: {
        groups: [
          { code: 'oui', label: 'Oui', sources: ['oui_tout_a_fait', 'plutot_oui'] },
          { code: 'oui', label: '', sources: ['plutot_oui', 'peut_etre'] },
          { code: '', label: 'Rien', sources: [] },
        ],
      },
      errors: [
        { field: 'groups.1.code', message: 'Deux groupes ont le code « oui ».' },
        { field: 'groups.1.label', message: 'Donne un libellé au groupe.' },
        { field: 'groups.1.sources', message: 'La réponse « plutot_oui » est déjà dans le groupe 1 : une réponse va dans un seul groupe.' },
        { field: 'groups.1.sources', message: '« peut_etre » n’est pas une réponse possible à « Pourrais-tu envisager de travailler dans l’industrie ? ».' },
        { field: 'groups.2.code', message: 'Donne un code au groupe.' },
        { field: 'groups.2.sources', message: 'Choisis au moins une réponse pour ce groupe.' },
      ],
    },
  ];
  it.each(cases)('$name', ({ input, errors }) => {
    expect(validateRecode({ ...base, ...input }, q, [])).toEqual(errors);
  });
  it('refuses the id of another recode, but not the recode being edited', () => {
    expect(validateRecode(base, q, [{ id: RECODE.id }])).toEqual([{ field: 'id', message: 'Une variable dérivée s’appelle déjà « envisager_industrie_oui ».' }]);
    expect(validateRecode(base, q, [{ id: RECODE.id }], { editing: RECODE.id })).toEqual([]);
  });
  it('accepts grid items, intercommunalities and age groups as sources', () => {
    for (const [source, codes] of [
      ['opinions_territoire__fierte', ['accord']],
      ['commune__epci', ['200033579']],
      ['age__groupe', ['mineurs_15_17']],
    ] as const) {
      const errors = validateRecode({ id: 'x', label: 'X', source, groups: [{ code: 'a', label: 'A', sources: [...codes] }] }, q, []);
      expect(errors.filter((e) => e.field === 'source')).toEqual([]);
    }
  });
});

describe('a recode as a variable', () => {
  it('is a single-choice table next to its source, with group sums (an age-group source too)', () => {
    const { db } = seedDerived();
    const t = table(db, 'envisager_industrie_oui')!;
    expect(t).toMatchObject({ label: RECODE.label, base: 27, multiple: false, derived: { kind: 'recode', source: 'envisager_industrie' } });
    expect(t.options).toEqual([
      { code: 'oui', label: 'Oui', count: 17, percent: 63 },
      { code: 'non', label: 'Non', count: 8, percent: 29.6 },
      { code: 'nsp', label: 'Ne sait pas', count: 2, percent: 7.4 },
    ]);
    // In the question's tables, after its own.
    const question = computeResults(db, q).questions.find((x) => x.id === 'envisager_industrie')!;
    expect(question.tables.map((x) => x.id)).toEqual(['envisager_industrie', 'envisager_industrie_oui']);
    expect(counts(table(db, 'majeur'))).toEqual({ mineur: 13, majeur: 14 });
    expect(table(db, 'majeur')!.base).toBe(27);
  });

  it('filters like its source codes: f.envisager_industrie_oui=oui = the two source codes', () => {
    const { db } = seedDerived();
    const byRecode = selected(db, filter({ 'f.envisager_industrie_oui': 'oui' }, db));
    const bySource = selected(db, filter({ 'f.envisager_industrie': ['oui_tout_a_fait', 'plutot_oui'] }, db));
    expect(byRecode).toHaveLength(17);
    expect(byRecode).toEqual(bySource);
    expect(selected(db, filter({ 'f.majeur': 'mineur' }, db))).toHaveLength(13);
    // Filtered results: the recode's table and the others follow the filter.
    const f = filter({ 'f.envisager_industrie_oui': 'oui' }, db);
    expect(counts(table(db, 'genre', f))).toMatchObject({ feminin: 10, masculin: 7 });
    expect(counts(table(db, 'envisager_industrie_oui', f))).toEqual({ oui: 17, non: 0, nsp: 0 });
    expect(filterWords(f, { q, channelLabel: () => undefined, db })).toEqual(['Envisage de travailler dans l’industrie = Oui']);
    // An unknown group code is refused in French, like any option.
    expect(parseFilters({ 'f.envisager_industrie_oui': 'peut_etre' }, q, { db })).toEqual({
      ok: false,
      errors: [{ field: 'f.envisager_industrie_oui', message: '« peut_etre » n’est pas une réponse possible à « Envisage de travailler dans l’industrie ».' }],
    });
    // Without the database, the derived ids are unknown (nothing guessed).
    expect(parseFilters({ 'f.envisager_industrie_oui': 'oui' }, q).ok).toBe(false);
  });

  it('crosses as a single-choice variable: recode × genre adds up the source cells', () => {
    const { db } = seedDerived();
    const vars = crossVariables(q, allVariables(db, q));
    const v = (id: string) => vars.find((x) => x.id === id)!;
    const ct = crosstab(db, q, v('envisager_industrie_oui'), v('genre'));
    const cell = (r: string, c: string) => ct.cells[ct.rows.findIndex((x) => x.code === r)][ct.cols.findIndex((x) => x.code === c)].count;
    expect([cell('oui', 'feminin'), cell('oui', 'masculin'), cell('non', 'feminin'), cell('non', 'masculin'), cell('nsp', 'feminin'), cell('nsp', 'masculin')]).toEqual([10, 7, 5, 3, 0, 2]);
    expect(ct.base).toBe(27);
    expect(ct.test).not.toBeNull();
    const src = crosstab(db, q, v('envisager_industrie'), v('genre'));
    const s = (r: string, c: string) => src.cells[src.rows.findIndex((x) => x.code === r)][src.cols.findIndex((x) => x.code === c)].count;
    expect(cell('oui', 'feminin')).toBe(s('oui_tout_a_fait', 'feminin') + s('plutot_oui', 'feminin'));
    // An age-group recode crosses too (its source is a range of values).
    const age = crosstab(db, q, v('majeur'), v('envisager_industrie_oui'));
    expect(age.rowTotals.map((x) => x.count)).toEqual([13, 14]);
  });

  it('leaves a source code in no group out (no answer), and a recode that no longer fits is listed, not used', () => {
    const db = seedDerived(freshDb(), { recodes: false }).db;
    saveRecode(db, { ...RECODE, groups: RECODE.groups.slice(0, 1) });
    expect(table(db, 'envisager_industrie_oui')).toMatchObject({ base: 17, options: [{ code: 'oui', count: 17, percent: 100 }] });
    db.prepare(`UPDATE recodes SET groups = ? WHERE id = ?`).run(JSON.stringify([{ code: 'oui', label: 'Oui', sources: ['gone'] }]), RECODE.id);
    const d = derivedFor(db, q);
    expect(d.recodes).toEqual([]);
    expect(d.invalid.map((x) => x.def.id)).toEqual([RECODE.id]);
    expect(table(db, 'envisager_industrie_oui')).toBeUndefined();
  });

  it('is in results.csv, responses.csv (the group code, or its label) and the codebook with its definition', () => {
    const { db, ids } = seedDerived();
    const rows = resultsRows(computeResults(db, q)).filter((r) => r.question_id === 'envisager_industrie_oui');
    expect(rows.map((r) => [r.option_code, r.count, r.base, r.percent])).toEqual([
      ['oui', 17, 27, 63],
      ['non', 8, 27, 29.6],
      ['nsp', 2, 27, 7.4],
    ]);
    const parsed = Papa.parse<Record<string, string>>([...responsesCsvChunks(db, q)].join(''), { header: true, skipEmptyLines: true }).data;
    const byId = new Map(parsed.map((r) => [r.response_id, r]));
    expect(byId.get(ids[0][0])).toMatchObject({ envisager_industrie: 'oui_tout_a_fait', envisager_industrie_oui: 'oui', age: '16', majeur: 'mineur' });
    expect(byId.get(ids[4][0])).toMatchObject({ envisager_industrie_oui: 'non', majeur: 'mineur' });
    expect(byId.get(ids[5][0])).toMatchObject({ envisager_industrie_oui: 'nsp', majeur: 'majeur' });
    const labelled = Papa.parse<Record<string, string>>([...responsesCsvChunks(db, q, { labels: true })].join(''), { header: true, skipEmptyLines: true }).data;
    expect(labelled.find((r) => r.response_id === ids[0][0])).toMatchObject({ envisager_industrie_oui: 'Oui', majeur: 'Mineur' });
    const codebook = codebookRows(q, derivedFor(db, q));
    expect(codebook.find((r) => r.column === 'envisager_industrie_oui')).toEqual({
      column: 'envisager_industrie_oui',
      question_id: 'envisager_industrie_oui',
      question_label: RECODE.label,
      type: 'variable dérivée (code, regroupement) ; regroupe envisager_industrie',
      section: 'Mon regard sur l’industrie',
      codes:
        'oui = Oui (oui_tout_a_fait = Oui, tout à fait + plutot_oui = Plutôt oui) | non = Non (plutot_non = Plutôt non + pas_du_tout = Pas du tout) | nsp = Ne sait pas (nsp = Je ne sais pas)',
    });
    // The derived columns come after every questionnaire column.
    const names = codebook.map((r) => r.column);
    expect(names.indexOf('envisager_industrie_oui')).toBeGreaterThan(names.indexOf('message_elus'));
  });
});

describe('themes as a derived multiple-choice variable', () => {
  it('gives the share of those who wrote something, and how many answers are coded', () => {
    const { db } = seedDerived();
    const t = table(db, 'mots_industrie__theme')!;
    // 20 wrote something (4 + 6 + 7 + 3), 17 of them coded.
    expect(t).toMatchObject({ label: 'Quels mots te viennent à l’esprit quand tu penses à l’industrie ? — thèmes', base: 20, multiple: true, derived: { kind: 'theme', source: 'mots_industrie', coded: 17 } });
    expect(t.options.map((o) => [o.code, o.count, o.percent])).toEqual([
      ['emploi', 11, 55],
      ['environnement', 6, 30],
      ['conditions', 7, 35],
    ]);
    // The dashboard figure says how many are coded.
    const qr = computeResults(db, q).questions.find((x) => x.id === 'mots_industrie')!;
    const view = questionFigures(q.sections[3].questions[0], qr);
    expect(view.figures.map((f) => f.id)).toEqual(['mots_industrie', 'mots_industrie__theme']);
    expect(view.figures[1].note).toBe('17 réponses codées sur 20. Part des répondants ayant écrit quelque chose dont la réponse évoque chaque thème : le total peut dépasser 100 %.');
    // Filtered: girls only.
    const girls = filter({ 'f.genre': 'feminin' }, db);
    expect(table(db, 'mots_industrie__theme', girls)).toMatchObject({ base: 10, derived: { coded: 10 } });
    expect(counts(table(db, 'mots_industrie__theme', girls))).toEqual({ emploi: 4, environnement: 6, conditions: 0 });
    // Another analyst's independent coding (kappa) changes nothing.
    code(db, (db.prepare(`SELECT id FROM responses LIMIT 1`).get() as { id: string }).id, ['conditions'], 'mots_industrie', 'ana');
    expect(counts(table(db, 'mots_industrie__theme'))).toEqual({ emploi: 11, environnement: 6, conditions: 7 });
  });

  it('filters on f.<source>__theme and crosses option by option with genre', () => {
    const { db } = seedDerived();
    expect(selected(db, filter({ 'f.mots_industrie__theme': 'emploi' }, db))).toHaveLength(11);
    expect(selected(db, filter({ 'f.mots_industrie__theme': ['environnement', 'conditions'] }, db))).toHaveLength(13);
    expect(counts(table(db, 'genre', filter({ 'f.mots_industrie__theme': 'conditions' }, db)))).toMatchObject({ feminin: 0, masculin: 7 });
    const vars = crossVariables(q, allVariables(db, q));
    const v = (id: string) => vars.find((x) => x.id === id)!;
    expect(v('mots_industrie__theme').multiple).toBe(true);
    const ct = crosstab(db, q, v('genre'), v('mots_industrie__theme'));
    // Rows: masculin, feminin, autre, non_reponse.
    expect(ct.cells.map((r) => r.map((c) => c.count))).toEqual([
      [7, 0, 7],
      [4, 6, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    // Shares of the girls and boys who wrote something (10 each), one test per theme.
    expect(ct.cells[1][0].rowShare.percent).toBeCloseTo(40);
    expect(ct.cells[0][2].rowShare.percent).toBeCloseTo(70);
    expect(ct.base).toBe(20);
    expect(ct.optionTests.map((o) => o.code)).toEqual(['emploi', 'environnement', 'conditions']);
  });

  it('fills 0/1 columns <source>__theme__<code> in responses.csv, empty without text', () => {
    const { db, ids } = seedDerived();
    const text = [...responsesCsvChunks(db, q)].join('');
    const header = text.split('\n')[0].split(',');
    expect(header.slice(-3)).toEqual(['mots_industrie__theme__emploi', 'mots_industrie__theme__environnement', 'mots_industrie__theme__conditions']);
    const rows = new Map(Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data.map((r) => [r.response_id, r]));
    const flags = (id: string) => ['emploi', 'environnement', 'conditions'].map((c) => rows.get(id)![`mots_industrie__theme__${c}`]);
    expect(flags(ids[3][0])).toEqual(['1', '0', '1']);
    expect(flags(ids[1][0])).toEqual(['0', '1', '0']);
    // Wrote something, not coded: 0 everywhere; wrote nothing: empty.
    expect(flags(ids[4][0])).toEqual(['0', '0', '0']);
    expect(flags(ids[2][0])).toEqual(['', '', '']);
    const codebook = codebookRows(q, derivedFor(db, q)).find((r) => r.column === 'mots_industrie__theme__emploi')!;
    expect(codebook).toMatchObject({ question_id: 'mots_industrie__theme', type: 'thème (0 = non évoqué, 1 = évoqué, vide si pas de texte)', codes: '1 = thème évoqué | 0 = thème non évoqué' });
    expect(codebook.question_label).toBe('Quels mots te viennent à l’esprit quand tu penses à l’industrie ? — thème « Productivité et emploi » : Définition de emploi');
  });
});

describe('derived variables for protected viewers', () => {
  it('never shows themes; a recode is protected with its source, a group holding a hidden cell hidden too', () => {
    const { db } = seedDerived();
    const k = 5;
    const published = protectResults(computeResults(db, q), k);
    const tables = published.questions.flatMap((x) => x.tables);
    expect(tables.some((t) => t.id.endsWith('__theme'))).toBe(false);
    const source = tables.find((t) => t.id === 'envisager_industrie')!;
    // pas_du_tout (3) and nsp (2) are small.
    expect(counts(source)).toEqual({ oui_tout_a_fait: 11, plutot_oui: 6, plutot_non: 5, pas_du_tout: null, nsp: null });
    const recode = tables.find((t) => t.id === 'envisager_industrie_oui')!;
    // « Non » = 5 + 3 would give pas_du_tout back (8 − 5): hidden as a complement.
    expect(recode.options.map((o) => [o.code, o.count, o.reason ?? null])).toEqual([
      ['oui', 17, null],
      ['non', null, 'complementary'],
      ['nsp', null, 'small'],
    ]);
  });

  it('lets facilitators filter on a recode of a profile question, never on themes (even of a profile precision)', () => {
    const { db } = seedDerived();
    db.prepare(`INSERT INTO themes (source, code, label, position) VALUES ('situation__autre__precision', 'service_civique', 'Service civique', 1)`).run();
    saveRecode(db, { id: 'genre_bin', label: 'Genre (2)', source: 'genre', groups: [{ code: 'f', label: 'F', sources: ['feminin'] }, { code: 'm', label: 'M', sources: ['masculin'] }] });
    const allowed = allowedFilterVariables(allVariables(db, q), q.sections[0].id);
    expect(allowed.has('genre_bin')).toBe(true);
    expect(allowed.has('majeur')).toBe(true);
    expect(allowed.has('envisager_industrie_oui')).toBe(false);
    expect(allowed.has('situation__autre__precision__theme')).toBe(false);
    expect(allVariables(db, q).some((v) => v.id === 'situation__autre__precision__theme')).toBe(true);
  });
});

describe('registry and cache', () => {
  it('reloads after a recode edit or a new coding, and the results cache follows', () => {
    const { db, ids } = seedDerived(freshDb(), { recodes: false });
    const cache = createResultsCache(db, q);
    const first = cache.get(NO_FILTER);
    expect(first.questions.flatMap((x) => x.tables).some((t) => t.id === RECODE.id)).toBe(false);
    expect(cache.get(NO_FILTER)).toBe(first);
    saveRecode(db, RECODE);
    const second = cache.get(NO_FILTER);
    expect(second.questions.flatMap((x) => x.tables).find((t) => t.id === RECODE.id)?.base).toBe(27);
    // A coding of an uncoded answer: one more coded, one more « conditions ».
    code(db, ids[4][0], ['conditions']);
    const third = cache.get(NO_FILTER).questions.flatMap((x) => x.tables).find((t) => t.id === 'mots_industrie__theme')!;
    expect(third.derived).toEqual({ kind: 'theme', source: 'mots_industrie', coded: 18 });
    expect(counts(third).conditions).toBe(8);
    const v = derivedFor(db, q).version;
    derivedChanged(db);
    expect(derivedFor(db, q).version).toBe(v + 1);
    deleteRecode(db, RECODE.id);
    expect(cache.get(NO_FILTER).questions.flatMap((x) => x.tables).some((t) => t.id === RECODE.id)).toBe(false);
    expect(cache.stats).toEqual({ hits: 1, misses: 4 });
  });

  it('offers recodes and themes in the filter form and as chips', () => {
    const { db } = seedDerived();
    const f = filter({ 'f.mots_industrie__theme': 'emploi', 'f.envisager_industrie_oui': 'non' }, db);
    const form = filterForm(q, buildCampaign({}), f, '/resultats', [], {}, undefined, undefined, allVariables(db, q));
    const selects = form.groups.flatMap((g) => g.selects);
    expect(selects.find((s) => s.id === 'envisager_industrie_oui')?.options.map((o) => [o.code, o.selected])).toEqual([
      ['oui', false],
      ['non', true],
      ['nsp', false],
    ]);
    expect(selects.find((s) => s.id === 'mots_industrie__theme')?.options.find((o) => o.selected)?.code).toBe('emploi');
    // The age recode lives in the profile section: checkboxes.
    expect(form.profile.some((p) => p.id === 'majeur')).toBe(true);
    expect(form.chips.map((c) => c.label)).toEqual([
      'Envisage de travailler dans l’industrie : Non',
      'Quels mots te viennent à l’esprit quand tu penses à l’industrie ? — thèmes : Productivité et emploi',
    ]);
    expect(SPECS.length).toBe(6);
  });
});
