import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { makeApp, type TestApp } from '../helpers.js';
import { addStaff, signIn, tokenOf } from '../staff/helpers.js';
import { NOW, SEEDED_TEXT, seedStaffFixture, type Fixture } from './fixture.js';

// Free texts, one response and flagged responses: who may read them, and what they show.

let t: TestApp;
let fx: Fixture;
let analyst: Awaited<ReturnType<typeof signIn>>['agent'];
let facilitator: Awaited<ReturnType<typeof signIn>>['agent'];

beforeAll(async () => {
  t = makeApp({ now: () => NOW, campaign: buildCampaign({}), config: { minSectionSeconds: 3 } });
  fx = seedStaffFixture(t.db);
  await addStaff(t.db, 'analyste@example.org', 'analyst');
  await addStaff(t.db, 'anim@example.org', 'facilitator');
  analyst = (await signIn(t.app, 'analyste@example.org')).agent;
  facilitator = (await signIn(t.app, 'anim@example.org')).agent;
});

/** The page as a reader sees it: Handlebars writes "=" as &#x3D; in text and attributes. */
const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=');

const readingPages = () => ['/analyse', '/analyse/textes/message_elus', `/analyse/reponses/${fx.seededId}`, '/analyse/signalements'];

describe('who may read free texts and single responses', () => {
  it('sends anonymous visitors to the login page, then back', async () => {
    for (const path of readingPages()) {
      const res = await request(t.app).get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.location, path).toBe(`/login?retour=${encodeURIComponent(path)}`);
    }
  });

  it('refuses facilitators (403), pages and the unflag action', async () => {
    for (const path of readingPages()) {
      const res = await facilitator.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text).toContain('Votre rôle ne permet pas d’accéder à cette page.');
      expect(res.text).not.toContain(SEEDED_TEXT);
    }
    const csrf = await tokenOf(facilitator, '/equipe');
    const post = await facilitator.post(`/analyse/signalements/${fx.flagged[0].id}/lever`).type('form').send({ _csrf: csrf });
    expect(post.status).toBe(403);
    expect((t.db.prepare('SELECT flagged FROM responses WHERE id = ?').get(fx.flagged[0].id) as { flagged: number }).flagged).toBe(1);
  });

  it('gives facilitators no link to the texts on the results pages, analysts one per free-text question', async () => {
    const section = '/resultats/avenir';
    const forFacilitator = await facilitator.get(section);
    expect(forFacilitator.status).toBe(200);
    expect(forFacilitator.text).not.toContain('/analyse/textes/');
    const forAnalyst = await analyst.get('/resultats/industrie?f.genre=feminin');
    expect(html(forAnalyst)).toContain('href="/analyse/textes/message_elus?f.genre=feminin"');
  });

  it('lets analysts read every page', async () => {
    for (const path of readingPages()) expect((await analyst.get(path)).status, path).toBe(200);
  });
});

describe('the free-text browser', () => {
  const count = (html: string) => Number(/(\d+) textes?/.exec(html)?.[1]);

  it.each([
    // [query, expected count]
    ['', () => fx.allTexts],
    ['?f.genre=feminin', () => fx.feminineTexts],
    ['?f.genre=feminin&q=LIEVIN', () => 1], // accents and case ignored
    ['?q=louvre-lens', () => 1],
    ['?q=%25', () => 0], // a % is a character, not a wildcard
  ])('%s', async (query, expected) => {
    const res = await analyst.get(`/analyse/textes/message_elus${query}`);
    expect(res.status).toBe(200);
    expect(count(res.text)).toBe(expected());
  });

  it('shows the seeded text with a link to its whole response and the filters in words', async () => {
    const res = await analyst.get('/analyse/textes/message_elus?f.genre=feminin&q=liévin');
    expect(res.text).toContain(SEEDED_TEXT.replace(/'/g, '&#x27;'));
    expect(res.text).toContain(`href="/analyse/reponses/${fx.seededId}"`);
    expect(html(res)).toContain('Quel est ton genre ? = Féminin');
    // The search form keeps the filters.
    expect(res.text).toContain('<input type="hidden" name="f.genre" value="feminin">');
  });

  it('pages by 20, keeping filters and search in the links', async () => {
    expect(fx.allTexts).toBeGreaterThan(20);
    const first = await analyst.get('/analyse/textes/message_elus');
    expect(first.text).toContain(`Page 1 sur ${Math.ceil(fx.allTexts / 20)}`);
    expect(html(first)).toContain('href="/analyse/textes/message_elus?page=2"');
    expect((first.text.match(/class="text-answer"/g) ?? []).length).toBe(20);
    const beyond = await analyst.get('/analyse/textes/message_elus?page=999');
    expect(beyond.text).toContain(`Page ${Math.ceil(fx.allTexts / 20)} sur ${Math.ceil(fx.allTexts / 20)}`);
  });

  it('warns where a text may hold personal data (shared screening)', async () => {
    const id = (t.db.prepare(`SELECT response_id AS id FROM answers WHERE question_id = 'message_elus' AND option_code = '' AND response_id <> ? LIMIT 1`).get(fx.seededId) as { id: string }).id;
    t.db.prepare(`UPDATE answers SET value_text = 'Appelez-moi au 06 12 34 56 78' WHERE response_id = ? AND question_id = 'message_elus' AND option_code = ''`).run(id);
    const res = await analyst.get('/analyse/textes/message_elus?q=appelez');
    expect(res.text).toContain('<p class="text-warning">Contient peut-être des données personnelles (téléphone) : à ne pas citer telles quelles.</p>');
    const seeded = await analyst.get('/analyse/textes/message_elus?q=louvre');
    expect(seeded.text).not.toContain('text-warning');
  });

  it('reports an unreadable filter next to the list instead of failing', async () => {
    const res = await analyst.get('/analyse/textes/message_elus?f.genre=nimporte');
    expect(res.status).toBe(400);
    expect(res.text).toContain('« nimporte » n’est pas une réponse possible à « Quel est ton genre ? ».');
    expect(count(res.text)).toBe(fx.allTexts);
  });

  it('has a browser for each « Autre (précise) » and 404 for an unknown one', async () => {
    const index = await analyst.get('/analyse');
    expect(index.text).toContain('href="/analyse/textes/situation__autre__precision"');
    expect((await analyst.get('/analyse/textes/situation__autre__precision')).status).toBe(200);
    expect((await analyst.get('/analyse/textes/genre')).status).toBe(404);
  });
});

describe('one response', () => {
  it('shows every question in order with labels, its id, channel, day and flag', async () => {
    const res = await analyst.get(`/analyse/reponses/${fx.seededId}`);
    expect(res.text).toContain(fx.seededId);
    expect(res.text).toContain('Quel est ton genre ?</dt><dd>Féminin</dd>');
    expect(res.text).toContain(SEEDED_TEXT.replace(/'/g, '&#x27;'));
    expect(res.text).toContain('Non signalée');
    const first = res.text.indexOf('Quel âge as-tu ?');
    const last = res.text.indexOf('Un dernier mot');
    expect(first).toBeGreaterThan(0);
    expect(last).toBeGreaterThan(first);
    expect(res.text).not.toMatch(/>feminin</);
  });

  it('answers 404 for an unknown id', async () => {
    const res = await analyst.get('/analyse/reponses/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Cette réponse n’existe pas (ou plus).');
  });
});

describe('flagged responses', () => {
  it('give the reasons in French and the answers, never a raw status', async () => {
    const res = await analyst.get('/analyse/signalements');
    expect(res.text).toContain('3 réponses signalées');
    expect(res.text).toContain('champ piège rempli');
    expect(res.text).toContain('étape remplie en moins de 3 s');
    expect(res.text).toContain('formulaire envoyé sans son horodatage');
    expect(res.text).not.toContain('État : complete');
    expect(res.text).not.toMatch(/>complete</);
    expect(res.text).toContain('Quel est ton genre ?');
    for (const f of fx.flagged) expect(res.text).toContain(`href="/analyse/reponses/${f.id}"`);
  });

  it('unflagging is audited and said', async () => {
    const id = fx.flagged[2].id;
    const csrf = await tokenOf(analyst, '/analyse/signalements');
    const post = await analyst.post(`/analyse/signalements/${id}/lever`).type('form').send({ _csrf: csrf });
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/analyse/signalements?leve=1');
    const page = await analyst.get(post.headers.location);
    expect(page.text).toContain('Signalement levé');
    expect(page.text).toContain('2 réponses signalées');
    const row = t.db.prepare(`SELECT actor, details FROM audit_log WHERE action = 'moderation.unflag'`).get() as { actor: string; details: string };
    expect(row).toEqual({ actor: 'analyste@example.org', details: JSON.stringify({ reponse: id }) });
  });
});
