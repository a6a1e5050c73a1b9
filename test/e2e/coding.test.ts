import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { replaceCodebook } from '../../src/coding/codebook.js';
import { readCoding } from '../../src/coding/codings.js';
import { REPORT_SOURCE, REPORT_THEMES } from '../../src/coding/reportThemes.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { silentLogger } from '../../src/http/requestLog.js';
import { seedTexts } from '../coding/helpers.js';
import { addStaff, PASSWORD } from '../staff/helpers.js';
import { AXE_PATH, AXE_TAGS, launchChromium, listenLocal } from '../support/browser.js';

// The coding screen in Chromium, on a laptop and on a phone: the keyboard (1–9, 0, Enter, →, ←)
// on top of the plain form, no sideways scrolling, no axe WCAG A/AA violation.

const VIEWPORTS = [
  { name: 'ordinateur', width: 1366, height: 900 },
  { name: 'téléphone', width: 360, height: 740 },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(VIEWPORTS)('coding screen, $name ($width px)', (vp) => {
  let db: Db;
  let ids: string[];
  let base: string;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => {
    db = openDatabase(':memory:');
    ids = seedTexts(db, ['Usines et pollution', 'travail pénible', 'je sais pas', 'des emplois']);
    replaceCodebook(db, REPORT_SOURCE, REPORT_THEMES);
    await addStaff(db, 'analyste@example.org', 'analyst');
    const app = createApp({ db, config: defaultConfig({ minSectionSeconds: 0 }), campaign: buildCampaign({}), logger: silentLogger });
    ({ baseUrl: base, close } = await listenLocal(app));
    // CSP bypassed only so that axe can be injected.
    const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, locale: 'fr-FR', bypassCSP: true, isMobile: vp.width < 400, hasTouch: vp.width < 400 });
    page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#email', 'analyste@example.org');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/equipe`), page.click('button[type=submit]')]);
  }, 60_000);
  afterAll(async () => {
    await page?.context().close();
    await close?.();
    db?.close();
  });

  const shown = () => page.inputValue('input[name="reponse"]');
  const ticked = () => page.$$eval('input[name="theme"]:checked', (xs) => xs.map((x) => (x as HTMLInputElement).value));

  it('codes with the keyboard: suggestions ticked, 1–9 toggle, Enter saves and moves on, 0 non codable, → skips, ← goes back', async () => {
    await page.goto(`${base}/analyse/codage/${REPORT_SOURCE}/coder`);
    expect(await shown()).toBe(ids[0]);
    expect(await ticked()).toEqual(['productivite_emploi', 'environnement']);
    expect(await page.textContent('.coder-count')).toContain('0 / 4 codées');
    await page.keyboard.press('3');
    await page.keyboard.press('2');
    expect(await ticked()).toEqual(['productivite_emploi', 'conditions_difficiles']);
    await Promise.all([page.waitForURL(/apres=/), page.keyboard.press('Enter')]);
    expect(readCoding(db, REPORT_SOURCE, '', ids[0])).toEqual({ codes: ['productivite_emploi', 'conditions_difficiles'], uncodable: false });
    expect(await shown()).toBe(ids[1]);
    expect(await page.textContent('.coder-count')).toContain('1 / 4 codées');
    // → skips without saving.
    await Promise.all([page.waitForURL(new RegExp(`apres=${ids[1]}`)), page.keyboard.press('ArrowRight')]);
    expect(readCoding(db, REPORT_SOURCE, '', ids[1])).toBeUndefined();
    expect(await shown()).toBe(ids[2]);
    // 0: non codable, and it clears the themes.
    await page.keyboard.press('0');
    expect(await page.isChecked('input[name="non_codable"]')).toBe(true);
    await Promise.all([page.waitForURL(new RegExp(`apres=${ids[2]}`)), page.keyboard.press('Enter')]);
    expect(readCoding(db, REPORT_SOURCE, '', ids[2])).toEqual({ codes: [], uncodable: true });
    // ← back to the answer before: its coding shown.
    expect(await shown()).toBe(ids[3]);
    await Promise.all([page.waitForURL(new RegExp(`reponse=${ids[2]}`)), page.keyboard.press('ArrowLeft')]);
    expect(await page.isChecked('input[name="non_codable"]')).toBe(true);
  }, 60_000);

  it('fits the screen and passes axe', async () => {
    await page.goto(`${base}/analyse/codage/${REPORT_SOURCE}/coder?reponse=${ids[0]}`);
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(width.scroll).toBeLessThanOrEqual(width.client);
    // The main button and the answer are on the first screen.
    const button = await page.locator('button[value="save"]').boundingBox();
    expect(button!.y + button!.height).toBeLessThanOrEqual(vp.height);
    await page.addScriptTag({ path: AXE_PATH });
    const results = await page.evaluate(
      (tags) => (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    );
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    for (const path of ['', '/regles', '/accord', '/reponses', '/import']) {
      await page.goto(`${base}/analyse/codage/${REPORT_SOURCE}${path}`);
      const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(w.scroll, path).toBeLessThanOrEqual(w.client);
      await page.addScriptTag({ path: AXE_PATH });
      const r = await page.evaluate(
        (tags) => (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
        AXE_TAGS,
      );
      expect(r.violations.map((v) => `${path} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    }
  }, 60_000);
});
