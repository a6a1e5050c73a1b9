import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RawValues } from '../../src/questionnaire/types/common.js';
import { completeSurvey, makeApp, Respondent, type TestApp } from '../helpers.js';
import { addResponse } from '../results/helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';

// The attacks of issue 9, part 1, exactly as they were made against a production copy:
//  - as a facilitator, GET /api/results.json?f.commune=62001 gave `responses: 1` and every closed
//    answer of that one person; allowed filters could narrow to one person the same way;
//  - comparing the results (JSON, pages, live stream) just before and after one new response gave
//    that response's full profile.
// Each test below failed on the code before src/privacy/ (checked with git stash) and passes now.

const K = 5;

/** A completed response's section 1 (profile) with sensible answers for the other sections. */
function person(profile: Record<string, string | undefined>, i: number): { answers: Record<number, RawValues> } {
  const first = { age: '16', genre: 'feminin', commune: 'Béthune', situation: 'lycee', filiere: 'generale', lieu_activite: 'pma', ...profile };
  return {
    answers: {
      // undefined: a field left out (the « voie » of someone who is not at the lycée).
      1: Object.fromEntries(Object.entries(first).filter((e): e is [string, string] => e[1] !== undefined)),
      2: { points_forts: i % 3 ? ['histoire'] : ['histoire', 'nature'], opinions_territoire__fierte: i % 2 ? 'accord' : 'plutot_accord', rester_vivre: i % 2 ? 'oui' : 'plutot_oui' },
      3: { attentes_emploi__rang1: 'salaire' },
      4: { envisager_industrie: i % 2 ? 'plutot_oui' : 'plutot_non' },
    },
  };
}

/**
 * Twenty respondents: eighteen alike (Béthune, lycée), plus one from Ablain-Saint-Nazaire (INSEE
 * 62001) and one « autre » genre in employment: each the only one of their kind.
 */
function seed(t: TestApp) {
  for (let i = 0; i < 18; i++) addResponse(t.db, person({ genre: i % 2 ? 'feminin' : 'masculin' }, i));
  addResponse(t.db, person({ commune: 'Ablain-Saint-Nazaire', age: '15', genre: 'masculin' }, 18));
  addResponse(t.db, person({ genre: 'autre', age: '24', situation: 'emploi', filiere: undefined }, 19));
}

type Json = Record<string, unknown>;

/**
 * Every figure of a results payload that counts 1 to K−1 people (counts, bases, the number of
 * responses, statistics' counts) and every min/max shown: what a protected viewer must never get.
 */
function smallFigures(results: Json, k = K): string[] {
  const found: string[] = [];
  const small = (n: unknown) => typeof n === 'number' && n > 0 && n < k;
  if (small(results.responses)) found.push(`responses = ${String(results.responses)}`);
  for (const q of (results.questions as Json[] | undefined) ?? []) {
    const stats = q.stats as Json | undefined;
    if (stats && small(stats.count)) found.push(`${String(q.id)}.stats.count = ${String(stats.count)}`);
    if (stats && (stats.min !== null || stats.max !== null)) found.push(`${String(q.id)}.stats min/max = ${String(stats.min)}/${String(stats.max)}`);
    for (const t of q.tables as Json[]) {
      if (small(t.base)) found.push(`${String(t.id)}.base = ${String(t.base)}`);
      for (const o of t.options as Json[]) if (small(o.count)) found.push(`${String(t.id)}.${String(o.code)} = ${String(o.count)}`);
    }
  }
  return found;
}

/** A page without what changes from one request to the next (CSRF token, nonces). */
const stable = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '').replace(/nonce="[^"]*"/g, '');

describe('issue 9.1: a facilitator can no longer single out one young person', () => {
  let t: TestApp;
  let facilitator: Awaited<ReturnType<typeof signIn>>['agent'];
  let analyst: Awaited<ReturnType<typeof signIn>>['agent'];

  beforeEach(async () => {
    t = makeApp();
    await addStaff(t.db, 'anim@example.org', 'facilitator');
    await addStaff(t.db, 'analyste@example.org', 'analyst');
    seed(t);
    facilitator = (await signIn(t.app, 'anim@example.org')).agent;
    analyst = (await signIn(t.app, 'analyste@example.org')).agent;
  });

  it('GET /api/results.json?f.commune=62001 as a facilitator: refused in French, no figure', async () => {
    const res = await facilitator.get('/api/results.json?f.commune=62001');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [{ field: 'f.commune', message: expect.stringMatching(/^Le filtre « Dans quelle commune .* » est réservé aux chargés d’études/) }],
    });
  });

  it.each([
    ['f.genre=autre', 'one allowed filter'],
    ['f.age__groupe=jeunes_18_25', 'the age group'],
    ['f.genre=masculin&f.age__groupe=mineurs_15_17&f.commune__epci=call', 'allowed filters combined'],
    ['f.situation=emploi&f.genre=autre&f.genre=feminin', 'a union inside a variable, AND across'],
  ])('narrowing to fewer than K with allowed filters (%s, %s): no figure, the reason in French', async (query) => {
    const res = await facilitator.get(`/api/results.json?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.responses).toBeNull();
    expect(res.body.questions).toEqual([]);
    expect(res.body.disclosure).toEqual({
      audience: 'protected',
      minGroupSize: K,
      withheld: 'Moins de 5 réponses correspondent à cette sélection : pour que personne ne puisse être reconnu, aucun chiffre n’est affiché. Retirez un filtre pour élargir la sélection.',
    });
    const page = await facilitator.get(`/resultats/identite?${query}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Moins de 5 réponses correspondent à cette sélection');
    expect(page.text).not.toContain('réponses complètes');
    expect(page.text).not.toMatch(/<td class="num/);
    expect(page.text).not.toContain('data-chart');
  });

  it('the unfiltered results hide the one « autre » and the one commune, with complements, in JSON and pages', async () => {
    const res = await facilitator.get('/api/results.json');
    expect(res.status).toBe(200);
    expect(res.body.responses).toBe(20);
    expect(smallFigures(res.body)).toEqual([]);
    const genre = res.body.questions.find((x: Json) => x.id === 'genre').tables[0];
    const byCode = Object.fromEntries(genre.options.map((o: Json) => [o.code, o]));
    expect(byCode.autre).toMatchObject({ count: null, percent: null, suppressed: true, reason: 'small' });
    // One cell hidden alongside, so that 20 − the others does not give « autre » back.
    expect(genre.options.filter((o: Json) => o.suppressed).length).toBeGreaterThanOrEqual(2);
    // Ablain-Saint-Nazaire is not even named: small communes are merged, then protected.
    const communes = res.body.questions.find((x: Json) => x.id === 'commune').tables.find((x: Json) => x.id === 'commune');
    expect(communes.options.map((o: Json) => o.code)).toEqual(['62119', 'autres_communes']);
    expect(communes.options[1]).toMatchObject({ label: 'Autres communes (moins de 5 réponses chacune)', count: null, suppressed: true });
    // No raw ages (the groups are their sums), no min/max.
    const age = res.body.questions.find((x: Json) => x.id === 'age');
    expect(age.tables.map((x: Json) => x.id)).toEqual(['age__groupe']);
    expect(age.stats).toMatchObject({ min: null, max: null });

    const page = await facilitator.get('/resultats');
    expect(page.status).toBe(200);
    // The hidden cell: « moins de 5 », no percentage, no bar.
    expect(page.text).toMatch(/<th scope="row">Autre<\/th>\s*<td class="num is-suppressed">moins de 5<\/td><td class="num is-suppressed">moins de 5<\/td>/);
    expect(page.text).toContain('Les chiffres calculés sur moins de 5 personnes sont masqués');
    // Days, channels and drafts are not shown to facilitators.
    expect(page.text).toContain('Le détail de la participation (par jour, par canal, abandons) est réservé aux chargés d’études.');
    expect(page.text).not.toContain('Réponses par jour');
  });

  it.each([
    ['channel=lycee-carnot', 'channel', /canal de diffusion est réservé/],
    ['from=2022-12-01', 'from', /par dates est réservé/],
    ['to=2022-12-01', 'to', /par dates est réservé/],
    ['exclude_flagged=1', 'exclude_flagged', /réponses signalées » est réservé/],
    ['f.points_forts=histoire', 'f.points_forts', /est réservé aux chargés d’études/],
  ])('refuses %s to a facilitator (400 JSON, message on the page)', async (query, field, message) => {
    const res = await facilitator.get(`/api/results.json?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
    const page = await facilitator.get(`/resultats/territoire?${query}`);
    expect(page.status).toBe(400);
    expect(page.text).toMatch(message);
  });

  it('analysts still see every exact figure, and are told so', async () => {
    const res = await analyst.get('/api/results.json?f.commune=62001');
    expect(res.status).toBe(200);
    expect(res.body.responses).toBe(1);
    const all = await analyst.get('/api/results.json');
    const genre = all.body.questions.find((x: Json) => x.id === 'genre').tables[0];
    expect(Object.fromEntries(genre.options.map((o: Json) => [o.code, o.count]))).toMatchObject({ feminin: 9, masculin: 10, autre: 1 });
    expect(all.body.disclosure).toEqual({
      audience: 'full',
      minGroupSize: K,
      notice: 'Vous voyez tous les chiffres, y compris ceux calculés sur moins de 5 personnes : ne les diffusez pas tels quels.',
    });
    const page = await analyst.get('/resultats');
    expect(page.text).toContain('Vous voyez tous les chiffres, y compris ceux calculés sur moins de 5 personnes : ne les diffusez pas tels quels.');
    expect(page.text).toContain('Réponses par jour');
  });
});

describe('issue 9.1: the before/after differencing attack', () => {
  let t: TestApp;
  let server: ReturnType<TestApp['app']['listen']>;
  const controller = new AbortController();

  beforeEach(async () => {
    t = makeApp();
    await addStaff(t.db, 'anim@example.org', 'facilitator');
    await addStaff(t.db, 'analyste@example.org', 'analyst');
    seed(t);
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });
  afterEach(() => {
    controller.abort();
    server.close();
  });

  /** The stream as a facilitator's browser reads it. */
  async function stream(cookie: string) {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/resultats/flux`, { headers: { Cookie: cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const state = { text: '' };
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          state.text += decoder.decode(value, { stream: true });
        }
      } catch {
        // aborted at the end of the test
      }
    })();
    const updates = () => [...state.text.matchAll(/event: update\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]) as { responses: number });
    const waitFor = async (pred: () => boolean, ms = 5000) => {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`flux : ${state.text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return { updates, waitFor };
  }

  it('one new response changes nothing a facilitator sees (JSON, page, live); K new ones move it by K', async () => {
    const { agent: facilitator, res: login } = await signIn(t.app, 'anim@example.org');
    const cookie = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const live = await stream(cookie);
    await live.waitFor(() => live.updates().length === 1);
    expect(live.updates()).toEqual([{ responses: 20 }]);

    const before = await facilitator.get('/api/results.json');
    const pageBefore = await facilitator.get('/resultats/territoire');
    expect(before.body.responses).toBe(20);

    // One young person completes the questionnaire, the way a browser does.
    await completeSurvey(new Respondent(t.app));
    const after = await facilitator.get('/api/results.json');
    expect(after.body).toEqual(before.body);
    expect(stable((await facilitator.get('/resultats/territoire')).text)).toBe(stable(pageBefore.text));
    // Not even an event: its timing alone would say someone just answered.
    await new Promise((r) => setTimeout(r, 700));
    expect(live.updates()).toEqual([{ responses: 20 }]);

    // Three more: still nothing.
    for (let i = 0; i < K - 2; i++) await completeSurvey(new Respondent(t.app));
    await new Promise((r) => setTimeout(r, 700));
    expect((await facilitator.get('/api/results.json')).body).toEqual(before.body);
    expect(live.updates()).toEqual([{ responses: 20 }]);

    // The K-th: all K are released at once, the figures move by K.
    await completeSurvey(new Respondent(t.app));
    await live.waitFor(() => live.updates().length === 2);
    expect(live.updates()).toEqual([{ responses: 20 }, { responses: 20 + K }]);
    const stepped = await facilitator.get('/api/results.json');
    expect(stepped.body.responses).toBe(20 + K);
    expect(smallFigures(stepped.body)).toEqual([]);
  });

  it('the same filtered view does not move either until K responses are released', async () => {
    const { agent: facilitator } = await signIn(t.app, 'anim@example.org');
    const before = await facilitator.get('/api/results.json?f.genre=feminin');
    expect(before.body.responses).toBe(9);
    // validAnswers: a girl, lycée: she would enter this selection.
    await completeSurvey(new Respondent(t.app));
    expect((await facilitator.get('/api/results.json?f.genre=feminin')).body).toEqual(before.body);
  });

  it('analysts see each new response at once', async () => {
    const { agent: analyst } = await signIn(t.app, 'analyste@example.org');
    expect((await analyst.get('/api/results.json')).body.responses).toBe(20);
    await completeSurvey(new Respondent(t.app));
    expect((await analyst.get('/api/results.json')).body.responses).toBe(21);
  });
});
