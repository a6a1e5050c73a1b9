import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import type { Db } from '../../src/db/connection.js';
import { silentLogger } from '../../src/http/requestLog.js';
import { createSseHub } from '../../src/live/hub.js';
import { fr } from '../../src/strings.js';
import type { AxeResults } from 'axe-core';
import { AXE_PATH, AXE_TAGS, launchChromium, listenLocal } from '../support/browser.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { PHONE_DIGITS, seedSynthesis } from '../synthesis/fixture.js';

// The synthesis printed by Chromium to an A4 PDF (what « Enregistrer en PDF » gives), read back
// with pdf.js: every section is there, every page carries the base and the extraction date in its
// running foot and its page number, and no figure is cut by a page break (each figure's number
// above its chart and its foot line below it are on the same page, in that order).

const NOW = new Date('2026-12-01T15:04:00Z');
const SHOTS = path.resolve(import.meta.dirname, '../../test-results/synthesis');
const s = fr.synthesis;

type PageText = { items: { str: string; y: number }[]; text: string };

let db: Db;
let browser: Browser;
let base: string;
let close: () => Promise<void>;
let cookies: { name: string; value: string; domain: string; path: string }[];
const hub = createSseHub({ maxPerSecond: 20 });
const serverErrors: string[] = [];

/** Every page's text items (with their height on the page) and its text, spaces normalised. */
async function readPdf(pdf: Buffer): Promise<PageText[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: PageText[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    const items = content.items.flatMap((it) => ('str' in it ? [{ str: it.str, y: it.transform[5] as number }] : []));
    pages.push({ items, text: items.map((x) => x.str).join(' ').replace(/\s+/g, ' ') });
  }
  await doc.destroy();
  return pages;
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  db = seedSynthesis();
  const app = createApp({
    db,
    config: defaultConfig({ minSectionSeconds: 0 }),
    campaign: buildCampaign({}),
    now: () => NOW,
    hub,
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
  hub.close?.();
  db?.close();
});

describe('synthesis printed to PDF by Chromium', () => {
  it('has every section, the base and date on every page, and no figure cut by a page break', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
    await context.addCookies(cookies);
    const page = await context.newPage();
    const res = await page.goto(`${base}/resultats/synthese`);
    expect(res?.status()).toBe(200);
    // On screen: the print button, shown by its script.
    await expect.poll(() => page.locator('button[data-print]').isVisible()).toBe(true);
    const figures = await page.locator('figure.syn-figure').count();
    expect(figures).toBeGreaterThan(20);
    const complete = (db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`).get() as { n: number }).n;

    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
    fs.writeFileSync(path.join(SHOTS, 'synthese.pdf'), pdf);
    const pages = await readPdf(pdf);
    expect(pages.length).toBeGreaterThan(8);
    const all = pages.map((p) => p.text).join(' ');

    // The cover: title, base, period, extraction date (first page).
    expect(pages[0].text).toContain('Mon avenir en Artois — synthèse pour les élus');
    expect(pages[0].text).toContain(s.sections.participation);
    // Every section opens a page of its own, with its number and title.
    // Every section opens a page of its own: its number and title at the top of a page after the
    // cover (an A4 page is 842 points high; the text starts under the 19 mm margin).
    Object.values(s.sections).forEach((title, i) => {
      const num = String(i + 1).padStart(2, '0');
      const at = pages.findIndex((p, k) => k > 0 && p.items.some((x, j) => x.str === num && p.items.slice(j + 1, j + 4).some((y) => y.str === title) && x.y > 720));
      expect(at, `section « ${title} » en haut d’une page`).toBeGreaterThan(0);
    });

    // Every page: the running foot with the base and the extraction date, and « n / N ».
    const baseText = `Base : ${new Intl.NumberFormat('fr-FR').format(complete)} réponses complètes`.replace(/\s+/g, ' ');
    pages.forEach((p, i) => {
      expect(p.text, `page ${i + 1}`).toContain(baseText);
      expect(p.text, `page ${i + 1}`).toContain('Extraction : 1er décembre 2026 à 16 h 04');
      expect(p.text, `page ${i + 1}`).toContain(`${i + 1} / ${pages.length}`);
    });

    // No figure cut: « GRAPHIQUE n » (its kicker, above the title and chart) and « (graphique n) »
    // (the end of its foot line, below the chart and table) once each, on the same page, in order.
    for (let n = 1; n <= figures; n++) {
      const top = pages.flatMap((p, i) => p.items.filter((x) => x.str.trim() === `GRAPHIQUE ${n}`).map((x) => ({ page: i, y: x.y })));
      const bottom = pages.flatMap((p, i) => p.items.filter((x) => x.str.includes(`(graphique ${n})`)).map((x) => ({ page: i, y: x.y })));
      expect(top, `début du graphique ${n}`).toHaveLength(1);
      expect(bottom, `fin du graphique ${n}`).toHaveLength(1);
      expect(bottom[0].page, `graphique ${n} coupé entre deux pages`).toBe(top[0].page);
      // PDF heights grow upwards: the foot is below the kicker.
      expect(bottom[0].y).toBeLessThan(top[0].y);
    }
    expect(all).not.toMatch(new RegExp(`GRAPHIQUE ${figures + 1}\\b`));

    // The SVG charts are real text in the PDF (labels and values), not pictures.
    expect(all).toContain('Productivité et emploi');
    expect(all).toMatch(/\d+,\d %/);
    // Free text screened in print too.
    expect(all.replace(/[\s.\-]/g, '')).not.toContain(PHONE_DIGITS);
    expect(all).toContain('[téléphone]');
    expect(serverErrors).toEqual([]);
    await context.close();
  });

  it('passes the accessibility audit on screen, at a laptop’s width and a phone’s', async () => {
    for (const viewport of [{ width: 1366, height: 900 }, { width: 360, height: 740 }]) {
      // axe is injected into the page: the audit context bypasses the app's CSP (as in test/support/browser.ts).
      const context = await browser.newContext({ viewport, locale: 'fr-FR', bypassCSP: true });
      await context.addCookies(cookies);
      for (const url of ['/resultats/synthese', '/resultats/synthese/choix']) {
        const page = await context.newPage();
        await page.goto(`${base}${url}`);
        await page.addScriptTag({ path: AXE_PATH });
        const results = await page.evaluate(
          (tags) => (window as unknown as { axe: { run: (d: Document, o: object) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
          AXE_TAGS,
        );
        const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${url} ${viewport.width} : ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(blocking).toEqual([]);
        // Nothing wider than the screen on a phone (the sheets fit, tables scroll inside).
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${url} ${viewport.width}`).toBeLessThanOrEqual(0);
        await page.close();
      }
      await context.close();
    }
  });
});
