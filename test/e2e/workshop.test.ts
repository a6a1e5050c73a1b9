import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffStore } from '../../src/staff/store.js';
import { makeApp, type TestApp } from '../helpers.js';
import { addStaff, PASSWORD } from '../staff/helpers.js';
import { auditSnapshot, formatFindings, isBlocking, launchChromium, listenLocal, newAxePage, PHONE, trackDocuments, type AxeFinding } from '../support/browser.js';

// A forum workshop in real browsers: young people join on 360 px phones (with and without
// JavaScript) while a projector at 1366 px follows live and the facilitator drives from the API.

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

let t: TestApp;
let browser: Browser;
let base: string;
let close: () => Promise<void>;
let token: string;
let id: string;
let code: string;
const findings: AxeFinding[] = [];

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

async function audit(page: Page, snap: () => Promise<import('../support/browser.js').DocumentSnapshot>, label: string, javaScript = true) {
  const axePage = await newAxePage(browser, { javaScript });
  findings.push(...(await auditSnapshot(axePage, await snap(), label)));
  await axePage.context().close();
}

async function noSideScroll(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  t = makeApp();
  const fac = await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
  token = createStaffStore(t.db).createToken(fac.id, 'forum').token;
  const server = await listenLocal(t.app);
  base = server.baseUrl;
  close = server.close;
  browser = await launchChromium();
  const created = await api('POST', '/api/workshops', {
    title: 'Atelier Jeunesse',
    date: '2023-02-28',
    place: 'Stade Bollaert-Delelis',
    activities: [
      { type: 'poll', prompt: 'Pourrais-tu envisager de travailler dans l’industrie ?', question_id: 'envisager_industrie' },
      { type: 'word_cloud', prompt: 'En un à trois mots, l’industrie c’est…' },
      { type: 'idea_wall', prompt: 'Comment se déplacer plus facilement sans voiture ?' },
    ],
  });
  id = created.id;
  code = created.code;
});

afterAll(async () => {
  await browser?.close();
  await close?.();
});

describe('a workshop in real browsers', () => {
  it('joins by code, follows the facilitator and answers on a phone with JavaScript; the projector updates live', async () => {
    const phone = await browser.newContext(PHONE);
    const page = await phone.newPage();
    const snap = trackDocuments(page);
    await page.goto(`${base}/w`);
    await audit(page, snap, 'rejoindre');
    await page.getByLabel('Code de l’atelier').fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Rejoindre' }).tap();
    await expect.poll(() => page.textContent('h1')).toContain('L’atelier va commencer');
    await audit(page, snap, 'attente');

    // The projector, signed in as the facilitator.
    const room = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'fr-FR' });
    const screen = await room.newPage();
    await screen.goto(`${base}/login`);
    await screen.getByLabel(/Adresse e-mail|E-mail/i).fill('anim@exemple.fr');
    await screen.getByLabel(/Mot de passe/i).fill(PASSWORD);
    await Promise.all([screen.waitForURL(/\/equipe/), screen.getByRole('button', { name: /connecter/i }).click()]);
    const screenSnap = trackDocuments(screen);
    await screen.goto(`${base}/ateliers/${id}/ecran`);
    await expect.poll(() => screen.textContent('.ws-code-big')).toBe(code);

    // The facilitator opens the first poll: the phone follows by itself.
    await api('POST', `/api/workshops/${id}/current`, { activity: 0 });
    await page.waitForSelector('text=Pourrais-tu envisager', { timeout: 5000 });
    await expect.poll(() => screen.textContent('.ws-screen-prompt'), { timeout: 5000 }).toContain('Pourrais-tu envisager');
    await page.getByLabel('Plutôt oui').tap();
    await page.getByRole('button', { name: 'Envoyer' }).tap();
    await page.waitForSelector('text=C’est noté');
    expect(await noSideScroll(page)).toBe(true);
    await audit(page, snap, 'sondage répondu');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'atelier-telephone.png'), fullPage: true });
    // The room sees the answer without reloading.
    await expect.poll(() => screen.textContent('.ws-screen-main'), { timeout: 5000 }).toContain('1 réponse');
    await audit(screen, screenSnap, 'écran');

    // Word cloud: three entries, laid out on the projector by d3-cloud, listed as text too.
    await api('POST', `/api/workshops/${id}/current`, { activity: 1 });
    await page.waitForSelector('text=Mot ou expression 1', { timeout: 5000 });
    await page.getByLabel('Mot ou expression 1').fill('Usines');
    await page.getByLabel('Mot ou expression 2').fill('fumée');
    await page.getByRole('button', { name: 'Envoyer' }).tap();
    await page.waitForSelector('text=C’est noté');
    await expect.poll(() => screen.locator('.ws-cloud.is-laid-out .ws-cloud-canvas span').count(), { timeout: 5000 }).toBe(2);
    expect(await screen.locator('.ws-cloud-list').textContent()).toContain('Usines');
    await screen.screenshot({ path: path.join(SCREENSHOTS, 'atelier-ecran-nuage.png') });
    await phone.close();
    await room.close();
  });

  it('works without JavaScript: code form, answer, and a plain link to follow', async () => {
    const phone = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await phone.newPage();
    const snap = trackDocuments(page);
    await api('POST', `/api/workshops/${id}/current`, { activity: 2 });
    await page.goto(`${base}/w`);
    await page.getByLabel('Code de l’atelier').fill('ZZZ');
    await page.getByRole('button', { name: 'Rejoindre' }).tap();
    await page.waitForSelector('text=Le code a 6 caractères');
    expect(await page.getByLabel('Code de l’atelier').inputValue()).toBe('ZZZ');
    await audit(page, snap, 'code invalide (sans JS)', false);
    await page.getByLabel('Code de l’atelier').fill(code);
    await page.getByRole('button', { name: 'Rejoindre' }).tap();
    await page.getByLabel('Comment se déplacer plus facilement sans voiture ?').fill('Des bus le soir et le week-end');
    await page.getByRole('button', { name: 'Envoyer' }).tap();
    await page.waitForSelector('text=C’est noté');
    await page.waitForSelector('text=Des bus le soir et le week-end');
    await page.getByRole('button', { name: /Soutenir/ }).tap();
    await page.waitForSelector('text=Tu soutiens cette proposition');
    expect(await noSideScroll(page)).toBe(true);
    await audit(page, snap, 'mur d’idées (sans JS)', false);
    // Too long: the message and the text typed come back.
    await page.getByLabel('Comment se déplacer plus facilement sans voiture ?').fill('x'.repeat(300));
    await page.getByRole('button', { name: 'Envoyer' }).tap();
    await page.waitForSelector('text=Ta proposition est trop longue');
    expect((await page.getByLabel('Comment se déplacer plus facilement sans voiture ?').inputValue()).length).toBe(300);
    await audit(page, snap, 'proposition trop longue (sans JS)', false);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'atelier-mur-sans-js.png'), fullPage: true });
    await phone.close();
  });

  it('control page on the facilitator’s phone: no sideways scroll, no accessibility violation', async () => {
    const phone = await browser.newContext(PHONE);
    const page = await phone.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel(/Adresse e-mail|E-mail/i).fill('anim@exemple.fr');
    await page.getByLabel(/Mot de passe/i).fill(PASSWORD);
    await Promise.all([page.waitForURL(/\/equipe/), page.getByRole('button', { name: /connecter/i }).tap()]);
    const snap = trackDocuments(page);
    await page.goto(`${base}/ateliers/${id}`);
    expect(await noSideScroll(page)).toBe(true);
    await audit(page, snap, 'pilotage');
    await page.goto(`${base}/ateliers/nouveau`);
    expect(await noSideScroll(page)).toBe(true);
    await audit(page, snap, 'nouvel atelier');
    await page.goto(`${base}/ateliers/${id}/resultats`);
    await audit(page, snap, 'résultats d’atelier');
    await page.goto(`${base}/ateliers`);
    await audit(page, snap, 'liste des ateliers');
    await phone.close();
    const blocking = findings.filter(isBlocking);
    expect(blocking, formatFindings(blocking)).toEqual([]);
  });
});
