import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { silentLogger } from '../../src/http/requestLog.js';
import { auditSnapshot, formatFindings, isBlocking, launchChromium, listenLocal, newAxePage, trackDocuments, type AxeFinding } from '../support/browser.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { seedCloud, type CloudFixture } from '../cloud/fixture.js';

// The survey's word cloud in Chromium at 1366 × 900 and 360 × 740: with JavaScript each cloud is
// drawn on a canvas and downloads as a 1600 × 900 PNG; without it the page shows the words as
// sized text and the table. The personal-data page: a selection fills the passage to mask.

const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'fr-FR', deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'fr-FR', deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const SHOTS = path.resolve(import.meta.dirname, '../../test-results/cloud');
const PAGE = '/analyse/nuage/mots_industrie?compare=genre';

let db: Db;
let fx: CloudFixture;
let browser: Browser;
let base: string;
let close: () => Promise<void>;
let cookies: { name: string; value: string; domain: string; path: string }[];
const serverErrors: string[] = [];

async function context(options: object, javaScriptEnabled = true): Promise<BrowserContext> {
  const ctx = await browser.newContext({ ...options, javaScriptEnabled, acceptDownloads: true });
  await ctx.addCookies(cookies);
  return ctx;
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  db = openDatabase(':memory:');
  fx = seedCloud(db);
  const app = createApp({
    db,
    config: defaultConfig({ minSectionSeconds: 0 }),
    campaign: buildCampaign({}),
    logger: { ...silentLogger, error: (m, e) => serverErrors.push(`${m} ${String(e)}`) },
  });
  await addStaff(db, 'ana@example.org', 'analyst');
  const { res } = await signIn(app, 'ana@example.org');
  const listening = await listenLocal(app);
  base = listening.baseUrl;
  close = listening.close;
  const host = new URL(base).hostname;
  cookies = (res.headers['set-cookie'] as unknown as string[]).map((c) => {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    return { name: pair.slice(0, i), value: pair.slice(i + 1), domain: host, path: '/' };
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
  db?.close();
  expect(serverErrors).toEqual([]);
});

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Buffer) {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the word cloud with JavaScript', () => {
  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('draws each cloud and downloads it as a PNG for a slide (%s)', async (name, options) => {
    const ctx = await context(options);
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(base + PAGE);
    await expect.poll(() => page.locator('.word-cloud.is-drawn canvas.cloud-canvas').count(), { timeout: 10_000 }).toBe(2);
    // Every word of each (small) cloud found a place.
    const drawn = await page.locator('.word-cloud').evaluateAll((els) => els.map((e) => [e.getAttribute('data-drawn'), e.querySelectorAll('.cloud-word').length]));
    for (const [placed, listed] of drawn) expect(Number(placed)).toBe(listed);
    // The list stays for screen readers; the canvas fits its panel.
    expect(await page.locator('.cloud-list').first().textContent()).toContain('usine');
    // Nothing wider than the screen (a phone would zoom the whole page out).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(options.viewport.width);
    const button = page.locator('.cloud-png button').first();
    await expect.poll(() => button.isVisible()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('nuage-mots_industrie-masculin.png');
    const file = path.join(SHOTS, `nuage-${name}.png`);
    await download.saveAs(file);
    expect(pngSize(fs.readFileSync(file))).toEqual({ width: 1600, height: 900 });
    // The drawing has ink: not a blank canvas.
    const inked = await page.locator('canvas.cloud-canvas').first().evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 130, c.width, c.height - 130).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 200) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(2000);
    await page.screenshot({ path: path.join(SHOTS, `cloud-${name}.png`), fullPage: true });
    expect(problems).toEqual([]);
    await ctx.close();
  }, 60_000);
});

describe('the word cloud without JavaScript', () => {
  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('shows the words sized as text, the table and no PNG button (%s)', async (name, options) => {
    const ctx = await context(options, false);
    const page = await ctx.newPage();
    await page.goto(base + PAGE);
    expect(await page.locator('canvas').count()).toBe(0);
    expect(await page.locator('.cloud-png').first().isVisible()).toBe(false);
    const first = page.locator('.cloud-panel').nth(1).locator('.cloud-word').first();
    expect(await first.isVisible()).toBe(true);
    expect(await first.textContent()).toBe('usine 50,0 % (3)');
    // Largest word, largest type: the sizes read without a script.
    const sizes = await page.locator('.cloud-panel').nth(1).locator('.cloud-word').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    expect(sizes[0]).toBeGreaterThan(sizes[sizes.length - 1] * 2);
    expect(await page.locator('.cloud-table tbody tr').count()).toBe(13);
    expect(await page.locator('noscript').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(options.viewport.width);
    await page.screenshot({ path: path.join(SHOTS, `cloud-nojs-${name}.png`), fullPage: true });
    await ctx.close();
  }, 60_000);
});

describe('masking a passage by hand', () => {
  it('fills the passage from a selection in the answer, masks it, and the list shows it', async () => {
    const ctx = await context(DESKTOP);
    const page = await ctx.newPage();
    await page.goto(`${base}/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}`);
    // Select « Bertrand » in the answer as a mouse would.
    await page.locator('#reponse').evaluate((el) => {
      const node = el.firstChild!;
      const i = node.textContent!.indexOf('Bertrand');
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 'Bertrand'.length);
      const sel = window.getSelection()!;
      sel.removeAllRanges();
      sel.addRange(range);
      el.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    });
    expect(await page.locator('#passage').inputValue()).toBe('Bertrand');
    await page.locator('.mask-form button[type="submit"]').click();
    await page.waitForURL(/masque=1/);
    expect(await page.locator('.notice').textContent()).toBe('Passage masqué.');
    expect(await page.locator('mark.pii.manual').first().textContent()).toBe('Bertrand');
    await page.screenshot({ path: path.join(SHOTS, 'mask-desktop.png'), fullPage: true });
    await page.goto(`${base}/analyse/donnees-personnelles`);
    await page.screenshot({ path: path.join(SHOTS, 'masked-list-desktop.png'), fullPage: true });
    await ctx.close();
    const phone = await context(PHONE);
    const p = await phone.newPage();
    await p.goto(`${base}/analyse/donnees-personnelles`);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await p.screenshot({ path: path.join(SHOTS, 'masked-list-phone.png'), fullPage: true });
    await phone.close();
  }, 60_000);
});

describe('accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  it('finds no serious violation on the cloud (with and without JavaScript), its error state and the personal-data pages', async () => {
    const findings: AxeFinding[] = [];
    for (const javaScript of [true, false]) {
      const ctx = await context(PHONE, javaScript);
      const page = await ctx.newPage();
      const snap = trackDocuments(page);
      const visit = async (label: string) => {
        const axePage = await newAxePage(browser, { javaScript });
        findings.push(...(await auditSnapshot(axePage, await snap(), `${label}${javaScript ? '' : ' (sans JS)'}`)));
        await axePage.context().close();
      };
      await page.goto(base + PAGE);
      await visit('nuage');
      // A refused exclusion: the message next to the field.
      await page.locator('#words').fill('le');
      await page.locator('.exclusion-form button[type="submit"]').click();
      await page.waitForLoadState('load');
      expect(await page.locator('#words-error').textContent()).toContain('« le » n’est jamais un mot du nuage');
      await visit('nuage, erreur');
      await page.goto(`${base}/analyse/donnees-personnelles`);
      await visit('données personnelles');
      await page.goto(`${base}/analyse/donnees-personnelles/mots_industrie/${fx.girls[5]}`);
      await visit('masquer un passage');
      await ctx.close();
    }
    const blocking = findings.filter(isBlocking);
    expect(blocking, formatFindings(blocking)).toEqual([]);
  }, 120_000);
});
