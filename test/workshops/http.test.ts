import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createStaffStore } from '../../src/staff/store.js';
import { csrfFrom, formBody, makeApp, type TestApp } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';

const DEFINITION = {
  title: 'Atelier Jeunesse',
  date: '2023-02-28',
  place: 'Stade Bollaert-Delelis',
  activities: [
    { type: 'poll', prompt: 'Pourrais-tu envisager de travailler dans l’industrie ?', question_id: 'envisager_industrie' },
    { type: 'word_cloud', prompt: 'En un à trois mots, l’industrie c’est…' },
    { type: 'idea_wall', prompt: 'Comment se déplacer plus facilement sans voiture ?', premoderation: true },
    { type: 'scale', prompt: 'Es-tu fier de ton territoire ?', scale: 'agreement', hide_results: true },
  ],
};

async function setup() {
  const t = makeApp();
  const fac = await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
  await addStaff(t.db, 'ana@exemple.fr', 'analyst');
  const token = createStaffStore(t.db).createToken(fac.id, 'script').token;
  const created = await request(t.app).post('/api/workshops').set('Authorization', `Bearer ${token}`).send(DEFINITION);
  expect(created.status).toBe(201);
  return { t, token, id: created.body.id as string, code: created.body.code as string };
}

/** A phone in the room: its own cookies, reads the CSRF token from the page like a browser. */
async function participant(t: TestApp, code: string) {
  const agent = request.agent(t.app);
  const page = await agent.get(`/w/${code}`);
  expect(page.status).toBe(200);
  return {
    agent,
    page,
    async answer(position: number, fields: Record<string, string | string[]>) {
      const p = await agent.get(`/w/${code}`);
      return agent.post(`/w/${code}/activite/${position}`).type('form').send(formBody({ _csrf: csrfFrom(p.text), ...fields }));
    },
  };
}

async function control(t: TestApp, id: string, fields: Record<string, string>) {
  const { agent } = await signIn(t.app, 'anim@exemple.fr');
  const page = await agent.get(`/ateliers/${id}`);
  return agent.post(`/ateliers/${id}/pilotage`).type('form').send(formBody({ _csrf: csrfFrom(page.text), ...fields }));
}

describe('workshops over HTTP', () => {
  it('creates a workshop by API with a join code and its URL; refuses bad definitions with every error', async () => {
    const { t, token, code } = await setup();
    expect(code).toMatch(/^[ACDEFGHJKMNPQRTWXY34679]{6}$/);
    const bad = await request(t.app)
      .post('/api/workshops')
      .set('Authorization', `Bearer ${token}`)
      .send({ title: '', activities: [{ type: 'poll', prompt: 'x', options: ['seul'] }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toContainEqual({ field: 'title', message: 'Donne un titre à l’atelier.' });
    const broken = await request(t.app).post('/api/workshops').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send('{"title":');
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].message).toBe('Le corps n’est pas du JSON valide.');
  });

  it.each([
    ['anonymous page', 'GET', '/ateliers', undefined, 303],
    ['anonymous API', 'GET', '/api/workshops/:id/results', undefined, 401],
    ['anonymous write without token', 'POST', '/api/workshops', undefined, 403],
    ['analyst creating', 'GET', '/ateliers/nouveau', 'ana@exemple.fr', 403],
    ['analyst controlling', 'GET', '/ateliers/:id', 'ana@exemple.fr', 403],
    ['analyst projector', 'GET', '/ateliers/:id/ecran', 'ana@exemple.fr', 403],
    ['analyst results', 'GET', '/ateliers/:id/resultats', 'ana@exemple.fr', 200],
    ['facilitator control', 'GET', '/ateliers/:id', 'anim@exemple.fr', 200],
    ['facilitator projector', 'GET', '/ateliers/:id/ecran', 'anim@exemple.fr', 200],
    ['facilitator export', 'GET', '/ateliers/:id/export.csv', 'anim@exemple.fr', 200],
  ])('authorises every facilitator route: %s', async (_name, method, path, who, status) => {
    const { t, id } = await setup();
    const url = path.replace(':id', id);
    const agent = who ? (await signIn(t.app, who)).agent : request.agent(t.app);
    const res = method === 'GET' ? await agent.get(url).redirects(0) : await agent.post(url).send({});
    expect(res.status).toBe(status);
  });

  it('refuses an API token on pages, and the analyst’s token on workshop writes', async () => {
    const { t, id, token } = await setup();
    expect((await request(t.app).get(`/ateliers/${id}`).set('Authorization', `Bearer ${token}`).redirects(0)).status).toBe(303);
    const ana = createStaffStore(t.db).byEmail('ana@exemple.fr')!;
    const anaToken = createStaffStore(t.db).createToken(ana.id, 'r').token;
    expect((await request(t.app).post('/api/workshops').set('Authorization', `Bearer ${anaToken}`).send(DEFINITION)).status).toBe(403);
    expect((await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${anaToken}`)).status).toBe(200);
  });

  it('creates a workshop with the form: all errors at once, next to their fields, everything typed kept', async () => {
    const t = makeApp();
    await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
    const { agent } = await signIn(t.app, 'anim@exemple.fr');
    const page = await agent.get('/ateliers/nouveau');
    expect(page.status).toBe(200);
    const bad = await agent
      .post('/ateliers/nouveau')
      .type('form')
      .send(formBody({ _csrf: csrfFrom(page.text), title: '', date: '2023-02-30', place: 'Lens', a0_type: 'poll', a0_prompt: 'Bus ou vélo ?', a0_options: 'Bus', a2_type: 'word_cloud', a2_prompt: '' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Donne un titre à l’atelier.');
    expect(bad.text).toContain('Date attendue au format AAAA-MM-JJ');
    expect(bad.text).toContain('Écris la question posée à la salle.');
    expect(bad.text).toContain('value="Bus ou vélo ?"');
    expect(bad.text).toContain('value="Lens"');
    expect(bad.text).toMatch(/<title>Erreur : Nouvel atelier/);
    const ok = await agent
      .post('/ateliers/nouveau')
      .type('form')
      .send(formBody({ _csrf: csrfFrom(bad.text), title: 'Forum', date: '2023-02-28', a0_type: 'poll', a0_prompt: 'Bus ou vélo ?', a0_options: 'Bus\nVélo\n', a1_type: 'poll', a1_question: 'envisager_industrie' }));
    expect(ok.status).toBe(303);
    const control = await agent.get(ok.headers.location);
    expect(control.text).toContain('Bus ou vélo ?');
    expect(control.text).toContain('Pourrais-tu envisager de travailler dans l’industrie ?'); // the question's wording by default
    expect(control.text).toMatch(/<svg[^>]*viewBox/); // the QR code, made on the server
    // CSRF is checked: the same form without its token is refused.
    expect((await agent.post('/ateliers/nouveau').type('form').send(formBody({ title: 'x', a0_type: 'word_cloud', a0_prompt: 'x' }))).status).toBe(403);
  });

  it('joins by code: /w and /w/<code>, a bad code answered in French with what was typed', async () => {
    const { t, code } = await setup();
    const join = await request(t.app).get(`/w?code=${code.toLowerCase().slice(0, 3)}-${code.slice(3)}`).redirects(0);
    expect(join.status).toBe(303);
    expect(join.headers.location).toBe(`/w/${code}`);
    const wrong = await request(t.app).get('/w?code=AAAAAA');
    expect(wrong.status).toBe(404);
    expect(wrong.text).toContain('Ce code ne correspond à aucun atelier en cours.');
    expect(wrong.text).toContain('value="AAAAAA"');
    const malformed = await request(t.app).get('/w?code=12');
    expect(malformed.status).toBe(422);
    expect(malformed.text).toContain('Le code a 6 caractères');
    const page = await request(t.app).get(`/w/${code}`);
    expect(page.text).toContain('L’atelier va commencer');
    expect(String(page.headers['set-cookie'])).toMatch(/avenir_atelier=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax/);
  });

  it('keeps one answer per participant per activity, changeable while open, refused once closed with the choice kept', async () => {
    const { t, id, code, token } = await setup();
    const on = await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 0 });
    expect(on.body.activities[0]).toEqual({ index: 0, state: 'open' });
    const a = await participant(t, code);
    expect((await a.answer(0, { choice: 'plutot_oui' })).status).toBe(303);
    expect((await a.answer(0, { choice: 'nsp' })).status).toBe(303);
    const b = await participant(t, code);
    expect((await b.answer(0, { choice: 'nsp' })).status).toBe(303);
    const invalid = await b.answer(0, {});
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('Choisis une réponse.');
    let results = (await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${token}`)).body;
    expect(results.participants).toBe(2);
    expect(results.activities[0]).toMatchObject({ type: 'poll', question_id: 'envisager_industrie', answered: 2 });
    expect(results.activities[0].options.find((o: { code: string }) => o.code === 'nsp')).toEqual({ code: 'nsp', label: 'Je ne sais pas', count: 2, percent: 100 });
    // Switching closes the activity before.
    await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 1 });
    const late = await a.answer(0, { choice: 'plutot_non' });
    expect(late.status).toBe(409);
    expect(late.text).toContain('Cette activité est fermée : tes réponses ne peuvent plus changer.');
    results = (await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${token}`)).body;
    expect(results.activities[0].state).toBe('closed');
    expect(results.activities[0].options.find((o: { code: string }) => o.code === 'nsp').count).toBe(2);
    const wrongIndex = await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 9 });
    expect(wrongIndex.status).toBe(422);
  });

  it('word cloud in French on the projector; the profanity list and moderation keep words off screen, kept in the data', async () => {
    const { t, id, code, token } = await setup();
    await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 1 });
    const typed = [['Usines', 'fumée'], ["l'usine", 'merde'], ['USINE', 'Fumée', 'emploi']];
    for (const entries of typed) {
      const p = await participant(t, code);
      expect((await p.answer(1, { entry1: entries[0], entry2: entries[1] ?? '', entry3: entries[2] ?? '' })).status).toBe(303);
    }
    const tooMany = await (await participant(t, code)).answer(1, { entry1: 'x'.repeat(50), entry2: 'garde-moi' });
    expect(tooMany.status).toBe(422);
    expect(tooMany.text).toContain('Trop long : 50 caractères pour 40 au maximum.');
    expect(tooMany.text).toContain('value="garde-moi"');
    await control(t, id, { do: 'hide-entry', position: '1', key: 'emploi' });
    const { agent } = await signIn(t.app, 'anim@exemple.fr');
    const screen = await agent.get(`/ateliers/${id}/ecran?partiel=1`);
    expect(screen.text).toContain('Usines');
    expect(screen.text).not.toContain('merde');
    expect(screen.text).not.toContain('emploi');
    expect(screen.text).not.toContain('<html'); // a fragment
    const results = (await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${token}`)).body.activities[1];
    expect(results.entries).toEqual([
      { text: 'Usines', count: 3, variants: [{ text: 'Usines', count: 1 }, { text: 'USINE', count: 1 }, { text: "l'usine", count: 1 }], hidden: false, profanity: false },
      { text: 'fumée', count: 2, variants: [{ text: 'fumée', count: 1 }, { text: 'Fumée', count: 1 }], hidden: false, profanity: false },
      { text: 'emploi', count: 1, variants: [{ text: 'emploi', count: 1 }], hidden: true, profanity: false },
      { text: 'merde', count: 1, variants: [{ text: 'merde', count: 1 }], hidden: true, profanity: true },
    ]);
  });

  it('idea wall: pre-moderation, support, themes; hidden until revealed', async () => {
    const { t, id, code, token } = await setup();
    await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 2 });
    const a = await participant(t, code);
    expect((await a.answer(2, { text: 'Des bus le soir et le week-end' })).status).toBe(303);
    const long = await a.answer(2, { text: 'é'.repeat(300) });
    expect(long.text).toContain('Ta proposition est trop longue : 300 caractères pour 280 au maximum.');
    expect(long.text).toContain('é'.repeat(300));
    const { agent } = await signIn(t.app, 'anim@exemple.fr');
    expect((await agent.get(`/ateliers/${id}/ecran?partiel=1`)).text).not.toContain('Des bus le soir');
    const ideaId = (await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${token}`)).body.activities[2].ideas[0].id;
    await control(t, id, { do: 'idea-approve', idea: ideaId });
    await control(t, id, { do: 'theme-add', position: '2', label: 'Renforcer l’accessibilité territoriale' });
    let wall = (await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${token}`)).body.activities[2];
    await control(t, id, { do: 'idea-theme', idea: ideaId, theme: wall.themes[0].id });
    const b = await participant(t, code);
    expect((await b.answer(2, { soutien: ideaId })).status).toBe(303);
    wall = (await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${token}`)).body.activities[2];
    expect(wall.ideas).toEqual([{ id: ideaId, text: 'Des bus le soir et le week-end', theme: 'Renforcer l’accessibilité territoriale', votes: 1, hidden: false, status: 'visible' }]);
    const screen = (await agent.get(`/ateliers/${id}/ecran?partiel=1`)).text;
    expect(screen).toContain('Des bus le soir');
    expect(screen).toContain('Renforcer l’accessibilité territoriale');
    // The scale hides its results until revealed.
    await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 3 });
    await (await participant(t, code)).answer(3, { choice: 'plutot_d_accord' });
    let scale = (await agent.get(`/ateliers/${id}/ecran?partiel=1`)).text;
    expect(scale).toContain('résultats dévoilés tout à l’heure');
    expect(scale).not.toContain('Plutôt d’accord');
    await control(t, id, { do: 'reveal', position: '3' });
    scale = (await agent.get(`/ateliers/${id}/ecran?partiel=1`)).text;
    expect(scale).toContain('Plutôt d’accord');
    expect(scale).toContain('100 %');
  });

  it('exports the room’s results as CSV and duplicates, archives and deletes', async () => {
    const { t, id, code, token } = await setup();
    await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 0 });
    await (await participant(t, code)).answer(0, { choice: 'nsp' });
    const { agent } = await signIn(t.app, 'anim@exemple.fr');
    const csv = await agent.get(`/ateliers/${id}/export.csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('activity,type,prompt,item_code,item,count,text,theme,votes,hidden');
    expect(lines).toContain('1,poll,Pourrais-tu envisager de travailler dans l’industrie ?,nsp,Je ne sais pas,1,,,,0');
    const page = await agent.get(`/ateliers/${id}`);
    const dup = await agent.post(`/ateliers/${id}/dupliquer`).type('form').send(formBody({ _csrf: csrfFrom(page.text) }));
    expect(dup.status).toBe(303);
    expect((await agent.get(dup.headers.location)).text).toContain('Atelier Jeunesse (copie)');
    const noConfirm = await agent.post(`/ateliers/${id}/supprimer`).type('form').send(formBody({ _csrf: csrfFrom(page.text) }));
    expect(noConfirm.status).toBe(422);
    await agent.post(`/ateliers/${id}/archiver`).type('form').send(formBody({ _csrf: csrfFrom(page.text) }));
    expect((await request(t.app).get(`/w/${code}`)).status).toBe(404);
    expect((await agent.post(`/ateliers/${id}/supprimer`).type('form').send(formBody({ _csrf: csrfFrom(page.text), confirm: '1' }))).status).toBe(303);
    expect((await agent.get(`/ateliers/${id}`)).status).toBe(404);
  });

  it('delivers an update to a connected projector when a participant answers', async () => {
    const { t, id, code, token } = await setup();
    await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 0 });
    const { res: login } = await signIn(t.app, 'anim@exemple.fr');
    const raw = login.headers['set-cookie'] as unknown;
    const cookie = (Array.isArray(raw) ? (raw as string[]) : [String(raw)]).map((c) => c.split(';')[0]).join('; ');
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const events: string[] = [];
    const req = http.get({ host: '127.0.0.1', port, path: `/ateliers/${id}/flux`, headers: { cookie } });
    const got = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          events.push(...d.split('\n\n').filter((e) => e.includes('event: update')));
          if (events.length >= 2) resolve();
        });
      });
    });
    await new Promise((r) => setTimeout(r, 100));
    await (await participant(t, code)).answer(0, { choice: 'nsp' });
    await got;
    req.destroy();
    server.close();
    expect(events[1]).toContain('"participants":1');
  });
});

describe('personal data on the workshop wall', () => {
  it('masks a phone number and a name before the wall reaches a screen or a phone', async () => {
    const { t, id, code, token } = await setup();
    await request(t.app).post(`/api/workshops/${id}/current`).set('Authorization', `Bearer ${token}`).send({ activity: 2 });
    const a = await participant(t, code);
    await a.answer(2, { text: 'Appelez Lucas Martin au 06 12 34 56 78 pour le covoiturage' });
    const ideaId = (await request(t.app).get(`/api/workshops/${id}/results`).set('Authorization', `Bearer ${token}`)).body.activities[2].ideas[0].id;
    await control(t, id, { do: 'idea-approve', idea: ideaId });
    const { agent } = await signIn(t.app, 'anim@exemple.fr');
    const screenText = (await agent.get(`/ateliers/${id}/ecran?partiel=1`)).text;
    expect(screenText).toContain('Appelez [nom] au [téléphone] pour le covoiturage');
    expect(screenText).not.toContain('06 12');
    const phone = (await a.agent.get(`/w/${code}`)).text;
    expect(phone).toContain('Appelez [nom] au [téléphone]');
  });
});

describe('facilitators’ tokens', () => {
  it('a facilitator creates a token on the tokens page; it drives workshops and nothing else', async () => {
    const t = makeApp();
    await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
    const { agent } = await signIn(t.app, 'anim@exemple.fr');
    const page = await agent.get('/compte/jetons');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Un jeton d’animateur ne sert qu’aux ateliers.');
    const created = await agent.post('/compte/jetons').type('form').send(formBody({ _csrf: csrfFrom(page.text), label: 'forum', duree: '30' }));
    expect(created.status).toBe(201);
    const token = /<code class="secret">([^<]+)<\/code>/.exec(created.text)![1];
    const auth = { Authorization: `Bearer ${token}` };
    expect((await request(t.app).post('/api/workshops').set(auth).send(DEFINITION)).status).toBe(201);
    expect((await request(t.app).get('/api/moi').set(auth)).body).toMatchObject({ role: 'facilitator', via: 'token' });
    for (const url of ['/api/results.json', '/resultats/flux']) {
      const res = await request(t.app).get(url).set(auth);
      expect(res.status, url).toBe(403);
      expect(res.text).toBe('Un jeton d’animateur ne sert qu’à l’API des ateliers (/api/workshops).');
    }
  });
});
