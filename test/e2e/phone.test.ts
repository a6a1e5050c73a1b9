import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import type { Question } from '../../src/questionnaire/schema.js';
import { territory } from '../../src/territory/communes.js';
import {
  auditSnapshot,
  formatFindings,
  isBlocking,
  launchChromium,
  listenLocal,
  newAxePage,
  PHONE,
  trackDocuments,
  type AxeFinding,
  type DocumentSnapshot,
} from '../support/browser.js';
import { findInvalidData } from '../support/db-invariants.js';
import { findPersonalTraces } from '../support/privacy.js';

// The questionnaire on a real phone-sized browser, once with JavaScript and once without: a
// young person tapping labels, making a mistake, closing the page and coming back, using
// « Autre (précise) » and a conditional question, then sending. Every page is also checked for
// horizontal scrolling, touch target size, accessibility (axe) and, with JavaScript, weight.

/** Transferred bytes allowed per questionnaire page, document and every subresource together. */
const PAGE_WEIGHT_BUDGET = 30 * 1024;
const PHONE_WIDTH = 360;
const MIN_TOUCH_TARGET = 44;
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

const q = loadQuestionnaire();
const questions = new Map<string, Question>(q.sections.flatMap((s) => s.questions.map((x) => [x.id, x] as const)));

function question(id: string): Question {
  const found = questions.get(id);
  if (!found) throw new Error(`question inconnue : ${id}`);
  return found;
}

/** The label a person reads for an option code, taken from the definition. */
function optionLabel(questionId: string, code: string): string {
  const x = question(questionId);
  const options = x.type === 'single' || x.type === 'multiple' || x.type === 'ranking' ? x.options : x.type === 'grid' ? x.scale : [];
  const o = options.find((c) => c.code === code);
  if (!o) throw new Error(`option inconnue : ${questionId}.${code}`);
  return o.label;
}

const exactly = (text: string) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

type Row = [question: string, option: string, text: string | null, num: number | null];

/** Everything that went wrong on the way, reported together at the end of each path. */
type Problems = { layout: string[]; axe: AxeFinding[]; foreignHosts: string[] };

let dir: string;
let dbFile: string;
let db: Db;
let browser: Browser;
let base: string;
let closedBase: string;
const serverErrors: string[] = [];
const closers: (() => Promise<void>)[] = [];
const foreignHosts: string[] = [];

/** Records any request that leaves the machine's loopback address. */
function watchHosts(context: BrowserContext) {
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'data:' || url.protocol === 'about:') return;
    if (url.hostname !== '127.0.0.1') foreignHosts.push(r.url());
  });
}

/**
 * One phone: a browser context, its current page (which changes when the page is closed and
 * reopened), and the checks run on every page it shows.
 */
class Phone {
  page!: Page;
  private lastDocument!: () => Promise<DocumentSnapshot>;
  private shot = 0;
  private audited = 0;
  readonly problems: Problems = { layout: [], axe: [], foreignHosts };

  constructor(
    readonly name: string,
    readonly context: BrowserContext,
    private readonly axePage: Page,
  ) {}

  async close() {
    await this.context.close();
    await this.axePage.context().close();
  }

  async openPage() {
    this.page = await this.context.newPage();
    this.lastDocument = trackDocuments(this.page);
  }

  async goto(url: string) {
    return this.page.goto(url, { waitUntil: 'load' });
  }

  /** Taps something that loads a new document and waits for that document. */
  async tapAndLoad(target: ReturnType<Page['locator']>) {
    await Promise.all([this.page.waitForEvent('load'), target.tap()]);
    return this.lastDocument();
  }

  submit(label: string) {
    return this.tapAndLoad(this.page.getByRole('button', { name: label, exact: true }));
  }

  // --- answering, by tapping the labels a person reads ---------------------------------------

  async choose(questionId: string, code: string) {
    await this.page.locator(`#q-${questionId} .option > label`).filter({ hasText: exactly(optionLabel(questionId, code)) }).tap();
  }

  async grid(gridId: string, item: string, code: string) {
    const g = question(gridId);
    if (g.type !== 'grid') throw new Error(`${gridId} n’est pas une grille`);
    const legend = g.items.find((i) => i.id === item)!.label;
    await this.page
      .locator(`#q-${gridId} fieldset.grid-item`)
      .filter({ has: this.page.locator('legend', { hasText: exactly(legend) }) })
      .locator('.option > label')
      .filter({ hasText: exactly(optionLabel(gridId, code)) })
      .tap();
  }

  field(questionId: string) {
    return this.page.getByLabel(question(questionId).label, { exact: true });
  }

  async type(questionId: string, text: string) {
    const f = this.field(questionId);
    await f.tap();
    await f.fill(text);
  }

  /** The « Précise » field of an « Autre (précise) » option. */
  precision(questionId: string) {
    return this.page.locator(`#q-${questionId}`).getByLabel('Précise', { exact: true });
  }

  async rank(questionId: string, rank: number, code: string) {
    await this.page
      .locator(`#q-${questionId}`)
      .getByLabel(rank === 1 ? '1er choix' : `${rank}e choix`, { exact: true })
      .selectOption({ label: optionLabel(questionId, code) });
  }

  checked(questionId: string, code: string) {
    return this.page.locator(`#q-${questionId} input[value="${code}"]`).isChecked();
  }

  // --- checks on every page -------------------------------------------------------------------

  /** Screenshot, no horizontal scrolling at 360 px, 44 px touch targets, axe audit. */
  async inspect(label: string) {
    const page = this.page;
    const file = `${this.name}-${String(++this.shot).padStart(2, '0')}-${label}.png`;
    await page.screenshot({ path: path.join(SCREENSHOTS, file), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > PHONE_WIDTH) this.problems.layout.push(`${this.name} ${label} : largeur ${width} px > ${PHONE_WIDTH} px (défilement horizontal)`);
    const small = await page.evaluate((min) => {
      const targets = document.querySelectorAll('.option > label, button, a.button, input[type="text"], input:not([type]), textarea, select');
      const out: string[] = [];
      for (const el of Array.from(targets)) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue; // not displayed (hidden question)
        if (el.closest('[aria-hidden="true"]')) continue; // the honeypot field, for robots only
        if (box.height < min) out.push(`<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}> « ${(el.textContent ?? '').trim().slice(0, 40)} » : ${box.height.toFixed(1)} px`);
      }
      return out;
    }, MIN_TOUCH_TARGET);
    for (const s of small) this.problems.layout.push(`${this.name} ${label} : cible tactile trop petite ${s}`);
    this.problems.axe.push(...(await auditSnapshot(this.axePage, await this.lastDocument(), `${this.name} ${label}`)));
    this.audited++;
  }

  assertNoProblems() {
    const minor = this.problems.axe.filter((f) => !isBlocking(f));
    console.log(`${this.name} : ${this.audited} pages auditées par axe.${minor.length ? ` Violations mineures ou modérées (non bloquantes) :\n${formatFindings(minor)}` : ''}`);
    expect(this.problems.layout.join('\n'), 'mise en page sur téléphone').toBe('');
    expect(formatFindings(this.problems.axe.filter(isBlocking)), 'violations axe (serious/critical, WCAG 2.1 A/AA)').toBe('');
    expect(this.problems.foreignHosts, 'requêtes vers un autre hôte que 127.0.0.1').toEqual([]);
  }
}

async function newPhone(name: string, javaScript: boolean): Promise<Phone> {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: javaScript });
  watchHosts(context);
  const axePage = await newAxePage(browser, { javaScript });
  watchHosts(axePage.context());
  const phone = new Phone(name, context, axePage);
  await phone.openPage();
  return phone;
}

/** The completed response whose « metier » is this text, as sorted rows. */
function storedRows(metier: string): Row[] {
  const ids = db
    .prepare(
      `SELECT r.id FROM responses r JOIN answers a ON a.response_id = r.id
       WHERE r.status = 'complete' AND a.question_id = 'metier' AND a.value_text = ?`,
    )
    .all(metier) as { id: string }[];
  expect(ids, `réponses complètes avec le métier « ${metier} »`).toHaveLength(1);
  const rows = db
    .prepare('SELECT question_id, option_code, value_text, value_num FROM answers WHERE response_id = ? ORDER BY question_id, option_code')
    .all(ids[0].id) as { question_id: string; option_code: string; value_text: string | null; value_num: number | null }[];
  return rows.map((r) => [r.question_id, r.option_code, r.value_text, r.value_num]);
}

const sortRows = (rows: Row[]) => [...rows].sort((a, b) => (a[0] + '\u0000' + a[1] < b[0] + '\u0000' + b[1] ? -1 : 1));

/** The steps shared by both paths that end the survey: thanks, already answered, other pages. */
async function endPages(phone: Phone) {
  const { page } = phone;
  expect(page.url()).toBe(`${base}/merci`);
  expect(await page.locator('h1').textContent()).toBe('Merci !');
  await phone.inspect('merci');

  await phone.goto(`${base}/`);
  expect(await page.locator('h1').textContent()).toBe('Tu as déjà répondu, merci !');
  await phone.inspect('deja-repondu');

  const notFound = await phone.goto(`${base}/nimporte-quoi`);
  expect(notFound?.status()).toBe(404);
  expect(await page.locator('h1').textContent()).toBe('Page introuvable');
  await phone.inspect('404');

  await phone.goto(`${closedBase}/`);
  expect(await page.locator('h1').textContent()).toBe('La consultation est terminée');
  await phone.inspect('campagne-fermee');
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-e2e-'));
  dbFile = path.join(dir, 'avenir.db');
  db = openDatabase(dbFile);
  const logger = { info: () => {}, error: (m: string, e?: unknown) => serverErrors.push(`${m} ${String(e)}`) };
  const open = await listenLocal(createApp({ db, config: defaultConfig(), campaign: buildCampaign({}), logger }));
  base = open.baseUrl;
  closers.push(open.close);
  // A second instance whose campaign has ended, for the « terminée » page.
  const closed = await listenLocal(
    createApp({
      db: openDatabase(':memory:'),
      config: defaultConfig(),
      campaign: buildCampaign({ opensAt: new Date('2022-11-25T00:00:00+01:00'), closesAt: new Date('2023-02-01T00:00:00+01:00') }),
      now: () => new Date('2023-03-01T12:00:00Z'),
      logger,
    }),
  );
  closedBase = closed.baseUrl;
  closers.push(closed.close);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const close of closers) await close();
  db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a phone at 360 px, tapping through the questionnaire', () => {
  it('has an accessibility audit that does catch a violation (control)', async () => {
    // Guards against an audit that silently checks nothing (wrong document, axe not running).
    const axePage = await newAxePage(browser, { javaScript: true });
    const snap: DocumentSnapshot = {
      url: `${base}/controle-axe`,
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: Buffer.from('<!doctype html><html lang="fr"><title>Contrôle</title><main><input type="text"></main></html>'),
    };
    const findings = await auditSnapshot(axePage, snap, 'contrôle');
    expect(findings.filter(isBlocking).map((f) => f.rule)).toContain('label');
    await axePage.context().close();
  });

  it('with JavaScript: error, conditional question, « Autre », resume after closing, thanks', async () => {
    const phone = await newPhone('js', true);
    let { page } = phone;

    await phone.goto(`${base}/`);
    await phone.inspect('accueil');
    await phone.tapAndLoad(page.getByRole('link', { name: 'Ce que nous faisons de tes réponses' }));
    expect(page.url()).toBe(`${base}/confidentialite`);
    await phone.inspect('confidentialite');
    await phone.goto(`${base}/`);
    await phone.tapAndLoad(page.getByRole('link', { name: 'Commencer', exact: true }));
    expect(page.url()).toBe(`${base}/questionnaire/1`);
    await phone.inspect('etape1');

    // Section 1, with an age out of range first.
    await phone.type('age', '99');
    await phone.choose('genre', 'feminin');
    await phone.type('commune', 'Béthune');
    // « Dans quelle voie es-tu au lycée ? » only appears once « Au lycée » is chosen.
    expect(await page.locator('#q-filiere').isVisible()).toBe(false);
    await phone.choose('situation', 'emploi');
    expect(await page.locator('#q-filiere').isVisible()).toBe(false);
    await phone.choose('situation', 'lycee');
    await page.locator('#q-filiere').waitFor({ state: 'visible', timeout: 2000 });
    await phone.choose('filiere', 'professionnelle');
    await phone.choose('lieu_activite', 'pma');
    const invalid = await phone.submit('Suivant');
    expect(invalid.status).toBe(422);
    expect(page.url()).toBe(`${base}/questionnaire/1`);
    // The French message sits in the age question, right above its field, and is announced.
    const message = page.locator('#q-age .field-error');
    expect((await message.textContent())?.trim()).toBe('Erreur : Écris un nombre entre 11 et 35 ans.');
    expect(await phone.field('age').getAttribute('aria-invalid')).toBe('true');
    expect(await phone.field('age').getAttribute('aria-describedby')).toContain('f-age-erreur');
    const [msgBox, fieldBox] = [await message.boundingBox(), await phone.field('age').boundingBox()];
    expect(fieldBox!.y - (msgBox!.y + msgBox!.height)).toBeLessThan(40);
    expect(await page.locator('.error-summary a[href="#f-age"]').textContent()).toBe('Ton âge : écris un nombre entre 11 et 35 ans.');
    // Everything typed is still there.
    expect(await phone.field('age').inputValue()).toBe('99');
    expect(await phone.field('commune').inputValue()).toBe('Béthune');
    expect(await phone.checked('genre', 'feminin')).toBe(true);
    expect(await phone.checked('situation', 'lycee')).toBe(true);
    expect(await page.locator('#q-filiere').isVisible()).toBe(true);
    expect(await phone.checked('filiere', 'professionnelle')).toBe(true);
    expect(await phone.checked('lieu_activite', 'pma')).toBe(true);
    await phone.inspect('etape1-erreur');
    await phone.type('age', '17');
    await phone.submit('Suivant');
    expect(page.url()).toBe(`${base}/questionnaire/2`);
    await phone.inspect('etape2');

    // Section 2: « Autre (précise) » and a same-page conditional list.
    await phone.choose('aime_vivre', 'plutot_oui');
    await phone.choose('points_forts', 'histoire');
    expect(await phone.precision('points_forts').isVisible()).toBe(false);
    await phone.choose('points_forts', 'autre');
    await phone.precision('points_forts').waitFor({ state: 'visible', timeout: 2000 });
    await phone.precision('points_forts').tap();
    await phone.precision('points_forts').fill('Le Louvre-Lens');
    await phone.choose('points_faibles', 'transports');
    await phone.grid('opinions_territoire', 'fierte', 'accord');
    await phone.grid('opinions_territoire', 'deplacements', 'desaccord');
    expect(await page.locator('#q-raisons_partir').isVisible()).toBe(false);
    await phone.choose('rester_vivre', 'plutot_non');
    await page.locator('#q-raisons_partir').waitFor({ state: 'visible', timeout: 2000 });
    await phone.choose('raisons_partir', 'emploi');
    await phone.type('ameliorer_territoire', 'Plus de bus le soir.');
    await phone.submit('Suivant');
    expect(page.url()).toBe(`${base}/questionnaire/3`);
    await phone.inspect('etape3');

    // Section 3, then « Précédent »: section 2 comes back as it was typed.
    await phone.choose('poursuivre_etudes', 'oui');
    await phone.choose('formation_pro', 'oui');
    await phone.choose('metier_connu', 'oui');
    await phone.type('metier', 'Soudeuse');
    await phone.rank('attentes_emploi', 1, 'salaire');
    await phone.rank('attentes_emploi', 2, 'securite_emploi');
    await phone.rank('attentes_emploi', 3, 'proximite');
    await phone.choose('freins', 'argent');
    await phone.choose('freins', 'stage_alternance');
    await phone.submit('Précédent');
    expect(page.url()).toBe(`${base}/questionnaire/2`);
    expect(await phone.checked('points_forts', 'autre')).toBe(true);
    expect(await phone.precision('points_forts').inputValue()).toBe('Le Louvre-Lens');
    expect(await phone.checked('rester_vivre', 'plutot_non')).toBe(true);
    expect(await phone.field('ameliorer_territoire').inputValue()).toBe('Plus de bus le soir.');

    // The page is closed; later a new one is opened on the same phone.
    await page.close();
    await phone.openPage();
    page = phone.page;
    await phone.goto(`${base}/`);
    await phone.inspect('accueil-reprise');
    await phone.tapAndLoad(page.getByRole('link', { name: 'Reprendre là où je me suis arrêté·e' }));
    expect(page.url()).toBe(`${base}/questionnaire/3`);
    expect(await phone.checked('poursuivre_etudes', 'oui')).toBe(true);
    expect(await phone.field('metier').inputValue()).toBe('Soudeuse');
    expect(await page.locator('#q-attentes_emploi').getByLabel('2e choix').inputValue()).toBe('securite_emploi');
    expect(await phone.checked('freins', 'stage_alternance')).toBe(true);
    await phone.submit('Suivant');
    expect(page.url()).toBe(`${base}/questionnaire/4`);
    await phone.inspect('etape4');

    // Section 4: ticking an option unticks the exclusive « Rien » (script).
    await phone.type('mots_industrie', 'usine, avenir, chantier');
    await phone.choose('proche_industrie', 'oui');
    await phone.choose('envisager_industrie', 'plutot_oui');
    await phone.choose('convaincre_industrie', 'rien');
    await phone.choose('convaincre_industrie', 'visiter_entreprises');
    expect(await phone.checked('convaincre_industrie', 'rien')).toBe(false);
    await phone.grid('image_industrie', 'avenir', 'plutot_accord');
    await phone.type('message_elus', 'Merci de nous demander notre avis.');
    await phone.submit('Envoyer mes réponses');
    await endPages(phone);

    expect(sortRows(storedRows('Soudeuse'))).toEqual(
      sortRows([
        ['age', '', null, 17],
        ['genre', 'feminin', null, null],
        ['commune', '62119', 'Béthune', null],
        ['commune__epci', 'cabbalr', null, null],
        ['situation', 'lycee', null, null],
        ['filiere', 'professionnelle', null, null],
        ['lieu_activite', 'pma', null, null],
        ['aime_vivre', 'plutot_oui', null, null],
        ['points_forts', 'histoire', null, null],
        ['points_forts', 'autre', 'Le Louvre-Lens', null],
        ['points_faibles', 'transports', null, null],
        ['opinions_territoire__fierte', 'accord', null, null],
        ['opinions_territoire__deplacements', 'desaccord', null, null],
        ['rester_vivre', 'plutot_non', null, null],
        ['raisons_partir', 'emploi', null, null],
        ['ameliorer_territoire', '', 'Plus de bus le soir.', null],
        ['poursuivre_etudes', 'oui', null, null],
        ['formation_pro', 'oui', null, null],
        ['metier_connu', 'oui', null, null],
        ['metier', '', 'Soudeuse', null],
        ['attentes_emploi', 'salaire', null, 1],
        ['attentes_emploi', 'securite_emploi', null, 2],
        ['attentes_emploi', 'proximite', null, 3],
        ['freins', 'argent', null, null],
        ['freins', 'stage_alternance', null, null],
        ['mots_industrie', '', 'usine, avenir, chantier', null],
        ['proche_industrie', 'oui', null, null],
        ['envisager_industrie', 'plutot_oui', null, null],
        ['convaincre_industrie', 'visiter_entreprises', null, null],
        ['image_industrie__avenir', 'plutot_accord', null, null],
        ['message_elus', '', 'Merci de nous demander notre avis.', null],
      ]),
    );
    phone.assertNoProblems();
    await phone.close();
  }, 180_000);

  it('without JavaScript: the same path works with plain forms', async () => {
    const phone = await newPhone('sans-js', false);
    let { page } = phone;

    await phone.goto(`${base}/`);
    await phone.inspect('accueil');
    await phone.tapAndLoad(page.getByRole('link', { name: 'Vie privée' }));
    expect(page.url()).toBe(`${base}/confidentialite`);
    await phone.inspect('confidentialite');
    await phone.goto(`${base}/`);
    await phone.tapAndLoad(page.getByRole('link', { name: 'Commencer', exact: true }));
    await phone.inspect('etape1');

    // Without the script, the conditional question is always shown, with a hint saying when to
    // answer it, and every « Précise » field is visible.
    expect(await page.locator('#q-filiere').isVisible()).toBe(true);
    expect(await page.locator('#f-filiere-condition').textContent()).toBe(
      'Seulement si tu as répondu « Au lycée » à « Quelle est ta situation actuelle ? »',
    );
    await phone.type('age', '99');
    await phone.choose('genre', 'non_reponse');
    await phone.type('commune', 'Lievin');
    await phone.choose('situation', 'autre');
    await phone.precision('situation').tap();
    await phone.precision('situation').fill('Service civique');
    // Answered although it does not apply: the server must drop it.
    await phone.choose('filiere', 'generale');
    await phone.choose('lieu_activite', 'nord_pas_de_calais');
    const invalid = await phone.submit('Suivant');
    expect(invalid.status).toBe(422);
    expect((await page.locator('#q-age .field-error').textContent())?.trim()).toBe('Erreur : Écris un nombre entre 11 et 35 ans.');
    expect(await phone.field('age').getAttribute('aria-invalid')).toBe('true');
    expect(await phone.field('age').inputValue()).toBe('99');
    expect(await phone.field('commune').inputValue()).toBe('Lievin');
    expect(await phone.checked('genre', 'non_reponse')).toBe(true);
    expect(await phone.checked('situation', 'autre')).toBe(true);
    expect(await phone.precision('situation').inputValue()).toBe('Service civique');
    expect(await phone.checked('lieu_activite', 'nord_pas_de_calais')).toBe(true);
    await phone.inspect('etape1-erreur');
    await phone.type('age', '19');
    await phone.submit('Suivant');
    expect(page.url()).toBe(`${base}/questionnaire/2`);
    await phone.inspect('etape2');

    // Section 2: a precision typed without ticking « Autre » counts as « Autre ».
    await phone.choose('aime_vivre', 'beaucoup');
    await phone.precision('points_faibles').tap();
    await phone.precision('points_faibles').fill('Pas de cinéma');
    await phone.grid('opinions_territoire', 'jeunes_ecoutes', 'plutot_desaccord');
    await phone.choose('rester_vivre', 'oui');
    expect(await page.locator('#q-raisons_partir').isVisible()).toBe(true);
    await phone.submit('Suivant');
    expect(page.url()).toBe(`${base}/questionnaire/3`);
    await phone.inspect('etape3');

    // « La difficulté à trouver un stage… » is offered to students only.
    expect(await page.locator('#q-freins input[value="stage_alternance"]').count()).toBe(0);
    await phone.choose('poursuivre_etudes', 'nsp');
    await phone.choose('formation_pro', 'nsp');
    await phone.choose('metier_connu', 'idees');
    await phone.type('metier', 'Électricien');
    await phone.rank('attentes_emploi', 1, 'epanouissement');
    await phone.choose('freins', 'rien');
    await phone.submit('Précédent');
    expect(page.url()).toBe(`${base}/questionnaire/2`);
    expect(await phone.checked('points_faibles', 'autre')).toBe(false);
    expect(await phone.precision('points_faibles').inputValue()).toBe('Pas de cinéma');
    expect(await phone.checked('rester_vivre', 'oui')).toBe(true);

    await page.close();
    await phone.openPage();
    page = phone.page;
    await phone.goto(`${base}/`);
    await phone.inspect('accueil-reprise');
    await phone.tapAndLoad(page.getByRole('link', { name: 'Reprendre là où je me suis arrêté·e' }));
    expect(page.url()).toBe(`${base}/questionnaire/3`);
    expect(await phone.checked('poursuivre_etudes', 'nsp')).toBe(true);
    expect(await phone.field('metier').inputValue()).toBe('Électricien');
    expect(await phone.checked('freins', 'rien')).toBe(true);
    await phone.submit('Suivant');
    expect(page.url()).toBe(`${base}/questionnaire/4`);
    await phone.inspect('etape4');

    await phone.type('mots_industrie', 'bruit, métal');
    await phone.choose('convaincre_industrie', 'rien');
    await phone.submit('Envoyer mes réponses');
    await endPages(phone);

    expect(sortRows(storedRows('Électricien'))).toEqual(
      sortRows([
        ['age', '', null, 19],
        ['genre', 'non_reponse', null, null],
        ['commune', '62510', 'Liévin', null],
        ['commune__epci', 'call', null, null],
        ['situation', 'autre', 'Service civique', null],
        ['lieu_activite', 'nord_pas_de_calais', null, null],
        ['aime_vivre', 'beaucoup', null, null],
        ['points_faibles', 'autre', 'Pas de cinéma', null],
        ['opinions_territoire__jeunes_ecoutes', 'plutot_desaccord', null, null],
        ['rester_vivre', 'oui', null, null],
        ['poursuivre_etudes', 'nsp', null, null],
        ['formation_pro', 'nsp', null, null],
        ['metier_connu', 'idees', null, null],
        ['metier', '', 'Électricien', null],
        ['attentes_emploi', 'epanouissement', null, 1],
        ['freins', 'rien', null, null],
        ['mots_industrie', '', 'bruit, métal', null],
        ['convaincre_industrie', 'rien', null, null],
      ]),
    );
    phone.assertNoProblems();
    await phone.close();
  }, 180_000);

  it(`keeps every questionnaire page under ${PAGE_WEIGHT_BUDGET / 1024} KB transferred, on an empty cache`, async () => {
    const context = await browser.newContext({ ...PHONE, javaScriptEnabled: true });
    watchHosts(context);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // No cache: each page is weighed as on a first visit, stylesheet and script included.
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map<string, string>();
    let transfers: { url: string; bytes: number; redirect: boolean }[] = [];
    cdp.on('Network.requestWillBeSent', (e) => {
      // The 303 answering a form arrives as the "redirectResponse" of the GET that follows it.
      // It is neither the document nor one of its subresources: listed, not counted.
      if (e.redirectResponse) transfers.push({ url: `${e.redirectResponse.status} ${e.redirectResponse.url}`, bytes: e.redirectResponse.encodedDataLength, redirect: true });
      urls.set(e.requestId, e.request.url);
    });
    // encodedDataLength: bytes on the wire, headers included.
    cdp.on('Network.loadingFinished', (e) => transfers.push({ url: urls.get(e.requestId) ?? e.requestId, bytes: e.encodedDataLength, redirect: false }));

    const weights: { page: string; bytes: number; detail: string }[] = [];
    const weigh = async (label: string, navigate: () => Promise<unknown>) => {
      transfers = [];
      await navigate();
      await page.waitForLoadState('networkidle');
      const bytes = transfers.filter((t) => !t.redirect).reduce((s, t) => s + t.bytes, 0);
      weights.push({ page: label, bytes, detail: transfers.map((t) => `${t.url.replace(base, '')} ${t.bytes}${t.redirect ? ' (non compté)' : ''}`).join(', ') });
    };
    const submit = (label: string) => Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: label, exact: true }).tap()]);

    await weigh('accueil', () => page.goto(`${base}/`));
    await weigh('etape1', () => Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Commencer', exact: true }).tap()]));
    await page.getByLabel('Quel âge as-tu ?').fill('20');
    await page.locator('#q-genre label', { hasText: 'Masculin' }).tap();
    const suggestions = page.waitForResponse((r) => r.url().includes('/api/communes'));
    await page.getByLabel('Dans quelle commune habites-tu ?').fill('Lens');
    await suggestions; // the autocomplete belongs to page 1, not to the weight of page 2
    await page.locator('#q-situation label', { hasText: 'En emploi' }).tap();
    await weigh('etape2', () => submit('Suivant'));
    await weigh('etape3', () => submit('Suivant'));
    await weigh('etape4', () => submit('Suivant'));
    expect(page.url()).toBe(`${base}/questionnaire/4`);

    console.log(`Poids des pages, cache vide (budget ${PAGE_WEIGHT_BUDGET} octets) :\n${weights.map((w) => `  ${w.page} ${w.bytes} octets : ${w.detail}`).join('\n')}`);
    const over = weights.filter((w) => w.bytes > PAGE_WEIGHT_BUDGET).map((w) => `${w.page} : ${w.bytes} octets (${w.detail})`);
    await context.close();
    for (const w of weights) expect(w.bytes, w.page).toBeGreaterThan(1000); // something was measured
    expect(over, 'pages au-dessus du budget').toEqual([]);
  }, 60_000);

  it('never made a request to another host than 127.0.0.1, in any of the phones above', () => {
    expect(foreignHosts).toEqual([]);
  });

  it('stored exactly the two sent responses, valid, with no trace of the phones', () => {
    const complete = db.prepare("SELECT count(*) AS n FROM responses WHERE status = 'complete'").get() as { n: number };
    expect(complete.n).toBe(2);
    expect(findInvalidData(db, q, territory())).toEqual([]);
    expect(findPersonalTraces({ db, dbFile, needles: [PHONE.userAgent!, 'AvenirTestPhone'] })).toEqual([]);
    expect(serverErrors).toEqual([]);
  });
});
