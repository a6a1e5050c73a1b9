import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { formBody, makeApp, type TestApp } from '../helpers.js';
import { addStaff, signIn, tokenOf } from './helpers.js';

/** Every route the app registered: method and path, from Express's own router. */
function registeredRoutes(app: TestApp['app']): { method: string; path: string }[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const out: { method: string; path: string }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push({ method: m.toUpperCase(), path: layer.route.path });
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

// The only routes anyone may use without signing in. A new public route must be added here on
// purpose; any other new route is checked below automatically.
const PUBLIC = new Set([
  'GET /healthz',
  'GET /api/communes',
  'GET /',
  'GET /confidentialite',
  'GET /questionnaire',
  'GET /questionnaire/:step',
  'POST /questionnaire/:step',
  'GET /merci',
  'POST /nouvelle-reponse',
  'GET /login',
  'POST /login',
  'POST /logout',
  'GET /static/vendor/chart.umd.min.js',
  'GET /static/vendor/d3.layout.cloud.js',
  // Workshop participants: anonymous by design (a code, no account).
  'GET /w',
  'GET /w/:code',
  'GET /w/:code/flux',
  'POST /w/:code/activite/:position',
]);

const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name) => (name === 'step' ? '1' : 'inconnu'));

describe('route walk: no staff route answers anonymously', () => {
  it('finds the staff routes and refuses each one without a session', async () => {
    const { app } = makeApp();
    const routes = registeredRoutes(app).filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));
    expect(routes.length).toBeGreaterThan(10);
    const agent = request.agent(app);
    const token = (await agent.get('/login')).text.match(/name="_csrf" value="([^"]+)"/)![1];
    for (const r of routes) {
      const url = concrete(r.path);
      const res =
        r.method === 'GET'
          ? await agent.get(url)
          : await agent[r.method.toLowerCase() as 'post' | 'put' | 'delete'](url).type('form').send(formBody({ _csrf: token }));
      const where = `${r.method} ${r.path}`;
      expect(res.status, where).not.toBe(200);
      // APIs, CSV and event streams: 401 (a script can't follow a login page). Pages: to /login.
      if (/^\/(api|export)\/|\/flux$|^\/resultats\/tableau\.csv$/.test(r.path)) expect(res.status, where).toBe(401);
      else {
        expect(res.status, where).toBe(303);
        expect(res.headers.location, where).toMatch(/^\/login/);
      }
    }
  });

  it('also refuses a forged or revoked bearer token', async () => {
    const { app } = makeApp();
    for (const auth of ['Bearer maa_faux', 'Bearer ', 'Basic YWRtaW46YWRtaW4=']) {
      const res = await request(app).get('/api/moi').set('Authorization', auth);
      expect(res.status).toBe(401);
      expect(res.text).toContain('Connexion requise');
    }
  });
});

describe('roles', () => {
  // [path, roles allowed]
  const pages: [string, string[]][] = [
    ['/equipe', ['admin', 'analyst', 'facilitator']],
    ['/compte/jetons', ['admin', 'analyst', 'facilitator']],
    ['/analyse', ['admin', 'analyst']],
    ['/analyse/signalements', ['admin', 'analyst']],
    ['/analyse/textes/message_elus', ['admin', 'analyst']],
    ['/analyse/representativite', ['admin', 'analyst']],
    ['/analyse/ponderation', ['admin', 'analyst']],
    ['/admin/marges', ['admin']],
    ['/admin/campagne/cloturer', ['admin']],
    ['/admin/campagne/affiche/lycee-carnot', ['admin']],
    ['/admin/comptes', ['admin']],
    ['/admin/campagne', ['admin']],
    ['/admin/journal', ['admin']],
  ];

  it.each(['admin', 'analyst', 'facilitator'] as const)('%s sees exactly the pages of the role', async (role) => {
    const { app, db } = makeApp();
    await addStaff(db, `${role}@example.org`, role);
    const { agent } = await signIn(app, `${role}@example.org`);
    for (const [path, allowed] of pages) {
      const res = await agent.get(path);
      if (allowed.includes(role)) expect(res.status, `${role} ${path}`).toBe(200);
      else {
        expect(res.status, `${role} ${path}`).toBe(403);
        expect(res.text).toContain('Votre rôle ne permet pas d’accéder à cette page.');
      }
    }
    // State-changing admin actions are refused too, not just the pages.
    const csrf = await tokenOf(agent, '/equipe');
    const post = await agent.post('/admin/campagne/cloturer').type('form').send(formBody({ _csrf: csrf, confirmer: 'oui' }));
    expect(post.status).toBe(role === 'admin' ? 200 : 403);
  });

  it('the staff home lists only what the role may open', async () => {
    const { app, db } = makeApp();
    await addStaff(db, 'f@example.org', 'facilitator');
    const { agent } = await signIn(app, 'f@example.org');
    const home = await agent.get('/equipe');
    expect(home.text).not.toContain('href="/admin/comptes"');
    expect(home.text).not.toContain('href="/compte/jetons"');
  });
});
