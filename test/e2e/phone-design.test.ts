import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import {
  auditSnapshot,
  formatFindings,
  launchChromium,
  listenLocal,
  newAxePage,
  PHONE,
  trackDocuments,
  type AxeFinding,
} from '../support/browser.js';

// The questionnaire's phone design, behaviour by behaviour, in Chromium at 360 × 740: the
// segmented agreement scale (tap and keyboard), the error summary naming each question, the
// resume button on the first screen, commune suggestions and homonyms, the « 3 choix au
// maximum » stop with JavaScript, page titles, the privacy page. Every page shown is audited by
// axe. README_SCREENSHOTS=1 also writes the README's screenshots into docs/screenshots/.

const SHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const README_SHOTS = process.env.README_SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../docs/screenshots') : undefined;

let browser: Browser;
let base: string;
let close: () => Promise<void>;
const findings: AxeFinding[] = [];
let audits = 0;
const serverErrors: string[] = [];

/** A phone with its axe replay page; `audit` checks the last document it displayed. */
async function phone(opts: { javaScript: boolean; width?: number }) {
  const context: BrowserContext = await browser.newContext({ ...PHONE, viewport: { width: opts.width ?? 360, height: 740 }, javaScriptEnabled: opts.javaScript });
  const page: Page = await context.newPage();
  const last = trackDocuments(page);
  const axePage = await newAxePage(browser, { javaScript: opts.javaScript });
  return {
    page,
    async audit(label: string) {
      findings.push(...(await auditSnapshot(axePage, await last(), `${opts.javaScript ? 'js' : 'sans-js'} ${label}`)));
      audits++;
    },
    // Each navigation waits for its document's body to be read (trackDocuments), so that the
    // next one never leaves a read pending.
    async goto(url: string) {
      await page.goto(url, { waitUntil: 'load' });
      await last();
    },
    async submit(label = 'Suivant') {
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: label, exact: true }).tap()]);
      await last();
    },
    async follow(link: ReturnType<Page['locator']>) {
      await Promise.all([page.waitForEvent('load'), link.tap()]);
      await last();
    },
    async shot(name: string, readme = false) {
      await page.screenshot({ path: path.join(SHOTS, `design-${name}.png`) });
      if (readme && README_SHOTS) await page.screenshot({ path: path.join(README_SHOTS, `${name}.png`), scale: 'css' });
    },
    async close() {
      await last().catch(() => undefined); // the last document's body, read before closing
      await context.close();
      await axePage.context().close();
    },
  };
}
type Phone = Awaited<ReturnType<typeof phone>>;

/** Step 1 answered validly, ending on step 2. */
async function passStep1(p: Phone, commune = 'Lens') {
  const { page } = p;
  await page.getByLabel('Quel âge as-tu ?', { exact: true }).fill('16');
  await page.locator('#q-genre .option > label', { hasText: 'Féminin' }).tap();
  await page.getByLabel('Dans quelle commune habites-tu ?', { exact: true }).fill(commune);
  await page.locator('#q-situation .option > label', { hasText: 'En emploi' }).tap();
  await p.submit();
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  if (README_SHOTS) fs.mkdirSync(README_SHOTS, { recursive: true });
  const logger = { info: () => {}, error: (m: string, e?: unknown) => serverErrors.push(`${m} ${String(e)}`) };
  const open = await listenLocal(
    createApp({
      db: openDatabase(':memory:'),
      config: defaultConfig({ organiserContact: 'Pôle Métropolitain de l’Artois, consultation@exemple.fr', dpoContact: 'dpo@exemple.fr' }),
      campaign: buildCampaign({}),
      logger,
    }),
  );
  base = open.baseUrl;
  close = open.close;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await close?.();
});

describe('the questionnaire designed for a phone (Chromium, 360 px)', () => {
  it('names pages once: the landing is « Mon avenir en Artois », a step says which step', async () => {
    const p = await phone({ javaScript: false });
    await p.goto(`${base}/`);
    expect(await p.page.title()).toBe('Mon avenir en Artois');
    await p.audit('accueil');
    await p.shot('accueil', true);
    await p.goto(`${base}/questionnaire/1`);
    expect(await p.page.title()).toBe('Mon identité – Étape 1 sur 4 – Mon avenir en Artois');
    await p.goto(`${base}/confidentialite`);
    expect(await p.page.title()).toBe('Tes réponses et ta vie privée – Mon avenir en Artois');
    await p.close();
  }, 120_000);

  it('privacy: the cookies as they are, the contacts from the configuration, the right to complain to the CNIL', async () => {
    const p = await phone({ javaScript: false });
    await p.goto(`${base}/confidentialite`);
    const text = (await p.page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(text).not.toContain('un seul cookie');
    expect(text).not.toContain('un second cookie');
    expect(text).toContain('Seulement des cookies techniques');
    expect(text).toContain('Organisateur de la consultation : Pôle Métropolitain de l’Artois, consultation@exemple.fr');
    expect(text).toContain('protection des données : dpo@exemple.fr');
    expect(text).toContain('réclamation à la CNIL');
    expect(await p.page.getByRole('link', { name: 'Faire une réclamation sur cnil.fr' }).getAttribute('href')).toBe('https://www.cnil.fr/fr/plaintes');
    await p.audit('confidentialite');
    await p.close();
  }, 120_000);

  it('the error summary names each question: « Ton âge : … », « Ton genre : … »', async () => {
    const p = await phone({ javaScript: true });
    await p.goto(`${base}/questionnaire/1`);
    await p.submit();
    const links = (await p.page.locator('.error-summary a').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(links).toEqual([
      'Ton âge : réponds à cette question pour continuer.',
      'Ton genre : choisis une réponse pour continuer.',
      'Ta commune : réponds à cette question pour continuer.',
      'Ta situation : choisis une réponse pour continuer.',
    ]);
    // The messages next to the fields are unchanged.
    expect((await p.page.locator('#q-age .field-error').textContent())?.trim()).toBe('Erreur : Réponds à cette question pour continuer.');
    // A link takes the focus to its question.
    await p.page.locator('.error-summary a', { hasText: 'Ton genre' }).tap(); // same document
    expect(await p.page.evaluate(() => location.hash)).toBe('#f-genre');
    await p.audit('etape1-erreurs');
    await p.page.evaluate(() => window.scrollTo(0, 0));
    await p.shot('etape-erreurs', true);
    await p.close();
  }, 120_000);

  it('an agreement scale is one row of segments, usable by tap and by keyboard; two rows below 340 px', async () => {
    const p = await phone({ javaScript: false });
    await p.goto(`${base}/questionnaire/1`);
    await passStep1(p);
    expect(p.page.url()).toBe(`${base}/questionnaire/2`);
    const item = p.page.locator('#q-opinions_territoire fieldset.grid-item').first();
    expect((await item.locator('legend').textContent())?.trim()).toBe('Je suis fier ou fière de mon territoire.');
    const labels = item.locator('.option > label');
    expect(await labels.allTextContents()).toEqual(['D’accord', 'Plutôt d’accord', 'Plutôt pas d’accord', 'Pas d’accord']);
    const boxes = await Promise.all((await labels.all()).map((l) => l.boundingBox()));
    // One row, every label visible, each a 44 px target at least, inside the screen.
    for (const b of boxes) {
      expect(b!.y).toBeCloseTo(boxes[0]!.y, 0);
      expect(b!.height).toBeGreaterThanOrEqual(44);
      expect(b!.width).toBeGreaterThanOrEqual(44);
      expect(b!.x + b!.width).toBeLessThanOrEqual(360);
    }
    // Tap.
    await labels.nth(1).tap();
    expect(await item.locator('input[value="plutot_accord"]').isChecked()).toBe(true);
    // Two more statements answered, for the screenshot.
    const items = p.page.locator('#q-opinions_territoire fieldset.grid-item');
    await items.nth(2).locator('.option > label').nth(3).tap();
    await items.nth(3).locator('.option > label').nth(0).tap();
    await p.page.locator('#q-opinions_territoire').evaluate((el) => el.scrollIntoView());
    await p.shot('etape-grille', true);
    // Keyboard: arrows move within the statement's group, Tab leaves it for the next statement.
    await item.locator('input[value="plutot_accord"]').focus();
    await p.page.keyboard.press('ArrowRight');
    expect(await item.locator('input[value="plutot_desaccord"]').isChecked()).toBe(true);
    expect(await item.locator('input[value="plutot_accord"]').isChecked()).toBe(false);
    const focusedName = await p.page.evaluate(() => (document.activeElement as HTMLInputElement).name);
    expect(focusedName).toBe('opinions_territoire__fierte');
    await p.page.keyboard.press('Tab');
    expect(await p.page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('opinions_territoire__deplacements');
    await p.page.keyboard.press('Space');
    expect(await p.page.locator('#q-opinions_territoire input[name="opinions_territoire__deplacements"]:checked').getAttribute('value')).toBe('accord');
    // The selected segment is visibly different: filled with the accent colour.
    const fill = await item.locator('input[value="plutot_desaccord"] + label').evaluate((el) => getComputedStyle(el).backgroundColor);
    const plain = await item.locator('input[value="accord"] + label').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(fill).not.toBe(plain);
    await p.audit('etape2');
    // Sent as chosen.
    await p.submit();
    expect(p.page.url()).toBe(`${base}/questionnaire/3`);
    await p.submit('Précédent');
    expect(await p.page.locator('input[name="opinions_territoire__fierte"]:checked').getAttribute('value')).toBe('plutot_desaccord');
    await p.close();

    // 320 px: two rows of two, no sideways scrolling.
    const narrow = await phone({ javaScript: false, width: 320 });
    await narrow.goto(`${base}/questionnaire/1`);
    await passStep1(narrow);
    const row = narrow.page.locator('#q-opinions_territoire fieldset.grid-item').first().locator('.option > label');
    const nb = await Promise.all((await row.all()).map((l) => l.boundingBox()));
    expect(nb[0]!.y).toBeCloseTo(nb[1]!.y, 0);
    expect(nb[2]!.y).toBeGreaterThan(nb[0]!.y + 40);
    for (const b of nb) expect(b!.height).toBeGreaterThanOrEqual(44);
    expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await narrow.close();
  }, 120_000);

  it('a returning respondent finds « Tu avais commencé… » and the resume button on the first screen', async () => {
    const p = await phone({ javaScript: false });
    await p.goto(`${base}/questionnaire/1`);
    await passStep1(p);
    await p.goto(`${base}/`);
    const notice = p.page.getByText('Tu avais commencé à répondre sur cet appareil');
    const button = p.page.getByRole('link', { name: 'Reprendre là où je me suis arrêté·e' });
    const [n, b] = [await notice.boundingBox(), await button.boundingBox()];
    expect(n!.y + n!.height).toBeLessThanOrEqual(740);
    expect(b!.y + b!.height).toBeLessThanOrEqual(740);
    expect(b!.height).toBeGreaterThanOrEqual(44);
    await p.audit('accueil-reprise');
    await p.shot('accueil-reprise', true);
    await p.follow(button);
    expect(p.page.url()).toBe(`${base}/questionnaire/2`);
    await p.close();
  }, 120_000);

  it('commune: « Vendin » offers the PMA communes first, says « not found » once; a shared name says which commune was recognised', async () => {
    const p = await phone({ javaScript: false });
    await p.goto(`${base}/questionnaire/1`);
    await passStep1(p, 'Vendin');
    expect(p.page.url()).toBe(`${base}/questionnaire/1`);
    const block = p.page.locator('#q-commune');
    const options = (await block.locator('.suggestions .option > label').allTextContents()).map((t) => t.trim());
    expect(options.slice(0, 2)).toEqual(['Vendin-le-Vieil (62880)', 'Vendin-lès-Béthune (62232)']);
    expect(new Set(options).size).toBe(options.length);
    expect(options.join(' ')).not.toMatch(/Denain|Verdun/);
    const blockText = await block.innerText();
    expect(blockText.match(/ne trouvons pas cette commune/gi)).toHaveLength(1);
    await p.audit('commune-inconnue');
    await block.locator('.suggestions .option > label', { hasText: 'Vendin-lès-Béthune' }).tap();
    await p.submit();
    expect(p.page.url()).toBe(`${base}/questionnaire/2`);

    // « Richebourg »: the PMA one is recognised, shown with its department, and another can be picked.
    await p.submit('Précédent');
    await p.page.getByLabel('Dans quelle commune habites-tu ?', { exact: true }).fill('Richebourg');
    await p.submit();
    expect(p.page.url()).toBe(`${base}/questionnaire/1`);
    expect(await block.locator('.field-error').innerText()).toContain('nous avons reconnu Richebourg (62)');
    const picks = block.locator('.suggestions input[type="radio"]');
    expect(await picks.count()).toBe(3);
    expect(await block.locator('.suggestions input:checked + label').innerText()).toBe('Richebourg (62136)');
    await p.audit('commune-homonyme');
    await p.shot('commune-homonyme');
    await block.locator('.suggestions .option > label', { hasText: 'Richebourg (78550)' }).tap();
    await p.submit();
    expect(p.page.url()).toBe(`${base}/questionnaire/2`);
    await p.submit('Précédent');
    expect(await p.page.getByLabel('Dans quelle commune habites-tu ?', { exact: true }).inputValue()).toBe('Richebourg');
    expect(await block.locator('.recognised').innerText()).toContain('Commune reconnue : Richebourg (78)');
    await p.close();
  }, 120_000);

  it('with JavaScript, a « 3 choix au maximum » question stops at 3 while ticking, with a live hint', async () => {
    const p = await phone({ javaScript: true });
    await p.goto(`${base}/questionnaire/1`);
    await passStep1(p);
    const q = p.page.locator('#q-points_forts');
    const label = (text: string) => q.locator('.option > label', { hasText: text });
    await label('La qualité de vie').tap();
    await label('La nature et les espaces verts').tap();
    expect(await q.locator('input:disabled').count()).toBe(0);
    await label('Le sport et le RC Lens').tap();
    const hint = q.locator('.max-hint');
    await expect.poll(() => hint.textContent()).toBe('Tu as coché 3 réponses, c’est le maximum. Décoche-en une pour en choisir une autre.');
    expect(await hint.getAttribute('aria-live')).toBe('polite');
    const unticked = q.locator('input[type="checkbox"]:not(:checked)');
    expect(await unticked.count()).toBeGreaterThan(0);
    for (const box of await unticked.all()) expect(await box.isDisabled()).toBe(true);
    // A tap on a fourth does nothing.
    await label('Les habitants, l’entraide').tap({ force: true });
    expect(await q.locator('input:checked').count()).toBe(3);
    await q.scrollIntoViewIfNeeded();
    await p.shot('max-3');
    await p.audit('etape2-max3');
    // Unticking one frees the others.
    await label('La qualité de vie').tap();
    expect(await q.locator('input:disabled').count()).toBe(0);
    expect(await hint.textContent()).toBe('');
    await p.close();
  }, 120_000);

  it('with JavaScript, the length hint becomes one live phrase with French numbers', async () => {
    const p = await phone({ javaScript: true });
    await p.goto(`${base}/questionnaire/1`);
    await passStep1(p);
    const hint = p.page.locator('#f-ameliorer_territoire-longueur');
    // U+202F, the narrow no-break space French uses between thousands.
    expect(await hint.textContent()).toBe('1\u202f000 caractères au maximum : il t’en reste 1\u202f000.');
    await p.page.locator('#f-ameliorer_territoire').fill('Un skatepark');
    await expect.poll(() => hint.textContent()).toBe('1\u202f000 caractères au maximum : il t’en reste 988.');
    expect(await p.page.locator('.char-count').count()).toBe(1);
    await p.close();
  }, 120_000);

  it('has no axe violation at all (WCAG 2.1 A/AA, whatever the impact) on any page above, and no server error', () => {
    expect(audits).toBe(8);
    expect(formatFindings(findings)).toBe('');
    expect(serverErrors).toEqual([]);
  });
});
