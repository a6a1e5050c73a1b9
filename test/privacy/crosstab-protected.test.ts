import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.js';
import { protectCrosstab } from '../../src/privacy/crosstab.js';
import { crossVariables, crosstab } from '../../src/results/crosstab.js';
import { crosstabMargins } from '../../src/results/crosstabMargins.js';
import { NO_FILTER } from '../../src/results/filters.js';
import { createStaffStore } from '../../src/staff/store.js';
import { makeApp } from '../helpers.js';
import { addResponse, q } from '../results/helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { leakedSmallCells } from '../support/tableAudit.js';

// Small cells in crosstabs for facilitators (issue 12): attack-style tests on the page, the JSON
// and the CSV, against a brute-force audit of what they show plus the dashboard's counts.

const K = 5;
const FILIERES = ['generale', 'technologique', 'professionnelle'] as const;

/** genre × filière (a lycéen's track; « sans réponse » for the others). */
const PEOPLE: [string, string | null, number][] = [
  ['feminin', 'generale', 12],
  ['feminin', 'technologique', 3],
  ['feminin', 'professionnelle', 8],
  ['feminin', null, 6],
  ['masculin', 'generale', 9],
  ['masculin', 'technologique', 7],
  ['masculin', 'professionnelle', 2],
  ['masculin', null, 3],
];

function add(db: Db, genre: string, filiere: string | null, n: number) {
  for (let i = 0; i < n; i++) {
    addResponse(db, {
      answers: {
        1: filiere
          ? { age: '16', genre, commune: 'Lens', situation: 'lycee', filiere, lieu_activite: 'pma' }
          : { age: '20', genre, commune: 'Lens', situation: 'emploi', lieu_activite: 'pma' },
        2: { points_forts: i % 2 ? ['histoire'] : ['histoire', 'nature'] },
      },
    });
  }
}

async function setup(people = PEOPLE) {
  const t = makeApp();
  for (const [g, f, n] of people) add(t.db, g, f, n);
  const ana = await addStaff(t.db, 'ana@exemple.fr', 'analyst');
  const anim = await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
  const { agent } = await signIn(t.app, 'anim@exemple.fr');
  return { ...t, anim: agent, animToken: createStaffStore(t.db).createToken(anim.id, 'x').token, anaToken: createStaffStore(t.db).createToken(ana.id, 'r').token };
}

const Q = 'row=genre&col=filiere';
type JsonCell = { row: string; col: string; count: number | null; suppressed?: true; row_percent: number | null; col_percent: number | null; row_ci_low: number | null };

/** Every count a JSON answer gives. */
const countsOf = (body: { cells: JsonCell[]; row_totals: { count: number | null }[]; col_totals: { count: number | null }[]; base: number | null; responses: number | null }) => [
  ...body.cells.map((c) => c.count),
  ...body.row_totals.map((x) => x.count),
  ...body.col_totals.map((x) => x.count),
  body.base,
  body.responses,
];

describe('crosstabs for facilitators', () => {
  it('JSON: no count of 1 to K−1, hidden cells without percentages or intervals, tests withheld in French', async () => {
    const t = await setup();
    const res = await t.anim.get(`/api/crosstab.json?${Q}`);
    expect(res.status).toBe(200);
    for (const n of countsOf(res.body)) if (n !== null) expect(n === 0 || n >= K).toBe(true);
    const cell = (r: string, c: string) => res.body.cells.find((x: JsonCell) => x.row === r && x.col === c) as JsonCell;
    expect(cell('feminin', 'technologique')).toMatchObject({ count: null, suppressed: true, row_percent: null, col_percent: null, row_ci_low: null });
    expect(cell('masculin', 'professionnelle')).toMatchObject({ count: null, suppressed: true });
    // Hidden cells carry no figure at all, nor a hint of which ones are small.
    for (const c of res.body.cells as JsonCell[]) if (c.count === null) expect([c.row_percent, c.col_percent, c.row_ci_low, (c as { reason?: string }).reason]).toEqual([null, null, null, undefined]);
    expect(res.body.test).toBeNull();
    expect(res.body.ratios).toBeNull();
    expect(res.body.readings).toEqual(['Le test du khi-deux, le rapport des proportions et la lecture ne sont pas donnés : avec des cases masquées, on pourrait les recalculer à partir d’eux.']);
    expect(res.body.disclosure).toMatchObject({ audience: 'protected', minGroupSize: K });
    // Masculin's « sans réponse » (3) is small: his crosstab total would give it back (21 − 18).
    expect(res.body.row_totals.find((x: { code: string }) => x.code === 'masculin').count).toBeNull();
    expect(res.body.base).toBeNull();
  });

  it('resists a brute-force audit of the JSON together with the dashboard’s counts', async () => {
    const t = await setup();
    const body = (await t.anim.get(`/api/crosstab.json?${Q}`)).body;
    // The extended table genre × (filières + sans réponse), as the attacker reconstructs it.
    const rows = ['feminin', 'masculin'];
    const truth = rows.map((g) => [...FILIERES.map((f) => PEOPLE.find((p) => p[0] === g && p[1] === f)![2]), PEOPLE.find((p) => p[0] === g && p[1] === null)![2]]);
    const cells = rows.map((g, i) => [
      ...FILIERES.map((f, j) => {
        const c = (body.cells as JsonCell[]).find((x) => x.row === g && x.col === f)!;
        return c.count === null ? { value: truth[i][j], status: null } : { value: c.count, status: 'shown' as const };
      }),
      // « sans réponse »: known exactly when the crosstab total is shown (dashboard count − total).
      body.row_totals[i].count === null ? { value: truth[i][3], status: null } : { value: truth[i][3], status: 'shown' as const },
    ]);
    // Dashboard: genre counts (29, 21) and filière counts (21, 10, 10), « sans réponse » 9.
    const leaks = leakedSmallCells(cells, K, truth, { rowTotals: [29, 21], colTotals: [21, 10, 10, 9], exactOnly: true });
    expect(leaks).toEqual([]);
  });

  it('CSV and page show the same protection: no small figure, « masqué », no test', async () => {
    const t = await setup();
    const csv = await t.anim.get(`/export/crosstab.csv?${Q}`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('row_variable,row_code,row_label,col_variable,col_code,col_label,count,row_percent,row_ci_low,row_ci_high,col_percent,col_ci_low,col_ci_high');
    for (const line of lines.slice(1)) {
      const count = line.split(',')[6];
      if (count !== '') expect(Number(count) === 0 || Number(count) >= K).toBe(true);
    }
    expect(lines).toContain('genre,feminin,Féminin,filiere,technologique,Technologique,,,,,,,');
    const page = await t.anim.get(`/resultats/croisement?${Q}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('masqué');
    expect(page.text).not.toMatch(/n = [1-4]</);
    expect(page.text).not.toContain('χ² =');
    expect(page.text).toContain('Le test du khi-deux, le rapport des proportions et la lecture ne sont pas donnés');
    // Only the profile variables are offered.
    expect(page.text).toContain('<option value="genre"');
    expect(page.text).not.toContain('<option value="aime_vivre"');
  });

  it.each([
    ['a filter on a profile question', `${Q}&f.situation=lycee`],
    ['a channel', `${Q}&channel=lycee-carnot`],
    ['dates', `${Q}&from=2022-01-01`],
    ['weights or any other parameter', `${Q}&weighted=1`],
  ])('refuses %s (differencing two selections), in the page, the JSON and the CSV', async (_n, query) => {
    const t = await setup();
    const json = await t.anim.get(`/api/crosstab.json?${query}`);
    expect(json.status).toBe(400);
    expect(json.body.errors[0].message).toContain('Les filtres ne sont pas proposés dans les croisements des animateurs');
    expect(json.text).not.toMatch(/"count"/);
    const csv = await t.anim.get(`/export/crosstab.csv?${query}`);
    expect(csv.status).toBe(400);
    expect(csv.text).not.toContain('genre,feminin');
    const page = await t.anim.get(`/resultats/croisement?${query}`);
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('<table');
  });

  it('two crosstabs of the same variable give nothing away by difference (same released selection, margins only)', async () => {
    const t = await setup();
    const a = (await t.anim.get('/api/crosstab.json?row=genre&col=filiere')).body;
    const b = (await t.anim.get('/api/crosstab.json?row=genre&col=situation')).body;
    expect(a.responses).toBe(b.responses);
    // Whatever both show of « genre » is the same dashboard margin, never a new difference.
    for (const g of ['feminin', 'masculin']) {
      const ta = a.row_totals.find((x: { code: string }) => x.code === g).count;
      const tb = b.row_totals.find((x: { code: string }) => x.code === g).count;
      if (ta !== null && tb !== null) expect(Math.abs(ta - tb) === 0 || Math.abs(ta - tb) >= K).toBe(true);
    }
    for (const n of [...countsOf(a), ...countsOf(b)]) if (n !== null) expect(n === 0 || n >= K).toBe(true);
  });

  it('refuses variables outside the profile questions, in French', async () => {
    const t = await setup();
    const res = await t.anim.get('/api/crosstab.json?row=genre&col=aime_vivre');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'col', message: '« Aimes-tu vivre sur ton territoire ? » ne peut pas être croisée ici : les animateurs croisent les questions de « Mon identité » proposées dans la liste.' }]);
  });

  it('shows no figure when fewer than K answered, and counts released responses only', async () => {
    const few = await setup([['feminin', 'generale', 3], ['masculin', 'generale', 1]]);
    const res = await few.anim.get(`/api/crosstab.json?${Q}`);
    expect(res.status).toBe(200);
    expect(res.body.cells).toEqual([]);
    expect(res.body.responses).toBeNull();
    expect(res.body.disclosure.withheld).toBe('Moins de 5 jeunes ont répondu aux deux questions : pour que personne ne puisse être reconnu, aucun chiffre n’est affiché.');
    const page = await few.anim.get(`/resultats/croisement?${Q}`);
    expect(page.text).toContain('Moins de 5 jeunes ont répondu aux deux questions');
    expect(page.text).not.toContain('<table');
    // 52 completed, 50 released: the crosstab counts 50.
    const t = await setup([...PEOPLE, ['feminin', 'generale', 2]]);
    expect((await t.anim.get(`/api/crosstab.json?${Q}`)).body.responses).toBe(50);
  });

  it('gives the test and the reading when no cell is hidden', async () => {
    const t = await setup([['feminin', 'generale', 20], ['feminin', 'professionnelle', 10], ['masculin', 'generale', 10], ['masculin', 'professionnelle', 20]]);
    const res = await t.anim.get(`/api/crosstab.json?${Q}`);
    expect(res.body.test).toMatchObject({ df: 1, chi2: expect.any(Number) });
    expect(res.body.cells.every((c: JsonCell) => c.count !== null)).toBe(true);
    expect(res.body.readings.join(' ')).toContain('χ²');
  });

  it('leaves analysts their full figures, and keeps facilitators’ tokens out', async () => {
    const t = await setup();
    const full = await request(t.app).get(`/api/crosstab.json?${Q}`).set('Authorization', `Bearer ${t.anaToken}`);
    expect(full.body.cells.find((c: JsonCell) => c.row === 'feminin' && c.col === 'technologique').count).toBe(3);
    expect((await request(t.app).get(`/api/crosstab.json?${Q}`).set('Authorization', `Bearer ${t.animToken}`)).status).toBe(403);
    expect((await request(t.app).get(`/api/crosstab.json?${Q}`)).status).toBe(401);
  });
});

describe('protectCrosstab with a multiple-choice variable', () => {
  it('hides small ticked cells and their complements; no count of 1 to K−1', async () => {
    // Five « autre »: three ticked « nature », a small cell.
    const t = await setup([...PEOPLE, ['autre', 'generale', 5]]);
    const vars = new Map(crossVariables(q).map((v) => [v.id, v]));
    const filter = { ...NO_FILTER, releasedOnly: true };
    const row = vars.get('genre')!;
    const col = vars.get('points_forts')!;
    const ct = crosstab(t.db, q, row, col, filter);
    const p = protectCrosstab(ct, crosstabMargins(t.db, q, row, col, filter), K);
    const counts = [...p.cells.flat().map((c) => c.count), ...p.rowTotals.map((x) => x.count), ...p.colTotals.map((x) => x.count)];
    for (const n of counts) if (n !== null) expect(n === 0 || n >= K).toBe(true);
    expect(ct.cells.flat().some((c) => c.count > 0 && c.count < K)).toBe(true);
    expect(p.cells.flat().filter((c, i) => ct.cells.flat()[i].count > 0 && ct.cells.flat()[i].count < K).every((c) => c.count === null)).toBe(true);
  });
});
