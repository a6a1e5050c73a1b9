import zlib from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultChannels } from '../../src/campaign/campaign.js';
import { sectionFieldNames } from '../../src/questionnaire/engine.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import type { Question } from '../../src/questionnaire/schema.js';
import { territory } from '../../src/territory/communes.js';
import { countRows, makeApp, Respondent, validAnswers } from '../helpers.js';
import { findInvalidData } from '../support/db-invariants.js';
import { findPersonalTraces } from '../support/privacy.js';

// Thousands of random and hostile bodies against every public form, from a seeded generator so
// that a failure can be replayed (FUZZ_SEED=… FUZZ_POSTS=… npx vitest run test/fuzz). Most posts
// carry a valid CSRF token, otherwise nothing would get past the 403. Bodies start from plausible
// answers (so many are accepted, reach later sections and complete) and are then damaged.

const SEED = Number(process.env.FUZZ_SEED ?? 20221125);
const POSTS = Number(process.env.FUZZ_POSTS ?? 3000);
const AGENTS = 16;
const WITNESSES = 5;

const q = loadQuestionnaire();
const sectionFields = q.sections.map((s) => [...sectionFieldNames(s)]);
const allCodes = q.sections.flatMap((s) =>
  s.questions.flatMap((x) => (x.type === 'grid' ? x.scale : 'options' in x ? x.options : []).map((o) => o.code)),
);

/** mulberry32: tiny, fast, good enough to vary inputs, and reproducible from one number. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(list: readonly T[]): T => list[int(list.length)],
  };
}
type Rng = ReturnType<typeof prng>;

// ---------------------------------------------------------------------------------------------
// Values

const NASTY_TEXTS = [
  '\u202Eevil\u202C',
  'zero\u200Bwidth\u200D',
  'e\u0301te\u0301', // NFD
  '👩🏽‍🔧'.repeat(60),
  'null\u0000byte',
  'ligne\r\n\r\n\r\nligne',
  '<script>alert(1)</script>',
  '{{constructor.constructor}}',
  "'; DROP TABLE answers; --",
  '\uFEFFbom',
  '   ',
  'Ünïcödé « guillemets » ’',
  '%00%FF',
  '\t\v\f',
];
const COMMUNES = ['Béthune', 'bethune', 'Lens', 'LIEVIN', 'St Venant', 'Arras', 'Beaumont', 'Bethnue', 'zzzzzz', '62119', 'Paris 5e', ''];
const BAD_ESCAPES = ['%FF', '%E2%82', '%', '%zz', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%00', '%0D%0A', '%u0041', '%%', '%2'];
const HOSTILE_KEYS = [
  '__proto__',
  '__proto__[admin]',
  'constructor[prototype][admin]',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__proto__[toString]',
  'a[b][c]',
  '[]',
  '',
  'age[]',
  'genre[0]',
  'genre[x]',
  'commune[__proto__]',
];
const CHARSETS = ['latin1', 'iso-8859-1', 'utf-16', 'utf-8', 'klingon', 'UTF-8'];

function randomText(rng: Rng, max: number): string {
  const r = rng.int(10);
  if (r === 0) return rng.pick(NASTY_TEXTS);
  if (r === 1) return 'é'.repeat(max); // exactly at the limit, in characters
  if (r === 2) return 'x'.repeat(max + 1);
  if (r === 3) return '𝔘'.repeat(max); // astral characters: 2 UTF-16 units each
  if (r === 4) return '';
  return `texte ${rng.int(1e6)} ${rng.pick(['usine', 'Lens', 'avenir', 'bus'])}`;
}

/** A plausible answer to one question (valid most of the time), as form fields. */
function answerFor(rng: Rng, x: Question): [string, string][] {
  const out: [string, string][] = [];
  switch (x.type) {
    case 'single':
    case 'multiple': {
      const n = x.type === 'single' ? 1 : 1 + rng.int(4);
      for (let i = 0; i < n; i++) {
        const o = rng.pick(x.options);
        out.push([x.id, o.code]);
        if (o.other && rng.chance(0.8)) out.push([`${x.id}__${o.code}__precision`, randomText(rng, 200)]);
      }
      break;
    }
    case 'grid':
      for (const it of x.items) if (rng.chance(0.6)) out.push([`${x.id}__${it.id}`, rng.pick(x.scale).code]);
      break;
    case 'ranking':
      for (let r = 1; r <= x.picks; r++) if (rng.chance(0.7)) out.push([`${x.id}__rang${r}`, rng.pick(x.options).code]);
      break;
    case 'text':
    case 'longtext':
      out.push([x.id, randomText(rng, x.maxLength)]);
      break;
    case 'integer':
      out.push([x.id, rng.pick([String(x.min + rng.int(x.max - x.min + 1)), '17 ans', '-1', '1e3', '0x11', '17,5', '', String(x.max + 1), '999999999999'])]);
      break;
    case 'commune':
      out.push([x.id, rng.pick(COMMUNES)]);
      if (rng.chance(0.2)) out.push([`${x.id}__choix`, rng.pick(['62119', '62498', '99999', '2A004', '<x>'])]);
      if (rng.chance(0.1)) out.push([`${x.id}__retenue`, rng.pick(['62119', '62510', 'abc'])]);
      break;
  }
  return out;
}

/** The fields of a section: the witness answers, or random answers to each question. */
function sectionFieldsFor(rng: Rng, step: number): [string, string][] {
  if (rng.chance(0.5)) {
    return Object.entries(validAnswers[step]).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]));
  }
  return q.sections[step - 1].questions.flatMap((x) => (rng.chance(0.75) ? answerFor(rng, x) : []));
}

// ---------------------------------------------------------------------------------------------
// Bodies

const enc = encodeURIComponent;
/** encodeURIComponent throws on lone surrogates: those are sent as raw escapes instead. */
const safeEnc = (s: string) => {
  try {
    return enc(s);
  } catch {
    return '%ED%A0%80';
  }
};

type Post = { path: string; contentType?: string; encoding?: string; body: string | Buffer; note: string };

function hostileBody(rng: Rng, fields: [string, string][], token: string | undefined, stamp: string | undefined, step: number): Post {
  const notes: string[] = [];
  let parts = fields.map(([k, v]) => `${safeEnc(k)}=${safeEnc(v)}`);
  const owned = sectionFields[step - 1];
  const mutations = rng.chance(0.4) ? 0 : 1 + rng.int(4);
  for (let m = 0; m < mutations; m++) {
    const kind = rng.int(13);
    notes.push(`m${kind}`);
    const field = rng.pick(owned);
    switch (kind) {
      case 0: // unknown field
        parts.push(`${enc(`inconnu_${rng.int(1000)}`)}=1`);
        break;
      case 1: // repeated field
        if (parts.length) parts.push(rng.pick(parts));
        parts.push(`${enc(field)}=${enc(rng.pick(allCodes))}`);
        break;
      case 2: // huge value
        parts.push(`${enc(field)}=${'x'.repeat(rng.pick([300, 2000, 20_000, 60_000, 70_000]))}`);
        break;
      case 3: // invalid percent escapes
        parts.push(`${enc(field)}=a${rng.pick(BAD_ESCAPES)}b`);
        if (rng.chance(0.3)) parts.push(`${rng.pick(BAD_ESCAPES)}=${rng.pick(BAD_ESCAPES)}`);
        break;
      case 4: // nesting, prototype keys, odd separators
        parts.push(`${enc(rng.pick(HOSTILE_KEYS)).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${enc(rng.pick(allCodes))}`);
        if (rng.chance(0.3)) parts.push(rng.pick(['&&&', '=', '==', 'a=b=c', `${field}[b][c]=`, `${field}[]=x`, `${field}[]=`]));
        break;
      case 5: // nasty text in a field
        parts.push(`${enc(field)}=${safeEnc(rng.pick(NASTY_TEXTS))}`);
        break;
      case 6: // a field removed
        parts.splice(rng.int(Math.max(1, parts.length)), 1);
        break;
      case 7: // an option of another question
        parts.push(`${enc(field)}=${enc(rng.pick(allCodes))}`);
        break;
      case 8: // odd actions
        parts.push(`action=${enc(rng.pick(['previous', 'next', '', 'x'.repeat(100), 'Previous']))}`);
        if (rng.chance(0.3)) parts.push('action=previous', 'action=next');
        break;
      case 9: // honeypot filled, forged or missing display time
        parts.push(rng.pick(['website=http%3A%2F%2Fspam', '_t=1700000000000.AAAAAAAAAAAAAAAAAAAAAA', '_t=abc', '_t[]=1', 'website[]=x']));
        break;
      case 10: // too many parameters (the parser's limit is 500)
        parts.push(...Array.from({ length: 520 }, (_, i) => `p${i}=1`));
        break;
      case 11: // the whole body replaced by nothing or noise
        parts = rng.chance(0.5) ? [] : [Array.from({ length: rng.int(200) }, () => String.fromCharCode(33 + rng.int(90))).join('')];
        break;
      case 12: // the same field as a scalar and as an array
        parts.push(`${enc(field)}=a`, `${enc(field)}[]=b`);
        break;
    }
  }
  // CSRF: valid most of the time, otherwise missing, wrong, repeated, or an array.
  const csrfRoll = rng.next();
  if (token && csrfRoll < 0.85) parts.unshift(`_csrf=${token}`);
  else if (token && csrfRoll < 0.9) parts.unshift(`_csrf=${token}`, `_csrf=${token}`);
  else if (csrfRoll < 0.94) parts.unshift(`_csrf=${'A'.repeat(43)}`);
  else if (token && csrfRoll < 0.97) parts.unshift(`_csrf[]=${token}`);
  notes.push(`csrf${csrfRoll.toFixed(2)}`);
  if (stamp && rng.chance(0.7)) parts.push(`_t=${stamp}`);
  if (!parts.some((p) => p.startsWith('action=')) && rng.chance(0.8)) parts.push(rng.chance(0.85) ? 'action=next' : 'action=previous');

  const text = parts.join('&');
  // Transport: mostly a normal form, sometimes a wrong type, charset or encoding.
  const t = rng.int(100);
  const post: Post = { path: '', body: text, contentType: 'application/x-www-form-urlencoded', note: notes.join(',') };
  if (t < 4) Object.assign(post, { contentType: 'application/json', body: rng.chance(0.5) ? JSON.stringify(Object.fromEntries(fields)) : '{"age":' });
  else if (t < 7) Object.assign(post, { contentType: 'multipart/form-data; boundary=XyZ', body: `--XyZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--XyZ--\r\n` });
  else if (t < 10) post.contentType = 'text/plain';
  else if (t < 16) post.contentType = `application/x-www-form-urlencoded; charset=${rng.pick(CHARSETS)}`;
  else if (t < 18) Object.assign(post, { contentType: undefined, body: Buffer.from(text) });
  else if (t < 22) Object.assign(post, { encoding: 'gzip', body: zlib.gzipSync(text) });
  else if (t < 23) Object.assign(post, { encoding: rng.pick(['gzip', 'deflate', 'br', 'compress']), body: Buffer.from('pas compressé du tout') });
  else if (t < 26) post.body = Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0x80, 0x00, 0xc3])]);
  else if (t < 28) post.body = ''; // an empty body
  notes.push(`t${t}`);
  post.note = notes.join(',');
  return post;
}

// ---------------------------------------------------------------------------------------------

describe('fuzzing the public forms', () => {
  it('has data checks that do flag invalid rows and stored addresses (control)', async () => {
    // Guards against checks that pass vacuously: plant one problem of each kind and expect it found.
    const { app, db } = makeApp();
    const r = new Respondent(app);
    for (const step of [1, 2, 3, 4]) await r.post(step, validAnswers[step]);
    const clean = findInvalidData(db, q, territory());
    expect(clean).toEqual([]);
    const id = (db.prepare("SELECT id FROM responses WHERE status = 'complete'").get() as { id: string }).id;
    db.prepare("UPDATE answers SET value_num = 99 WHERE response_id = ? AND question_id = 'age'").run(id);
    db.prepare("INSERT INTO answers (response_id, question_id, option_code) VALUES (?, 'is_admin', '1')").run(id);
    for (const extra of ['nature', 'qualite_vie']) {
      db.prepare("INSERT INTO answers (response_id, question_id, option_code) VALUES (?, 'points_forts', ?)").run(id, extra);
    }
    db.prepare("DELETE FROM answers WHERE response_id = ? AND question_id = 'genre'").run(id);
    await new Respondent(app).post(1, { age: '7' });
    db.prepare("UPDATE draft_sections SET data = '{\"is_admin\":\"1\"}'").run();
    const problems = findInvalidData(db, q, territory()).join('\n');
    expect(problems).toContain('age: 99 hors de [11, 35]');
    expect(problems).toContain('question inconnue "is_admin"');
    expect(problems).toContain('points_forts: 4 cases pour 3 au plus');
    expect(problems).toContain('genre: question obligatoire sans réponse');
    expect(problems).toContain('champ étranger "is_admin"');
    db.prepare("UPDATE answers SET value_text = 'Mozilla/5.0 FuzzPhone via 127.0.0.1' WHERE question_id = 'metier'").run();
    expect(findPersonalTraces({ db, needles: ['FuzzPhone'] })).toHaveLength(3);
  });

  it(`survives ${POSTS} random and hostile posts with no 5xx and no invalid data (seed ${SEED})`, async () => {
    // Every fuzzing client comes from the same address here: the per-address completion limit
    // (tested elsewhere) would otherwise stop the witnesses below.
    const { app, db, logs } = makeApp({ config: { submitRateLimit: 0 } });
    const rng = prng(SEED);
    const started = Date.now();

    type Agent = { http: ReturnType<typeof request.agent>; token?: string; stamp?: string; step: number; ua: string; ip: string };
    const agents: Agent[] = Array.from({ length: AGENTS }, (_, i) => {
      const ua = `Mozilla/5.0 (Linux; Android ${9 + (i % 5)}) FuzzPhone/${i}`;
      const ip = `203.0.113.${10 + i}`;
      return { http: request.agent(app).set('User-Agent', ua).set('X-Forwarded-For', ip), step: 1, ua, ip };
    });

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const check = (status: number, what: string) => {
      count(status);
      if (status >= 500 && failures.length < 20) failures.push(`${status} ${what}`);
    };

    /** GET a section page: renders whatever the draft holds, and refreshes the token. */
    const look = async (a: Agent, step: number) => {
      const res = await a.http.get(`/questionnaire/${step}`).redirects(2);
      check(res.status, `GET /questionnaire/${step}`);
      const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
      if (token) a.token = token;
      a.stamp = /name="_t" value="([^"]+)"/.exec(res.text)?.[1];
    };

    // Witnesses: ordinary respondents answering between the hostile posts.
    const witnesses = Array.from({ length: WITNESSES }, (_, i) => ({ r: new Respondent(app), step: 1, metier: `Témoin ${i}`, done: false }));
    const advanceWitness = async (w: (typeof witnesses)[number]) => {
      const answers = w.step === 3 ? { ...validAnswers[3], metier: w.metier } : validAnswers[w.step];
      const res = await w.r.post(w.step, answers);
      expect(res.status, `témoin ${w.metier}, étape ${w.step} : ${res.text.slice(0, 300)}`).toBe(303);
      expect(res.headers.location).toBe(w.step === 4 ? '/merci' : `/questionnaire/${w.step + 1}`);
      if (w.step === 4) w.done = true;
      else w.step++;
    };
    const witnessEvery = Math.floor(POSTS / (WITNESSES * 4 + 2));

    for (let i = 0; i < POSTS; i++) {
      const a = rng.pick(agents);
      if (!a.token || rng.chance(0.2)) await look(a, 1 + rng.int(4));
      if (rng.chance(0.01)) {
        const res = await a.http.get(`/?canal=${enc(rng.pick(['lycee-carnot', 'plie', '<script>', 'x'.repeat(300), '']))}`);
        check(res.status, 'GET /?canal');
      }

      const roll = rng.int(100);
      let post: Post;
      if (roll < 88) {
        const step = roll < 60 ? a.step : 1 + rng.int(4);
        post = { ...hostileBody(rng, sectionFieldsFor(rng, step), a.token, a.stamp, step), path: `/questionnaire/${step}` };
      } else if (roll < 95) {
        post = { ...hostileBody(rng, [], a.token, undefined, 1), path: '/nouvelle-reponse' };
      } else {
        const path = rng.pick(['/questionnaire/0', '/questionnaire/5', '/questionnaire/01', '/questionnaire/99', '/questionnaire/1%00', '/questionnaire/%E2%82', '/questionnaire', '/merci']);
        post = { ...hostileBody(rng, sectionFieldsFor(rng, 1), a.token, a.stamp, 1), path };
      }

      let req = a.http.post(post.path).redirects(0);
      if (post.contentType) req = req.set('Content-Type', post.contentType);
      if (post.encoding) req = req.set('Content-Encoding', post.encoding);
      const res = await req.send(post.body);
      check(res.status, `POST ${post.path} #${i} [${post.note}] ${post.contentType ?? '(sans type)'} ${post.encoding ?? ''} ${String(post.body).slice(0, 200)}`);
      const location = res.headers.location as string | undefined;
      const next = location ? /^\/questionnaire\/([1-4])$/.exec(location) : null;
      if (next) a.step = Number(next[1]);
      else if (location === '/merci' || location === '/') a.step = 1;

      if (i % witnessEvery === witnessEvery - 1) {
        const w = witnesses.find((x) => !x.done);
        if (w) await advanceWitness(w);
      }
    }
    for (const w of witnesses) while (!w.done) await advanceWitness(w);

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const complete = countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'");
    const drafts = countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'draft'");
    console.log(
      `fuzz (graine ${SEED}) : ${POSTS} envois en ${seconds} s ; statuts ${JSON.stringify(Object.fromEntries([...statuses].sort()))} ; ` +
        `${complete} réponses complètes (${countRows(db, 'SELECT count(*) AS n FROM answers')} lignes), ${drafts} brouillons`,
    );

    expect(failures, `erreurs 5xx (rejouer avec FUZZ_SEED=${SEED})`).toEqual([]);
    expect(logs.filter((l) => l.includes('a échoué')), 'erreurs journalisées par le serveur').toEqual([]);
    // Hostile traffic did get through the CSRF check, reach later sections and complete.
    expect(statuses.get(303) ?? 0).toBeGreaterThan(POSTS / 10);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(POSTS / 10);
    expect(complete).toBeGreaterThan(WITNESSES);

    expect(findInvalidData(db, q, territory(), defaultChannels.map((c) => c.code))).toEqual([]);
    for (const w of witnesses) {
      expect(countRows(db, "SELECT count(*) AS n FROM answers WHERE question_id = 'metier' AND value_text = ?", w.metier), w.metier).toBe(1);
    }
    const needles = agents.flatMap((a) => [a.ua, a.ip, 'FuzzPhone']);
    expect(findPersonalTraces({ db, needles })).toEqual([]);
    expect(logs.filter((l) => needles.some((n) => l.includes(n)) || l.includes('127.0.0.1'))).toEqual([]);
  }, 120_000);
});
