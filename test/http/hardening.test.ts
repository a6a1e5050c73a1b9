import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { csrfFrom, formBody, makeApp, Respondent, validAnswers } from '../helpers.js';
import { addStaff, auditActions, signIn, tokenOf } from '../staff/helpers.js';

const PERMISSIONS = /^(?=.*\bcamera=\(\))(?=.*\bmicrophone=\(\))(?=.*\bgeolocation=\(\))(?=.*\binterest-cohort=\(\))(?=.*\bpayment=\(\))/;

describe('CSRF token bound to the staff session', () => {
  it('refuses a token from another session, or from before the sign-in, with 403', async () => {
    const t = makeApp();
    await addStaff(t.db, 'a@example.org', 'admin');
    await addStaff(t.db, 'b@example.org', 'admin');
    const a = request.agent(t.app);
    const before = csrfFrom((await a.get('/login')).text);
    expect((await a.post('/login').type('form').send(formBody({ _csrf: before, email: 'a@example.org', password: 'un-mot-de-passe-solide' }))).status).toBe(303);
    const mine = await tokenOf(a, '/equipe');
    expect(mine).not.toBe(before);
    const b = (await signIn(t.app, 'b@example.org')).agent;
    const theirs = await tokenOf(b, '/equipe');

    const close = (csrf: string) => a.post('/admin/campagne/cloturer').type('form').send(formBody({ _csrf: csrf, confirmer: 'oui' }));
    for (const [what, csrf] of [['another session', theirs], ['before sign-in', before], ['empty', '']]) {
      const res = await close(csrf);
      expect(res.status, what).toBe(403);
      expect(res.text).toContain('Page expirée');
    }
    expect(auditActions(t.db)).not.toContain('campaign.close');
    expect((await close(mine)).status).toBe(200);
    expect(auditActions(t.db)).toContain('campaign.close');
  });

  it('a second session in the same browser has a new token; the first one’s is refused', async () => {
    const t = makeApp();
    await addStaff(t.db, 'a@example.org', 'admin');
    await addStaff(t.db, 'b@example.org', 'admin');
    const { agent } = await signIn(t.app, 'a@example.org');
    const first = await tokenOf(agent, '/equipe');
    const out = await agent.post('/logout').type('form').send(formBody({ _csrf: first }));
    expect(out.status).toBe(303);
    // Sign-out renews the anonymous token too.
    expect((out.headers['set-cookie'] as unknown as string[]).some((c) => /^avenir_csrf=[A-Za-z0-9_-]{43};/.test(c))).toBe(true);
    const page = await agent.get('/login');
    const login = await agent.post('/login').type('form').send(formBody({ _csrf: csrfFrom(page.text), email: 'b@example.org', password: 'un-mot-de-passe-solide' }));
    expect(login.status).toBe(303);
    expect((await agent.post('/admin/campagne/cloturer').type('form').send(formBody({ _csrf: first, confirmer: 'oui' }))).status).toBe(403);
    expect((await agent.post('/admin/campagne/cloturer').type('form').send(formBody({ _csrf: await tokenOf(agent, '/equipe'), confirmer: 'oui' }))).status).toBe(200);
  });

  it('respondent forms keep their anonymous token, and work for a signed-in staff member too', async () => {
    const t = makeApp();
    const r = new Respondent(t.app);
    expect((await r.post(1, validAnswers[1])).status).toBe(303);
    await addStaff(t.db, 'a@example.org', 'analyst');
    const staff = new Respondent(t.app);
    const page = await staff.agent.get('/login');
    await staff.agent.post('/login').type('form').send(formBody({ _csrf: csrfFrom(page.text), email: 'a@example.org', password: 'un-mot-de-passe-solide' }));
    expect((await staff.post(1, validAnswers[1])).status).toBe(303);
  });
});

describe('small hardening', () => {
  it('sends a Permissions-Policy on documents', async () => {
    const { app } = makeApp();
    for (const path of ['/', '/questionnaire/1', '/login', '/static/css/app.css', '/nimporte-quoi']) {
      const res = await request(app).get(path);
      expect(res.headers['permissions-policy'], path).toMatch(PERMISSIONS);
    }
  });

  it('answers a missing static file with the French 404 page', async () => {
    const { app } = makeApp();
    for (const path of ['/static/css/absent.css', '/static/js/nope.js', '/static/']) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type'], path).toBe('text/html; charset=utf-8');
      expect(res.text, path).toContain('<h1>Page introuvable</h1>');
      expect(res.text, path).toContain('Cette page n’existe pas ou n’existe plus.');
    }
  });

  it('does not log HEAD on an export as a download', async () => {
    const t = makeApp();
    await addStaff(t.db, 'ana@example.org', 'analyst');
    const { agent } = await signIn(t.app, 'ana@example.org');
    for (const path of ['/export/codebook.csv', '/export/responses.csv', '/export/results.csv']) {
      const head = await agent.head(path);
      expect(head.status, path).toBe(200);
      expect(head.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(head.headers['content-disposition']).toMatch(/^attachment; filename="mon-avenir-en-artois-/);
      expect(head.text ?? '').toBe('');
    }
    expect(auditActions(t.db)).toEqual(['login.success']);
    expect((await agent.get('/export/codebook.csv')).status).toBe(200);
    expect(auditActions(t.db)).toEqual(['login.success', 'export.download']);
  });

  it('ends a staff session after 30 idle minutes by default', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const { app, db } = makeApp({ now: () => now });
    await addStaff(db, 'a@example.org', 'admin');
    const { agent } = await signIn(app, 'a@example.org');
    now = new Date('2026-03-01T10:29:00Z');
    expect((await agent.get('/equipe')).status).toBe(200);
    now = new Date('2026-03-01T11:00:00Z'); // 31 minutes after the last activity
    const res = await agent.get('/equipe');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?retour=%2Fequipe');
  });
});
