import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createStaffStore } from '../../src/staff/store.js';
import { formBody, makeApp } from '../helpers.js';
import { addStaff, auditActions, PASSWORD, signIn, tokenOf } from './helpers.js';

const NEW_PASSWORD = 'brique pluie terril vélo';
const cookieNamed = (res: request.Response, name: string) =>
  ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith(`${name}=`));

async function setup() {
  const t = makeApp();
  const user = await addStaff(t.db, 'camille@example.org', 'analyst');
  const { agent } = await signIn(t.app, 'camille@example.org');
  return { ...t, user, agent };
}
const post = async (agent: ReturnType<typeof request.agent>, fields: Record<string, string>) =>
  agent.post('/compte/mot-de-passe').type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/mot-de-passe'), ...fields }));

describe('change of one’s own password (/compte/mot-de-passe)', () => {
  it('shows the form with the rule, the three fields and the CSRF token; linked from /equipe and the tokens page', async () => {
    const { agent } = await setup();
    const page = await agent.get('/compte/mot-de-passe');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Changer mon mot de passe</h1>');
    expect(page.text).toMatch(/name="_csrf" value="[A-Za-z0-9_-]{43}"/);
    expect(page.text).toContain('<input type="hidden" name="username" value="camille@example.org" autocomplete="username">');
    for (const [id, label, ac] of [
      ['current', 'Mot de passe actuel', 'current-password'],
      ['password', 'Nouveau mot de passe', 'new-password'],
      ['confirm', 'Nouveau mot de passe, une seconde fois', 'new-password'],
    ]) {
      expect(page.text).toContain(`<label for="${id}">${label}</label>`);
      expect(page.text).toContain(`<input type="password" id="${id}" name="${id}" autocomplete="${ac}"`);
    }
    expect(page.text).toContain('Au moins 12 caractères, difficile à deviner');
    for (const from of ['/equipe', '/compte/jetons']) expect((await agent.get(from)).text).toContain('<a href="/compte/mot-de-passe">Changer mon mot de passe</a>');
  });

  // Every error of the form at once, next to its field; passwords are never sent back.
  const cases: { name: string; fields: Record<string, string>; errors: Record<string, string> }[] = [
    {
      name: 'everything missing',
      fields: { current: '', password: '', confirm: '' },
      errors: { current: 'Indiquez votre mot de passe actuel.', password: 'Choisissez un nouveau mot de passe.' },
    },
    {
      name: 'wrong current password, weak new one, mismatch',
      fields: { current: 'pas-le-bon-mot-de-passe', password: 'motdepasse123', confirm: 'motdepasse124' },
      errors: {
        current: 'Ce n’est pas votre mot de passe actuel.',
        password: 'Ce mot de passe est trop facile à deviner.',
        confirm: 'Les deux nouveaux mots de passe ne sont pas identiques.',
      },
    },
    {
      name: 'right current password, new one too short',
      fields: { current: PASSWORD, password: 'court', confirm: 'court' },
      errors: { password: 'Le mot de passe doit faire au moins 12 caractères (il en a 5).' },
    },
    {
      name: 'new one is the email',
      fields: { current: PASSWORD, password: 'camille@example.org', confirm: 'camille@example.org' },
      errors: { password: 'Le mot de passe ne peut pas être votre adresse e-mail.' },
    },
    {
      name: 'new one is the current one',
      fields: { current: PASSWORD, password: PASSWORD, confirm: PASSWORD },
      errors: { password: 'Le nouveau mot de passe doit être différent de l’actuel.' },
    },
    {
      name: 'mismatch only',
      fields: { current: PASSWORD, password: NEW_PASSWORD, confirm: 'brique pluie terril velo' },
      errors: { confirm: 'Les deux nouveaux mots de passe ne sont pas identiques.' },
    },
  ];
  it.each(cases)('$name: 422, every error next to its field and in the summary, nothing changed', async ({ fields, errors }) => {
    const { agent, db, user } = await setup();
    const before = createStaffStore(db).byEmail('camille@example.org')!.passwordHash;
    const res = await post(agent, fields);
    expect(res.status).toBe(422);
    expect(res.text).toContain('<title>Erreur : Changer mon mot de passe – Mon avenir en Artois</title>');
    expect(res.text).toContain('Par sécurité, les mots de passe tapés ne sont jamais réaffichés : retapez-les.');
    for (const id of ['current', 'password', 'confirm']) {
      const message = errors[id];
      if (message) {
        expect(res.text).toMatch(new RegExp(`<p class="field-error" id="${id}-erreur">[^<]*${message.replace(/[.()?]/g, '\\$&')}`));
        expect(res.text).toContain(`<li><a href="#${id}">${message}`);
        expect(res.text).toMatch(new RegExp(`id="${id}" name="${id}"[^>]*aria-invalid="true"`));
      } else expect(res.text).not.toContain(`id="${id}-erreur"`);
    }
    // Passwords are never sent back: no password input carries a value.
    expect(res.text).not.toMatch(/type="password"[^>]*value=/);
    for (const v of Object.values(fields)) if (v && v !== 'camille@example.org') expect(res.text).not.toContain(v);
    expect(createStaffStore(db).byEmail('camille@example.org')!.passwordHash).toBe(before);
    expect(db.prepare('SELECT count(*) AS n FROM staff_sessions WHERE user_id = ?').get(user.id)).toEqual({ n: 1 });
    expect(auditActions(db)).not.toContain('account.password_change');
  });

  it('on success: new password works, other sessions and API tokens end, this session stays (rotated), audited', async () => {
    const { app, agent, db, user } = await setup();
    const other = await signIn(app, 'camille@example.org'); // another browser
    const store = createStaffStore(db);
    const { token } = store.createToken(user.id, 'Script R');
    expect((await request(app).get('/api/moi').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const res = await post(agent, { current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Mot de passe changé. Vos autres sessions sont fermées et vos jetons d’API révoqués.');
    expect(cookieNamed(res, 'avenir_equipe')).toMatch(/^avenir_equipe=[A-Za-z0-9_-]{43};/);
    expect((await agent.get('/equipe')).status).toBe(200);
    expect((await other.agent.get('/equipe')).status).toBe(303);
    expect(db.prepare('SELECT count(*) AS n FROM staff_sessions WHERE user_id = ?').get(user.id)).toEqual({ n: 1 });
    expect((await request(app).get('/api/moi').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    expect((await signIn(app, 'camille@example.org', PASSWORD)).res.status).toBe(401);
    expect((await signIn(app, 'camille@example.org', NEW_PASSWORD)).res.status).toBe(303);
    expect(auditActions(db)).toContain('account.password_change');
    expect(JSON.stringify(db.prepare('SELECT * FROM audit_log').all())).not.toContain(NEW_PASSWORD);
  });

  it('limits wrong current-password tries per account (a stolen session is not a guessing oracle)', async () => {
    const { agent } = await setup();
    for (let i = 0; i < 5; i++) expect((await post(agent, { current: `faux-${i}-mot-de-passe`, password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(422);
    const res = await post(agent, { current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Trop d’essais du mot de passe actuel. Réessayez dans 15 minutes.');
  });

  it('needs a signed-in browser, and the CSRF token', async () => {
    const { app, agent, db } = await setup();
    expect((await request(app).get('/compte/mot-de-passe')).headers.location).toBe('/login?retour=%2Fcompte%2Fmot-de-passe');
    const before = createStaffStore(db).byEmail('camille@example.org')!.passwordHash;
    const res = await agent.post('/compte/mot-de-passe').type('form').send(formBody({ current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    expect(res.status).toBe(403);
    expect(createStaffStore(db).byEmail('camille@example.org')!.passwordHash).toBe(before);
  });
});
