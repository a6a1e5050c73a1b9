import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { silentLogger } from '../../src/http/requestLog.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { createSseHub } from '../../src/live/hub.js';
import { generateDemo } from '../../src/demo/demo.js';
import { RESULTS_TOPIC } from '../../src/results/routes.js';
import { AXE_PATH, AXE_TAGS, formatFindings, isBlocking, launchChromium, listenLocal, type AxeFinding } from '../support/browser.js';
import { addResponse, FIVE } from '../results/helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';

// The analysts' dashboard in a real browser, at a laptop's 1366 × 900 and a phone's 360 × 740:
// what each chart shows (read from Chart.js itself), the filters, the downloads, the layout and
// the accessibility of every results page. Seeded with the demo generator (2022-2023 dates) plus
// two responses sent « today » without a channel: the time axis must not jump across the gap.

const q = loadQuestionnaire();
const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'fr-FR', deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'fr-FR', deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const SHOTS = path.resolve(import.meta.dirname, '../../test-results/dashboard');
const TODAY = new Date('2026-12-01T11:00:00Z');

let db: Db;
let browser: Browser;
let base: string;
let close: () => Promise<void>;
let cookies: { name: string; value: string; domain: string; path: string }[];
const hub = createSseHub({ maxPerSecond: 20 });
const serverErrors: string[] = [];

type ChartInfo = {
  type: string;
  indexAxis?: string;
  labels: unknown[];
  datasets: { label: string; data: (number | null)[]; stack?: string; type?: string }[];
  xStacked?: boolean;
  yStacked?: boolean;
  xMin?: number;
  xMax?: number;
  fontSize: number;
  width: number;
  wrapWidth: number;
};

/** What Chart.js was given for the chart of a figure (window.Chart.getChart on its canvas). */
async function chartOf(page: Page, figure: string): Promise<ChartInfo> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-figure="${id}"] canvas`) as HTMLCanvasElement;
    const Chart = (window as unknown as { Chart: { getChart: (c: HTMLCanvasElement) => any; defaults: any } }).Chart;
    const chart = Chart.getChart(canvas);
    if (!chart) throw new Error(`pas de graphique pour ${id}`);
    const o = chart.config.options;
    return {
      type: chart.config.type,
      indexAxis: o.indexAxis,
      labels: chart.data.labels,
      datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: d.data, stack: d.stack, type: d.type })),
      xStacked: o.scales?.x?.stacked,
      yStacked: o.scales?.y?.stacked,
      xMin: chart.scales.x.min,
      xMax: chart.scales.x.max,
      fontSize: Chart.defaults.font.size,
      width: chart.width,
      wrapWidth: (canvas.closest('[data-figure]') as HTMLElement).clientWidth,
    };
  }, figure);
}

async function newPage(viewport: typeof DESKTOP | typeof PHONE, javaScript = true): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...viewport, javaScriptEnabled: javaScript, acceptDownloads: true });
  await context.addCookies(cookies);
  const page = await context.newPage();
  page.on('pageerror', (e) => serverErrors.push(`erreur JavaScript : ${e.message}`));
  return { context, page };
}

const sectionPaths = ['/resultats', ...q.sections.map((s) => `/resultats/${s.id}`)];
/** Every results page, the crosstab page included (its filters use the same form and chips). */
const allResultsPages = [...sectionPaths, '/resultats/croisement?row=genre&col=situation'];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  db = openDatabase(':memory:');
  // The demo dated as the 2022-23 campaign ended (its last 6 weeks), then two responses today.
  generateDemo(db, { count: 400, seed: 7, now: new Date('2023-01-31T22:00:00Z') });
  // Two responses today, without a channel (« Sans canal »), three years after the demo.
  addResponse(db, { ...FIVE[0], channel: null, completed: '2026-12-01T09' });
  addResponse(db, { ...FIVE[1], channel: null, completed: '2026-12-01T10' });
  const app = createApp({
    db,
    config: defaultConfig({ minSectionSeconds: 0 }),
    campaign: buildCampaign({}),
    now: () => TODAY,
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

describe('dashboard at 1366 × 900', () => {
  it('opens on the key figures: complete, started, completion rate, this week, by channel', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats`);
    const figures = await page.locator('.key-figure').allInnerTexts();
    const complete = (db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`).get() as { n: number }).n;
    const started = (db.prepare(`SELECT count(*) AS n FROM responses`).get() as { n: number }).n;
    const fmt = (n: number) => new Intl.NumberFormat('fr-FR').format(n);
    expect(figures[0]).toContain(`${fmt(complete)}`);
    expect(figures[0]).toContain('réponses complètes');
    expect(figures[1]).toContain(`${fmt(started)}`);
    expect(figures[2]).toContain(new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format((100 * complete) / started));
    expect(figures[3]).toMatch(/^2\s+cette semaine/);
    expect(figures[3]).toContain('depuis le lundi 30 nov. 2026');
    expect(await page.locator('.key-channels').innerText()).toContain('Lien sans canal');
    // The key figures are on the first screen.
    const box = await page.locator('.key-figures').boundingBox();
    expect(box!.y + box!.height).toBeLessThan(900);
    await page.screenshot({ path: path.join(SHOTS, 'resultats-1366.png'), fullPage: false });
    await context.close();
  });

  it('gives every chart and table its own visible title and base', async () => {
    const { context, page } = await newPage(DESKTOP);
    for (const p of sectionPaths) {
      await page.goto(`${base}${p}`);
      const missing = await page.evaluate(() =>
        Array.from(document.querySelectorAll('table.data')).flatMap((table) => {
          const fig = table.closest('[data-figure], .key-channels, .result');
          const title = fig?.querySelector('.figure-title, h2');
          const baseText = fig?.querySelector('.figure-base');
          const visible = (el: Element | null | undefined) => Boolean(el && (el as HTMLElement).offsetParent !== null && el.textContent!.trim());
          const tableVisible = (table as HTMLElement).closest('details:not([open])') === null;
          const problems: string[] = [];
          if (!visible(title)) problems.push(`${table.id || 'tableau'} : pas de titre visible`);
          if (!visible(baseText) || !/Base : /.test(baseText!.textContent!)) problems.push(`${table.id || 'tableau'} : pas de base visible`);
          if (tableVisible && !table.querySelector('caption')) problems.push(`${table.id} : pas de légende`);
          return problems;
        }),
      );
      expect(missing, `${p} : ${missing.join(' ; ')}`).toEqual([]);
      // Every chart has its title right above it, in its own figure.
      const charts = await page.locator('[data-figure] canvas').count();
      const titled = await page.locator('[data-figure]:has(canvas) .figure-base').count();
      expect(titled).toBe(charts);
    }
    await context.close();
  });

  it('draws an agreement grid as one diverging 100 % stacked chart, one row per statement', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats/territoire`);
    const grid = q.sections.flatMap((s) => s.questions).find((x) => x.type === 'grid')!;
    if (grid.type !== 'grid') throw new Error('grille attendue');
    const fig = page.locator(`[data-figure="${grid.id}"]`);
    expect(await fig.locator('.figure-title').innerText()).toBe(grid.label);
    const chart = await chartOf(page, grid.id);
    expect(chart.type).toBe('bar');
    expect(chart.indexAxis).toBe('y');
    expect(chart.xStacked).toBe(true);
    expect(chart.yStacked).toBe(true);
    // One row per statement, the first one included, labels from the definition.
    expect(chart.labels.map((l) => (Array.isArray(l) ? l.join(' ') : l))).toEqual(grid.items.map((i) => i.label));
    expect(chart.datasets.map((d) => d.label).sort()).toEqual(grid.scale.map((s) => s.label).sort());
    // Disagreement to the left of the centre line, agreement to the right, 100 % per row.
    const neg = chart.datasets.filter((d) => /pas d’accord/i.test(d.label));
    const pos = chart.datasets.filter((d) => !/pas d’accord/i.test(d.label));
    expect(neg.length).toBe(2);
    for (const d of neg) for (const v of d.data) expect(v ?? 0).toBeLessThanOrEqual(0);
    for (const d of pos) for (const v of d.data) expect(v ?? 0).toBeGreaterThanOrEqual(0);
    grid.items.forEach((_, i) => {
      const sum = chart.datasets.reduce((a, d) => a + Math.abs(d.data[i] ?? 0), 0);
      expect(sum).toBeGreaterThan(99.5);
      expect(sum).toBeLessThan(100.5);
    });
    expect(chart.xMin).toBe(-(chart.xMax ?? 0));
    // The table lists every statement, the first included.
    expect(await fig.locator('tbody th').allInnerTexts()).toEqual(grid.items.map((i) => i.label));
    expect(chart.fontSize).toBeGreaterThanOrEqual(14);
    // The chart uses the width it has.
    expect(chart.width).toBeGreaterThan(chart.wrapWidth * 0.85);
    await fig.screenshot({ path: path.join(SHOTS, 'grille-1366.png') });
    await context.close();
  });

  it('stacks 1st, 2nd and 3rd choice of a ranking, sorted', async () => {
    const { context, page } = await newPage(DESKTOP);
    const ranking = q.sections.flatMap((s) => s.questions).find((x) => x.type === 'ranking')!;
    const section = q.sections.find((s) => s.questions.includes(ranking))!;
    await page.goto(`${base}/resultats/${section.id}`);
    const chart = await chartOf(page, ranking.id);
    expect(chart.xStacked).toBe(true);
    expect(chart.datasets.map((d) => d.label)).toEqual(['1er choix', '2e choix', '3e choix']);
    const totals = chart.labels.map((_, i) => chart.datasets.reduce((a, d) => a + (d.data[i] ?? 0), 0));
    expect([...totals].sort((a, b) => b - a)).toEqual(totals);
    expect(await page.locator(`[data-figure="${ranking.id}"] .figure-title`).innerText()).toBe(ranking.label);
    await context.close();
  });

  it('shows a long list (communes) as its top entries with « autres », the full table folded', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats`);
    const chart = await chartOf(page, 'commune');
    expect(chart.labels.length).toBe(11);
    expect(String(chart.labels[10])).toMatch(/^Autres \(\d+\)$/);
    const values = chart.datasets[0].data.slice(0, 10) as number[];
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    // The axis fits the data: no 0-100 % axis for shares of a few percent.
    expect(chart.xMax).toBeLessThan(100);
    expect(chart.xMax).toBeGreaterThanOrEqual(Math.max(...(chart.datasets[0].data as number[])));
    const full = page.locator('[data-figure="commune"] details');
    expect(await full.getAttribute('open')).toBeNull();
    expect(await full.locator('summary').innerText()).toContain('Voir le tableau complet');
    await context.close();
  });

  it('puts responses per period on a continuous axis, in French, with a cumulative curve and the table folded', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats`);
    const chart = await chartOf(page, 'temps');
    const line = chart.datasets.find((d) => d.type === 'line')!;
    const bars = chart.datasets.find((d) => d.type === 'bar')!;
    // The campaign's main period, day by day, zeros included; the two responses sent three years
    // later are counted aside, not drawn as a jump across the gap.
    const labels = chart.labels as string[];
    const first = (db.prepare(`SELECT min(substr(completed_hour, 1, 10)) AS d FROM responses WHERE status = 'complete' AND demo = 1`).get() as { d: string }).d;
    const firstLabel = new Date(`${first}T12:00:00Z`).toLocaleDateString('fr-FR', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(/^1 /, '1er ');
    expect(labels[0]).toBe(firstLabel);
    expect(labels).toContain('1er janv. 2023');
    expect(labels[labels.length - 1]).toBe('31 janv. 2023');
    expect(labels.length).toBe(Math.round((Date.parse('2023-01-31') - Date.parse(first)) / 86_400_000) + 1);
    expect(await page.locator('[data-figure="temps"] .figure-note').innerText()).toBe('2 réponses envoyées hors de cette période ne sont pas sur ce graphique.');
    // The cumulative curve never goes down and ends at the total drawn.
    const cum = line.data as number[];
    for (let i = 1; i < cum.length; i++) expect(cum[i]).toBeGreaterThanOrEqual(cum[i - 1]);
    expect(cum[cum.length - 1]).toBe((bars.data as number[]).reduce((a, b) => a + b, 0));
    expect(await page.locator('[data-figure="temps"] details').getAttribute('open')).toBeNull();
    expect(await page.locator('#titre-temps').innerText()).toBe('Réponses par jour');
    // A window of four years (the filter's dates) is drawn per month, every month there.
    await page.goto(`${base}/resultats?from=25/11/2022&to=01/12/2026`);
    const months = await chartOf(page, 'temps');
    expect(months.labels[0]).toBe('nov. 2022');
    expect(months.labels[months.labels.length - 1]).toBe('déc. 2026');
    expect(months.labels.length).toBe(50);
    expect(months.datasets.find((d) => d.type === 'bar')!.data.filter((n) => n === 0).length).toBeGreaterThan(40);
    expect(await page.locator('#titre-temps').innerText()).toBe('Réponses par mois');
    await context.close();
  });

  it('accepts 31/12/2022, reports a bad date next to its field and keeps the other choices', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats`);
    await page.locator('details.filters summary').click();
    expect(await page.locator('#filtre-from').getAttribute('type')).toBe('date');
    await page.locator('#filtre-genre-feminin').check();
    await page.locator('#filtre-canal-aucun').check();
    // A date input takes what the browser's picker gives; the parser also takes JJ/MM/AAAA.
    await page.locator('#filtre-to').evaluate((el: HTMLInputElement) => (el.type = 'text'));
    await page.locator('#filtre-to').fill('31/12/2022');
    await page.locator('#filtre-from').evaluate((el: HTMLInputElement) => (el.type = 'text'));
    await page.locator('#filtre-from').fill('32/13/2022');
    await page.getByRole('button', { name: 'Appliquer les filtres' }).click();
    await page.waitForLoadState('load');
    const fromField = page.locator('.field:has(#filtre-from)');
    expect(await fromField.locator('.field-error').innerText()).toContain('n’existe pas');
    expect(await page.locator('#filtre-from').inputValue()).toBe('32/13/2022');
    expect(await page.locator('#filtre-from').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#filtre-to').inputValue()).toBe('2022-12-31');
    expect(await page.locator('#filtre-genre-feminin').isChecked()).toBe(true);
    expect(await page.locator('#filtre-canal-aucun').isChecked()).toBe(true);
    const chipTexts = await page.locator('.chip > span').allInnerTexts();
    expect(chipTexts).toHaveLength(3);
    expect(chipTexts[0]).toMatch(/Féminin/);
    expect(chipTexts[1]).toBe('Canal : Lien sans canal');
    expect(chipTexts[2]).toBe('Jusqu’au 31 déc. 2022');
    await context.close();
  });

  it('shows active filters as chips at the top, each removing only its own filter', async () => {
    const { context, page } = await newPage(DESKTOP);
    for (const p of sectionPaths) {
      await page.goto(`${base}${p}?f.genre=feminin&channel=lycee-carnot&from=2022-12-01`);
      const chips = page.locator('.chips');
      const box = await chips.boundingBox();
      expect(box!.y, p).toBeLessThan(400);
      expect(await page.locator('.chip').count()).toBe(3);
    }
    await page.goto(`${base}/resultats?f.genre=feminin&channel=lycee-carnot&from=2022-12-01`);
    await page.locator('.chip').filter({ hasText: 'Canal' }).getByRole('link').click();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).searchParams.toString()).toBe('f.genre=feminin&from=2022-12-01');
    expect(await page.locator('.chip').count()).toBe(2);
    await context.close();
  });

  it('filters on « Sans canal » and on any single-choice question', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats?channel=_aucun`);
    const noChannel = (db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete' AND channel IS NULL`).get() as { n: number }).n;
    expect(await page.locator('.key-figure').first().innerText()).toMatch(new RegExp(`^${noChannel}\\s`));
    expect(await page.locator('.chip > span').allInnerTexts()).toEqual(['Canal : Lien sans canal']);
    await page.goto(`${base}/resultats/territoire`);
    await page.locator('details.filters summary').click();
    await page.locator('#filtre-rester_vivre').selectOption('oui');
    await page.getByRole('button', { name: 'Appliquer les filtres' }).click();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).searchParams.get('f.rester_vivre')).toBe('oui');
    expect(await page.locator('.chip > span').allInnerTexts()).toEqual(['Plus tard, aimerais-tu continuer à vivre sur le territoire ? : Oui']);
    const expected = (db.prepare(`SELECT count(*) AS n FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.status = 'complete' AND a.question_id = 'rester_vivre' AND a.option_code = 'oui'`).get() as { n: number }).n;
    expect(await page.locator('.total').innerText()).toBe(`${new Intl.NumberFormat('fr-FR').format(expected)} réponses complètes`);
    await context.close();
  });

  it('downloads a chart as a PNG image and a table as CSV', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats/territoire?f.genre=feminin`);
    const fig = page.locator('[data-figure="opinions_territoire"]');
    const [png] = await Promise.all([page.waitForEvent('download'), fig.locator('[data-png]').click()]);
    expect(png.suggestedFilename()).toBe('mon-avenir-en-artois-opinions_territoire.png');
    const file = await png.path();
    const bytes = fs.readFileSync(file!);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // A real image, wider than the chart on screen (drawn at 2× for a slide).
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(1000);
    fs.copyFileSync(file!, path.join(SHOTS, 'export-grille.png'));
    const [csv] = await Promise.all([page.waitForEvent('download'), fig.locator('[data-csv]').click()]);
    expect(csv.suggestedFilename()).toMatch(/^mon-avenir-en-artois-tableau-opinions_territoire-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = fs.readFileSync((await csv.path())!, 'utf8');
    expect(text.split('\n')[0]).toBe('question_id,question_label,option_code,option_label,count,base,percent');
    expect(text).toContain('opinions_territoire__fierte,');
    await context.close();
  });

  it('hides the PNG buttons without JavaScript (the tables are all there)', async () => {
    const { context, page } = await newPage(DESKTOP, false);
    await page.goto(`${base}/resultats/territoire`);
    expect(await page.locator('[data-png]:visible').count()).toBe(0);
    expect(await page.locator('table.data').count()).toBeGreaterThan(3);
    await context.close();
  });
});

describe('live updates', () => {
  it('redraws the figures of the page when a response arrives', async () => {
    const { context, page } = await newPage(DESKTOP);
    await page.goto(`${base}/resultats/territoire`);
    const before = await page.locator('.total').innerText();
    const fierte = page.locator('[data-figure="opinions_territoire"] tbody tr[data-code="fierte"] td').last();
    const baseBefore = Number((await fierte.innerText()).replace(/\D/g, ''));
    await page.waitForTimeout(300); // the stream's first event (the figures the page already shows)
    addResponse(db, { ...FIVE[0], channel: null, completed: '2026-12-01T10' });
    hub.notify(RESULTS_TOPIC);
    await page.waitForFunction((text) => document.querySelector('.total')!.textContent !== text, before, { timeout: 10_000 });
    const n = Number(before.replace(/\D/g, '')) + 1;
    expect(await page.locator('.total').innerText()).toBe(`${new Intl.NumberFormat('fr-FR').format(n)} réponses complètes`);
    expect(Number((await fierte.innerText()).replace(/\D/g, ''))).toBe(baseBefore + 1);
    // The swapped figure has its chart again.
    const chart = await chartOf(page, 'opinions_territoire');
    expect(chart.xStacked).toBe(true);
    await context.close();
  });
});

describe('dashboard on a 360 px phone', () => {
  it('never scrolls sideways on any results page', async () => {
    const { context, page } = await newPage(PHONE);
    const problems: string[] = [];
    for (const p of allResultsPages) {
      for (const query of ['', 'f.genre=feminin&channel=_aucun&from=2022-12-01']) {
        await page.goto(`${base}${p}${query ? (p.includes('?') ? '&' : '?') + query : ''}`);
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 360) problems.push(`${p}${query} : ${width} px`);
      }
    }
    await page.goto(`${base}/resultats`);
    await page.screenshot({ path: path.join(SHOTS, 'resultats-360.png'), fullPage: false });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('accessibility of every results page', () => {
  it('has no axe violation (WCAG 2.1 A/AA), with JavaScript, at both sizes', async () => {
    const findings: AxeFinding[] = [];
    for (const size of [DESKTOP, PHONE]) {
      const context = await browser.newContext({ ...size, bypassCSP: true });
      await context.addCookies(cookies);
      const page = await context.newPage();
      for (const p of allResultsPages) {
        await page.goto(`${base}${p}${p.includes('?') ? '&' : '?'}f.genre=feminin`);
        await page.waitForFunction(() => document.querySelectorAll('canvas[data-chart]').length === 0 || document.querySelector('.chart:not([hidden])') !== null);
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        await page.addScriptTag({ path: AXE_PATH });
        const violations = await page.evaluate(
          (tags) => (window as any).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
          AXE_TAGS,
        );
        for (const v of violations.violations) {
          findings.push({
            page: `${size.viewport.width} px ${p}`,
            rule: v.id,
            impact: v.impact ?? '',
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map((n: any) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ') })),
          });
        }
      }
      await context.close();
    }
    expect(formatFindings(findings)).toBe('');
    expect(findings.filter(isBlocking)).toEqual([]);
    expect(serverErrors).toEqual([]);
  }, 180_000);
});
