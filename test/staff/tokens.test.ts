import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { defaultMigrationsDir, openDatabase } from '../../src/db/connection.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { runStaffCli } from '../../src/staff/cli.js';
import { formBody, makeApp } from '../helpers.js';
import { addStaff, auditActions, signIn, tokenOf } from './helpers.js';

type T = ReturnType<typeof makeApp>;

function clock(start = '2026-03-01T10:00:00Z') {
  let now = new Date(start);
  return { now: () => now, set: (iso: string) => (now = new Date(iso)) };
}

async function adminAgent(t: T) {
  await addStaff(t.db, 'admin@example.org', 'admin');
  return (await signIn(t.app, 'admin@example.org')).agent;
}

/** An analyst's browser and a token made on /compte/jetons with the chosen duration. */
async function analystWithToken(t: T, duree?: string) {
  const user = await addStaff(t.db, 'ana@example.org', 'analyst');
  const { agent } = await signIn(t.app, 'ana@example.org');
  const res = await agent.post('/compte/jetons').type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons'), label: 'Script R', duree }));
  expect(res.status).toBe(201);
  const token = res.text.match(/<code class="secret">(maa_[A-Za-z0-9_-]+)<\/code>/)![1];
  return { user, agent, token, page: res.text };
}

const exportWith = (t: T, token: string) => request(t.app).get('/export/responses.csv').set('Authorization', `Bearer ${token}`);

describe('API tokens die with what they were made for', () => {
  // [what happens to the analyst, done by]
  const events: [string, (t: T, admin: ReturnType<typeof request.agent>, id: string) => Promise<unknown>][] = [
    ['password reset by an admin', async (_t, admin, id) => admin.post(`/admin/comptes/${id}/mot-de-passe`).type('form').send(formBody({ _csrf: await tokenOf(admin, '/admin/comptes') }))],
    ['password reset from the command line', async (t) => runStaffCli(['reset-password', '--email', 'ana@example.org'], t.db, { out: () => {}, err: () => {}, readPassword: async () => undefined })],
    ['role changed', async (_t, admin, id) => admin.post(`/admin/comptes/${id}/role`).type('form').send(formBody({ _csrf: await tokenOf(admin, '/admin/comptes'), role: 'facilitator' }))],
    ['account disabled', async (_t, admin, id) => admin.post(`/admin/comptes/${id}/desactiver`).type('form').send(formBody({ _csrf: await tokenOf(admin, '/admin/comptes') }))],
  ];

  it.each(events)('refuses the token after: %s', async (_what, act) => {
    const t = makeApp();
    const admin = await adminAgent(t);
    const { user, token } = await analystWithToken(t);
    expect((await exportWith(t, token)).status).toBe(200);
    await act(t, admin, user.id);
    const res = await exportWith(t, token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="mon-avenir-en-artois"');
    expect(res.text).toContain('Connexion requise');
  });

  it('a role set to the same value changes nothing', async () => {
    const t = makeApp();
    const admin = await adminAgent(t);
    const { user, token } = await analystWithToken(t);
    await admin.post(`/admin/comptes/${user.id}/role`).type('form').send(formBody({ _csrf: await tokenOf(admin, '/admin/comptes'), role: 'analyst' }));
    expect((await exportWith(t, token)).status).toBe(200);
  });

  it('says on the tokens page why a token stopped working', async () => {
    const t = makeApp();
    const admin = await adminAgent(t);
    const { user } = await analystWithToken(t);
    await admin.post(`/admin/comptes/${user.id}/role`).type('form').send(formBody({ _csrf: await tokenOf(admin, '/admin/comptes'), role: 'admin' }));
    const { agent } = await signIn(t.app, 'ana@example.org');
    const page = await agent.get('/compte/jetons');
    expect(page.text).toContain('<td>Révoqué (rôle changé)</td>');
    expect(page.text).not.toContain('/revoquer');
  });
});

describe('token expiry', () => {
  it('defaults to 90 days, shows French dates and the last use, answers 401 once expired', async () => {
    const c = clock();
    const t = makeApp({ now: c.now });
    const { agent, token, page } = await analystWithToken(t);
    expect(page).toContain('Il fonctionnera jusqu’au 30\u00a0mai 2026 inclus');
    expect(t.db.prepare('SELECT created_at, expires_at FROM api_tokens').get()).toEqual({
      created_at: '2026-03-01T10:00:00.000Z',
      expires_at: '2026-05-30T10:00:00.000Z',
    });
    let list = await agent.get('/compte/jetons');
    expect(list.text).toContain('<th scope="col">Expire le</th><th scope="col">Dernier usage</th>');
    expect(list.text).toMatch(/<td>Script R<\/td><td>1er\u00a0mars 2026 à \d+\u00a0h\u00a0\d\d<\/td><td>30\u00a0mai 2026<\/td><td>jamais<\/td>/);
    expect(list.text).toContain('<option value="90" selected>90 jours (recommandé)</option>');
    expect(list.text).toContain('<option value="365">1 an</option>');

    c.set('2026-04-15T08:00:00Z');
    expect((await exportWith(t, token)).status).toBe(200);
    c.set('2026-05-30T09:59:00Z');
    expect((await request(t.app).get('/api/moi').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    c.set('2026-05-30T10:00:00Z');
    const expired = await exportWith(t, token);
    expect(expired.status).toBe(401);
    expect(expired.text).toContain('Connexion requise');
    // The browser session expired long ago: a new one to look at the page.
    const again = await signIn(t.app, 'ana@example.org');
    list = await again.agent.get('/compte/jetons');
    expect(list.text).toMatch(/<td>Script R<\/td><td>1er\u00a0mars 2026 à \d+\u00a0h\u00a0\d\d<\/td><td>30\u00a0mai 2026<\/td><td>30\u00a0mai 2026<\/td>/);
    expect(list.text).toContain('<td>Expiré</td>');
  });

  it('takes the duration chosen at creation, a year at most', async () => {
    const c = clock();
    const t = makeApp({ now: c.now });
    const { agent, token } = await analystWithToken(t, '7');
    c.set('2026-03-08T09:00:00Z');
    expect((await exportWith(t, token)).status).toBe(200);
    c.set('2026-03-08T10:00:00Z');
    expect((await exportWith(t, token)).status).toBe(401);

    c.set('2026-03-01T10:00:00Z');
    for (const duree of ['400', '0', '-5', 'toujours', '365.5']) {
      const res = await agent.post('/compte/jetons').type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons'), label: 'Long', duree }));
      expect(res.status, duree).toBe(422);
      expect(res.text).toContain('<p class="field-error" id="duree-erreur">Choisissez une durée proposée (un an au maximum).</p>');
      expect(res.text).toContain('value="Long"');
    }
    const year = await agent.post('/compte/jetons').type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons'), label: 'Un an', duree: '365' }));
    expect(year.status).toBe(201);
    expect(year.text).toContain('jusqu’au 1er\u00a0mars 2027 inclus');
  });

  it('gives tokens made before expiry existed the default 90 days (migration 008)', () => {
    // A database as it was before 008, with a token, then the migration.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    for (const f of fs.readdirSync(defaultMigrationsDir()).filter((f) => f < '008')) fs.copyFileSync(path.join(defaultMigrationsDir(), f), path.join(dir, f));
    const db = openDatabase(':memory:', dir);
    db.prepare(`INSERT INTO staff_users (id, email, password_hash, role, created_at) VALUES ('u', 'a@example.org', 'x', 'analyst', '2026-01-01')`).run();
    db.prepare(`INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES ('t', 'u', 'ancien', 'h', '2026-01-01T00:00:00.000Z')`).run();
    applyMigrations(db, defaultMigrationsDir());
    const row = db.prepare('SELECT expires_at AS e, revoked_reason AS r FROM api_tokens').get() as { e: string; r: null };
    const days = (Date.parse(row.e) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    expect(row.e).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(row.r).toBeNull();
    fs.rmSync(dir, { recursive: true });
  });
});

describe('revoking', () => {
  it('someone else’s token answers 404 and leaves it working', async () => {
    const t = makeApp();
    const { token } = await analystWithToken(t);
    const id = (t.db.prepare('SELECT id FROM api_tokens').get() as { id: string }).id;
    await addStaff(t.db, 'autre@example.org', 'analyst');
    const { agent } = await signIn(t.app, 'autre@example.org');
    const res = await agent.post(`/compte/jetons/${id}/revoquer`).type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons') }));
    expect(res.status).toBe(404);
    expect(res.text).toContain('Ce jeton n’existe pas parmi les vôtres.');
    expect(res.text).not.toContain('Jeton révoqué');
    const none = await agent.post('/compte/jetons/inconnu/revoquer').type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons') }));
    expect(none.status).toBe(404);
    expect((await exportWith(t, token)).status).toBe(200);
    expect(auditActions(t.db)).not.toContain('token.revoke');
  });

  it('one’s own token: revoked once, audited once', async () => {
    const t = makeApp();
    const { agent, token } = await analystWithToken(t);
    const id = (t.db.prepare('SELECT id FROM api_tokens').get() as { id: string }).id;
    for (let i = 0; i < 2; i++) {
      const res = await agent.post(`/compte/jetons/${id}/revoquer`).type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons') }));
      expect(res.status).toBe(200);
      expect(res.text).toContain('Jeton révoqué.');
    }
    expect((await exportWith(t, token)).status).toBe(401);
    expect(auditActions(t.db).filter((a) => a === 'token.revoke')).toHaveLength(1);
  });
});
