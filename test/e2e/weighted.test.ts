import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { generateDemo } from '../../src/demo/demo.js';
import { silentLogger } from '../../src/http/requestLog.js';
import { createSseHub } from '../../src/live/hub.js';
import { rake } from '../../src/results/statistics.js';
import { AXE_PATH, AXE_TAGS, formatFindings, launchChromium, listenLocal, type AxeFinding } from '../support/browser.js';
import { addStaff, signIn } from '../staff/helpers.js';

// « Résultats pondérés » in a real browser: the switch of the filter form works without
// JavaScript (a plain GET form), and with JavaScript the chart draws the weighted shares the JSON
// API gives. The demo's 400 responses are raked on sex (51.5 % men among men and women, as the
// report's census figure) with src/results/statistics.ts rake, written to response_weights.

const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'fr-FR', deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'fr-FR', deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const SHOTS = path.resolve(import.meta.dirname, '../../test-results/weighted');

let db: Db;
let browser: Browser;
let base: string;
let close: () => Promise<void>;
let cookies: { name: string; value: string; domain: string; path: string }[];
let agent: Awaited<ReturnType<typeof signIn>>['agent'];
const hub = createSseHub({ maxPerSecond: 20 });
const serverErrors: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  db = openDatabase(':memory:');
  generateDemo(db, { count: 400, seed: 11, now: new Date('2023-01-31T22:00:00Z') });
  const people = db
    .prepare(`SELECT r.id, (SELECT option_code FROM answers a WHERE a.response_id = r.id AND a.question_id = 'genre') AS genre FROM responses r WHERE r.status = 'complete'`)
    .all() as { id: string; genre: string | null }[];
  const codes = ['masculin', 'feminin'];
  const raked = rake(people.length, [{ variable: 'genre', categories: people.map((p) => codes.indexOf(p.genre ?? '')), targets: [0.515, 0.485] }]);
  const put = db.prepare('INSERT INTO response_weights (response_id, weight) VALUES (?, ?)');
  db.transaction(() => people.forEach((p, i) => put.run(p.id, raked.weights[i])))();
  const app = createApp({
    db,
    config: defaultConfig({ minSectionSeconds: 0 }),
    campaign: buildCampaign({}),
    now: () => new Date('2026-12-01T11:00:00Z'),
    hub,
    logger: { ...silentLogger, error: (m, e) => serverErrors.push(`${m} ${String(e)}`) },
  });
  await addStaff(db, 'ana@example.org', 'analyst');
  const signed = await signIn(app, 'ana@example.org');
  agent = signed.agent;
  const listening = await listenLocal(app);
  base = listening.baseUrl;
  close = listening.close;
  const host = new URL(base).hostname;
  cookies = (signed.res.headers['set-cookie'] as unknown as string[]).map((c) => {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    return { name: pair.slice(0, i), value: pair.slice(i + 1), domain: host, path: '/' };
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
  hub.close?.();
  db?.close();
});

async function newPage(viewport: typeof DESKTOP | typeof PHONE, javaScript: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...viewport, javaScriptEnabled: javaScript });
  await context.addCookies(cookies);
  const page = await context.newPage();
  page.on('pageerror', (e) => serverErrors.push(`erreur JavaScript : ${e.message}`));
  return { context, page };
}

describe('the « Résultats pondérés » switch in a browser', () => {
  it('without JavaScript: ticking the switch and applying the filters gives the weighted page, filters kept', async () => {
    const { context, page } = await newPage(DESKTOP, false);
    await page.goto(`${base}/resultats/identite?f.situation=lycee`);
    await page.locator('details.filters > summary').click();
    await page.locator('#filtre-pondere').check();
    await page.locator('.filter-group.weighting').screenshot({ path: path.join(SHOTS, 'interrupteur.png') });
    await page.getByRole('button', { name: 'Appliquer les filtres' }).click();
    await page.waitForURL(/weighted=1/);
    const url = new URL(page.url());
    expect(url.pathname).toBe('/resultats/identite');
    expect(url.searchParams.get('weighted')).toBe('1');
    expect(url.searchParams.getAll('f.situation')).toEqual(['lycee']);
    await expect(page.locator('.chip > span').allTextContents()).resolves.toEqual([expect.stringMatching(/ : Au lycée$/), 'Résultats pondérés']);
    await expect(page.locator('.weighted-notice').textContent()).resolves.toContain('taille d’échantillon effective');
    await page.screenshot({ path: path.join(SHOTS, 'identite-pondere-sans-js.png'), fullPage: false });
    // Removing the chip turns the weighting off and keeps the filter.
    await page.locator('.chip', { hasText: 'Résultats pondérés' }).locator('a').click();
    expect(new URL(page.url()).search).toBe('?f.situation=lycee');
    await context.close();
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const)('with JavaScript (%s): the chart draws the weighted shares of the JSON API', async (name, viewport) => {
    const json = (await agent.get('/api/results.json?weighted=1')).body;
    const genre = json.questions.find((x: { id: string }) => x.id === 'genre').tables[0];
    const { context, page } = await newPage(viewport, true);
    await page.goto(`${base}/resultats/identite?weighted=1`);
    const drawn = await page.evaluate(() => {
      const canvas = document.querySelector('[data-figure="genre"] canvas') as HTMLCanvasElement;
      const Chart = (window as unknown as { Chart: { getChart: (c: HTMLCanvasElement) => { data: { datasets: { label: string; data: number[] }[] } } } }).Chart;
      const chart = Chart.getChart(canvas);
      return chart.data.datasets.map((d) => ({ label: d.label, data: d.data }));
    });
    expect(drawn).toEqual([{ label: 'Part pondérée', data: genre.options.map((o: { weightedPercent: number }) => o.weightedPercent) }]);
    // Raked to 51.5 % men among men and women.
    const men = genre.options.find((o: { code: string }) => o.code === 'masculin').weightedCount;
    const women = genre.options.find((o: { code: string }) => o.code === 'feminin').weightedCount;
    expect(men / (men + women)).toBeCloseTo(0.515, 4);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('[data-figure="genre"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `identite-pondere-${name}.png`), fullPage: false });
    await page.locator('[data-figure="genre"]').screenshot({ path: path.join(SHOTS, `genre-pondere-${name}.png`) });
    await context.close();
  });

  it('weighted pages have no axe violation (WCAG 2.1 A/AA), switch on and switch refused', async () => {
    const findings: AxeFinding[] = [];
    const context = await browser.newContext({ ...PHONE, bypassCSP: true });
    await context.addCookies(cookies);
    const page = await context.newPage();
    for (const p of ['/resultats?weighted=1', '/resultats/identite?weighted=1&f.genre=feminin', '/resultats/avenir?weighted=oui']) {
      await page.goto(`${base}${p}`);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      await page.addScriptTag({ path: AXE_PATH });
      const result = await page.evaluate((tags) => (window as any).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
      for (const v of result.violations) {
        findings.push({
          page: p,
          rule: v.id,
          impact: v.impact ?? '',
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n: any) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ') })),
        });
      }
    }
    await context.close();
    expect(formatFindings(findings)).toBe('');
  }, 120_000);

  it('left no server or script error', () => {
    expect(serverErrors).toEqual([]);
  });
});
