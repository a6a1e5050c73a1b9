import { afterEach, describe, expect, it } from 'vitest';
import { createSseHub, type SseHub } from '../../src/live/hub.js';
import { runStaffCli } from '../../src/staff/cli.js';
import { createStaffStore } from '../../src/staff/store.js';
import { formBody } from '../helpers.js';
import { addStaff, PASSWORD, signIn, tokenOf } from '../staff/helpers.js';
import { cookieHeader, listeningApp, openStream, within, type OpenedStream } from './support.js';

// Issue 9, part 4: one facilitator session opened 19,970 streams to /resultats/flux, the process
// ran out of file descriptors and /healthz and / stopped answering; a stream outlived its logout.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: Parameters<typeof listeningApp>[0] = {}) {
  const t = await listeningApp(opts);
  cleanups.push(t.close);
  return t;
}

/** A staff member signed in through the login form: the supertest agent and the cookie header. */
async function member(t: Awaited<ReturnType<typeof setup>>, email: string, role: 'admin' | 'analyst' | 'facilitator') {
  const user = (await createStaffStore(t.db).byEmail(email)) ?? (await addStaff(t.db, email, role));
  const { agent, res } = await signIn(t.app, email);
  expect(res.status).toBe(303);
  return { user, agent, cookie: cookieHeader(res.headers['set-cookie']) };
}

function track(streams: OpenedStream[]) {
  cleanups.push(() => streams.forEach((s) => s.close()));
  return streams;
}

/** Open streams of the app, as the hub counts them, once the server has seen the closes. */
async function settle(hub: SseHub, expected: { streams: number; owners: number }) {
  for (let i = 0; i < 100 && JSON.stringify(hub.stats()) !== JSON.stringify(expected); i++) await new Promise((r) => setTimeout(r, 20));
  return hub.stats();
}

describe('live streams: caps', () => {
  it('accepts 6 streams from one session out of 50 opened at once, refuses the rest with 429 and a French message, leaks nothing', async () => {
    const hub = createSseHub({ maxPerSecond: 2, maxPerOwner: 6, maxTotal: 1000 });
    cleanups.push(() => hub.close());
    const t = await setup({ hub });
    const anim = await member(t, 'anim@example.org', 'facilitator');
    const all = track(await Promise.all(Array.from({ length: 50 }, () => openStream(`${t.base}/resultats/flux`, { Cookie: anim.cookie }))));

    const accepted = all.filter((s) => s.status === 200);
    const refused = all.filter((s) => s.status !== 200);
    expect(accepted).toHaveLength(6);
    for (const s of accepted) {
      expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      await s.waitFor('event: update\ndata: {"responses":0}\n\n');
    }
    expect(refused).toHaveLength(44);
    for (const s of refused) {
      expect(s.status).toBe(429);
      expect(s.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(s.headers['retry-after']).toBe('20');
      expect(s.headers['cache-control']).toBe('no-store');
      expect(s.text()).toBe(
        'Trop de mises à jour en direct ouvertes avec cette connexion (6 au plus). Fermez un onglet du tableau de bord ou réessayez dans un instant.',
      );
    }
    // The refusals allocated nothing: six streams of one owner, nothing else.
    expect(hub.stats()).toEqual({ streams: 6, owners: 1 });

    // Meanwhile the rest of the site answers, and another person still gets a stream.
    const health = await fetch(`${t.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const home = await fetch(`${t.base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Mon avenir en Artois');
    const other = await member(t, 'analyste@example.org', 'analyst');
    const theirs = track([await openStream(`${t.base}/resultats/flux`, { Cookie: other.cookie })]);
    expect(theirs[0].status).toBe(200);
    expect(hub.stats()).toEqual({ streams: 7, owners: 2 });

    // Closing a tab frees its place at once.
    accepted[0].close();
    expect(await settle(hub, { streams: 6, owners: 2 })).toEqual({ streams: 6, owners: 2 });
    const again = track([await openStream(`${t.base}/resultats/flux`, { Cookie: anim.cookie })]);
    expect(again[0].status).toBe(200);

    for (const s of [...accepted, ...theirs, ...again]) s.close();
    expect(await settle(hub, { streams: 0, owners: 0 })).toEqual({ streams: 0, owners: 0 });
  });

  it('caps the whole process across sessions (SSE_MAX_TOTAL), with its own message, and the site keeps answering', async () => {
    const t = await setup({ config: { sseMaxPerSession: 6, sseMaxTotal: 10, sseHeartbeatSeconds: 30 } });
    const people = [
      await member(t, 'a@example.org', 'facilitator'),
      await member(t, 'b@example.org', 'analyst'),
      await member(t, 'c@example.org', 'admin'),
    ];
    const statuses: number[][] = [];
    const streams: OpenedStream[] = [];
    for (const p of people) {
      const row: number[] = [];
      for (let i = 0; i < 6; i++) {
        const s = await openStream(`${t.base}/resultats/flux`, { Cookie: p.cookie });
        streams.push(s);
        row.push(s.status);
      }
      statuses.push(row);
    }
    track(streams);
    expect(statuses).toEqual([
      [200, 200, 200, 200, 200, 200],
      [200, 200, 200, 200, 429, 429],
      [429, 429, 429, 429, 429, 429],
    ]);
    const full = streams.find((s) => s.status === 429)!;
    expect(full.headers['retry-after']).toBe('30');
    expect(full.text()).toBe(
      'Le serveur a atteint son nombre maximal de mises à jour en direct. Réessayez dans un instant ; en attendant, rechargez la page pour voir les derniers chiffres.',
    );
    expect((await fetch(`${t.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.base}/`)).status).toBe(200);
    expect((await fetch(`${t.base}/questionnaire/1`)).status).toBe(200);

    streams[0].close();
    await new Promise((r) => setTimeout(r, 100));
    const freed = track([await openStream(`${t.base}/resultats/flux`, { Cookie: people[2].cookie })]);
    expect(freed[0].status).toBe(200);
  });

  it('caps streams per API token like per session', async () => {
    const t = await setup({ config: { sseMaxPerSession: 2 } });
    const analyst = await addStaff(t.db, 'script@example.org', 'analyst');
    const { token } = createStaffStore(t.db).createToken(analyst.id, 'R');
    const { token: second } = createStaffStore(t.db).createToken(analyst.id, 'Python');
    const open = (tk: string) => openStream(`${t.base}/resultats/flux`, { Authorization: `Bearer ${tk}` });
    const statuses = track([await open(token), await open(token), await open(token), await open(second)]).map((s) => s.status);
    expect(statuses).toEqual([200, 200, 429, 200]);
  });
});

describe('live streams: closed when the right to listen ends', () => {
  // Each case opens a stream, does one thing elsewhere, and expects that stream to end while the
  // stream of another person stays open. The hub's heartbeat is an hour long in the "at once"
  // cases: only the immediate close can end them; 50 ms where the heartbeat's check must.
  type Ctx = { t: Awaited<ReturnType<typeof setup>>; viewer: Awaited<ReturnType<typeof member>>; admin: Awaited<ReturnType<typeof member>> };
  const adminAction = async (c: Ctx, action: string, extra: Record<string, string> = {}) => {
    const res = await c.admin.agent
      .post(`/admin/comptes/${c.viewer.user.id}/${action}`)
      .type('form')
      .send(formBody({ _csrf: await tokenOf(c.admin.agent, '/admin/comptes'), ...extra }));
    expect(res.status).toBeLessThan(400);
  };
  const ageSession = (c: Ctx, column: 'last_seen_at' | 'created_at', ms: number) =>
    c.t.db.prepare(`UPDATE staff_sessions SET ${column} = ${column} - ? WHERE user_id = ?`).run(ms, c.viewer.user.id);
  const AT_ONCE = 3600_000;
  const cases: { name: string; heartbeatMs: number; act: (c: Ctx) => Promise<unknown>; reopen: number }[] = [
    {
      name: 'logout, from another request of the same browser',
      heartbeatMs: AT_ONCE,
      reopen: 401,
      act: async (c) => {
        const res = await c.viewer.agent.post('/logout').type('form').send(formBody({ _csrf: await tokenOf(c.viewer.agent, '/equipe') }));
        expect(res.status).toBe(303);
      },
    },
    {
      name: 'signing in again in the same browser (the old session is replaced)',
      heartbeatMs: AT_ONCE,
      reopen: 401,
      act: async (c) => {
        const res = await c.viewer.agent
          .post('/login')
          .type('form')
          .send(formBody({ _csrf: await tokenOf(c.viewer.agent, '/equipe'), email: c.viewer.user.email, password: PASSWORD }));
        expect(res.status).toBe(303);
      },
    },
    { name: 'account disabled by an admin', heartbeatMs: AT_ONCE, reopen: 401, act: (c) => adminAction(c, 'desactiver') },
    // Still allowed with the new role: the browser's automatic reconnection gets a fresh stream.
    { name: 'role changed by an admin', heartbeatMs: AT_ONCE, reopen: 200, act: (c) => adminAction(c, 'role', { role: 'facilitator' }) },
    { name: 'password reset by an admin', heartbeatMs: AT_ONCE, reopen: 401, act: (c) => adminAction(c, 'mot-de-passe') },
    {
      name: 'account disabled from the command line (another process: found at the next heartbeat)',
      heartbeatMs: 50,
      reopen: 401,
      act: async (c) => expect(await runStaffCli(['disable', '--email', c.viewer.user.email], c.t.db, { out: () => {}, err: () => {}, readPassword: async () => undefined })).toBe(0),
    },
    {
      name: 'role changed in the database by something else (found at the next heartbeat)',
      heartbeatMs: 50,
      reopen: 200,
      act: async (c) => createStaffStore(c.t.db).setRole(c.viewer.user.id, 'facilitator'),
    },
    // The stream itself never counts as activity: nobody in front of the dashboard for longer
    // than STAFF_SESSION_IDLE_MINUTES (120 by default) ends it.
    { name: 'session idle for too long', heartbeatMs: 50, reopen: 401, act: async (c) => ageSession(c, 'last_seen_at', 121 * 60_000) },
    { name: 'session older than 12 hours, however active', heartbeatMs: 50, reopen: 401, act: async (c) => ageSession(c, 'created_at', 12 * 3600_000 + 60_000) },
  ];

  it.each(cases)('$name', async ({ heartbeatMs, act, reopen }) => {
    const hub = createSseHub({ maxPerSecond: 2, heartbeatMs });
    cleanups.push(() => hub.close());
    const t = await setup({ hub });
    const admin = await member(t, 'admin@example.org', 'admin');
    const viewer = await member(t, 'analyste@example.org', 'analyst');
    const bystander = await member(t, 'anim@example.org', 'facilitator');
    const [stream, other] = track([
      await openStream(`${t.base}/resultats/flux`, { Cookie: viewer.cookie }),
      await openStream(`${t.base}/resultats/flux`, { Cookie: bystander.cookie }),
    ]);
    expect([stream.status, other.status]).toEqual([200, 200]);
    await stream.waitFor('data: {"responses":0}');

    await act({ t, viewer, admin });
    await within(stream.ended, 2000, 'le flux devait se terminer');
    expect(await settle(hub, { streams: 1, owners: 1 })).toEqual({ streams: 1, owners: 1 });
    // A few heartbeats later, the other person's stream is still open.
    await new Promise((r) => setTimeout(r, Math.min(heartbeatMs, 200)));
    expect(other.hasEnded()).toBe(false);
    // What EventSource does next (reconnect with the same credentials) is checked on the way in.
    const retry = track([await openStream(`${t.base}/resultats/flux`, { Cookie: viewer.cookie })])[0];
    expect(retry.status).toBe(reopen);
  });

  it.each([
    ['revoked by its owner on the tokens page (at once)', 3600_000, 'revoke'],
    ['owner disabled by an admin (at once)', 3600_000, 'disable'],
    ['revoked from elsewhere (found at the next heartbeat)', 50, 'revoke-db'],
  ] as const)('a stream opened with an API token ends when the token is %s', async (_name, heartbeatMs, how) => {
    const hub = createSseHub({ maxPerSecond: 2, heartbeatMs });
    cleanups.push(() => hub.close());
    const t = await setup({ hub });
    const analyst = await member(t, 'analyste@example.org', 'analyst');
    const admin = await member(t, 'admin@example.org', 'admin');
    const store = createStaffStore(t.db);
    const { token, id } = store.createToken(analyst.user.id, 'Tableau R');
    const { token: kept } = store.createToken(analyst.user.id, 'Autre script');
    const [stream, keptStream, session] = track([
      await openStream(`${t.base}/resultats/flux`, { Authorization: `Bearer ${token}` }),
      await openStream(`${t.base}/resultats/flux`, { Authorization: `Bearer ${kept}` }),
      await openStream(`${t.base}/resultats/flux`, { Cookie: analyst.cookie }),
    ]);
    expect([stream.status, keptStream.status, session.status]).toEqual([200, 200, 200]);
    if (how === 'revoke') {
      const res = await analyst.agent.post(`/compte/jetons/${id}/revoquer`).type('form').send(formBody({ _csrf: await tokenOf(analyst.agent, '/compte/jetons') }));
      expect(res.status).toBe(200);
    } else if (how === 'disable') {
      await admin.agent.post(`/admin/comptes/${analyst.user.id}/desactiver`).type('form').send(formBody({ _csrf: await tokenOf(admin.agent, '/admin/comptes') }));
    } else {
      expect(store.revokeToken(analyst.user.id, id)).toBe('revoked');
    }
    await within(stream.ended, 2000, 'le flux du jeton devait se terminer');
    if (how === 'disable') {
      await within(Promise.all([keptStream.ended, session.ended]), 2000, 'tous les flux du compte désactivé');
      expect(await settle(hub, { streams: 0, owners: 0 })).toEqual({ streams: 0, owners: 0 });
    } else {
      // Only that token's stream: the other token and the browser session keep theirs.
      expect(await settle(hub, { streams: 2, owners: 2 })).toEqual({ streams: 2, owners: 2 });
      expect(keptStream.hasEnded() || session.hasEnded()).toBe(false);
    }
    const retry = track([await openStream(`${t.base}/resultats/flux`, { Authorization: `Bearer ${token}` })])[0];
    expect(retry.status).toBe(401);
  });
});
