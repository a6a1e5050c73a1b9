import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawValues } from '../../src/questionnaire/types/common.js';
import { makeApp, type TestApp } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { addResponse, FIVE } from './helpers.js';
import { FIVE_WEIGHTS, setWeights } from './weightedHelpers.js';

// « Résultats pondérés » over HTTP (issue 12): the switch of the dashboard's filter form (a plain
// GET form: nothing is posted, so no CSRF token is involved), /api/results.json, results.csv and
// its Excel variant, the table CSV under each chart; the refusal when no weighting is in force;
// protected viewers (facilitators) whose small cells stay hidden whatever their weights.
// The figures are those of test/results/weighted.test.ts (five respondents weighted 2, 1, 1, 0.5, 0.5).

type Agent = Awaited<ReturnType<typeof signIn>>['agent'];
const NOW = () => new Date('2026-12-01T10:00:00Z');
const UNAVAILABLE =
  'Aucune pondération n’est enregistrée : les résultats pondérés ne sont pas disponibles. Un chargé d’études doit d’abord enregistrer une pondération (marges de référence).';
const NOTICE =
  'Résultats pondérés : les parts (%) sont calculées avec les poids de redressement ; les nombres sont ceux des répondants (5 réponses pondérées). Les intervalles de confiance à 95 % (Wilson) utilisent la taille d’échantillon effective de chaque base (Kish), ici 3,8 pour l’ensemble (effet du plan 1,30).';

const unescape = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
/** Every link of a page to the results pages and figures downloads. */
const resultLinks = (html: string) => [...html.matchAll(/href="(\/(?:resultats|export\/results)[^"]*)"/g)].map((m) => unescape(m[1]));

describe('weighted results for an analyst', () => {
  let t: TestApp;
  let analyst: Agent;
  beforeAll(async () => {
    t = makeApp({ now: NOW });
    const ids = FIVE.map((p) => addResponse(t.db, p));
    setWeights(t.db, new Map(ids.map((id, i) => [id, FIVE_WEIGHTS[i]])));
    await addStaff(t.db, 'ana@example.org', 'analyst');
    analyst = (await signIn(t.app, 'ana@example.org')).agent;
  });

  it('/api/results.json?weighted=1: weighted shares, raw counts, effective n, design effect, intervals', async () => {
    const res = await analyst.get('/api/results.json?weighted=1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(res.body).sort()).toEqual(['disclosure', 'filter', 'questionnaire', 'questions', 'responses', 'source', 'weighted', 'weighting']);
    expect(res.body).toMatchObject({
      weighted: true,
      responses: 5,
      source: 'answers',
      filter: { answers: [], channels: [], excludeFlagged: false, weighted: true },
      weighting: { responses: 5, unweighted: 0, weightedTotal: 5, effectiveN: 3.8, designEffect: 1.3 },
    });
    const genre = res.body.questions.find((x: { id: string }) => x.id === 'genre');
    // Intervals: Wilson on n_eff = 25 / 6.5 (the 40 % one is checked against R in weighted.test.ts).
    expect(genre.tables).toEqual([
      {
        id: 'genre',
        label: 'Quel est ton genre ?',
        base: 5,
        multiple: false,
        weightedBase: 5,
        effectiveBase: 3.8,
        designEffect: 1.3,
        options: [
          { code: 'masculin', label: 'Masculin', count: 2, percent: 40, weightedCount: 2, weightedPercent: 40, ciLow: 10, ciHigh: 80 },
          { code: 'feminin', label: 'Féminin', count: 2, percent: 40, weightedCount: 2.5, weightedPercent: 50, ciLow: 14.7, ciHigh: 85.3 },
          { code: 'autre', label: 'Autre', count: 1, percent: 20, weightedCount: 0.5, weightedPercent: 10, ciLow: 0.8, ciHigh: 59.1 },
          { code: 'non_reponse', label: 'Je préfère ne pas répondre', count: 0, percent: 0, weightedCount: 0, weightedPercent: 0, ciLow: 0, ciHigh: 50 },
        ],
      },
    ]);
    // Without the switch: the same payload as ever, with weighted: false.
    const plain = await analyst.get('/api/results.json');
    expect(plain.body.weighted).toBe(false);
    expect(plain.body).not.toHaveProperty('weighting');
    expect(plain.body.questions.find((x: { id: string }) => x.id === 'genre').tables[0].options[1]).toEqual({ code: 'feminin', label: 'Féminin', count: 2, percent: 40 });
  });

  it('/api/results.json?weighted=1 with a filter', async () => {
    const res = await analyst.get('/api/results.json?weighted=1&f.situation=lycee');
    expect(res.status).toBe(200);
    expect(res.body.responses).toBe(2);
    const e = res.body.questions.find((x: { id: string }) => x.id === 'envisager_industrie').tables[0];
    expect([e.base, e.weightedBase, e.effectiveBase, e.designEffect]).toEqual([2, 3, 1.8, 1.111]);
    expect(e.options.find((o: { code: string }) => o.code === 'plutot_oui')).toMatchObject({ count: 1, percent: 50, weightedCount: 2, weightedPercent: 66.7 });
  });

  it('/export/results.csv?weighted=1: the weighted columns after the usual ones', async () => {
    const res = await analyst.get('/export/results.csv?weighted=1&f.situation=lycee');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="mon-avenir-en-artois-resultats-2026-12-01.csv"');
    const lines = res.text.split('\n');
    expect(lines[0]).toBe(
      'question_id,question_label,option_code,option_label,count,base,percent,weighted_count,weighted_base,weighted_percent,effective_base,design_effect,ci_low,ci_high',
    );
    // Intervals on n_eff = 9 / 5 = 1.8, as R's prop.test(p × 1.8, 1.8, correct = FALSE) gives them:
    // 1/3 → [4.16, 85.20], 2/3 → [14.80, 95.84], 0 → [0, 68.09].
    const q = 'envisager_industrie,Pourrais-tu envisager de travailler dans l’industrie ?';
    expect(lines.filter((l) => l.startsWith('envisager_industrie,'))).toEqual([
      `${q},oui_tout_a_fait,"Oui, tout à fait",1,2,50.0,1.00,3.00,33.3,1.8,1.111,4.2,85.2`,
      `${q},plutot_oui,Plutôt oui,1,2,50.0,2.00,3.00,66.7,1.8,1.111,14.8,95.8`,
      `${q},plutot_non,Plutôt non,0,2,0.0,0.00,3.00,0.0,1.8,1.111,0.0,68.1`,
      `${q},pas_du_tout,Pas du tout,0,2,0.0,0.00,3.00,0.0,1.8,1.111,0.0,68.1`,
      `${q},nsp,Je ne sais pas,0,2,0.0,0.00,3.00,0.0,1.8,1.111,0.0,68.1`,
    ]);
    // Every row has the 14 columns.
    const rows = Papa.parse<string[]>(res.text, { skipEmptyLines: true }).data;
    expect(new Set(rows.map((r) => r.length))).toEqual(new Set([14]));
    // Without the switch, results.csv keeps its 7 columns.
    const plain = await analyst.get('/export/results.csv');
    expect(plain.text.split('\n')[0]).toBe('question_id,question_label,option_code,option_label,count,base,percent');
  });

  it('the Excel variant and the table CSV under a chart carry the same weighted columns', async () => {
    const excel = await analyst.get('/export/results.csv?weighted=1&excel=1');
    expect(excel.status).toBe(200);
    expect(excel.text.startsWith('\ufeffquestion_id;question_label;option_code;option_label;count;base;percent;weighted_count;weighted_base;weighted_percent;effective_base;design_effect;ci_low;ci_high\r\n')).toBe(true);
    expect(excel.text).toContain('\r\ngenre;Quel est ton genre ?;feminin;Féminin;2;5;40,0;2,50;5,00;50,0;3,8;1,300;14,7;85,3\r\n');
    const table = await analyst.get('/resultats/tableau.csv?tableau=genre&weighted=1');
    expect(table.status).toBe(200);
    expect(table.headers['content-disposition']).toBe('attachment; filename="mon-avenir-en-artois-tableau-genre-2026-12-01.csv"');
    expect(table.text).toBe(
      [
        'question_id,question_label,option_code,option_label,count,base,percent,weighted_count,weighted_base,weighted_percent,effective_base,design_effect,ci_low,ci_high',
        'genre,Quel est ton genre ?,masculin,Masculin,2,5,40.0,2.00,5.00,40.0,3.8,1.300,10.0,80.0',
        'genre,Quel est ton genre ?,feminin,Féminin,2,5,40.0,2.50,5.00,50.0,3.8,1.300,14.7,85.3',
        'genre,Quel est ton genre ?,autre,Autre,1,5,20.0,0.50,5.00,10.0,3.8,1.300,0.8,59.1',
        'genre,Quel est ton genre ?,non_reponse,Je préfère ne pas répondre,0,5,0.0,0.00,5.00,0.0,3.8,1.300,0.0,50.0',
        '',
      ].join('\n'),
    );
  });

  it('the dashboard page: switch on, chip, notice on effective sizes, weighted shares and intervals', async () => {
    const res = await analyst.get('/resultats/identite?weighted=1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.text;
    expect(html).toContain(`<p class="weighted-notice" data-live="weighted">${NOTICE}</p>`);
    expect(html).toContain('<input type="checkbox" id="filtre-pondere" name="weighted" value="1" checked aria-describedby="aide-pondere"><label for="filtre-pondere">Résultats pondérés</label>');
    expect(html).toMatch(/<li class="chip"><span>Résultats pondérés<\/span> <a href="\/resultats\/identite" class="chip-remove">/);
    const genre = html.slice(html.indexOf('id="tableau-genre"'), html.indexOf('</table>', html.indexOf('id="tableau-genre"')));
    expect(genre).toContain('<caption class="visually-hidden">Quel est ton genre ? — Base : 5 répondants, n effectif 3,8 (pondéré)</caption>');
    expect(genre).toContain('<th scope="col" class="num">Répondants</th><th scope="col" class="num">Part pondérée</th><th scope="col" class="num">IC 95 % (n effectif)</th>');
    expect(genre).toMatch(/<th scope="row">Féminin<\/th>\s*<td class="num">2<\/td><td class="num">50,0\u202f% <svg[^]*?<\/svg>\s*<\/td><td class="num">14,7 – 85,3\u202f%<\/td>/);
    // The chart (and so its PNG) draws the weighted shares and says « pondéré » in its base.
    expect(html).toContain('&quot;base&quot;:&quot;Base : 5 répondants, n effectif 3,8 (pondéré)&quot;,&quot;labels&quot;:[&quot;Masculin&quot;,&quot;Féminin&quot;,&quot;Autre&quot;,&quot;Je préfère ne pas répondre&quot;],&quot;datasets&quot;:[{&quot;label&quot;:&quot;Part pondérée&quot;,&quot;values&quot;:[40,50,10,0],&quot;counts&quot;:[2,2,1,0]');
    expect(html).toContain('<p class="stats">Base : 5 · Moyenne pondérée : 19,2 · Médiane pondérée : 17</p>');
  });

  it('the switch is kept by every link (sections, filters, chips, exports, table CSVs) and dropped by its chip', async () => {
    const res = await analyst.get('/resultats/identite?weighted=1&f.genre=feminin');
    expect(res.status).toBe(200);
    const links = resultLinks(res.text);
    const chipOff = '/resultats/identite?f.genre=feminin';
    const clear = '/resultats/identite';
    const genreOff = '/resultats/identite?weighted=1';
    expect(links).toContain(chipOff);
    expect(links).toContain('/export/results.csv?f.genre=feminin&weighted=1');
    expect(links).toContain('/resultats/tableau.csv?tableau=genre&excel=1&f.genre=feminin&weighted=1');
    expect(links).toContain('/resultats/avenir?f.genre=feminin&weighted=1');
    expect(links).toContain('/resultats/identite?f.genre=feminin&weighted=1&f.situation=lycee');
    // Only the site menu's « Résultats » (no filter at all) and the ways out of the switch lack it.
    expect(links.filter((l) => ![chipOff, clear, genreOff].includes(l) && !l.includes('weighted=1'))).toEqual(['/resultats']);
    expect(res.text).toMatch(/<a href="\/resultats"[^>]*>Résultats<\/a>/);
    // responses.csv has no weighted view: its links leave the switch out.
    expect(res.text).toContain('href="/export/responses.csv?f.genre&#x3D;feminin"');
    // The GET form sends the switch as any filter: checked, it comes back checked with the filters.
    const start = res.text.indexOf('<form method="get" action="/resultats/identite" class="filter-form"');
    const form = res.text.slice(start, res.text.indexOf('</form>', start));
    expect(form).toContain('name="weighted" value="1" checked');
    expect(form).toMatch(/id="filtre-genre-feminin" name="f.genre" value="feminin" checked/);
    const submitted = await analyst.get('/resultats/identite?weighted=1&f.genre=feminin&from=&to=');
    expect(submitted.status).toBe(200);
    expect(submitted.text).toContain('name="weighted" value="1" checked');
    // Live updates refetch the page's own URL: the weighted figures are the ones refreshed.
    expect(submitted.text).toContain('data-live="weighted"');
  });

  it('without weighted=1 the switch is offered, off, with what it does', async () => {
    const res = await analyst.get('/resultats/identite');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<input type="checkbox" id="filtre-pondere" name="weighted" value="1" aria-describedby="aide-pondere"><label for="filtre-pondere">Résultats pondérés</label>');
    expect(res.text).toContain('<p class="hint" id="aide-pondere">Les réponses sont pondérées pour ressembler à la population (recensement) : les parts sont pondérées, les nombres restent ceux des répondants.</p>');
    expect(res.text).not.toContain('weighted-notice');
    expect(res.text).not.toContain('Part pondérée');
  });

  it('a bad value of the switch is answered like a bad filter', async () => {
    const json = await analyst.get('/api/results.json?weighted=oui');
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ errors: [{ field: 'weighted', message: 'Valeur attendue : 1 (oui) ou 0 (non).' }] });
    const page = await analyst.get('/resultats/identite?weighted=oui');
    expect(page.status).toBe(400);
    expect(page.text).toContain('<p class="field-error" id="erreur-pondere">Valeur attendue : 1 (oui) ou 0 (non).</p>');
  });
});

describe('weighted=1 without a weighting in force: a French message, never a 500', () => {
  let t: TestApp;
  let analyst: Agent;
  beforeAll(async () => {
    t = makeApp({ now: NOW });
    FIVE.forEach((p) => addResponse(t.db, p));
    await addStaff(t.db, 'ana@example.org', 'analyst');
    analyst = (await signIn(t.app, 'ana@example.org')).agent;
  });

  it('the page: unweighted figures, the message next to the switch', async () => {
    const res = await analyst.get('/resultats/identite?weighted=1&f.genre=feminin');
    expect(res.status).toBe(400);
    const html = res.text;
    expect(html).toContain(`<div class="error-summary" role="alert"><ul><li>${UNAVAILABLE}</li></ul></div>`);
    expect(html).toContain(
      `<p class="field-error" id="erreur-pondere">${UNAVAILABLE}</p>\n      <div class="check"><input type="checkbox" id="filtre-pondere" name="weighted" value="1" disabled aria-describedby="erreur-pondere aide-pondere" aria-invalid="true">`,
    );
    // The other filters are kept; no weighted figure, no weighted chip.
    expect(html).toMatch(/<li class="chip"><span>Quel est ton genre \? : Féminin<\/span>/);
    expect(html).not.toContain('<span>Résultats pondérés</span>');
    expect(html).not.toContain('weighted-notice');
    expect(html).toContain('<p class="total" data-total="2" data-live="total">2 réponses complètes</p>');
    expect(resultLinks(html).filter((l) => l.includes('weighted'))).toEqual([]);
  });

  it('the page without the switch says why it is off', async () => {
    const res = await analyst.get('/resultats');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<input type="checkbox" id="filtre-pondere" name="weighted" value="1" disabled aria-describedby="aide-pondere">');
    expect(res.text).toContain(`<p class="hint" id="aide-pondere">${UNAVAILABLE}</p>`);
  });

  it('/api/results.json: 400 and the French message, as for a bad filter', async () => {
    const res = await analyst.get('/api/results.json?weighted=1');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ errors: [{ field: 'weighted', message: UNAVAILABLE }] });
  });

  it.each(['/export/results.csv?weighted=1', '/export/results.csv?weighted=1&excel=1', '/resultats/tableau.csv?tableau=genre&weighted=1'])(
    '%s: 400 and the French message in plain text',
    async (url) => {
      const res = await analyst.get(url);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe(`Résultats pondérés impossibles :\n- weighted : ${UNAVAILABLE}\n`);
    },
  );
});

/** Section 1 with sensible answers for the other sections (as in test/privacy/attacks.test.ts). */
function person(profile: Record<string, string | undefined>, i: number): { answers: Record<number, RawValues> } {
  const first = { age: '16', genre: 'feminin', commune: 'Béthune', situation: 'lycee', filiere: 'generale', lieu_activite: 'pma', ...profile };
  return {
    answers: {
      1: Object.fromEntries(Object.entries(first).filter((e): e is [string, string] => e[1] !== undefined)),
      2: { points_forts: ['histoire'], opinions_territoire__fierte: i % 2 ? 'accord' : 'plutot_accord' },
      4: { envisager_industrie: i % 2 ? 'plutot_oui' : 'plutot_non' },
    },
  };
}

type Json = Record<string, unknown>;

describe('protected viewers: small cells are decided on raw respondents, never on weights', () => {
  let t: TestApp;
  let facilitator: Agent;
  let analyst: Agent;
  const K = 5;
  beforeAll(async () => {
    t = makeApp({ now: NOW });
    const weights = new Map<string, number>();
    // Eighteen alike, and two « autre » in employment weighted 3.1 each: a weighted count of 6.2
    // (above K = 5) from two people.
    for (let i = 0; i < 18; i++) weights.set(addResponse(t.db, person({ genre: i % 2 ? 'feminin' : 'masculin' }, i)), 13.8 / 18);
    for (let i = 18; i < 20; i++) weights.set(addResponse(t.db, person({ genre: 'autre', age: '24', situation: 'emploi', filiere: undefined }, i)), 3.1);
    setWeights(t.db, weights);
    await addStaff(t.db, 'anim@example.org', 'facilitator');
    await addStaff(t.db, 'ana@example.org', 'analyst');
    facilitator = (await signIn(t.app, 'anim@example.org')).agent;
    analyst = (await signIn(t.app, 'ana@example.org')).agent;
  });

  it('the analyst sees the 2 « autre » weighing 6.2', async () => {
    const res = await analyst.get('/api/results.json?weighted=1');
    const genre = res.body.questions.find((x: Json) => x.id === 'genre').tables[0];
    expect(genre.options.find((o: Json) => o.code === 'autre')).toMatchObject({ count: 2, weightedCount: 6.2, weightedPercent: 31 });
  });

  it('a facilitator asking weighted results gets no figure of the 1–4 respondent cells, weighted or not', async () => {
    const res = await facilitator.get('/api/results.json?weighted=1');
    expect(res.status).toBe(200);
    expect(res.body.weighted).toBe(true);
    expect(res.body.responses).toBe(20);
    const hiddenButWeighted: string[] = [];
    const smallShown: string[] = [];
    for (const q of res.body.questions as Json[]) {
      for (const table of q.tables as Json[]) {
        if (table.base === null && (table.weightedBase !== null || table.effectiveBase !== null || table.designEffect !== null)) hiddenButWeighted.push(`${String(table.id)} base`);
        if (typeof table.base === 'number' && table.base > 0 && table.base < K) smallShown.push(`${String(table.id)}.base`);
        for (const o of table.options as Json[]) {
          if (typeof o.count === 'number' && o.count > 0 && o.count < K) smallShown.push(`${String(table.id)}.${String(o.code)}`);
          if (o.count === null && [o.weightedCount, o.weightedPercent, o.ciLow, o.ciHigh].some((x) => x !== null)) hiddenButWeighted.push(`${String(table.id)}.${String(o.code)}`);
          if (o.percent === null && [o.weightedPercent, o.ciLow, o.ciHigh].some((x) => x !== null)) hiddenButWeighted.push(`${String(table.id)}.${String(o.code)} %`);
        }
      }
    }
    expect(smallShown).toEqual([]);
    expect(hiddenButWeighted).toEqual([]);
    const genre = res.body.questions.find((x: Json) => x.id === 'genre').tables[0];
    expect(genre.options.find((o: Json) => o.code === 'autre')).toEqual({
      code: 'autre',
      label: 'Autre',
      count: null,
      percent: null,
      weightedCount: null,
      weightedPercent: null,
      ciLow: null,
      ciHigh: null,
      suppressed: true,
      reason: 'small',
    });
    // Complementary suppression holds: the same cells as in the unweighted results are hidden.
    const plain = await facilitator.get('/api/results.json');
    const pattern = (body: Json) =>
      (body.questions as Json[]).flatMap((q) => (q.tables as Json[]).flatMap((table) => (table.options as Json[]).map((o) => `${String(table.id)}.${String(o.code)}:${String(o.reason ?? 'shown')}`)));
    expect(pattern(res.body)).toEqual(pattern(plain.body));
    expect(genre.options.filter((o: Json) => o.suppressed).length).toBeGreaterThanOrEqual(2);
  });

  it('the facilitator’s weighted page shows « moins de 5 » in every cell of the row, interval included', async () => {
    const res = await facilitator.get('/resultats/identite?weighted=1');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(
      /<th scope="row">Autre<\/th>\s*<td class="num is-suppressed">moins de 5<\/td><td class="num is-suppressed">moins de 5<\/td><td class="num is-suppressed">moins de 5<\/td>/,
    );
    expect(res.text).toContain('Les chiffres calculés sur moins de 5 personnes sont masqués');
  });

  it('released responses without a weight yet: no weighted figure for a facilitator (no differencing)', async () => {
    for (let i = 20; i < 25; i++) addResponse(t.db, person({ genre: 'masculin' }, i));
    expect((await facilitator.get('/api/results.json')).body.responses).toBe(25);
    const res = await facilitator.get('/api/results.json?weighted=1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      responses: null,
      questions: [],
      weighting: { responses: null, unweighted: 0, weightedTotal: null, effectiveN: null, designEffect: null },
      disclosure: {
        audience: 'protected',
        minGroupSize: 5,
        withheld:
          'La pondération n’est pas encore à jour pour toutes les réponses de cette sélection : les résultats pondérés ne sont pas affichés. Réessayez dans un instant ou retirez « Résultats pondérés ».',
      },
    });
    // The analyst still gets them, with the unweighted ones counted apart.
    const full = await analyst.get('/api/results.json?weighted=1');
    expect(full.body.weighting).toMatchObject({ responses: 20, unweighted: 5 });
  });
});
