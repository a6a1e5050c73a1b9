import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { LOGIN_IP_MAX_FAILURES, LOGIN_MAX_FAILURES } from '../../src/staff/routes.js';
import { csrfFrom, formBody, makeApp } from '../helpers.js';
import { addStaff, auditActions, PASSWORD, signIn, tokenOf } from './helpers.js';

const cookieNamed = (res: request.Response, name: string) =>
  ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith(`${name}=`));

describe('staff sign-in', () => {
  it('shows a login form with email, password and the CSRF token', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/login');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Connexion de l’équipe</h1>');
    expect(res.text).toContain('<label for="email">Adresse e-mail</label>');
    expect(res.text).toContain('<input type="password" id="password" name="password" autocomplete="current-password"');
    expect(res.text).toMatch(/name="_csrf" value="[A-Za-z0-9_-]{43}"/);
  });

  it('signs in with the right password: server-side session, HttpOnly SameSite=Lax cookie, audit entry', async () => {
    const { app, db } = makeApp();
    await addStaff(db, 'camille@example.org', 'analyst');
    const { agent, res } = await signIn(app, 'Camille@Example.org ');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/equipe');
    const cookie = cookieNamed(res, 'avenir_equipe')!;
    expect(cookie).toMatch(/^avenir_equipe=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
    // Only the hash of the session id is stored.
    const stored = db.prepare('SELECT id_hash FROM staff_sessions').all() as { id_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(cookie).not.toContain(stored[0].id_hash);
    const home = await agent.get('/equipe');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Connecté·e : camille@example.org (Analyste)');
    expect(auditActions(db)).toEqual(['login.success']);
  });

  it('sets Secure on the cookie over HTTPS behind a trusted proxy', async () => {
    const { app, db } = makeApp({ config: { trustProxy: 1 } });
    await addStaff(db, 'a@example.org', 'admin');
    const page = await request(app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(page.headers['strict-transport-security']).toBe('max-age=15552000');
    const csrfCookie = cookieNamed(page, 'avenir_csrf')!;
    expect(csrfCookie).toContain('Secure');
    // The test client speaks plain HTTP, so it won't send Secure cookies by itself.
    const res = await request(app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', csrfCookie.split(';')[0])
      .type('form')
      .send(formBody({ _csrf: csrfFrom(page.text), email: 'a@example.org', password: PASSWORD }));
    expect(res.status).toBe(303);
    expect(cookieNamed(res, 'avenir_equipe')).toContain('Secure');
  });

  it('refuses a wrong password or an unknown email with the same French message, keeping the email', async () => {
    const { app, db } = makeApp();
    await addStaff(db, 'camille@example.org', 'analyst');
    const wrong = await signIn(app, 'camille@example.org', 'mauvais-mot-de-passe');
    const unknown = await signIn(app, 'personne@example.org', 'mauvais-mot-de-passe');
    for (const { res } of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.text).toContain('Adresse e-mail ou mot de passe incorrect.');
      expect(cookieNamed(res, 'avenir_equipe')).toBeUndefined();
    }
    expect(wrong.res.text).toContain('value="camille@example.org"');
    expect(auditActions(db)).toEqual(['login.failure', 'login.failure']);
    expect(JSON.stringify(db.prepare('SELECT * FROM audit_log').all())).not.toContain('mauvais-mot-de-passe');
  });

  it('asks for the missing field', async () => {
    const { app } = makeApp();
    const { res } = await signIn(app, '', '');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Indiquez votre adresse e-mail.');
  });

  it(`locks an account after ${LOGIN_MAX_FAILURES} failures for 15 minutes, even with the right password`, async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const { app, db } = makeApp({ now: () => now });
    await addStaff(db, 'camille@example.org', 'analyst');
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) expect((await signIn(app, 'camille@example.org', 'faux-mot-de-passe')).res.status).toBe(401);
    const locking = await signIn(app, 'camille@example.org', 'faux-mot-de-passe');
    expect(locking.res.status).toBe(429);
    expect(locking.res.text).toContain('ce compte est bloqué pendant 15 minutes depuis ce navigateur et ce réseau');
    const stillLocked = await signIn(app, 'camille@example.org');
    expect(stillLocked.res.status).toBe(429);
    // One grouped entry: 5 checked failures, 1 refused attempt, 1 lock.
    expect(auditActions(db)).toEqual(['login.failure']);
    expect(JSON.parse((db.prepare('SELECT details FROM audit_log').get() as { details: string }).details)).toMatchObject({ tentatives: 5, refusees: 1, blocages: 1 });
    now = new Date('2026-03-01T10:16:00Z');
    expect((await signIn(app, 'camille@example.org')).res.status).toBe(303);
  });

  it('limits failed attempts per network across accounts, with a clear message', async () => {
    const { app } = makeApp();
    for (let i = 0; i < LOGIN_IP_MAX_FAILURES; i++) await signIn(app, `inconnu${i}@example.org`, 'x'.repeat(12));
    const blocked = await signIn(app, 'encore@example.org', 'x'.repeat(12));
    expect(blocked.res.status).toBe(429);
    expect(blocked.res.text).toContain('Trop de tentatives de connexion depuis ce réseau.');
    expect(blocked.res.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('rotates the session at login and ends it at logout', async () => {
    const { app, db } = makeApp();
    await addStaff(db, 'camille@example.org', 'admin');
    const { agent, res } = await signIn(app, 'camille@example.org');
    const first = cookieNamed(res, 'avenir_equipe')!.split(';')[0];
    const again = await agent.post('/login').type('form').send(formBody({ _csrf: await tokenOf(agent, '/equipe'), email: 'camille@example.org', password: PASSWORD }));
    const second = cookieNamed(again, 'avenir_equipe')!.split(';')[0];
    expect(second).not.toBe(first);
    expect(db.prepare('SELECT count(*) AS n FROM staff_sessions').get()).toEqual({ n: 1 });
    // The old id no longer works.
    expect((await request(app).get('/equipe').set('Cookie', first)).status).toBe(303);
    const out = await agent.post('/logout').type('form').send(formBody({ _csrf: await tokenOf(agent, '/equipe') }));
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect((await agent.get('/equipe')).headers.location).toBe('/login?retour=%2Fequipe');
    expect(db.prepare('SELECT count(*) AS n FROM staff_sessions').get()).toEqual({ n: 0 });
    expect(auditActions(db)).toEqual(['login.success', 'login.success', 'logout']);
  });

  it('expires an idle session', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const { app, db } = makeApp({ now: () => now, config: { staffSessionIdleMinutes: 30 } });
    await addStaff(db, 'camille@example.org', 'admin');
    const { agent } = await signIn(app, 'camille@example.org');
    now = new Date('2026-03-01T10:20:00Z');
    expect((await agent.get('/equipe')).status).toBe(200);
    now = new Date('2026-03-01T10:45:00Z'); // 25 min after the last activity: still fine
    expect((await agent.get('/equipe')).status).toBe(200);
    now = new Date('2026-03-01T11:20:00Z'); // 35 min idle
    expect((await agent.get('/equipe')).status).toBe(303);
  });

  it('goes back to the page asked for, never to another site', async () => {
    const { app, db } = makeApp();
    await addStaff(db, 'a@example.org', 'admin');
    const agent = request.agent(app);
    const page = await agent.get('/login?retour=%2Fadmin%2Fjournal');
    expect(page.text).toContain('name="retour" value="/admin/journal"');
    const ok = await agent.post('/login').type('form').send(formBody({ _csrf: csrfFrom(page.text), email: 'a@example.org', password: PASSWORD, retour: '/admin/journal' }));
    expect(ok.headers.location).toBe('/admin/journal');
    for (const evil of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
      const other = request.agent(app);
      const p = await other.get('/login');
      const r = await other.post('/login').type('form').send(formBody({ _csrf: csrfFrom(p.text), email: 'a@example.org', password: PASSWORD, retour: evil }));
      expect(r.headers.location).toBe('/equipe');
    }
  });

  it('refuses a disabled account', async () => {
    const { app, db } = makeApp();
    const u = await addStaff(db, 'parti@example.org', 'analyst');
    db.prepare('UPDATE staff_users SET disabled = 1 WHERE id = ?').run(u.id);
    expect((await signIn(app, 'parti@example.org')).res.status).toBe(401);
  });
});
