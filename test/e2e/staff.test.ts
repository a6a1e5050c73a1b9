import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { silentLogger } from '../../src/http/requestLog.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { NOW, SEEDED_TEXT, seedStaffFixture, type Fixture } from '../analysis/fixture.js';
import { addStaff, PASSWORD } from '../staff/helpers.js';
import { AXE_PATH, AXE_TAGS, launchChromium, listenLocal } from '../support/browser.js';

// The staff pages in Chromium, on a laptop (1366×900) and on a phone (360×740): navigation by
// role, home figures, French dates, journal paging/search/filter, campaign state and closing,
// QR codes and the A4 poster, free texts, one response, flagged responses. Every page visited is
// audited with axe (no WCAG A/AA violation) and checked for sideways scrolling.

const VIEWPORTS = [
  { name: 'ordinateur', width: 1366, height: 900 },
  { name: 'téléphone', width: 360, height: 740 },
] as const;
const CAMPAIGN = buildCampaign({ opensAt: new Date('2026-11-02T07:00:00Z'), closesAt: new Date('2027-01-31T17:00:00Z') });
const plain = (s: string | null) => (s ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(VIEWPORTS)('staff pages, $name ($width px)', (vp) => {
  let db: Db;
  let fx: Fixture;
  let base: string;
  let close: () => Promise<void>;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    db = openDatabase(':memory:');
    fx = seedStaffFixture(db);
    await addStaff(db, 'admin@example.org', 'admin');
    await addStaff(db, 'analyste@example.org', 'analyst');
    await addStaff(db, 'anim@example.org', 'facilitator');
    const app = createApp({ db, config: defaultConfig({ minSectionSeconds: 3 }), campaign: CAMPAIGN, now: () => NOW, logger: silentLogger });
    ({ baseUrl: base, close } = await listenLocal(app));
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await close?.();
    db?.close();
  });

  /** A signed-in browser (CSP bypassed only so that axe can be injected). */
  async function signedIn(email: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, locale: 'fr-FR', bypassCSP: true, isMobile: vp.width < 400, hasTouch: vp.width < 400 });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/equipe`), page.click('button[type=submit]')]);
    return page;
  }

  /** axe and the width check on the page as displayed. */
  async function check(page: Page, label: string) {
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    if (width.scroll > width.client) problems.push(`${label} : page de ${width.scroll} px pour ${width.client} px (défilement horizontal)`);
    await page.addScriptTag({ path: AXE_PATH });
    const results = await page.evaluate(
      (tags) => (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    );
    for (const v of results.violations) problems.push(`${label} : axe ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  const navLinks = (page: Page) => page.$$eval('.staff-nav li a', (as) => as.map((a) => ({ text: a.textContent?.trim(), current: a.getAttribute('aria-current') })));

  it('navigation bar by role, current page marked', async () => {
    const expected: [string, string[]][] = [
      ['admin@example.org', ['Accueil', 'Résultats', 'Analyse', 'Variables dérivées', 'Représentativité', 'Ateliers', 'Campagne', 'Comptes', 'Journal']],
      ['analyste@example.org', ['Accueil', 'Résultats', 'Analyse', 'Variables dérivées', 'Représentativité', 'Ateliers', 'Jetons']],
      ['anim@example.org', ['Accueil', 'Résultats', 'Ateliers']],
    ];
    for (const [email, labels] of expected) {
      const page = await signedIn(email);
      const links = await navLinks(page);
      expect(links.map((l) => l.text), email).toEqual(labels);
      expect(links.filter((l) => l.current === 'page').map((l) => l.text)).toEqual(['Accueil']);
      // Every link of the bar can be reached on screen (wrapped on a phone, never cut off).
      for (const box of await page.$$eval('.staff-nav li a', (as) => as.map((a) => a.getBoundingClientRect().right))) expect(box).toBeLessThanOrEqual(vp.width);
      await check(page, `${email} /equipe`);
      // The results pages belong to the dashboard (checked by its own tests); here, the bar only.
      await page.click('.staff-nav a:text-is("Résultats")');
      expect((await navLinks(page)).find((l) => l.current === 'page')?.text).toBe('Résultats');
    }
  }, 120_000);

  it('home: key figures, campaign state, what needs attention', async () => {
    const page = await signedIn('admin@example.org');
    const complete = (db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`).get() as { n: number }).n;
    expect(plain(await page.textContent('[data-figure="complete"] .key-value'))).toBe(String(complete));
    expect(plain(await page.textContent('#campagne'))).toBe('La campagne : ouverte');
    await page.click('text=3 réponses signalées à examiner');
    expect(page.url()).toBe(`${base}/analyse/signalements`);
    if (vp.width === 1366) {
      await page.goto(`${base}/equipe`);
      fs.mkdirSync(path.resolve(import.meta.dirname, '../../.scratch'), { recursive: true });
      await page.screenshot({ path: path.resolve(import.meta.dirname, '../../.scratch/e2e-equipe.png') });
    }
  }, 60_000);

  it('tokens page: French dates', async () => {
    const page = await signedIn('analyste@example.org');
    await page.goto(`${base}/compte/jetons`);
    await page.fill('#label', 'Script R de Camille');
    await page.click('button:text-is("Créer un jeton")');
    expect(plain(await page.textContent('table.data tbody tr td:nth-child(2)'))).toMatch(/^1er déc\. 2026 à \d+ h \d\d$/);
    await check(page, '/compte/jetons');
  }, 60_000);

  it('journal: plain words, paging, search, kinds of action', async () => {
    const page = await signedIn('admin@example.org');
    await page.click('.staff-nav a:text-is("Journal")');
    const body = plain(await page.textContent('main'));
    expect(body).toContain('motif : identifiants incorrects');
    expect(body).toContain('filtres : Excel, libellés, Quel est ton genre ? = Féminin');
    expect(body).not.toContain('reason :');
    expect(await page.$$eval('table.journal tbody tr', (r) => r.length)).toBe(50);
    await check(page, '/admin/journal');
    await page.click('.pager a[rel=next]');
    expect(plain(await page.textContent('.journal-count'))).toMatch(/^\d+ actions · Page 2 sur 2$/);
    await page.fill('#q', 'ROBOT1');
    await page.selectOption('#type', 'login');
    await page.click('button:text-is("Filtrer")');
    expect(page.url()).toBe(`${base}/admin/journal?q=ROBOT1&type=login`);
    // robot1, robot10 … robot19
    expect(plain(await page.textContent('.journal-count'))).toBe('11 actions');
    await page.selectOption('#type', 'exports');
    await page.fill('#q', '');
    await page.click('button:text-is("Filtrer")');
    expect(plain(await page.textContent('.journal-count'))).toBe('1 action');
    await check(page, '/admin/journal filtré');
  }, 60_000);

  it('campaign: state in words, channels with QR codes, poster, confirmation before closing', async () => {
    const page = await signedIn('admin@example.org');
    await page.click('.staff-nav a:text-is("Campagne")');
    expect(plain(await page.textContent('#etat'))).toBe('État de la campagne : ouverte');
    expect(await page.$$eval('.channel-card .channel-qr svg', (s) => s.length)).toBe(CAMPAIGN.channels.length);
    const qr = await page.$eval('.channel-card[data-channel="lycee-carnot"] .channel-qr svg', (s) => s.getBoundingClientRect().width);
    expect(qr).toBeGreaterThan(80);
    await check(page, '/admin/campagne');

    await page.click('.channel-card[data-channel="lycee-carnot"] a:text("Affiche A4")');
    expect(plain(await page.textContent('.poster-title'))).toBe('Ton avenir en Artois, parlons-en !');
    expect(plain(await page.textContent('.poster-url'))).toMatch(/^127\.0\.0\.1:\d+\/\?canal=lycee-carnot$/);
    await check(page, 'affiche');
    if (vp.width === 1366) {
      // Printed: one A4 page, without the site's header.
      await page.emulateMedia({ media: 'print' });
      expect(await page.isVisible('.site-header')).toBe(false);
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      expect((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBe(1);
      fs.writeFileSync(path.join(os.tmpdir(), 'affiche-lycee-carnot.pdf'), pdf);
      await page.emulateMedia({ media: 'screen' });
    }

    await page.goto(`${base}/admin/campagne`);
    await page.click('a:text("Clôturer la campagne…")');
    expect(page.url()).toBe(`${base}/admin/campagne/cloturer`);
    await check(page, 'confirmation de clôture');
    // Not ticked: the browser refuses to send (required), and the campaign stays open.
    await page.click('button:text-is("Clôturer maintenant")');
    expect(page.url()).toBe(`${base}/admin/campagne/cloturer`);
    await page.check('#confirmer');
    await page.click('button:text-is("Clôturer maintenant")');
    expect(plain(await page.textContent('#etat'))).toBe('État de la campagne : fermée');
    expect(plain(await page.textContent('.campaign-state'))).toContain('La consultation est fermée depuis le 1er décembre 2026 à 12 h 59');
  }, 120_000);

  it('free-text browser: filters from the results, search, paging, link to the response', async () => {
    const page = await signedIn('analyste@example.org');
    await page.goto(`${base}/resultats/industrie?f.genre=feminin`);
    await page.click('#q-message_elus .text-browser-link a');
    expect(page.url()).toBe(`${base}/analyse/textes/message_elus?f.genre=feminin`);
    expect(plain(await page.textContent('.chips'))).toBe('Quel est ton genre ? = Féminin');
    expect(plain(await page.textContent('.texts-count'))).toBe(`${fx.feminineTexts} textes`);
    await check(page, 'textes libres filtrés');
    await page.fill('#q', 'LIEVIN');
    await page.click('button:text-is("Chercher")');
    expect(page.url()).toBe(`${base}/analyse/textes/message_elus?f.genre=feminin&q=LIEVIN`);
    expect(plain(await page.textContent('.texts-count'))).toBe('1 texte contenant « LIEVIN »');
    expect(plain(await page.textContent('.text-answer blockquote'))).toBe(SEEDED_TEXT);
    await page.click('.text-answer a:text("Voir la réponse complète")');
    expect(page.url()).toBe(`${base}/analyse/reponses/${fx.seededId}`);

    // The single response: its id, channel, day, flag, every answer with its label.
    expect(plain(await page.textContent('.response-meta'))).toContain(fx.seededId);
    expect(plain(await page.textContent('.response-meta'))).toContain('Non signalée');
    const genre = await page.$eval('dt:text-is("Quel est ton genre ?") + dd', (d) => d.textContent);
    expect(genre).toBe('Féminin');
    expect(await page.$$eval('.response-section h3', (h) => h.map((x) => x.textContent))).toEqual(loadQuestionnaire().sections.map((x) => x.title));
    await check(page, 'une réponse');

    // Without filters, two pages.
    await page.goto(`${base}/analyse/textes/message_elus`);
    expect(await page.$$eval('.text-answer', (l) => l.length)).toBe(20);
    await page.click('.pager a[rel=next]');
    expect(page.url()).toBe(`${base}/analyse/textes/message_elus?page=2`);
    expect(await page.$$eval('.text-answer', (l) => l.length)).toBe(fx.allTexts - 20);
    await check(page, 'textes libres page 2');
    await page.goto(`${base}/analyse`);
    await check(page, '/analyse');
  }, 120_000);

  it('flagged responses: reasons in French, the answers, then unflag', async () => {
    const page = await signedIn('analyste@example.org');
    await page.goto(`${base}/analyse/signalements`);
    const reasons = await page.$$eval('.flag-reason', (r) => r.map((x) => x.textContent ?? ''));
    expect(reasons.map((r) => r.split(' (')[0]).sort()).toEqual(['champ piège rempli', 'formulaire envoyé sans son horodatage', 'étape remplie en moins de 3 s'].sort());
    expect(plain(await page.textContent('main'))).not.toMatch(/\bcomplete\b/);
    const card = page.locator(`.flagged-card[data-response="${fx.flagged[0].id}"]`);
    await card.locator('summary').click();
    expect(await card.locator('dt:text-is("Quel est ton genre ?")').isVisible()).toBe(true);
    await check(page, '/analyse/signalements');
    await card.locator('button:text("Lever le signalement")').click();
    expect(plain(await page.textContent('.notice'))).toBe('Signalement levé : la réponse compte de nouveau dans les résultats.');
    expect(await page.$$eval('.flagged-card', (c) => c.length)).toBe(2);
  }, 60_000);

  it('derived variables: a recode made in the browser, with its preview and its errors', async () => {
    const page = await signedIn('analyste@example.org');
    await page.goto(`${base}/analyse/variables`);
    await check(page, '/analyse/variables');
    await page.selectOption('#source', 'envisager_industrie');
    await Promise.all([page.waitForURL(/\/analyse\/variables\/nouvelle\?source=envisager_industrie$/), page.click('button:text("Continuer")')]);
    await page.fill('#id', 'envisager_industrie_oui');
    await page.fill('#label', 'Envisage l’industrie');
    await page.fill('#group_code_0', 'oui');
    await page.fill('#group_label_0', 'Oui');
    await page.fill('#group_code_1', 'oui');
    await page.selectOption('#assign-oui_tout_a_fait', '0');
    await page.selectOption('#assign-plutot_oui', '0');
    await page.selectOption('#assign-plutot_non', '1');
    await page.click('button[value=preview]');
    // Every error at once, next to its field, what was typed kept.
    expect(plain(await page.textContent('#group_code_1-erreur'))).toBe('Deux groupes ont le code « oui ».');
    expect(plain(await page.textContent('#group_label_1-erreur'))).toBe('Donne un libellé au groupe.');
    expect(await page.inputValue('#id')).toBe('envisager_industrie_oui');
    await check(page, 'variable dérivée, erreurs');
    await page.fill('#group_code_1', 'non');
    await page.fill('#group_label_1', 'Non');
    await page.click('button[value=preview]');
    expect(await page.$$eval('.recode-form + section tbody tr', (r) => r.length)).toBe(2);
    await Promise.all([page.waitForURL(/\/analyse\/variables\/envisager_industrie_oui\?enregistre=1$/), page.click('button[value=save]')]);
    expect(plain(await page.textContent('.notice'))).toBe('Variable envisager_industrie_oui enregistrée.');
    await check(page, 'variable dérivée enregistrée');
    await page.goto(`${base}/resultats/industrie`);
    expect(await page.isVisible('#figure-envisager_industrie_oui')).toBe(true);
  }, 60_000);

  it('no page had an accessibility violation or scrolled sideways', () => {
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
