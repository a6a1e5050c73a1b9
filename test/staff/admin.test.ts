import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { completeSurvey, countRows, csrfFrom, formBody, makeApp, Respondent, validAnswers } from '../helpers.js';
import { addStaff, auditActions, signIn, tokenOf } from './helpers.js';

async function adminAgent(t: ReturnType<typeof makeApp>) {
  await addStaff(t.db, 'admin@example.org', 'admin');
  return (await signIn(t.app, 'admin@example.org')).agent;
}

describe('API tokens', () => {
  it('an analyst creates a token shown once, uses it from a script, then revokes it', async () => {
    const t = makeApp();
    await addStaff(t.db, 'ana@example.org', 'analyst');
    const { agent } = await signIn(t.app, 'ana@example.org');
    const created = await agent.post('/compte/jetons').type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons'), label: 'Script R' }));
    expect(created.status).toBe(201);
    const token = created.text.match(/<code class="secret">(maa_[A-Za-z0-9_-]+)<\/code>/)![1];
    // Stored hashed only.
    expect(JSON.stringify(t.db.prepare('SELECT * FROM api_tokens').all())).not.toContain(token);
    // Shown once: the list page doesn't show it again.
    expect((await agent.get('/compte/jetons')).text).not.toContain(token);

    const script = await request(t.app).get('/api/moi').set('Authorization', `Bearer ${token}`);
    expect(script.status).toBe(200);
    expect(script.body).toEqual({ email: 'ana@example.org', role: 'analyst', via: 'token' });
    // A token opens API/CSV routes, not the pages.
    expect((await request(t.app).get('/equipe').set('Authorization', `Bearer ${token}`)).status).toBe(303);

    const id = (t.db.prepare('SELECT id FROM api_tokens').get() as { id: string }).id;
    const revoked = await agent.post(`/compte/jetons/${id}/revoquer`).type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons') }));
    expect(revoked.text).toContain('Jeton révoqué.');
    expect((await request(t.app).get('/api/moi').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    expect(auditActions(t.db)).toEqual(['login.success', 'token.create', 'token.revoke']);
  });

  it('asks for a name, in French, next to the field', async () => {
    const t = makeApp();
    await addStaff(t.db, 'ana@example.org', 'analyst');
    const { agent } = await signIn(t.app, 'ana@example.org');
    const res = await agent.post('/compte/jetons').type('form').send(formBody({ _csrf: await tokenOf(agent, '/compte/jetons'), label: '' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="label-erreur">Donnez un nom au jeton');
  });
});

describe('accounts page', () => {
  it('creates an account with a generated password, changes role, resets, disables; all audited', async () => {
    const t = makeApp();
    const admin = await adminAgent(t);
    const csrf = () => tokenOf(admin, '/admin/comptes');
    const bad = await admin.post('/admin/comptes').type('form').send(formBody({ _csrf: await csrf(), email: 'pas-une-adresse', role: 'chef' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Indiquez une adresse e-mail valide.');
    expect(bad.text).toContain('Choisissez un rôle.');
    expect(bad.text).toContain('value="pas-une-adresse"');

    const created = await admin.post('/admin/comptes').type('form').send(formBody({ _csrf: await csrf(), email: 'Anim@Example.org', role: 'facilitator' }));
    expect(created.status).toBe(201);
    const password = created.text.match(/<code class="secret">([A-Za-z0-9]{20})<\/code>/)![1];
    expect((await signIn(t.app, 'anim@example.org', password)).res.status).toBe(303);

    const id = (t.db.prepare("SELECT id FROM staff_users WHERE email = 'anim@example.org'").get() as { id: string }).id;
    await admin.post(`/admin/comptes/${id}/role`).type('form').send(formBody({ _csrf: await csrf(), role: 'analyst' }));
    const reset = await admin.post(`/admin/comptes/${id}/mot-de-passe`).type('form').send(formBody({ _csrf: await csrf() }));
    const newPassword = reset.text.match(/<code class="secret">([A-Za-z0-9]{20})<\/code>/)![1];
    expect((await signIn(t.app, 'anim@example.org', password)).res.status).toBe(401);
    expect((await signIn(t.app, 'anim@example.org', newPassword)).res.status).toBe(303);
    await admin.post(`/admin/comptes/${id}/desactiver`).type('form').send(formBody({ _csrf: await csrf() }));
    expect((await signIn(t.app, 'anim@example.org', newPassword)).res.status).toBe(401);

    const actions = auditActions(t.db);
    for (const a of ['account.create', 'account.role', 'account.password_reset', 'account.disable']) expect(actions).toContain(a);
    const journal = await admin.get('/admin/journal');
    expect(journal.text).toContain('Compte créé');
    expect(journal.text).toContain('compte : anim@example.org · rôle : Animateur');
    // Failed sign-ins are grouped per email into one entry with a count.
    expect(journal.text).toMatch(/<td>Échecs de connexion<\/td><td>2 échecs de connexion pour anim@example\.org à \d{2} h \d{2}<\/td>/);
  });

  it('keeps at least one active admin', async () => {
    const t = makeApp();
    const admin = await adminAgent(t);
    const id = (t.db.prepare('SELECT id FROM staff_users').get() as { id: string }).id;
    const res = await admin.post(`/admin/comptes/${id}/role`).type('form').send(formBody({ _csrf: await tokenOf(admin, '/admin/comptes'), role: 'analyst' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('il doit rester au moins un administrateur actif');
  });
});

describe('campaign settings', () => {
  it('an admin sets dates and channels; the survey follows at once; errors are in French next to the field', async () => {
    const t = makeApp({ now: () => new Date('2026-05-10T10:00:00Z') });
    const admin = await adminAgent(t);
    const csrf = () => tokenOf(admin, '/admin/campagne');
    const bad = await admin
      .post('/admin/campagne')
      .type('form')
      .send(formBody({ _csrf: await csrf(), opensAt: '10/05/2026', closesAt: '2026-01-01', channels: 'lycee-carnot;Lycée Carnot\nPAS BON' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Date attendue au format AAAA-MM-JJ');
    expect(bad.text).toContain('Ligne 2 : format attendu');
    expect(bad.text).toContain('PAS BON</textarea>');

    const ok = await admin
      .post('/admin/campagne')
      .type('form')
      .send(formBody({ _csrf: await csrf(), opensAt: '2026-06-01', closesAt: '2026-07-01T18:00', channels: 'lycee-senez;Lycée Henri Senez' }));
    expect(ok.text).toContain('Réglages enregistrés.');
    expect(ok.text).toContain('value="2026-06-01"');
    expect(ok.text).toContain('value="2026-07-01T18:00"');
    const landing = await request(t.app).get('/');
    expect(landing.text).toContain('à partir du 1er juin 2026');
    expect(auditActions(t.db)).toContain('settings.campaign');
  });

  it('closing, then deleting every response after typing SUPPRIMER', async () => {
    const t = makeApp();
    await completeSurvey(new Respondent(t.app));
    const r2 = new Respondent(t.app);
    await r2.post(1, validAnswers[1]);
    const admin = await adminAgent(t);
    const csrf = () => tokenOf(admin, '/admin/campagne');
    const early = await admin.post('/admin/campagne/supprimer-reponses').type('form').send(formBody({ _csrf: await csrf(), confirmation: 'SUPPRIMER' }));
    expect(early.status).toBe(422);
    expect(early.text).toContain('Clôturez d’abord la campagne.');
    const closed = await admin.post('/admin/campagne/cloturer').type('form').send(formBody({ _csrf: await csrf(), confirmer: 'oui' }));
    expect(closed.text).toContain('La campagne est clôturée');
    expect((await request(t.app).get('/')).text).toContain('La consultation est terminée');
    const wrong = await admin.post('/admin/campagne/supprimer-reponses').type('form').send(formBody({ _csrf: await csrf(), confirmation: 'oui' }));
    expect(wrong.status).toBe(422);
    expect(countRows(t.db, 'SELECT count(*) AS n FROM responses')).toBe(2);
    const done = await admin.post('/admin/campagne/supprimer-reponses').type('form').send(formBody({ _csrf: await csrf(), confirmation: 'SUPPRIMER' }));
    expect(done.text).toContain('2 réponses supprimées.');
    for (const table of ['responses', 'answers', 'draft_sections', 'completed_tokens']) {
      expect(countRows(t.db, `SELECT count(*) AS n FROM ${table}`), table).toBe(0);
    }
    expect(auditActions(t.db)).toEqual(expect.arrayContaining(['campaign.close', 'responses.delete']));
  });
});

describe('CSRF on staff forms', () => {
  it('refuses login and admin posts without the token, or with another browser’s token', async () => {
    const t = makeApp();
    await addStaff(t.db, 'admin@example.org', 'admin');
    const noToken = await request(t.app).post('/login').type('form').send(formBody({ email: 'admin@example.org', password: 'x' }));
    expect(noToken.status).toBe(403);
    const admin = (await signIn(t.app, 'admin@example.org')).agent;
    const other = request.agent(t.app);
    const foreignToken = csrfFrom((await other.get('/login')).text);
    for (const body of [{}, { _csrf: foreignToken }, { _csrf: '' }]) {
      const res = await admin.post('/admin/comptes').type('form').send(formBody({ ...body, email: 'x@example.org', role: 'admin' }));
      expect(res.status).toBe(403);
    }
    expect(t.db.prepare("SELECT count(*) AS n FROM staff_users WHERE email = 'x@example.org'").get()).toEqual({ n: 0 });
  });
});
