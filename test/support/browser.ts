import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AxeResults, Result } from 'axe-core';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

// Real-browser helpers. Chromium is the system one (Debian package "chromium"): nothing is ever
// downloaded, and the browser only talks to 127.0.0.1.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium introuvable à ${CHROMIUM_PATH} : installer le paquet Debian « chromium » (apt-get install -y chromium) ou définir CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A mid-range Android phone: 360 × 740 CSS pixels, touch screen, French. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: 'fr-FR',
  // Distinctive, so that the database scan can prove it was never stored.
  userAgent: 'Mozilla/5.0 (Linux; Android 13; AvenirTestPhone) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Mobile Safari/537.36',
};

/** Listens on an ephemeral loopback port (the e2e tests are the only tests that listen). */
export async function listenLocal(app: { listen: (port: number, host: string, cb: () => void) => Server }) {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The document a page received, exactly as served (status, type, bytes), for a later audit. */
export type DocumentSnapshot = { url: string; status: number; contentType: string; body: Buffer };

/**
 * Remembers the last main-frame document of a page (not the 303s in between): what the phone
 * displayed, including a 422 page answering a POST, which cannot be fetched again with a GET.
 */
export function trackDocuments(page: Page): () => Promise<DocumentSnapshot> {
  let last: Promise<DocumentSnapshot> | undefined;
  page.on('response', (r) => {
    const status = r.status();
    if (!r.request().isNavigationRequest() || r.frame() !== page.mainFrame() || (status >= 300 && status < 400)) return;
    last = r.body().then((body) => ({ url: r.url(), status, contentType: r.headers()['content-type'] ?? 'text/html', body }));
  });
  return () => {
    if (!last) throw new Error('aucun document chargé');
    return last;
  };
}

// ---------------------------------------------------------------------------------------------
// Accessibility audit with axe-core.
//
// The app's Content-Security-Policy forbids inline scripts, so axe cannot be injected in the
// phone's own pages (and, with JavaScript off, axe could not run there at all). Each page the
// phone displayed is therefore replayed, byte for byte (without its headers), in a separate "axe"
// context that bypasses CSP; its stylesheet and script are loaded from the real server. For the no-JavaScript path the
// replay blocks the app's script so the DOM audited is the one a phone without JavaScript shows.

export const AXE_PATH = path.resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/** Serious and critical violations fail the tests; minor and moderate ones are only reported. */
export const isBlocking = (f: AxeFinding) => BLOCKING_IMPACTS.has(f.impact);

export type AxeFinding = { page: string; rule: string; impact: string; help: string; helpUrl: string; nodes: { target: string; html: string; summary: string }[] };

export async function newAxePage(browser: Browser, opts: { javaScript: boolean }): Promise<Page> {
  const context = await browser.newContext({ ...PHONE, bypassCSP: true, javaScriptEnabled: true });
  if (!opts.javaScript) await context.route('**/static/js/**', (route) => route.abort());
  return context.newPage();
}

/** Audits one displayed document; returns its WCAG 2.0/2.1 A/AA violations, whatever their impact. */
export async function auditSnapshot(axePage: Page, snap: DocumentSnapshot, label: string): Promise<AxeFinding[]> {
  await axePage.route(snap.url, (route) => route.fulfill({ status: snap.status, contentType: snap.contentType, body: snap.body }), { times: 1 });
  await axePage.goto(snap.url, { waitUntil: 'load' });
  await axePage.addScriptTag({ path: AXE_PATH });
  const results = await axePage.evaluate(
    (tags) => (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return results.violations.map((v: Result) => ({
      page: label,
      rule: v.id,
      impact: v.impact ?? '',
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ') })),
    }));
}

/** One block per violation, readable in a failed test's output. */
export function formatFindings(findings: AxeFinding[]): string {
  return findings
    .map(
      (f) =>
        `[${f.impact}] ${f.page} — ${f.rule} : ${f.help} (${f.helpUrl})\n` +
        f.nodes.map((n) => `    ${n.target}\n      ${n.html}\n      ${n.summary}`).join('\n'),
    )
    .join('\n\n');
}
