import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { fr } from '../../src/strings.js';
import { choosableQuestions } from '../../src/synthesis/settings.js';
import { crossVariables } from '../../src/results/crosstab.js';
import { csrfFrom, formBody, makeApp, type TestApp } from '../helpers.js';
import { addResponse, FIVE, freshDb, q } from '../results/helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { PHONE, PHONE_DIGITS, seedSynthesis, THEMES } from './fixture.js';

// The printable synthesis over HTTP: the whole document for the current filters (every section,
// the filters in words, the running head and foot's data, numbered figures), free text screened,
// small groups hidden, the choices form (CSRF, French messages, everything typed kept) and who
// may see it.

const NOW = new Date('2026-12-01T15:04:00Z');
const s = fr.synthesis;
/** Handlebars writes ’ and « » as they are, but escapes ' " & < >. */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;');
const completeCount = (t: TestApp, where = '1') => (t.db.prepare(`SELECT count(*) AS n FROM responses r WHERE status = 'complete' AND ${where}`).get() as { n: number }).n;

let t: TestApp;
let agent: ReturnType<typeof request.agent>;

beforeAll(async () => {
  t = makeApp({ db: seedSynthesis(), now: () => NOW });
  await addStaff(t.db, 'ana@exemple.fr', 'analyst');
  await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
  agent = (await signIn(t.app, 'ana@exemple.fr')).agent;
}, 60_000);

describe('GET /resultats/synthese', () => {
  it('prints every section for the filters, with the filters in words and the base of the selection', async () => {
    const res = await agent.get('/resultats/synthese?f.genre=feminin&f.genre=masculin&f.age__groupe=mineurs_15_17');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const n = completeCount(
      t,
      `EXISTS (SELECT 1 FROM answers a WHERE a.response_id = r.id AND a.question_id = 'genre' AND a.option_code IN ('feminin', 'masculin'))
       AND EXISTS (SELECT 1 FROM answers a WHERE a.response_id = r.id AND a.question_id = 'age' AND a.value_num BETWEEN 15 AND 17)`,
    );
    expect(n).toBeGreaterThan(100);
    const base = s.baseResponses(new Intl.NumberFormat('fr-FR').format(n));
    // The cover: title and introduction saved by the analyst, base, period, extraction date, filters in words.
    expect(res.text).toContain('<h1 class="syn-title">Mon avenir en Artois — synthèse pour les élus</h1>');
    expect(res.text).toContain('<p>Ce document présente les premiers résultats.</p>');
    expect(res.text).toContain(`<dd>${base}</dd>`);
    expect(res.text).toContain('<dd>1er\u00a0décembre 2026 à 16\u00a0h\u00a004</dd>');
    expect(res.text).toMatch(/<dd>du \d+\u00a0décembre 2022 au \d+\u00a0janvier 2023<\/dd>/);
    expect(res.text).toContain(`<span class="syn-filter">${html('Quel est ton genre ? = Féminin ou Masculin')}</span>`);
    expect(res.text).toContain(`<span class="syn-filter">${html('Quel âge as-tu ? — tranche d’âge = 15-17 ans (mineurs)')}</span>`);
    // The running head and foot (read by the print stylesheet's @page boxes through attr()).
    expect(res.text).toContain(`data-print-running="${html(s.running(base, '1er\u00a0décembre 2026 à 16\u00a0h\u00a004'))}"`);
    expect(res.text).toContain(`data-print-title="${html('Mon avenir en Artois — synthèse pour les élus')}"`);
    expect(res.text).toContain('<link rel="stylesheet" href="/static/css/synthesis.css">');
    // Every section, numbered in order, in the contents and as a heading.
    const titles = Object.values(s.sections);
    titles.forEach((title, i) => {
      const num = String(i + 1).padStart(2, '0');
      expect(res.text).toContain(`<span class="syn-contents-num">${num}</span>${html(title)}</a>`);
      expect(res.text).toContain(`<span class="syn-num">${num}</span>\n  <h2>${html(title)}</h2>`);
    });
    // Figures numbered 1…N in reading order, each with its title above and its foot below.
    const numbers = [...res.text.matchAll(/<figure class="syn-figure" data-figure="(\d+)">/g)].map((m) => Number(m[1]));
    expect(numbers.length).toBeGreaterThan(20);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    for (const k of numbers) {
      const fig = res.text.slice(res.text.indexOf(`data-figure="${k}"`), res.text.indexOf('</figure>', res.text.indexOf(`data-figure="${k}"`)));
      expect(fig).toContain(`<p class="syn-fig-kicker">${s.figure(k)}</p>`);
      // A chart, or for a crosstab too large to draw, its table alone.
      expect(fig).toMatch(/<svg class="syn-svg" viewBox="0 0 640 \d+"|<table class="syn-table">/);
      expect(fig).toContain(`${s.figureFoot(k)}</figcaption>`);
      expect(fig).toMatch(/<span class="syn-fig-base">[^<]+<\/span>/);
    }
    // Each chosen question (the defaults: every closed question outside the profile) has its chart.
    for (const x of choosableQuestions(q)) expect(res.text, x.id).toContain(`<h4 class="syn-fig-title">${html(x.label)}</h4>`);
    // Themes with their examples, the key crosstabs with their reading, the workshop, the method.
    for (const th of THEMES.slice(0, 4)) expect(res.text).toContain(html(th.label));
    expect(res.text).toContain(`<p class="syn-fig-sub">${html(s.crosstabBy('Quel est ton genre ?'))}</p>`);
    expect(res.text).toMatch(/<p class="syn-readings-label">Lecture<\/p><p>[^<]*(significati|hasard)/);
    const big = res.text.slice(res.text.indexOf(html(s.crosstabBy('Dans quelle commune habites-tu ? — intercommunalité'))));
    const bigFigure = big.slice(0, big.indexOf('</figure>'));
    expect(bigFigure).not.toContain('<svg');
    expect(bigFigure).toContain('<th scope="col">CA de Lens-Liévin</th>');
    expect(res.text).toContain('Atelier Jeunesse · 28\u00a0février 2023 · Stade Bollaert-Delelis, Lens');
    expect(res.text).toContain(`<dt>${s.method.scope}</dt><dd>${html(s.methodFilters('Quel âge as-tu ? — tranche d’âge = 15-17 ans (mineurs) ; Quel est ton genre ? = Féminin ou Masculin'))}</dd>`);
    expect(res.text).toContain(`<dd>${html(s.methodSmall(5))}</dd>`);
    // The print button (shown by its script) and the link to the choices.
    expect(res.text).toContain('<button type="button" class="button" data-print hidden>Imprimer / Enregistrer en PDF</button>');
    expect(res.text).toContain('<a href="/resultats/synthese/choix">Choisir le contenu de la synthèse</a>');
    expect(res.text).toContain('<script src="/static/js/synthesis.js" defer></script>');
  });

  it('never prints free text unscreened: a phone number typed in an answer or a workshop idea is masked', async () => {
    const res = await agent.get('/resultats/synthese');
    expect(res.status).toBe(200);
    const flat = res.text.replace(/[\s.\-\u00a0]/g, '');
    expect(flat).not.toContain(PHONE_DIGITS);
    expect(res.text).not.toContain(PHONE);
    // The theme made of those answers is printed (6 people), its examples masked.
    expect(res.text).toContain(`<li>« ${html('Usine et emploi, appelle-moi au [téléphone] pour un stage')} »</li>`);
    expect(res.text).toContain(`« ${html('Covoiturage entre lycéens, écrivez-moi au [téléphone]')} »`);
  });

  it('applies the analysts’ manual masks to the examples (src/privacy/answerScreening.ts)', async () => {
    const ids = t.db.prepare(`SELECT response_id AS id FROM answers WHERE question_id = 'mots_industrie' AND value_text LIKE '%appelle-moi%'`).all() as { id: string }[];
    expect(ids).toHaveLength(6);
    const mask = t.db.prepare(`INSERT INTO manual_masks (response_id, source, passage, kind) VALUES (?, 'mots_industrie', 'stage', 'masque')`);
    for (const { id } of ids) mask.run(id);
    try {
      const res = await agent.get('/resultats/synthese');
      expect(res.text).toContain(`<li>« ${html('Usine et emploi, appelle-moi au [téléphone] pour un [masqué]')} »</li>`);
      expect(res.text).not.toContain('pour un stage');
    } finally {
      t.db.prepare(`DELETE FROM manual_masks`).run();
    }
  });

  it('prints weighted results with weighted=1 when a weighting is in force, and says why not otherwise', async () => {
    const refused = await agent.get('/resultats/synthese?weighted=1');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(`<li>${html(fr.weighted.unavailable)}</li>`);
    expect(refused.text).not.toContain(html(fr.weighted.chip));
    // A weighting: girls count 1.5, everyone else 0.5 (the weights module fills this table).
    t.db.exec(`INSERT INTO response_weights (response_id, weight)
      SELECT r.id, CASE WHEN EXISTS (SELECT 1 FROM answers a WHERE a.response_id = r.id AND a.question_id = 'genre' AND a.option_code = 'feminin') THEN 1.5 ELSE 0.5 END
      FROM responses r WHERE r.status = 'complete'`);
    try {
      const res = await agent.get('/resultats/synthese?weighted=1');
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<span class="syn-filter">${html(fr.weighted.chip)}</span>`);
      expect(res.text).toContain('(résultats pondérés) · Extraction');
      expect(res.text).toMatch(/<span class="syn-fig-base">Base : [\d\u202f\u00a0 ]+ répondants, n effectif [\d,\u202f\u00a0 ]+ \(pondéré\)<\/span>/);
      expect(res.text).toContain(html(s.methodCrosstabsUnweighted));
      // The weighted share of girls is larger than their raw share (they weigh 3 times more).
      const share = (text: string) => Number(/Féminin<\/text>.*?class="val">([\d,]+)/s.exec(text.slice(text.indexOf('Quel est ton genre ?')))![1].replace(',', '.'));
      const raw = await agent.get('/resultats/synthese');
      expect(share(res.text)).toBeGreaterThan(share(raw.text) + 10);
    } finally {
      t.db.exec('DELETE FROM response_weights');
    }
  });

  it('hides every figure when the selection is under K, and says why', async () => {
    const res = await agent.get('/resultats/synthese?from=2030-01-01');
    expect(res.status).toBe(200);
    expect(res.text).toContain(html(s.withheld(5)));
    expect(res.text).not.toContain(`<h4 class="syn-fig-title">${html(choosableQuestions(q)[0].label)}</h4>`);
    expect(res.text).not.toMatch(/<figure class="syn-figure" data-figure="\d+">\s*<p class="syn-fig-kicker">Graphique \d+<\/p>\s*<h4 class="syn-fig-title">Quels mots/);
  });

  it('shows a bad filter next to the document in French, the rest of the filters applied', async () => {
    const res = await agent.get('/resultats/synthese?from=31/02/2023&f.genre=feminin');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<div class="error-summary" role="alert">');
    expect(res.text).toContain(`<span class="syn-filter">${html('Quel est ton genre ? = Féminin')}</span>`);
  });

  it('is for analysts and admins: a facilitator gets 403, a visitor the login page', async () => {
    const anim = (await signIn(t.app, 'anim@exemple.fr')).agent;
    expect((await anim.get('/resultats/synthese')).status).toBe(403);
    expect((await anim.get('/resultats/synthese/choix')).status).toBe(403);
    const anon = await request(t.app).get('/resultats/synthese');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/login?retour=%2Fresultats%2Fsynthese');
  });
});

describe('defaults without saved choices', () => {
  it('shows every closed question, no crosstab, no theme section without coding', async () => {
    const db = freshDb();
    for (const p of FIVE) addResponse(db, p);
    const small = makeApp({ db, now: () => NOW });
    await addStaff(db, 'ana@exemple.fr', 'analyst');
    const a = (await signIn(small.app, 'ana@exemple.fr')).agent;
    const res = await a.get('/resultats/synthese');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<h1 class="syn-title">${html(s.defaultTitle)}</h1>`);
    for (const x of choosableQuestions(q)) expect(res.text).toContain(`<h4 class="syn-fig-title">${html(x.label)}</h4>`);
    expect(res.text).not.toContain(html(s.sections.crosstabs));
    expect(res.text).not.toContain(html(s.sections.themes));
    expect(res.text).not.toContain(html(s.sections.workshops));
    // Five people: a group of 1 to 4 is « moins de 5 » in every chart.
    expect(res.text).toContain('moins de 5');
  });
});

describe('choices of the synthesis', () => {
  it('refuses a post without the CSRF token', async () => {
    const res = await agent.post('/resultats/synthese/choix').type('form').send(formBody({ title: 'Sans jeton' }));
    expect(res.status).toBe(403);
  });

  it('shows every error at once in French, next to its field, with everything typed kept', async () => {
    const page = await agent.get('/resultats/synthese/choix');
    expect(page.status).toBe(200);
    const res = await agent
      .post('/resultats/synthese/choix')
      .type('form')
      .send(
        formBody({
          _csrf: csrfFrom(page.text),
          title: '   ',
          introduction: 'Mon introduction <gardée>',
          question: ['envisager_industrie', 'pas_une_question'],
          row1: 'genre',
          col1: '',
          row2: 'genre',
          col2: 'genre',
          source: 'mots_industrie',
        }),
      );
    expect(res.status).toBe(422);
    const e = s.choices.errors;
    expect(res.text).toContain(`<p class="field-error" id="choix-title-erreur">${html(e.titleMissing)}</p>`);
    expect(res.text).toContain(`<p class="field-error" id="choix-col1-erreur">${html(e.missingCol)}</p>`);
    expect(res.text).toContain(`<p class="field-error" id="choix-col2-erreur">${html(e.same)}</p>`);
    expect(res.text).toContain(`<p class="field-error">${html(e.unknownQuestion('pas_une_question'))}</p>`);
    expect(res.text).toContain('>Mon introduction &lt;gardée&gt;</textarea>');
    expect(res.text).toContain('<input type="checkbox" name="question" value="envisager_industrie" checked>');
    expect(res.text).not.toContain('<input type="checkbox" name="question" value="convaincre_industrie" checked>');
    expect(res.text).toMatch(/<select id="choix-row1" name="row1"[^>]*>.*<option value="genre" selected>/s);
    // Nothing saved: the synthesis still has the fixture's title.
    expect((await agent.get('/resultats/synthese')).text).toContain('synthèse pour les élus');
  });

  it('saves the choices: the synthesis then shows the chosen questions and crosstab only', async () => {
    const page = await agent.get('/resultats/synthese/choix');
    const saved = await agent
      .post('/resultats/synthese/choix')
      .type('form')
      .send(formBody({ _csrf: csrfFrom(page.text), title: 'Synthèse du 1er décembre', introduction: '', question: ['envisager_industrie'], row3: 'genre', col3: 'proche_industrie' }));
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/resultats/synthese/choix?enregistre=1');
    expect((await agent.get(saved.headers.location)).text).toContain(s.choices.saved);
    const res = await agent.get('/resultats/synthese');
    expect(res.text).toContain('<h1 class="syn-title">Synthèse du 1er décembre</h1>');
    const label = (id: string) => choosableQuestions(q).find((x) => x.id === id)!.label;
    expect(res.text).toContain(`<h4 class="syn-fig-title">${html(label('envisager_industrie'))}</h4>`);
    expect(res.text).not.toContain(`<h4 class="syn-fig-title">${html(label('rester_vivre'))}</h4>`);
    // The one crosstab (proche_industrie by genre); no free-text source chosen: no theme section.
    expect(res.text).toContain(`<h4 class="syn-fig-title">${html(crossVariables(q).find((v) => v.id === 'proche_industrie')!.label)}</h4>\n  <p class="syn-fig-sub">`);
    expect(res.text).not.toContain(html(s.sections.themes));
    const audit = t.db.prepare(`SELECT actor, details FROM audit_log WHERE action = 'settings.synthesis'`).all();
    expect(audit).toEqual([{ actor: 'ana@exemple.fr', details: JSON.stringify({ questions: 1, croisements: 1 }) }]);
  });
});
