import fs from 'node:fs';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, PASSWORD } from '../staff/helpers.js';
import { makeApp } from '../helpers.js';
import { auditSnapshot, formatFindings, isBlocking, launchChromium, listenLocal, newAxePage, PHONE, type AxeFinding, type DocumentSnapshot } from '../support/browser.js';

// The account-security pages in a real browser, without JavaScript (none is needed): change of
// password with errors, second-factor set-up from the page's key, sign-in with a code, the
// admins' security page. axe-core on each page; screenshots at 360 px and 1366 px.

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const NEW_PASSWORD = 'brique pluie terril vélo';
let browser: Browser;
let server: Awaited<ReturnType<typeof listenLocal>>;

beforeAll(async () => {
  const { app, db } = makeApp();
  await addStaff(db, 'chef@example.org', 'admin');
  await addStaff(db, 'dominique@example.org', 'admin');
  server = await listenLocal(app);
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The last document the page displayed (like trackDocuments, but pages navigated away from unread are fine). */
function lastDocument(page: Page): () => Promise<DocumentSnapshot> {
  let last: Promise<DocumentSnapshot | undefined> = Promise.resolve(undefined);
  page.on('response', (r) => {
    const status = r.status();
    if (!r.request().isNavigationRequest() || r.frame() !== page.mainFrame() || (status >= 300 && status < 400)) return;
    last = r.body().then(
      (body) => ({ url: r.url(), status, contentType: r.headers()['content-type'] ?? 'text/html', body }),
      () => undefined,
    );
  });
  return async () => {
    const doc = await last;
    if (!doc) throw new Error('aucun document lisible');
    return doc;
  };
}

const code = (secret: string) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate();

describe('account security pages in a browser', () => {
  it('works without JavaScript at 360 px, passes axe, and looks right at 360 and 1366 px', async () => {
    const findings: AxeFinding[] = [];
    const axePage = await newAxePage(browser, { javaScript: false });
    const phone = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await phone.newPage();
    const last = lastDocument(page);
    const check = async (label: string) => {
      findings.push(...(await auditSnapshot(axePage, await last(), label)));
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${label}: pas de défilement horizontal`).toBe(true);
      await page.screenshot({ path: path.join(SCREENSHOTS, `securite-${label}-360.png`), fullPage: true });
    };
    const signIn = async (p: Page, email: string, password: string) => {
      await p.goto(`${server.baseUrl}/login`);
      await p.fill('#email', email);
      await p.fill('#password', password);
      await p.click('button:has-text("Se connecter")');
    };

    await signIn(page, 'chef@example.org', PASSWORD);
    await page.goto(`${server.baseUrl}/compte/mot-de-passe`);
    await page.fill('#current', 'pas-le-bon');
    await page.fill('#password', 'azertyuiop12');
    await page.fill('#confirm', 'autre-chose');
    await page.click('button:has-text("Changer le mot de passe")');
    expect(await page.locator('.field-error').count()).toBe(3);
    await check('mot-de-passe-erreurs');
    await page.fill('#current', PASSWORD);
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await page.click('button:has-text("Changer le mot de passe")');
    await expect(page.locator('.notice').textContent()).resolves.toContain('Mot de passe changé.');

    await page.goto(`${server.baseUrl}/compte/double-authentification`);
    await page.click('button:has-text("Activer la double authentification")');
    expect(await page.locator('.qr svg').isVisible()).toBe(true);
    const box = await page.locator('.qr svg').boundingBox();
    expect(box!.width).toBeGreaterThan(150); // big enough to scan from a screen
    await check('double-authentification-qr');
    const secret = (await page.locator('.totp-key').textContent())!.replace(/\s/g, '');
    await page.fill('#code', code(secret));
    await page.click('button:has-text("Confirmer et activer")');
    const recovery = await page.locator('.recovery-codes li').allTextContents();
    expect(recovery).toHaveLength(10);
    await check('double-authentification-codes');

    await page.goto(`${server.baseUrl}/admin/securite`);
    await check('admin-securite');

    await page.click('button:has-text("Se déconnecter")');
    await signIn(page, 'chef@example.org', NEW_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/login/code');
    await page.fill('#code', '000000');
    await page.click('button:has-text("Valider")');
    await check('code-de-connexion-erreur');
    // The set-up code may still be the current one (30 s steps, each used once): a recovery code.
    await page.fill('#code', recovery[0]);
    await page.click('button:has-text("Valider")');
    expect(new URL(page.url()).pathname).toBe('/compte/double-authentification');
    await check('apres-code-de-secours');

    // Desktop: the same pages at 1366 px.
    const desktop = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR', javaScriptEnabled: false });
    const d = await desktop.newPage();
    await signIn(d, 'dominique@example.org', PASSWORD);
    for (const [name, url] of [['mot-de-passe', '/compte/mot-de-passe'], ['double-authentification', '/compte/double-authentification'], ['admin-securite', '/admin/securite']]) {
        await d.goto(`${server.baseUrl}${url}`);
      if (name === 'double-authentification') await d.click('button:has-text("Activer la double authentification")');
      await d.screenshot({ path: path.join(SCREENSHOTS, `securite-${name}-1366.png`), fullPage: true });
    }
    await desktop.close();
    await phone.close();
    await axePage.context().close();
    const blocking = findings.filter(isBlocking);
    expect(blocking, formatFindings(blocking)).toEqual([]);
    if (findings.length) console.log(formatFindings(findings));
  }, 120_000); // a long walk in a real browser, on a shared machine
});
