import * as OTPAuth from 'otpauth';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CHALLENGE_MAX_ATTEMPTS } from '../../src/staff/twoFactor.js';
import { LOGIN_MAX_FAILURES } from '../../src/staff/routes.js';
import { csrfFrom, formBody, makeApp } from '../helpers.js';
import { addStaff, auditActions, PASSWORD, signIn, tokenOf } from './helpers.js';

type Agent = ReturnType<typeof request.agent>;
const SETUP = '/compte/double-authentification';

/** The code an authenticator app shows at that instant, computed from the secret the page showed. */
function codeAt(secret: string, at: Date): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at.getTime() });
}
async function postForm(agent: Agent, url: string, fields: Record<string, string>, tokenPage = SETUP) {
  return agent.post(url).type('form').send(formBody({ _csrf: await tokenOf(agent, tokenPage), ...fields }));
}

/** A test clock that moves only when told (TOTP steps are 30 s). */
function clock(start = '2026-03-01T10:00:00Z') {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

/** Goes through the set-up page as a person would: start, read the key, type the app's code. */
async function enrol(agent: Agent, now: () => Date) {
  const start = await postForm(agent, `${SETUP}/commencer`, {});
  expect(start.status).toBe(303);
  const page = await agent.get(SETUP);
  const secret = /<code class="secret totp-key">([A-Z2-7 ]+)<\/code>/.exec(page.text)![1].replace(/ /g, '');
  const done = await postForm(agent, `${SETUP}/confirmer`, { code: codeAt(secret, now()) });
  expect(done.status).toBe(201);
  const recovery = [...done.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
  return { secret, recovery, page, done };
}

async function setup(role: 'admin' | 'analyst' = 'analyst') {
  const c = clock();
  const t = makeApp({ now: c.now });
  const user = await addStaff(t.db, 'camille@example.org', role);
  const { agent } = await signIn(t.app, 'camille@example.org');
  return { ...t, ...c, user, agent };
}

/** Password step in a fresh browser: with a second factor, it ends on /login/code. */
async function passwordStep(app: ReturnType<typeof makeApp>['app'], password = PASSWORD, retour?: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send(formBody({ _csrf: csrfFrom(page.text), email: 'camille@example.org', password, retour }));
  return { agent, res };
}
const sendCode = async (agent: Agent, code: string) => {
  const page = await agent.get('/login/code');
  return agent.post('/login/code').type('form').send(formBody({ _csrf: csrfFrom(page.text), code }));
};

describe('second factor: set-up', () => {
  it('shows the key as an inline SVG QR code and as text, and enables only after a first valid code', async () => {
    const { agent, db, now } = await setup();
    const off = await agent.get(SETUP);
    expect(off.text).toContain('La double authentification n’est pas activée sur votre compte.');
    expect(off.text).toContain(`<form method="post" action="${SETUP}/commencer">`);
    await postForm(agent, `${SETUP}/commencer`, {});
    const page = await agent.get(SETUP);
    expect(page.status).toBe(200);
    // Inline SVG, no script, no image from elsewhere; labelled for screen readers.
    expect(page.text).toMatch(/<div class="qr"><svg role="img" aria-label="QR code à scanner avec l’application d’authentification" focusable="false" xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(page.text).not.toMatch(/<script(?! src="\/static)/);
    expect(page.text).toContain('Type : basé sur le temps (TOTP), 6 chiffres, 30 secondes, SHA-1.');
    const secret = /<code class="secret totp-key">([A-Z2-7 ]+)<\/code>/.exec(page.text)![1].replace(/ /g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    // The secret is not stored in clear.
    const stored = db.prepare('SELECT secret, enabled_at FROM staff_totp').get() as { secret: string; enabled_at: string | null };
    expect(stored.enabled_at).toBeNull();
    expect(stored.secret).toMatch(/^v1\./);
    expect(stored.secret).not.toContain(secret);
    // A wrong code: not enabled, the typed code kept, the message next to the field.
    const wrong = await postForm(agent, `${SETUP}/confirmer`, { code: '000000' === codeAt(secret, now()) ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('<p class="field-error" id="code-erreur">Ce code n’est pas valable');
    const bad = await postForm(agent, `${SETUP}/confirmer`, { code: '12ab' });
    expect(bad.text).toContain('Le code fait 6 chiffres.');
    expect(bad.text).toContain('value="12ab"');
    expect(db.prepare('SELECT enabled_at FROM staff_totp').get()).toEqual({ enabled_at: null });
    const ok = await postForm(agent, `${SETUP}/confirmer`, { code: codeAt(secret, now()) });
    expect(ok.status).toBe(201);
    expect(ok.text).toContain('Double authentification activée.');
    const codes = [...ok.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    expect(new Set(codes).size).toBe(10);
    // Stored hashed only, and shown once.
    const hashes = JSON.stringify(db.prepare('SELECT * FROM staff_recovery_codes').all());
    for (const c of codes) expect(hashes).not.toContain(c.replace('-', ''));
    const after = await agent.get(SETUP);
    expect(after.text).toContain('La double authentification est activée depuis le 1er mars 2026 à 11:00.');
    expect(after.text).toContain('Codes de secours restants : 10 sur 10.');
    for (const c of codes) expect(after.text).not.toContain(c);
    expect(auditActions(db)).toEqual(['login.success', 'twofactor.enable']);
  });

  it('is linked from /equipe', async () => {
    const { agent } = await setup();
    expect((await agent.get('/equipe')).text).toContain(`<a href="${SETUP}">Double authentification</a>`);
  });
});

describe('second factor: sign-in', () => {
  it('after the right password, no session until a valid code on /login/code; then back to the page asked for', async () => {
    const { app, agent, db, now, advance } = await setup();
    const { secret } = await enrol(agent, now);
    const { agent: browser, res } = await passwordStep(app, PASSWORD, '/compte/jetons');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login/code');
    const setCookies = (res.headers['set-cookie'] as unknown as string[]).join('\n');
    expect(setCookies).not.toContain('avenir_equipe=');
    expect(setCookies).toMatch(/avenir_code=[A-Za-z0-9_-]{43}; Max-Age=300; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax/);
    // Half signed-in is not signed in.
    expect((await browser.get('/equipe')).status).toBe(303);
    const form = await browser.get('/login/code');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="code">Code à 6 chiffres ou code de secours</label>');
    expect(form.text).toContain('autocomplete="one-time-code"');
    advance(30_000);
    const ok = await sendCode(browser, codeAt(secret, now()));
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/compte/jetons');
    expect((await browser.get('/equipe')).status).toBe(200);
    expect(db.prepare('SELECT count(*) AS n FROM staff_login_challenges').get()).toEqual({ n: 0 });
    expect(auditActions(db).slice(-2)).toEqual(['login.password_ok', 'login.success']);
    const last = db.prepare('SELECT details FROM audit_log ORDER BY id DESC LIMIT 1').get() as { details: string };
    expect(JSON.parse(last.details)).toEqual({ second_facteur: 'application' });
  });

  it('accepts the previous and next 30-second step (clock drift), not two steps away', async () => {
    const { app, agent, now, advance } = await setup();
    const { secret } = await enrol(agent, now);
    for (const [offset, accepted] of [[-30_000, true], [30_000, true], [-60_000, false], [90_000, false]] as const) {
      advance(120_000); // a fresh step each round, after the last accepted one
      const { agent: b } = await passwordStep(app);
      const res = await sendCode(b, codeAt(secret, new Date(now().getTime() + offset)));
      expect(res.status, `offset ${offset}`).toBe(accepted ? 303 : 401);
    }
  });

  it('refuses a code already used (replay), even in the next step window', async () => {
    const { app, agent, db, now, advance } = await setup();
    const { secret } = await enrol(agent, now);
    advance(30_000);
    const code = codeAt(secret, now());
    const first = await passwordStep(app);
    expect((await sendCode(first.agent, code)).status).toBe(303);
    const second = await passwordStep(app);
    const replay = await sendCode(second.agent, code);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('Ce code n’est pas valable');
    advance(20_000); // same code still within the ±1 window
    expect((await sendCode(second.agent, code)).status).toBe(401);
    advance(15_000); // next step: its new code passes
    expect((await sendCode(second.agent, codeAt(secret, now()))).status).toBe(303);
    expect(auditActions(db).filter((a) => a === 'login.failure')).toHaveLength(2);
  });

  it('accepts each recovery code once, in any case and spacing, and says how many are left', async () => {
    const { app, agent, db, now } = await setup();
    const { recovery } = await enrol(agent, now);
    const a = await passwordStep(app);
    const ok = await sendCode(a.agent, ` ${recovery[3].toUpperCase().replace('-', ' ')} `);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`${SETUP}?secours=1`);
    const page = await a.agent.get(ok.headers.location);
    expect(page.text).toContain('Vous vous êtes connecté·e avec un code de secours. Il en reste 9');
    const b = await passwordStep(app);
    expect((await sendCode(b.agent, recovery[3])).status).toBe(401);
    expect(auditActions(db)).toContain('twofactor.recovery_used');
  });

  it(`after ${CHALLENGE_MAX_ATTEMPTS} wrong codes, back to the password step; failures count towards the account lock`, async () => {
    const { app, agent, db, now } = await setup();
    const { secret } = await enrol(agent, now);
    const wrong = codeAt(secret, now()) === '123456' ? '654321' : '123456';
    const { agent: b } = await passwordStep(app);
    for (let i = 1; i < CHALLENGE_MAX_ATTEMPTS; i++) expect((await sendCode(b, wrong)).status).toBe(401);
    const last = await b.post('/login/code').type('form').send(formBody({ _csrf: await tokenOf(b), code: wrong }));
    expect(last.status).toBe(401);
    expect(last.text).toContain('Cette étape a expiré ou a reçu trop de codes faux : reconnectez-vous avec votre mot de passe.');
    // The right code no longer helps: the challenge is gone.
    const after = await b.post('/login/code').type('form').send(formBody({ _csrf: await tokenOf(b), code: codeAt(secret, now()) }));
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
    // Two more wrong codes through a new challenge reach the lock (password failures' limit).
    const { agent: c } = await passwordStep(app);
    for (let i = CHALLENGE_MAX_ATTEMPTS; i < LOGIN_MAX_FAILURES; i++) await sendCode(c, wrong);
    expect(auditActions(db)).toContain('login.failure');
    // Locked for this account from this client, with the right password too (the sign-in throttle).
    expect((await passwordStep(app)).res.status).toBe(429);
  });

  it('expires the half-done sign-in after 5 minutes', async () => {
    const { app, agent, now, advance } = await setup();
    const { secret } = await enrol(agent, now);
    const { agent: b } = await passwordStep(app);
    const token = await tokenOf(b);
    advance(5 * 60_000 + 1000);
    const res = await b.post('/login/code').type('form').send(formBody({ _csrf: token, code: codeAt(secret, now()) }));
    expect(res.status).toBe(401);
    expect(res.text).toContain('Cette étape a expiré');
    expect((await b.get('/equipe')).status).toBe(303);
  });

  it('is bound to the browser: another browser with the same password step’s code gets nothing', async () => {
    const { app, agent, now } = await setup();
    const { secret } = await enrol(agent, now);
    await passwordStep(app); // browser A
    const other = request.agent(app);
    const page = await other.get('/login');
    const res = await other.post('/login/code').type('form').send(formBody({ _csrf: csrfFrom(page.text), code: codeAt(secret, now()) }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect((await other.get('/equipe')).status).toBe(303);
  });
});

describe('second factor: recovery codes, disabling', () => {
  it('regenerates recovery codes with the password (old ones stop working)', async () => {
    const { app, agent, db, now } = await setup();
    const { recovery } = await enrol(agent, now);
    const refused = await postForm(agent, `${SETUP}/codes-de-secours`, { password: 'pas-le-bon' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<p class="field-error" id="regen-password-erreur">Ce n’est pas votre mot de passe actuel.</p>');
    const res = await postForm(agent, `${SETUP}/codes-de-secours`, { password: PASSWORD });
    expect(res.status).toBe(200);
    const fresh = [...res.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recovery[0]);
    expect((await sendCode((await passwordStep(app)).agent, recovery[0])).status).toBe(401);
    expect((await sendCode((await passwordStep(app)).agent, fresh[0])).status).toBe(303);
    expect(auditActions(db)).toContain('twofactor.recovery_regenerate');
  });

  it('disables only with the password and a code; then the password alone signs in', async () => {
    const { app, agent, db, now, advance } = await setup();
    const { secret } = await enrol(agent, now);
    const missing = await postForm(agent, `${SETUP}/desactiver`, { password: PASSWORD, code: '' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('<p class="field-error" id="disable-code-erreur">Tapez le code affiché par votre application.</p>');
    const noPassword = await postForm(agent, `${SETUP}/desactiver`, { password: '', code: '123456' });
    expect(noPassword.text).toContain('<p class="field-error" id="disable-password-erreur">Indiquez votre mot de passe actuel.</p>');
    expect(db.prepare('SELECT count(*) AS n FROM staff_totp').get()).toEqual({ n: 1 });
    advance(30_000);
    const ok = await postForm(agent, `${SETUP}/desactiver`, { password: PASSWORD, code: codeAt(secret, now()) });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Double authentification désactivée.');
    expect(db.prepare('SELECT count(*) AS n FROM staff_totp').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM staff_recovery_codes').get()).toEqual({ n: 0 });
    expect((await signIn(app, 'camille@example.org')).res.headers.location).toBe('/equipe');
    expect(auditActions(db)).toContain('twofactor.disable');
  });
});

describe('second factor: admins', () => {
  it('mandatory for admins: refused until the admin has one; then an admin without one reaches only the set-up page', async () => {
    const { app, agent, db, now } = await setup('admin');
    const refuse = await postForm(agent, '/admin/securite', { adminsRequireTwoFactor: '1' }, '/admin/securite');
    expect(refuse.status).toBe(422);
    expect(refuse.text).toContain('Activez d’abord la double authentification sur votre propre compte.');
    await enrol(agent, now);
    const saved = await postForm(agent, '/admin/securite', { adminsRequireTwoFactor: '1' }, '/admin/securite');
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('id="adminsRequireTwoFactor" name="adminsRequireTwoFactor" value="1" checked');
    expect(auditActions(db)).toContain('settings.security');
    // A second admin without a second factor signs in: every page leads to the set-up page.
    await addStaff(db, 'dominique@example.org', 'admin');
    const { agent: other, res } = await signIn(app, 'dominique@example.org');
    expect(res.status).toBe(303);
    for (const url of ['/equipe', '/admin/comptes', '/resultats', '/admin/securite', '/compte/mot-de-passe']) {
      const r = await other.get(url);
      expect(r.status, url).toBe(303);
      expect(r.headers.location, url).toBe(SETUP);
    }
    const page = await other.get(SETUP);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Les administrateurs doivent activer la double authentification avant de continuer.');
    // Analysts are not concerned.
    await addStaff(db, 'analyste@example.org', 'analyst');
    expect((await (await signIn(app, 'analyste@example.org')).agent.get('/equipe')).status).toBe(200);
    // Once set up, everything opens; and an admin can't disable it while it is mandatory.
    const mine = await enrol(other, now);
    expect((await other.get('/equipe')).status).toBe(200);
    const disable = await postForm(other, `${SETUP}/desactiver`, { password: PASSWORD, code: mine.recovery[0] });
    expect(disable.status).toBe(422);
    expect(disable.text).toContain('La double authentification est obligatoire pour les administrateurs');
  });

  it('an admin resets another account’s second factor (lost phone): audited, its sessions end', async () => {
    const { app, agent, db, now } = await setup('analyst');
    await enrol(agent, now);
    await addStaff(db, 'chef@example.org', 'admin');
    const { agent: admin } = await signIn(app, 'chef@example.org');
    const list = await admin.get('/admin/securite');
    expect(list.text).toMatch(/<td>camille@example.org<\/td><td>Analyste<\/td>\s*<td>Activée<\/td>/);
    const id = (db.prepare(`SELECT id FROM staff_users WHERE email = 'camille@example.org'`).get() as { id: string }).id;
    const res = await postForm(admin, `/admin/securite/${id}/reinitialiser`, {}, '/admin/securite');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Double authentification de camille@example.org réinitialisée');
    expect((await agent.get('/equipe')).status).toBe(303);
    expect((await signIn(app, 'camille@example.org')).res.headers.location).toBe('/equipe');
    expect(auditActions(db)).toContain('twofactor.reset');
    // Not for analysts.
    const { agent: analyst } = await signIn(app, 'camille@example.org');
    expect((await analyst.get('/admin/securite')).status).toBe(403);
  });
});

describe('CSRF on every new form', () => {
  // Each new POST, signed in, without the token: 403 and nothing done.
  const posts = [
    '/compte/mot-de-passe',
    `${SETUP}/commencer`,
    `${SETUP}/confirmer`,
    `${SETUP}/annuler`,
    `${SETUP}/codes-de-secours`,
    `${SETUP}/desactiver`,
    '/admin/securite',
    '/admin/securite/x/reinitialiser',
    '/login/code',
  ];
  it.each(posts)('POST %s without the token: 403, nothing changed', async (url) => {
    const { agent, db } = await setup('admin');
    const before = JSON.stringify([db.prepare('SELECT * FROM staff_totp').all(), db.prepare('SELECT * FROM settings').all(), db.prepare('SELECT count(*) FROM audit_log').get()]);
    const res = await agent.post(url).type('form').send(formBody({ adminsRequireTwoFactor: '1', code: '123456', password: PASSWORD, current: PASSWORD, confirm: PASSWORD }));
    expect(res.status).toBe(403);
    expect(res.text).toContain('Page expirée');
    expect(JSON.stringify([db.prepare('SELECT * FROM staff_totp').all(), db.prepare('SELECT * FROM settings').all(), db.prepare('SELECT count(*) FROM audit_log').get()])).toBe(before);
  });

  it.each(['/compte/mot-de-passe', SETUP, '/admin/securite'])('every form of %s carries the token', async (url) => {
    const { agent } = await setup('admin');
    await postForm(agent, `${SETUP}/commencer`, {});
    const page = await agent.get(url);
    const forms = page.text.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBeGreaterThan(0);
    for (const f of forms) expect(f).toMatch(/<input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{43}">/);
  });
});
