import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildCampaign } from '../../src/campaign/campaign.js';
import type { Db } from '../../src/db/connection.js';
import { makeApp, formBody, csrfFrom } from '../helpers.js';
import { addResponse } from '../results/helpers.js';
import { addStaff, auditActions, signIn, tokenOf } from '../staff/helpers.js';

// The public results page (/resultats-publics) and its admin page, over whole HTTP responses:
// nothing while unpublished, nothing under K, never free text, one click to unpublish.

const FREE_TEXT = 'Plus de bus le soir vers Liévin';

/** n respondents answering « Aimes-tu vivre sur ton territoire ? » with `aime`. */
function addPeople(db: Db, aime: string, n: number, extra: Record<string, string | string[]> = {}) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      addResponse(db, {
        answers: {
          1: { age: '17', genre: 'feminin', commune: 'Lens', situation: 'lycee', filiere: 'generale', lieu_activite: 'pma' },
          2: { aime_vivre: aime, ameliorer_territoire: FREE_TEXT, points_forts: ['histoire'], ...extra },
        },
      }),
    );
  }
  return ids;
}

async function setup(opts: { closed?: boolean } = {}) {
  const t = makeApp(opts.closed ? { campaign: buildCampaign({ closesAt: new Date('2020-01-01T00:00:00Z') }) } : {});
  await addStaff(t.db, 'admin@exemple.fr', 'admin');
  await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
  const { agent } = await signIn(t.app, 'admin@exemple.fr');
  const save = async (fields: Record<string, string | string[]>) =>
    agent.post('/admin/resultats-publics').type('form').send(formBody({ _csrf: await tokenOf(agent, '/admin/resultats-publics'), ...fields }));
  return { ...t, admin: agent, save };
}

/** Every figure a page shows: « 42 % », « 12 jeunes ». */
const percents = (html: string) => [...html.matchAll(/(\d+)\u202f%/g)].map((m) => Number(m[1]));

describe('public results page', () => {
  it('answers a French 404 while unpublished, with nothing of the staff area', async () => {
    const t = await setup();
    addPeople(t.db, 'beaucoup', 20);
    const res = await request(t.app).get('/resultats-publics');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Pas de résultats en ligne');
    expect(res.text).not.toMatch(/\d\u202f%/);
    expect(res.text).not.toContain('Espace équipe');
    expect(res.text).not.toContain('/admin');
    // A signed-in admin gets the same 404 page: unpublished means unpublished.
    expect((await t.admin.get('/resultats-publics')).status).toBe(404);
  });

  it('publishes with CSRF and audit, shows only the chosen closed questions, and unpublishes in one click', async () => {
    const t = await setup();
    const ids = addPeople(t.db, 'beaucoup', 14);
    ids.push(...addPeople(t.db, 'plutot_oui', 6));
    // Without the CSRF token: refused, nothing changes.
    const forged = await t.admin.post('/admin/resultats-publics').type('form').send(formBody({ questions: 'aime_vivre', action: 'publier' }));
    expect(forged.status).toBe(403);
    expect((await request(t.app).get('/resultats-publics')).status).toBe(404);

    const saved = await t.save({ questions: ['aime_vivre', 'points_forts'], intro: 'Merci à toi ! Voici ce que vous avez dit.', action: 'publier' });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('La page est publiée.');
    expect(auditActions(t.db).filter((a) => a.startsWith('settings.public'))).toEqual(['settings.public_results', 'settings.public_results_publish']);

    const page = await request(t.app).get('/resultats-publics');
    expect(page.status).toBe(200);
    expect(page.text).toContain('20 jeunes du territoire ont répondu.');
    expect(page.text).toContain('Merci à toi ! Voici ce que vous avez dit.');
    expect(page.text).toContain('7 jeunes sur 10 ont répondu «\u00a0Oui, beaucoup\u00a0»');
    expect(page.text).toContain('Aimes-tu vivre sur ton territoire ?');
    expect(percents(page.text)).toEqual(expect.arrayContaining([70, 30, 100]));
    // Not chosen, or free text: absent.
    expect(page.text).not.toContain('Quel est ton genre');
    expect(page.text).not.toContain(FREE_TEXT);
    for (const id of ids) expect(page.text).not.toContain(id);
    expect(page.text).not.toContain('Espace équipe');
    expect(page.text).not.toMatch(/export|\.csv|\/api\//);
    expect(page.text).not.toContain('<script');
    // No filters from the public: the query string changes nothing.
    const filtered = await request(t.app).get('/resultats-publics?f.genre=masculin&channel=lycee-carnot');
    expect(filtered.text).toBe(page.text);

    // One click to unpublish, with CSRF; audited.
    const noToken = await t.admin.post('/admin/resultats-publics/depublier').type('form').send('');
    expect(noToken.status).toBe(403);
    expect((await request(t.app).get('/resultats-publics')).status).toBe(200);
    const off = await t.admin.post('/admin/resultats-publics/depublier').type('form').send(formBody({ _csrf: await tokenOf(t.admin, '/admin/resultats-publics') }));
    expect(off.status).toBe(200);
    expect(off.text).toContain('La page n’est plus publiée.');
    expect(auditActions(t.db).at(-1)).toBe('settings.public_results_unpublish');
    expect((await request(t.app).get('/resultats-publics')).status).toBe(404);
  });

  it('shows no figure on fewer than K respondents, and hides the complementary cell', async () => {
    const t = await setup();
    addPeople(t.db, 'beaucoup', 12);
    addPeople(t.db, 'plutot_oui', 6);
    addPeople(t.db, 'plutot_non', 2);
    await t.save({ questions: 'aime_vivre', action: 'publier' });
    const page = await request(t.app).get('/resultats-publics');
    expect(page.status).toBe(200);
    // 2 « plutôt non » is small; one more cell is hidden so that it cannot be recomputed.
    expect(page.text).toContain('moins de 5 jeunes');
    expect(page.text).toContain('caché');
    expect(percents(page.text)).not.toContain(10); // 2 of 20
    // Hiding the 6 with the 2 would leave the 2 within 1 to 3: the 12 is the complement.
    expect(percents(page.text)).not.toContain(60);
    expect(percents(page.text)).toContain(30);
    expect(page.text).toContain('3 jeunes sur 10 ont répondu «\u00a0Plutôt oui\u00a0»');
    expect(page.text).toContain('« caché » : ce chiffre permettrait de retrouver un groupe de moins de 5 jeunes.');
  });

  it('says in French that there are not enough answers yet, with no figure, under K respondents', async () => {
    const t = await setup();
    addPeople(t.db, 'beaucoup', 4);
    await t.save({ questions: 'aime_vivre', action: 'publier' });
    const page = await request(t.app).get('/resultats-publics');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Il n’y a pas encore assez de réponses pour montrer des résultats : il en faut au moins 5');
    expect(page.text).not.toMatch(/\d\u202f%/);
    expect(page.text).not.toContain('jeunes du territoire ont répondu');
  });

  it('counts released responses only (steps of K), as facilitators get them', async () => {
    const t = await setup();
    addPeople(t.db, 'beaucoup', 10);
    addPeople(t.db, 'plutot_oui', 3); // 3 unreleased (fewer than K since the last release)
    await t.save({ questions: 'aime_vivre', action: 'publier' });
    const page = await request(t.app).get('/resultats-publics');
    expect(page.text).toContain('10 jeunes du territoire ont répondu.');
    expect(page.text).toContain('Presque tous les jeunes ont répondu «\u00a0Oui, beaucoup\u00a0»');
  });

  it.each([
    ['a free-text question', { questions: ['aime_vivre', 'ameliorer_territoire'] }, '« ameliorer_territoire » n’est pas une question que l’on peut publier'],
    ['no question', { questions: [] as string[] }, 'Choisissez au moins une question à publier.'],
    ['an introduction too long', { questions: ['aime_vivre'], intro: 'é'.repeat(601) }, 'L’introduction est trop longue : 601 caractères pour 600 au plus.'],
  ])('refuses %s with a French message next to the field, keeping what was typed', async (_n, fields, message) => {
    const t = await setup();
    const res = await t.save({ ...fields, intro: (fields as { intro?: string }).intro ?? 'Mon texte', action: 'publier' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain((fields as { intro?: string }).intro ?? 'Mon texte');
    expect(res.text).toMatch(/<input type="checkbox" id="q-aime_vivre" name="questions" value="aime_vivre"( checked)?>/);
    expect((await request(t.app).get('/resultats-publics')).status).toBe(404);
    expect(auditActions(t.db).filter((a) => a.startsWith('settings.public'))).toEqual([]);
  });

  it('keeps the admin page and the preview to admins', async () => {
    const t = await setup();
    const anim = (await signIn(t.app, 'anim@exemple.fr')).agent;
    expect((await anim.get('/admin/resultats-publics')).status).toBe(403);
    expect((await anim.get('/admin/resultats-publics/apercu')).status).toBe(403);
    const token = csrfFrom((await anim.get('/equipe')).text);
    expect((await anim.post('/admin/resultats-publics').type('form').send(formBody({ _csrf: token, questions: 'aime_vivre', action: 'publier' }))).status).toBe(403);
    expect((await request(t.app).get('/admin/resultats-publics').redirects(0)).status).toBe(303);
    addPeople(t.db, 'beaucoup', 10);
    await t.save({ questions: 'aime_vivre', action: 'enregistrer' });
    const preview = await t.admin.get('/admin/resultats-publics/apercu');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Aperçu réservé aux administrateurs');
    expect(preview.text).toContain('Presque tous les jeunes ont répondu «\u00a0Oui, beaucoup\u00a0»');
    // Saved, not published.
    expect((await request(t.app).get('/resultats-publics')).status).toBe(404);
    const nav = await t.admin.get('/equipe');
    expect(nav.text).toContain('href="/admin/resultats-publics"');
  });
});

describe('links to the public page', () => {
  it('are on the thank-you page only when the page is published', async () => {
    const t = await setup();
    expect((await request(t.app).get('/merci')).text).not.toContain('/resultats-publics');
    await t.save({ questions: 'aime_vivre', action: 'publier' });
    const thanks = await request(t.app).get('/merci');
    expect(thanks.text).toContain('Les premiers résultats sont en ligne : regarde ce que les jeunes du territoire ont répondu.');
    expect(thanks.text).toContain('href="/resultats-publics"');
  });

  it('are on the closed-campaign page only when the page is published', async () => {
    const t = await setup({ closed: true });
    const before = await request(t.app).get('/');
    expect(before.text).toContain('La consultation est terminée');
    expect(before.text).not.toContain('/resultats-publics');
    await t.save({ questions: 'aime_vivre', action: 'publier' });
    const after = await request(t.app).get('/');
    expect(after.text).toContain('Les résultats de la consultation sont en ligne : découvre ce que les jeunes ont répondu.');
    expect(after.text).toContain('href="/resultats-publics"');
    await t.admin.post('/admin/resultats-publics/depublier').type('form').send(formBody({ _csrf: await tokenOf(t.admin, '/admin/resultats-publics') }));
    expect((await request(t.app).get('/')).text).not.toContain('/resultats-publics');
  });
});
