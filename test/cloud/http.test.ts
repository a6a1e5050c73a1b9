import Papa from 'papaparse';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom, makeApp, type TestApp } from '../helpers.js';
import { addStaff, signIn, tokenOf } from '../staff/helpers.js';
import { seedCloud, type CloudFixture } from './fixture.js';

// The survey's word cloud and the personal-data pages over HTTP: who may see them, the counts
// under filters and comparison, the exclusion list, the table and the CSV, the manual masks
// applied wherever free text is shown screened.

let t: TestApp;
let fx: CloudFixture;
type Agent = Awaited<ReturnType<typeof signIn>>['agent'];
let analyst: Agent;
let facilitator: Agent;
const NOW = new Date('2026-12-01T12:00:00Z');

beforeAll(async () => {
  t = makeApp({ now: () => NOW });
  fx = seedCloud(t.db);
  await addStaff(t.db, 'analyste@example.org', 'analyst');
  await addStaff(t.db, 'anim@example.org', 'facilitator');
  analyst = (await signIn(t.app, 'analyste@example.org')).agent;
  facilitator = (await signIn(t.app, 'anim@example.org')).agent;
});

beforeEach(() => {
  t.db.exec('DELETE FROM cloud_exclusions; DELETE FROM manual_masks;');
});

/** Text as a reader sees it: Handlebars escapes = and ' in what it writes. */
const decode = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
/** The table of top entries: [entry, respondents, share, …group shares, spellings]. */
function tableRows(html: string): string[][] {
  const body = /<table class="data cloud-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1].replace(/<form[\s\S]*<\/form>/, '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim())).filter((c, i, all) => i < all.length - 1 || c !== ''),
  );
}
/** Each cloud: its heading, its base and its words as listed without JavaScript. */
function clouds(html: string) {
  return [...html.matchAll(/<section class="cloud-panel"[\s\S]*?<h2[^>]*>([^<]*)<\/h2>\s*<p class="cloud-base">([^<]*)<\/p>([\s\S]*?)<\/section>/g)].map((m) => ({
    label: decode(m[1]),
    base: m[2],
    words: [...m[3].matchAll(/<li class="cloud-word s(\d)">([^<]*) <span class="cloud-share">([^<]*)<\/span><\/li>/g)].map((w) => `${decode(w[2])} ${w[3]} s${w[1]}`),
  }));
}
const cloudPage = (query = '') => analyst.get(`/analyse/nuage/mots_industrie${query}`);

describe('who may see the word cloud and the personal data', () => {
  const pages = () => [
    '/analyse/nuage/mots_industrie',
    '/analyse/nuage/mots_industrie/mots.csv',
    '/analyse/donnees-personnelles',
    `/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}`,
  ];

  it('refuses facilitators (403) every page and every action, and changes nothing', async () => {
    for (const path of pages()) {
      const res = await facilitator.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text, path).not.toContain('Bertrand');
    }
    const csrf = await tokenOf(facilitator, '/equipe');
    const posts: [string, Record<string, string>][] = [
      ['/analyse/nuage/mots_industrie/exclusions', { words: 'usine' }],
      [`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}/masquer`, { passage: 'Bertrand', kind: 'nom' }],
      [`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}/annuler`, { mask: '1' }],
    ];
    for (const [path, body] of posts) {
      const res = await facilitator.post(path).type('form').send({ _csrf: csrf, ...body });
      expect(res.status, path).toBe(403);
      expect(res.text).toContain('Votre rôle ne permet pas d’accéder à cette page.');
    }
    expect(t.db.prepare('SELECT count(*) AS n FROM cloud_exclusions').get()).toEqual({ n: 0 });
    expect(t.db.prepare('SELECT count(*) AS n FROM manual_masks').get()).toEqual({ n: 0 });
  });

  it('sends anonymous visitors to the login page', async () => {
    const res = await (await import('supertest')).default(t.app).get('/analyse/nuage/mots_industrie');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?retour=${encodeURIComponent('/analyse/nuage/mots_industrie')}`);
  });

  it('links the analysis page and the free-text browser to the cloud and the masking pages', async () => {
    const index = decode((await analyst.get('/analyse?f.genre=feminin')).text);
    expect(index).toContain('href="/analyse/nuage/mots_industrie?f.genre=feminin"');
    expect(index).toContain('href="/analyse/donnees-personnelles"');
    const texts = decode((await analyst.get('/analyse/textes/mots_industrie?f.genre=masculin')).text);
    expect(texts).toContain('href="/analyse/nuage/mots_industrie?f.genre=masculin"');
    expect(texts).toContain(`href="/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}"`);
  });

  it('answers 404 for a source that is no free text', async () => {
    expect((await analyst.get('/analyse/nuage/genre')).status).toBe(404);
  });
});

describe('the word cloud of a source', () => {
  it('groups plurals, elisions, accents and case; counts each respondent once; shares of the base', async () => {
    const res = await cloudPage();
    expect(res.status).toBe(200);
    const [cloud] = clouds(res.text);
    expect(cloud.label).toBe('Tous les répondants');
    expect(cloud.base).toBe('Base : 12 répondants ayant écrit quelque chose');
    expect(tableRows(res.text)).toEqual([
      ['usine', '5', '41,7 %', 'usine (3), usines (3), USINE (1)'],
      ['écologie', '2', '16,7 %', 'écologie (1), Écologie (1), ecologie (1)'],
      ['pollution', '2', '16,7 %', 'pollution (1), Pollution (1)'],
      ['aime', '1', '8,3 %', 'aime (1)'],
      ['Bertrand', '1', '8,3 %', 'Bertrand (1)'],
      ['chaîne', '1', '8,3 %', 'chaîne (1)'],
      ["Pas d'avenir", '1', '8,3 %', "Pas d'avenir (1)"],
      ['polluent', '1', '8,3 %', 'polluent (1)'],
      ['sais pas', '1', '8,3 %', 'sais pas (1)'],
      ['snap', '1', '8,3 %', 'snap (1)'],
      ['travail', '1', '8,3 %', 'travail (1)'],
      ['travaille', '1', '8,3 %', 'travaille (1)'],
      ['voisin', '1', '8,3 %', 'voisin (1)'],
    ]);
    // Sizes by share: the largest word the largest class.
    expect(cloud.words[0]).toBe('usine 41,7 % (5) s5');
    expect(cloud.words).toContain('écologie 16,7 % (2) s3');
  });

  it('never shows personal data: names, phone numbers and pseudos are screened before counting', async () => {
    const res = await cloudPage();
    const words = clouds(res.text).flatMap((c) => c.words.join(' ')).join(' ') + tableRows(res.text).flat().join(' ');
    for (const pii of ['Lucas', 'Martin', 'lucas', 'martin', '06', '12 34', 'kevin', 'kevin62']) expect(words, pii).not.toContain(pii);
    const csv = (await analyst.get('/analyse/nuage/mots_industrie/mots.csv')).text;
    for (const pii of ['Lucas', 'Martin', 'kevin', '06 12']) expect(csv, pii).not.toContain(pii);
  });

  it.each([
    // [query, base, usine count, share]
    ['?f.genre=feminin', 6, '3', '50,0 %'],
    ['?f.genre=masculin', 6, '2', '33,3 %'],
    ['?f.genre=autre', 0, undefined, undefined],
  ])('under the filter %s', async (query, base, usine, share) => {
    const res = await cloudPage(query);
    expect(res.status).toBe(200);
    expect(clouds(res.text)[0].base).toBe(`Base : ${base} répondant${base > 1 ? 's' : ''} ayant écrit quelque chose`);
    const row = tableRows(res.text).find((r) => r[0] === 'usine');
    expect(row?.[1]).toBe(usine);
    expect(row?.[2]).toBe(share);
  });

  it('keeps what it can of a bad filter and says what it ignored, in French', async () => {
    const res = await cloudPage('?f.genre=feminin&from=31/02/2022');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Certains filtres de l’adresse sont illisibles et ont été ignorés');
    expect(clouds(res.text)[0].base).toBe('Base : 6 répondants ayant écrit quelque chose');
  });

  it('compares girls and boys side by side: one cloud each with its base, shares of each base', async () => {
    const res = await cloudPage('?compare=genre');
    expect(res.status).toBe(200);
    const cs = clouds(res.text);
    expect(cs.map((c) => [c.label, c.base])).toEqual([
      ['Masculin', 'Base : 6 répondants ayant écrit quelque chose'],
      ['Féminin', 'Base : 6 répondants ayant écrit quelque chose'],
    ]);
    expect(cs[0].words.slice(0, 3)).toEqual(['usine 33,3 % (2) s4', 'aime 16,7 % (1) s2', 'Bertrand 16,7 % (1) s2']);
    expect(cs[1].words.slice(0, 2)).toEqual(['usine 50,0 % (3) s5', 'écologie 16,7 % (1) s2']);
    // The table: overall then one column per group.
    const usine = tableRows(res.text)[0];
    expect(usine).toEqual(['usine', '5', '41,7 %', '33,3 % (2)', '50,0 % (3)', 'usine (3), usines (3), USINE (1)']);
    // The variable is kept in the form.
    expect(res.text).toMatch(/<option value="genre" selected>/);
  });

  it('compares under a filter (the filter applies to every cloud)', async () => {
    const res = await cloudPage('?f.genre=feminin&compare=genre');
    expect(clouds(res.text).map((c) => [c.label, c.base])).toEqual([['Féminin', 'Base : 6 répondants ayant écrit quelque chose']]);
  });

  it('says so when the comparison variable does not exist, and shows one cloud', async () => {
    const res = await cloudPage('?compare=mots_industrie');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Cette variable de comparaison n’existe pas : un seul nuage est affiché.');
    expect(clouds(res.text)).toHaveLength(1);
  });

  it('gives every entry as CSV, with the group columns when compared', async () => {
    const res = await analyst.get('/analyse/nuage/mots_industrie/mots.csv?compare=genre');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="mon-avenir-en-artois-nuage-mots_industrie-2026-12-01.csv"');
    const rows = Papa.parse<string[]>(res.text.trim()).data;
    expect(rows[0]).toEqual([
      'mot', 'cle', 'repondants', 'base', 'part_pct',
      'repondants_masculin', 'base_masculin', 'part_pct_masculin',
      'repondants_feminin', 'base_feminin', 'part_pct_feminin',
      'orthographes',
    ]);
    expect(rows[1]).toEqual(['usine', 'usine', '5', '12', '41.7', '2', '6', '33.3', '3', '6', '50.0', 'usine (3) | usines (3) | USINE (1)']);
    expect(rows).toHaveLength(14);
    const excel = await analyst.get('/analyse/nuage/mots_industrie/mots.csv?excel=1');
    expect(excel.text.startsWith('\ufeffmot;cle;repondants;base;part_pct;orthographes\r\nusine;usine;5;12;41,7;')).toBe(true);
    const journal = t.db.prepare(`SELECT details FROM audit_log WHERE action = 'export.download' ORDER BY id DESC LIMIT 1`).get() as { details: string };
    expect(JSON.parse(journal.details)).toMatchObject({ export: 'nuage-mots_industrie', filtres: '(aucun)' });
  });
});

describe('the exclusion list', () => {
  const post = async (body: Record<string, string>, query = '') => {
    const page = await cloudPage(query);
    return analyst.post(`/analyse/nuage/mots_industrie/exclusions${query}`).type('form').send({ _csrf: csrfFrom(page.text), ...body });
  };

  it('refuses a post without its CSRF token, and stores nothing', async () => {
    const res = await analyst.post('/analyse/nuage/mots_industrie/exclusions').type('form').send({ words: 'usine' });
    expect(res.status).toBe(403);
    expect(t.db.prepare('SELECT count(*) AS n FROM cloud_exclusions').get()).toEqual({ n: 0 });
  });

  it('excludes every spelling of a word, in the cloud, the table and the CSV; then restores it', async () => {
    const res = await post({ words: 'Usines, voisin' }, '?f.genre=masculin');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/analyse/nuage/mots_industrie?f.genre=masculin&exclu=1&mot=Usines&mot=voisin');
    const page = await analyst.get(res.headers.location);
    expect(decode(page.text)).toContain('Exclus du nuage : « Usines », « voisin ».');
    const all = await cloudPage();
    expect(tableRows(all.text).map((r) => r[0])).not.toContain('usine');
    expect(clouds(all.text)[0].words.join(' ')).not.toMatch(/usine|voisin/);
    // The base does not change: excluded words are hidden, respondents still count.
    expect(clouds(all.text)[0].base).toBe('Base : 12 répondants ayant écrit quelque chose');
    expect((await analyst.get('/analyse/nuage/mots_industrie/mots.csv')).text).not.toMatch(/usine|voisin/);
    expect(decode(all.text)).toMatch(/<span class="tag">Usines<\/span>[\s\S]*?name="remove" value="usine"/);
    const back = await post({ remove: 'usine' });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/analyse/nuage/mots_industrie?remis=1');
    expect(tableRows((await cloudPage()).text)[0][0]).toBe('usine');
    expect(t.db.prepare(`SELECT action, details FROM audit_log WHERE action = 'cloud.exclusions' ORDER BY id`).all()).toEqual([
      { action: 'cloud.exclusions', details: JSON.stringify({ source: 'mots_industrie', ajout: 2 }) },
      { action: 'cloud.exclusions', details: JSON.stringify({ source: 'mots_industrie', retire: 1 }) },
    ]);
  });

  it.each([
    // [typed, French message]
    ['', 'Écrivez au moins un mot à exclure.'],
    ['  ,  ', 'Écrivez au moins un mot à exclure.'],
    ['le, usine', '« le » n’est jamais un mot du nuage (mot vide, nombre ou signe seul) : rien à exclure.'],
    ['x'.repeat(61), 'Un mot à exclure fait au plus 60 caractères.'],
  ])('refuses %j with a French message next to the field, the typed text kept', async (typed, message) => {
    const res = await post({ words: typed });
    expect(res.status).toBe(400);
    const html = decode(res.text);
    expect(html).toContain(`<p class="field-error" id="words-error">${message}</p>`);
    expect(html).toContain(`name="words" value="${typed}"`);
    expect(t.db.prepare('SELECT count(*) AS n FROM cloud_exclusions').get()).toEqual({ n: 0 });
  });

  it('says a word is already excluded, and restoring a word that is not excluded is a 400', async () => {
    expect((await post({ words: 'usine' })).status).toBe(303);
    const again = await post({ words: "l'usine" });
    expect(again.status).toBe(400);
    expect(decode(again.text)).toContain("Déjà exclu : l'usine.");
    const none = await post({ remove: 'pollution' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Ce mot n’était pas exclu.');
  });
});

describe('manual masks', () => {
  const answerPage = () => analyst.get(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}`);
  const mask = async (body: Record<string, string>) => {
    const page = await answerPage();
    return analyst.post(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}/masquer`).type('form').send({ _csrf: csrfFrom(page.text), ...body });
  };
  const screenedCsv = async () => {
    const rows = Papa.parse<Record<string, string>>((await analyst.get('/export/responses.csv?screened=1')).text, { header: true }).data;
    return Object.fromEntries(rows.filter((r) => r.response_id).map((r) => [r.response_id, r.mots_industrie]));
  };

  it('masks a passage the screening missed: in responses.csv?screened=1 and the cloud, never in the answer', async () => {
    expect((await screenedCsv())[fx.bertrand]).toBe("mon voisin Bertrand travaille à l'usine");
    const res = await mask({ passage: 'Bertrand', kind: 'nom' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}?masque=1`);
    const csv = await screenedCsv();
    expect(csv[fx.bertrand]).toBe("mon voisin [nom] travaille à l'usine");
    // The automatic masks are there too.
    expect(csv[fx.girls[5]]).toBe('[nom], [téléphone]');
    expect(csv[fx.boys[4]]).toBe("mon snap c'est [pseudo] et j'aime les usines");
    // Unscreened: as typed; the answers table is untouched.
    const plain = Papa.parse<Record<string, string>>((await analyst.get('/export/responses.csv')).text, { header: true }).data;
    expect(plain.find((r) => r.response_id === fx.bertrand)?.mots_industrie).toBe("mon voisin Bertrand travaille à l'usine");
    expect(tableRows((await cloudPage()).text).map((r) => r[0])).not.toContain('Bertrand');
    // The journal says which answer, never the passage.
    const journal = t.db.prepare(`SELECT details FROM audit_log WHERE action = 'privacy.mask'`).all() as { details: string }[];
    expect(journal.map((j) => JSON.parse(j.details))).toEqual([{ source: 'mots_industrie', reponse: fx.bertrand, type: 'nom' }]);
    expect(JSON.stringify(t.db.prepare('SELECT * FROM audit_log').all())).not.toContain('Bertrand');
  });

  it('masks with « [masqué] » and undoes a mask: the passage shows again', async () => {
    expect((await mask({ passage: 'voisin', kind: 'masque' })).status).toBe(303);
    expect((await screenedCsv())[fx.bertrand]).toBe("mon [masqué] Bertrand travaille à l'usine");
    const page = await answerPage();
    const id = /name="mask" value="(\d+)"/.exec(page.text)![1];
    expect(decode(page.text)).toContain('<mark class="pii manual" title="masqué">voisin</mark>');
    const undo = await analyst.post(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}/annuler`).type('form').send({ _csrf: csrfFrom(page.text), mask: id });
    expect(undo.status).toBe(303);
    expect(undo.headers.location).toBe(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}?annule=1`);
    expect((await screenedCsv())[fx.bertrand]).toBe("mon voisin Bertrand travaille à l'usine");
    expect(tableRows((await cloudPage()).text).map((r) => r[0])).toContain('voisin');
    const again = await analyst.post(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}/annuler`).type('form').send({ _csrf: csrfFrom(page.text), mask: id });
    expect(again.status).toBe(400);
    expect(again.text).toContain('Ce masque n’existe pas (ou a déjà été annulé).');
  });

  it.each([
    // [passage, kind, French message]
    ['', 'nom', 'Indiquez le passage à masquer.'],
    ['bertrand', 'nom', 'Ce passage n’est pas dans la réponse : recopiez-le exactement (majuscules, accents et apostrophes compris), ou sélectionnez-le dans la réponse.'],
    ['Bertrand', 'adresse', 'Choisissez ce que devient le passage : « [nom] » ou « [masqué] ».'],
    ['B'.repeat(201), 'nom', 'Un passage masqué fait au plus 200 caractères.'],
  ])('refuses %j (%s) with a French message, the typed passage kept', async (passage, kind, message) => {
    const res = await mask({ passage, kind });
    expect(res.status).toBe(400);
    const html = decode(res.text);
    expect(html).toContain(`<p class="field-error" id="passage-error">${message}</p>`);
    expect(html).toContain(`name="passage" value="${passage}"`);
    expect(t.db.prepare('SELECT count(*) AS n FROM manual_masks').get()).toEqual({ n: 0 });
  });

  it('refuses a mask without its CSRF token', async () => {
    const res = await analyst.post(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}/masquer`).type('form').send({ passage: 'Bertrand', kind: 'nom' });
    expect(res.status).toBe(403);
    expect(t.db.prepare('SELECT count(*) AS n FROM manual_masks').get()).toEqual({ n: 0 });
  });

  it('answers 404 for an answer that does not exist', async () => {
    expect((await analyst.get(`/analyse/donnees-personnelles/mots_industrie/${fx.silent}`)).status).toBe(404);
    expect((await analyst.get('/analyse/donnees-personnelles/mots_industrie/pas-un-id')).status).toBe(404);
  });
});

describe('the list of masked personal data', () => {
  it('counts per source and kind, highlights each masked passage, and adds the manual masks', async () => {
    const page = await analyst.get(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}`);
    await analyst.post(`/analyse/donnees-personnelles/mots_industrie/${fx.bertrand}/masquer`).type('form').send({ _csrf: csrfFrom(page.text), passage: 'Bertrand', kind: 'nom' });
    const res = await analyst.get('/analyse/donnees-personnelles');
    expect(res.status).toBe(200);
    const html = decode(res.text);
    const row = /<tbody>\s*<tr>([\s\S]*?)<\/tr>/.exec(html)![1];
    // téléphone, e-mail, pseudo, lien, adresse, nom, masqué, total, à la main
    expect([...row.matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]))).toEqual([1, 0, 1, 0, 0, 2, 0, 4, 1]);
    expect(html).toContain('3 réponses avec des passages masqués');
    expect(html).toContain('<mark class="pii" title="nom">Lucas Martin</mark>, <mark class="pii" title="téléphone">06 12 34 56 78</mark>');
    expect(html).toContain('<mark class="pii manual" title="nom">Bertrand</mark>');
    expect(html).toContain("Tel qu’il sort de l’équipe : mon voisin [nom] travaille à l'usine");
    const phones = decode((await analyst.get('/analyse/donnees-personnelles?kind=telephone')).text);
    expect(phones).toContain('1 réponse avec des passages masqués');
  });
});
