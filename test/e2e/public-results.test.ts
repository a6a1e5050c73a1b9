import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { insertRespondents, sortedIds } from '../../src/demo/demo.js';
import { demoChannels, reportProfile } from '../../src/demo/profile.js';
import { silentLogger } from '../../src/http/requestLog.js';
import { createPublicResultsStore } from '../../src/publicResults/store.js';
import { publishableQuestions } from '../../src/publicResults/view.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { syntheticRespondents } from '../../src/results/synthetic.js';
import { territory } from '../../src/territory/communes.js';
import { auditSnapshot, formatFindings, launchChromium, listenLocal, newAxePage, PHONE, trackDocuments, type AxeFinding } from '../support/browser.js';

// The public results page in Chromium on a 360 px phone without JavaScript: it reads, nothing
// scrolls sideways, the page stays light, and axe finds no violation at all (any impact).

const SHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const q = loadQuestionnaire();
let browser: Browser;
let db: Db;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  db = openDatabase(':memory:');
  const count = 400;
  insertRespondents(db, q, syntheticRespondents(q, { count, seed: 5, profile: reportProfile, territory: territory(), channels: demoChannels }), { ids: sortedIds(count), counts: 'rebuild' });
  const app = createApp({ db, config: defaultConfig({}), campaign: buildCampaign({}), logger: silentLogger });
  ({ baseUrl: base, close } = await listenLocal(app));
  browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await close?.();
});

async function phoneVisit(url: string, shot: string) {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  const last = trackDocuments(page);
  const bytes: { url: string; size: number }[] = [];
  page.on('response', async (r) => {
    const body = await r.body().catch(() => Buffer.alloc(0));
    bytes.push({ url: r.url(), size: body.length });
  });
  const res = await page.goto(url, { waitUntil: 'load' });
  const snap = await last();
  const html = snap.body.toString('utf8');
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scripts: document.scripts.length,
    bars: document.querySelectorAll('.pr-bar-fill').length,
    stacks: document.querySelectorAll('.pr-stack').length,
  }));
  await page.screenshot({ path: path.join(SHOTS, `public-results-${shot}.png`), fullPage: true });
  const axePage = await newAxePage(browser, { javaScript: false });
  const findings: AxeFinding[] = await auditSnapshot(axePage, snap, shot);
  await axePage.context().close();
  await context.close();
  return { status: res?.status(), layout, findings, bytes, html };
}

describe('public results page on a phone, without JavaScript', () => {
  it('unpublished: a French 404 page, accessible', async () => {
    const v = await phoneVisit(`${base}/resultats-publics`, 'non-publiee');
    expect(v.status).toBe(404);
    expect(v.layout.scrollWidth).toBeLessThanOrEqual(360);
    expect(v.findings, formatFindings(v.findings)).toEqual([]);
  }, 60_000);

  it('published: big bars, no sideways scroll at 360 px, light, zero axe violations', async () => {
    createPublicResultsStore(db).save({ intro: 'Merci d’avoir répondu ! Voici ce que les jeunes du territoire ont dit.', questions: publishableQuestions(q).map((x) => x.id), published: true }, new Date());
    const v = await phoneVisit(`${base}/resultats-publics`, 'publiee-360');
    expect(v.status).toBe(200);
    expect(v.layout.scrollWidth).toBeLessThanOrEqual(360);
    expect(v.layout.scripts).toBe(0);
    expect(v.layout.bars).toBeGreaterThan(20);
    expect(v.layout.stacks).toBeGreaterThan(4);
    expect(v.findings, formatFindings(v.findings)).toEqual([]);
    // Every question of the definition that can be published, on one page: under 120 KB in all
    // (uncompressed; gzip divides it by about 8 on the wire).
    const total = v.bytes.reduce((a, b) => a + b.size, 0);
    expect(total).toBeLessThan(120_000);
    expect(v.bytes.every((b) => !/\.js$/.test(b.url))).toBe(true);
  }, 60_000);

  it('the thank-you page links to it, accessibly', async () => {
    const v = await phoneVisit(`${base}/merci`, 'merci-lien');
    expect(v.status).toBe(200);
    expect(v.html).toContain('href="/resultats-publics"');
    expect(v.findings, formatFindings(v.findings)).toEqual([]);
  }, 60_000);
});
