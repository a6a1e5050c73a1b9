import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { completeSurvey, countRows, formBody, makeApp, Respondent, validAnswers } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';

const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", '{{constructor}}'];

/** Raw payload markup must never appear; its escaped form may. */
function expectEscaped(html: string, where: string) {
  expect(html, where).not.toContain('<script>alert');
  expect(html, where).not.toMatch(/<img[^>]*onerror/i);
  expect(html, where).not.toMatch(/<svg[^>]*onload/i);
}

describe('security headers', () => {
  it('sends a strict CSP without inline script, no framing, no referrer', async () => {
    const { app } = makeApp();
    for (const path of ['/', '/questionnaire/1', '/login', '/nimporte-quoi']) {
      const res = await request(app).get(path);
      const csp = res.headers['content-security-policy'];
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.text, path).not.toMatch(/<script(?![^>]*\bsrc="\/static\/)[^>]*>/);
      expect(res.text, path).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('puts the document headers on every response with a body, and only the referrer policy on a bodiless redirect', async () => {
    const { app } = makeApp();
    const documentHeaders = (res: request.Response, what: string) => {
      expect(res.headers['content-security-policy'], what).toContain("default-src 'self'");
      expect(res.headers['x-content-type-options'], what).toBe('nosniff');
      expect(res.headers['x-frame-options'], what).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy'], what).toBe('no-referrer');
    };
    documentHeaders(await request(app).get('/static/css/app.css'), 'fichier statique');
    documentHeaders(await request(app).get('/api/communes?q=lens'), 'JSON');
    documentHeaders(await request(app).get('/nimporte-quoi'), '404');
    documentHeaders(await request(app).post('/questionnaire/1').type('form').send('age=17'), '403 CSRF');

    const r = new Respondent(app);
    const invalid = await r.post(1, { age: 'douze' });
    expect(invalid.status).toBe(422);
    documentHeaders(invalid, 'étape avec erreurs');
    const next = await r.post(1, validAnswers[1]);
    expect(next.status).toBe(303);
    expect(next.headers['content-length']).toBe('0');
    expect(next.headers['referrer-policy']).toBe('no-referrer');
    expect(next.headers['cache-control']).toBe('no-store');
    expect(next.headers['content-security-policy']).toBeUndefined();
    // A redirect with a body (Express's res.redirect) is a document like any other.
    documentHeaders(await request(app).get('/questionnaire'), 'redirection avec corps');
  });

  it('serves the script and style from the app itself', async () => {
    const { app } = makeApp();
    const js = await request(app).get('/static/js/survey.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect((await request(app).get('/static/css/app.css')).status).toBe(200);
    const traversal = await request(app).get('/static/../package.json');
    expect([400, 404]).toContain(traversal.status);
    expect(traversal.text).not.toContain('"dependencies"');
  });
});

describe('script injection through respondent text', () => {
  it('escapes every payload on every page that shows what was typed', async () => {
    const { app } = makeApp();
    for (const payload of PAYLOADS) {
      const r = new Respondent(app);
      // Section 1: commune and "Autre" precision come back on an error page and on resume.
      const s1 = await r.post(1, { age: payload, genre: 'autre', commune: payload, situation: 'autre', situation__autre__precision: payload });
      expect(s1.status).toBe(422);
      expectEscaped(s1.text, 'section 1 with errors');
      if (payload.includes('<')) expect(s1.text).toContain('&lt;');
      expectEscaped((await r.open(1)).text, 'section 1 resumed');
      await r.post(1, { ...validAnswers[1], situation: 'autre', situation__autre__precision: payload.slice(0, 100) });
      const s2 = await r.post(2, { ameliorer_territoire: payload, points_forts: ['autre'], points_forts__autre__precision: payload });
      expectEscaped(s2.text, 'section 2');
      expectEscaped((await r.open(2)).text, 'section 2 resumed');
      await r.post(3, { metier_connu: 'oui', metier: payload });
      expectEscaped((await r.open(3)).text, 'section 3 resumed');
      const s4 = await r.post(4, { mots_industrie: payload, message_elus: payload, convaincre_industrie: ['rien', 'salaires'] });
      expect(s4.status).toBe(422);
      expectEscaped(s4.text, 'section 4 with errors');
      await r.post(4, { mots_industrie: payload, message_elus: payload });
      expectEscaped((await r.agent.get('/merci')).text, 'thanks');
    }
  });

  it('escapes a payload typed as an email on the login page and in the audit log', async () => {
    const { app, db } = makeApp();
    await addStaff(db, 'admin@example.org', 'admin');
    for (const payload of PAYLOADS) {
      const { res } = await signIn(app, payload, 'un-mot-de-passe-faux');
      expectEscaped(res.text, 'login');
    }
    const { agent } = await signIn(app, 'admin@example.org');
    const journal = await agent.get('/admin/journal');
    expect(journal.text).toContain('&lt;script&gt;');
    expectEscaped(journal.text, 'audit log');
  });
});

describe('submission rate limit', () => {
  it('lets 35 completions from one address through in a minute with the default limit (a classroom)', async () => {
    const { app, db } = makeApp();
    for (let i = 0; i < 35; i++) await completeSurvey(new Respondent(app));
    expect(countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(35);
  });

  it('stops a flood when the limit is low, keeping the draft, in French', async () => {
    const { app, db } = makeApp({ config: { submitRateLimit: 5 } });
    for (let i = 0; i < 5; i++) await completeSurvey(new Respondent(app));
    const r = new Respondent(app);
    for (const s of [1, 2, 3]) await r.post(s, validAnswers[s]);
    const refused = await r.post(4, validAnswers[4]);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Tes réponses sont gardées');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(5);
    expect(countRows(db, "SELECT count(*) AS n FROM draft_sections WHERE section_id = 'industrie'")).toBe(1);
  });

  it('counts the client behind a trusted proxy, and nothing with 0', async () => {
    const limited = makeApp({ config: { submitRateLimit: 1, trustProxy: 1 } });
    const a = new Respondent(limited.app);
    a.agent.set('X-Forwarded-For', '198.51.100.1');
    await completeSurvey(a);
    const b = new Respondent(limited.app);
    b.agent.set('X-Forwarded-For', '198.51.100.2');
    await completeSurvey(b); // another school: its own budget
    const c = new Respondent(limited.app);
    c.agent.set('X-Forwarded-For', '198.51.100.1');
    for (const s of [1, 2, 3]) await c.post(s, validAnswers[s]);
    expect((await c.post(4, validAnswers[4])).status).toBe(429);

    const unlimited = makeApp({ config: { submitRateLimit: 0 } });
    for (let i = 0; i < 3; i++) await completeSurvey(new Respondent(unlimited.app));
    expect(countRows(unlimited.db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(3);
  });
});

describe('bots are flagged, not rejected', () => {
  it('flags a response whose honeypot field was filled; analysts see it and can lift the flag', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    await r.post(1, { ...validAnswers[1], website: 'https://spam.example' });
    for (const s of [2, 3, 4]) await r.post(s, validAnswers[s]);
    expect(db.prepare('SELECT status, flagged, flag_reason FROM responses').get()).toEqual({ status: 'complete', flagged: 1, flag_reason: 'piege' });
    await addStaff(db, 'ana@example.org', 'analyst');
    const { agent } = await signIn(app, 'ana@example.org');
    const page = await agent.get('/analyse/signalements');
    expect(page.text).toContain('champ piège rempli');
    const id = (db.prepare('SELECT id FROM responses').get() as { id: string }).id;
    const csrf = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    await agent.post(`/analyse/signalements/${id}/lever`).type('form').send(formBody({ _csrf: csrf }));
    expect(db.prepare('SELECT flagged FROM responses').get()).toEqual({ flagged: 0 });
    expect((db.prepare("SELECT action FROM audit_log WHERE action LIKE 'moderation%'").get() as { action: string }).action).toBe('moderation.unflag');
  });

  it('flags a section answered faster than the minimum, and a post without the form timestamp', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const { app, db } = makeApp({ now: () => now, config: { minSectionSeconds: 3 } });
    const slow = new Respondent(app);
    for (const s of [1, 2, 3, 4]) {
      const page = await slow.open(s);
      now = new Date(now.getTime() + 20_000);
      const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
      const stamp = page.text.match(/name="_t" value="([^"]+)"/)![1];
      const res = await slow.postRaw(s, formBody({ _csrf: token, _t: stamp, ...validAnswers[s] }));
      expect(res.status).toBe(303);
    }
    const fast = new Respondent(app);
    await completeSurvey(fast); // the helper posts right after each GET: 0 s
    const noStamp = new Respondent(app);
    const page = await noStamp.open(1);
    await noStamp.postRaw(1, formBody({ _csrf: page.text.match(/name="_csrf" value="([^"]+)"/)![1], ...validAnswers[1] }));
    const reasons = (db.prepare('SELECT flag_reason AS r FROM responses ORDER BY r').all() as { r: string | null }[]).map((x) => x.r);
    expect(reasons.sort()).toEqual(['horodatage', 'rapide', null].sort());
    // No time finer than the hour is stored anywhere.
    expect(JSON.stringify(db.prepare('SELECT * FROM responses').all())).not.toMatch(/T\d{2}:\d{2}/);
  });
});
