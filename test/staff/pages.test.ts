import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { makeApp, type TestApp } from '../helpers.js';
import { NOW, seedStaffFixture } from '../analysis/fixture.js';
import { addStaff, signIn, tokenOf } from './helpers.js';

// Staff home, navigation, journal, campaign: HTTP behaviour (the browser test shows them).

const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/\u00a0/g, ' ');
const OPEN = buildCampaign({ opensAt: new Date('2026-11-02T07:00:00Z'), closesAt: new Date('2027-01-31T17:00:00Z') });

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>['agent'];

beforeAll(async () => {
  t = makeApp({ now: () => NOW, campaign: OPEN });
  seedStaffFixture(t.db);
  await addStaff(t.db, 'admin@example.org', 'admin');
  await addStaff(t.db, 'analyste@example.org', 'analyst');
  await addStaff(t.db, 'anim@example.org', 'facilitator');
  admin = (await signIn(t.app, 'admin@example.org')).agent;
});

describe('navigation bar by role', () => {
  const navOf = (text: string) => [...(/<nav class="staff-nav"[\s\S]*?<\/nav>/.exec(text)?.[0] ?? '').matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
  it.each([
    ['admin@example.org', ['/equipe', '/resultats', '/analyse', '/analyse/variables', '/analyse/representativite', '/ateliers', '/admin/campagne', '/admin/comptes', '/admin/journal']],
    ['analyste@example.org', ['/equipe', '/resultats', '/analyse', '/analyse/variables', '/analyse/representativite', '/ateliers', '/compte/jetons']],
    ['anim@example.org', ['/equipe', '/resultats', '/ateliers']],
  ])('%s', async (email, links) => {
    const { agent } = await signIn(t.app, email);
    const home = await agent.get('/equipe');
    expect(navOf(home.text)).toEqual(links);
    expect(home.text).toContain('<a href="/equipe" aria-current="page">Accueil</a>');
    const results = await agent.get('/resultats/avenir');
    expect(results.text).toContain('<a href="/resultats" aria-current="page">Résultats</a>');
  });

  it('is not shown to respondents', async () => {
    const res = await request(t.app).get('/');
    expect(res.text).not.toContain('staff-nav');
  });
});

describe('staff home', () => {
  it('gives the key figures, the campaign state in words and what needs attention', async () => {
    const n = (sql: string) => (t.db.prepare(sql).get() as { n: number }).n;
    const complete = n(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`);
    const started = n(`SELECT count(*) AS n FROM responses`);
    const week = n(`SELECT count(*) AS n FROM responses WHERE status = 'complete' AND completed_hour >= '2026-11-24T11'`);
    const res = html(await admin.get('/equipe'));
    expect(res).toContain(`<li data-figure="complete"><span class="key-value">${complete}</span>`);
    expect(res).toContain(`<li data-figure="started"><span class="key-value">${started}</span>`);
    expect(res).toContain(`<li data-figure="rate"><span class="key-value">${new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format((100 * complete) / started)}`);
    expect(res).toContain(`<li data-figure="week"><span class="key-value">${week}</span>`);
    expect(res).toContain('<span class="state state-open">ouverte</span>');
    expect(res).toContain('La consultation est ouverte depuis le 2 novembre 2026 à 8 h 00.');
    expect(res).toContain('Elle fermera le 31 janvier 2027 à 18 h 00.');
    expect(res).toContain('<a href="/analyse/signalements">3 réponses signalées à examiner</a>');
  });

  it('shows facilitators neither flagged responses nor admin links', async () => {
    const { agent } = await signIn(t.app, 'anim@example.org');
    const res = await agent.get('/equipe');
    expect(res.text).not.toContain('/analyse/signalements');
    expect(res.text).not.toContain('href="/admin/');
  });
});

describe('tokens page', () => {
  it('dates in French, Paris time', async () => {
    const { agent } = await signIn(t.app, 'analyste@example.org');
    const csrf = await tokenOf(agent, '/compte/jetons');
    await agent.post('/compte/jetons').type('form').send({ _csrf: csrf, label: 'Script R' });
    const res = html(await agent.get('/compte/jetons'));
    // The staff pages' date module: « 1er », Paris time, never ISO.
    expect(res).toMatch(/<td>Script R<\/td><td>1er\sdéc\. 2026 à 12\sh\s59<\/td>/);
    expect(res).not.toContain('2026-12-01T11:59:10.804Z</td>');
  });
});

describe('journal', () => {
  it('words, French dates, 50 per page', async () => {
    const first = html(await admin.get('/admin/journal'));
    expect(first).toContain('motif : identifiants incorrects');
    expect(first).toContain('filtres : Excel, libellés, Quel est ton genre ? = Féminin');
    expect(first).toMatch(/<time datetime="2026-12-01T11:58:10.000Z">1er déc. 2026 à 12 h 58<\/time>/);
    expect((first.match(/<tr><td><time/g) ?? []).length).toBe(50);
    expect(first).toContain('href="/admin/journal?page=2"');
    const second = html(await admin.get('/admin/journal?page=2'));
    expect(second).toContain('Page 2 sur 2');
    expect(second).toContain('href="/admin/journal" rel="prev"');
  });

  it.each([
    ['?q=ROBOT12', 1], // case-insensitive, in the actor
    ['?q=identifiants', 66], // in the details
    ['?type=exports', 1],
    ['?type=login&q=camille', 0],
    ['?type=nimporte', -1], // unknown kind: ignored, everything shown
  ])('%s', async (query, expected) => {
    const res = html(await admin.get(`/admin/journal${query}`));
    const total = Number(/(\d+) actions?/.exec(res)?.[1] ?? NaN);
    if (expected === -1) expect(total).toBeGreaterThan(66);
    else expect(total).toBe(expected);
  });
});

describe('campaign page', () => {
  it('states the campaign, lists each channel with link, QR code (SVG), responses and poster', async () => {
    const res = html(await admin.get('/admin/campagne'));
    expect(res).toContain('<span class="state state-open">ouverte</span>');
    const perChannel = t.db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete' AND channel = 'lycee-carnot'`).get() as { n: number };
    const card = /<li class="channel-card" data-channel="lycee-carnot">[\s\S]*?<\/li>/.exec(res)![0];
    expect(card).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(card).toMatch(/href="http:\/\/127.0.0.1(:\d+)?\/\?canal=lycee-carnot"/);
    expect(card).toContain(`<strong data-responses>${perChannel.n}</strong>`);
    expect(card).toContain('href="/admin/campagne/affiche/lycee-carnot"');
    expect((res.match(/class="channel-card"/g) ?? []).length).toBe(OPEN.channels.length);
  });

  it('poster: A4 print stylesheet, QR code, short link; unknown channel 404', async () => {
    const res = html(await admin.get('/admin/campagne/affiche/lycee-carnot'));
    expect(res).toContain('<link rel="stylesheet" href="/static/css/poster.css">');
    expect(res).toContain('Ton avenir en Artois');
    expect(res).toMatch(/<div class="poster-qr" role="img" aria-label="QR code du lien de Lycée Carnot, Bruay-La-Buissière"><svg/);
    expect(res).toMatch(/<strong class="poster-url">127.0.0.1(:\d+)?\/\?canal=lycee-carnot<\/strong>/);
    const css = await admin.get('/static/css/poster.css');
    expect(css.text).toContain('@page { size: A4 portrait;');
    expect((await admin.get('/admin/campagne/affiche/inconnu')).status).toBe(404);
  });

  it('closes only after the confirmation box is ticked', async () => {
    const local = makeApp({ now: () => NOW, campaign: OPEN });
    await addStaff(local.db, 'admin@example.org', 'admin');
    const { agent } = await signIn(local.app, 'admin@example.org');
    const confirm = await agent.get('/admin/campagne/cloturer');
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('<input type="checkbox" id="confirmer" name="confirmer" value="oui" required>');
    const csrf = await tokenOf(agent, '/admin/campagne/cloturer');
    const refused = await agent.post('/admin/campagne/cloturer').type('form').send({ _csrf: csrf });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<p class="field-error" id="confirmer-erreur">Cochez la case pour confirmer la clôture.</p>');
    expect((await request(local.app).get('/')).text).not.toContain('La consultation est terminée');
    const closed = html(await agent.post('/admin/campagne/cloturer').type('form').send({ _csrf: csrf, confirmer: 'oui' }));
    expect(closed).toContain('<span class="state state-closed">fermée</span>');
    expect(closed).toContain('La consultation est fermée depuis le 1er décembre 2026 à 12 h 59');
    expect((await request(local.app).get('/')).text).toContain('La consultation est terminée');
  });

  it('says « pas encore ouverte » with the opening date', async () => {
    const later = makeApp({ now: () => NOW, campaign: buildCampaign({ opensAt: new Date('2027-01-04T07:00:00Z') }) });
    await addStaff(later.db, 'admin@example.org', 'admin');
    const { agent } = await signIn(later.app, 'admin@example.org');
    const res = html(await agent.get('/admin/campagne'));
    expect(res).toContain('<span class="state state-not_yet">pas encore ouverte</span>');
    expect(res).toContain('elle ouvrira le 4 janvier 2027 à 8 h 00.');
  });
});
