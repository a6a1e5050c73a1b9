import { describe, expect, it } from 'vitest';
import { conditionMet, handlerFor, parseSection, parseWhole } from '../../src/questionnaire/engine.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import type { Question } from '../../src/questionnaire/schema.js';
import type { RawValues } from '../../src/questionnaire/types/common.js';
import { territory } from '../../src/territory/communes.js';

const q = loadQuestionnaire();
const all = q.sections.flatMap((s) => s.questions);
const question = (id: string) => all.find((x) => x.id === id)!;
const ctx = { territory: territory(), optionVisible: () => true };
const parse = (id: string, raw: RawValues) => handlerFor(question(id)).parse(question(id), raw, ctx);

// Table-driven: for each field, an empty, an invalid and a valid payload.
type Case = { field: string; raw: RawValues; value?: unknown; error?: RegExp };
const table: Case[] = [
  // integer (required)
  { field: 'age', raw: {}, error: /Réponds à cette question/ },
  { field: 'age', raw: { age: '10' }, error: /entre 11 et 35 ans/ },
  { field: 'age', raw: { age: '36' }, error: /entre 11 et 35 ans/ },
  { field: 'age', raw: { age: '16,5' }, error: /nombre entier/ },
  { field: 'age', raw: { age: '-3' }, error: /nombre entier/ },
  { field: 'age', raw: { age: ['16', '17'] }, error: /Une seule réponse/ },
  { field: 'age', raw: { age: ' 17 ' }, value: 17 },
  { field: 'age', raw: { age: '17 ans' }, value: 17 },
  { field: 'age', raw: { age: '11' }, value: 11 },
  { field: 'age', raw: { age: '35' }, value: 35 },
  // single choice (required) with "Autre (précise)"
  { field: 'situation', raw: {}, error: /Choisis une réponse/ },
  { field: 'situation', raw: { situation: 'astronaute' }, error: /ne fait pas partie des choix/ },
  { field: 'situation', raw: { situation: 'autre' }, error: /Précise ta réponse/ },
  { field: 'situation', raw: { situation: 'autre', situation__autre__precision: 'x'.repeat(201) }, error: /trop longue : 201 caractères pour 200/ },
  { field: 'situation', raw: { situation: 'lycee' }, value: { code: 'lycee' } },
  { field: 'situation', raw: { situation: 'autre', situation__autre__precision: ' Service civique ' }, value: { code: 'autre', other: 'Service civique' } },
  // a precision typed with nothing ticked means "Autre" (JavaScript off shows the field)
  { field: 'situation', raw: { situation__autre__precision: 'Service civique' }, value: { code: 'autre', other: 'Service civique' } },
  // a precision left over after choosing another answer is not kept
  { field: 'situation', raw: { situation: 'emploi', situation__autre__precision: 'vieux texte' }, value: { code: 'emploi' } },
  // single choice, optional
  { field: 'envisager_industrie', raw: {}, value: undefined },
  { field: 'envisager_industrie', raw: { envisager_industrie: 'OUI' }, error: /ne fait pas partie/ },
  { field: 'envisager_industrie', raw: { envisager_industrie: 'plutot_oui' }, value: { code: 'plutot_oui' } },
  // multiple choice with exclusive "Rien" and "Autre"
  { field: 'convaincre_industrie', raw: {}, value: undefined },
  { field: 'convaincre_industrie', raw: { convaincre_industrie: ['rien', 'salaires'] }, error: /« Rien » ne peut pas être coché/ },
  { field: 'convaincre_industrie', raw: { convaincre_industrie: ['salaires', 'inconnu'] }, error: /ne fait pas partie/ },
  { field: 'convaincre_industrie', raw: { convaincre_industrie: 'rien' }, value: { codes: ['rien'] } },
  { field: 'convaincre_industrie', raw: { convaincre_industrie: ['salaires', 'connaitre_secteur', 'salaires'] }, value: { codes: ['connaitre_secteur', 'salaires'] } },
  { field: 'convaincre_industrie', raw: { convaincre_industrie__autre__precision: 'Un bon patron' }, value: { codes: ['autre'], other: { autre: 'Un bon patron' } } },
  // multiple choice with a maximum
  { field: 'points_forts', raw: { points_forts: ['histoire', 'nature', 'habitants', 'activites'] }, error: /3 réponses au maximum/ },
  { field: 'points_forts', raw: { points_forts: ['histoire', 'nature', 'habitants'] }, value: { codes: ['histoire', 'nature', 'habitants'] } },
  // grid
  { field: 'opinions_territoire', raw: {}, value: undefined },
  { field: 'opinions_territoire', raw: { opinions_territoire__fierte: 'peut_etre' }, error: /ne fait pas partie/ },
  { field: 'opinions_territoire', raw: { opinions_territoire__fierte: 'accord', opinions_territoire__jeunes_ecoutes: 'desaccord' }, value: { fierte: 'accord', jeunes_ecoutes: 'desaccord' } },
  // ranking
  { field: 'attentes_emploi', raw: {}, value: undefined },
  { field: 'attentes_emploi', raw: { attentes_emploi__rang1: 'salaire', attentes_emploi__rang3: 'utilite' }, error: /dans l’ordre/ },
  { field: 'attentes_emploi', raw: { attentes_emploi__rang1: 'salaire', attentes_emploi__rang2: 'salaire' }, error: /deux fois la même/ },
  { field: 'attentes_emploi', raw: { attentes_emploi__rang1: 'villa' }, error: /ne fait pas partie/ },
  { field: 'attentes_emploi', raw: { attentes_emploi__rang1: 'utilite', attentes_emploi__rang2: 'salaire' }, value: ['utilite', 'salaire'] },
  // short text
  { field: 'mots_industrie', raw: { mots_industrie: '   ' }, value: undefined },
  { field: 'mots_industrie', raw: { mots_industrie: 'a'.repeat(201) }, error: /trop longue/ },
  { field: 'mots_industrie', raw: { mots_industrie: 'usine\u0000  et\n\tfumée\u202e' }, value: 'usine et fumée' },
  // 200 emoji are 200 characters, not 400 UTF-16 units
  { field: 'mots_industrie', raw: { mots_industrie: '🏭'.repeat(200) }, value: '🏭'.repeat(200) },
  // long text keeps line breaks
  { field: 'message_elus', raw: { message_elus: 'Ligne 1\r\nLigne 2\n\n\n\nFin' }, value: 'Ligne 1\nLigne 2\n\nFin' },
  { field: 'message_elus', raw: { message_elus: 'x'.repeat(1501) }, error: /1\u202f501 caractères pour 1\u202f500/ },
  // commune (required)
  { field: 'commune', raw: {}, error: /Réponds à cette question/ },
  { field: 'commune', raw: { commune: 'Atlantide' }, error: /Nous ne trouvons pas cette commune/ },
  { field: 'commune', raw: { commune: 'Beaumont' }, error: /Plusieurs communes portent ce nom/ },
  { field: 'commune', raw: { commune: 'Beaumont', commune__choix: '63032' }, value: { insee: '63032', name: 'Beaumont', epci: 'hors_pma' } },
  { field: 'commune', raw: { commune: 'Lens', commune__retenue: '62119' }, value: { insee: '62498', name: 'Lens', epci: 'call' } },
  { field: 'commune', raw: { commune: 'Béthune', commune__retenue: '62119' }, value: { insee: '62119', name: 'Béthune', epci: 'cabbalr' } },
  { field: 'commune', raw: { commune: 'Henin Beaumont' }, value: { insee: '62427', name: 'Hénin-Beaumont', epci: 'cahc' } },
];

describe('question types: empty, invalid and valid payloads', () => {
  it.each(table.map((c) => [c.field, JSON.stringify(c.raw).slice(0, 80), c] as const))('%s %s', (_f, _r, c) => {
    const r = parse(c.field, c.raw);
    if (c.error) {
      expect(r.value).toBeUndefined();
      expect(r.errors.map((e) => e.message).join(' | ')).toMatch(c.error);
    } else {
      expect(r.errors).toEqual([]);
      expect(r.value).toEqual(c.value);
    }
  });

  it('maps values to long-format rows (one per ticked option, ranks in value_num, commune + EPCI)', () => {
    const rows = (id: string, v: unknown) => handlerFor(question(id)).toRows(question(id), v);
    expect(rows('convaincre_industrie', { codes: ['salaires', 'autre'], other: { autre: 'Le sens' } })).toEqual([
      { questionId: 'convaincre_industrie', optionCode: 'salaires', valueText: null, valueNum: null },
      { questionId: 'convaincre_industrie', optionCode: 'autre', valueText: 'Le sens', valueNum: null },
    ]);
    expect(rows('attentes_emploi', ['utilite', 'salaire'])).toEqual([
      { questionId: 'attentes_emploi', optionCode: 'utilite', valueText: null, valueNum: 1 },
      { questionId: 'attentes_emploi', optionCode: 'salaire', valueText: null, valueNum: 2 },
    ]);
    expect(rows('opinions_territoire', { fierte: 'accord' })).toEqual([
      { questionId: 'opinions_territoire__fierte', optionCode: 'accord', valueText: null, valueNum: null },
    ]);
    expect(rows('commune', { insee: '62427', name: 'Hénin-Beaumont', epci: 'cahc' })).toEqual([
      { questionId: 'commune', optionCode: '62427', valueText: 'Hénin-Beaumont', valueNum: null },
      { questionId: 'commune__epci', optionCode: 'cahc', valueText: null, valueNum: null },
    ]);
    expect(rows('age', 17)).toEqual([{ questionId: 'age', optionCode: '', valueText: null, valueNum: 17 }]);
  });
});

describe('conditions', () => {
  it('evaluates anyOf on choices, with grid items', () => {
    const choices = new Map([['situation', [{ code: 'lycee' }]], ['g', [{ item: 'a', code: 'accord' }]]]);
    expect(conditionMet({ question: 'situation', anyOf: ['lycee', 'college'] }, choices)).toBe(true);
    expect(conditionMet({ question: 'situation', anyOf: ['emploi'] }, choices)).toBe(false);
    expect(conditionMet({ question: 'absent', anyOf: ['x'] }, choices)).toBe(false);
    expect(conditionMet({ question: 'g', item: 'a', anyOf: ['accord'] }, choices)).toBe(true);
    expect(conditionMet({ question: 'g', item: 'b', anyOf: ['accord'] }, choices)).toBe(false);
    expect(conditionMet(undefined, choices)).toBe(true);
  });

  it('hides a question whose condition fails: not required, answer dropped', () => {
    const identity = q.sections[0];
    const base = { age: '17', genre: 'masculin', commune: 'Lens', situation: 'emploi', filiere: 'generale' };
    const r = parseSection(identity, base, new Map(), territory());
    expect(r.errors).toEqual([]);
    expect(r.visible.has('filiere')).toBe(false);
    expect(r.values.has('filiere')).toBe(false);
    const r2 = parseSection(identity, { ...base, situation: 'lycee' }, new Map(), territory());
    expect(r2.values.get('filiere')).toEqual({ code: 'generale' });
  });

  it('re-checks the whole response: an option offered only to students is dropped for a worker', () => {
    const drafts: RawValues[] = [
      { age: '20', genre: 'feminin', commune: 'Carvin', situation: 'emploi' },
      {},
      { freins: ['stage_alternance'] },
      {},
    ];
    const w = parseWhole(q, drafts, territory());
    expect(w.firstInvalid).toBe(2);
    drafts[0].situation = 'etudes_sup';
    const ok = parseWhole(q, drafts, territory());
    expect(ok.firstInvalid).toBe(-1);
    expect(ok.rows.filter((x) => x.questionId === 'freins').map((x) => x.optionCode)).toEqual(['stage_alternance']);
  });
});

// Every question of the real definition has a type handler that renders without throwing.
it('every question renders its view model', () => {
  for (const x of all as Question[]) expect(handlerFor(x).view(x, {}, [], ctx)).toBeTypeOf('object');
});

describe('section dependencies', () => {
  it('knows which sections show something on an earlier section’s answer', async () => {
    const { dependsOnEarlierSections } = await import('../../src/questionnaire/engine.js');
    // Identity and territory only depend on their own answers; « Mon avenir » offers an option to
    // students only (situation, in section 1).
    expect(q.sections.map((s) => dependsOnEarlierSections(s))).toEqual([false, false, true, false]);
  });
});
