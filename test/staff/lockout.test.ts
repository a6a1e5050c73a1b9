import * as argon2 from '@node-rs/argon2';
import request from 'supertest';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LOGIN_IP_MAX_FAILURES, LOGIN_MAX_FAILURES, LOGIN_UNTRUSTED_MAX_FAILURES } from '../../src/staff/lockout.js';
import { csrfFrom, formBody, makeApp } from '../helpers.js';
import { addStaff, PASSWORD } from './helpers.js';

// The real argon2, watched: how many password checks each kind of attempt costs.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, verify: vi.fn(real.verify) };
});
const verifyCalls = () => vi.mocked(argon2.verify).mock.calls.length;

const OWNER = 'admin@example.org';
const ATTACKER_IP = '198.51.100.66';
type Agent = ReturnType<typeof request.agent>;

/** A browser at one address (the app trusts one proxy, which sets X-Forwarded-For). */
function browser(app: ReturnType<typeof makeApp>['app'], ip: string): Agent {
  return request.agent(app).set('X-Forwarded-For', ip);
}

/** Posts the login form as a browser does: the token from the page it shows. */
async function login(agent: Agent, email: string, password: string) {
  const page = await agent.get('/login');
  return agent.post('/login').type('form').send(formBody({ _csrf: csrfFrom(page.text), email, password }));
}

/** Many tries with one page's token, as a script would: only the POSTs. */
async function hammer(agent: Agent, email: string, count: number, password = 'mauvais-mot-de-passe') {
  const csrf = csrfFrom((await agent.get('/login')).text);
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    statuses.push((await agent.post('/login').type('form').send(formBody({ _csrf: csrf, email, password }))).status);
  }
  return statuses;
}

function setup() {
  let now = new Date('2026-03-02T14:02:00Z');
  const t = makeApp({ config: { trustProxy: 1 }, now: () => now });
  return { ...t, at: (iso: string) => (now = new Date(iso)) };
}

beforeEach(() => {
  vi.mocked(argon2.verify).mockClear();
});

describe('lockout cannot keep the owner out', () => {
  it('blocks the attacker’s address for the account; the owner gets in from another address', async () => {
    const t = setup();
    await addStaff(t.db, OWNER, 'admin');
    const attacker = browser(t.app, ATTACKER_IP);
    const statuses = await hammer(attacker, OWNER, 40);
    expect(statuses.slice(0, LOGIN_MAX_FAILURES - 1)).toEqual(Array(LOGIN_MAX_FAILURES - 1).fill(401));
    expect(statuses.slice(LOGIN_MAX_FAILURES - 1)).toEqual(Array(40 - LOGIN_MAX_FAILURES + 1).fill(429));
    // Even the right password is refused from there.
    expect((await login(attacker, OWNER, PASSWORD)).status).toBe(429);

    const owner = browser(t.app, '203.0.113.5');
    const res = await login(owner, OWNER, PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/equipe');
    expect((await owner.get('/equipe')).status).toBe(200);
    // The attacker's address stays blocked, for any account, while it keeps trying.
    const other = await login(attacker, 'quelquun@example.org', 'x'.repeat(12));
    expect(other.status).toBe(429);
    expect(other.text).toContain('Trop de tentatives de connexion depuis ce réseau.');
  });

  it('lets the owner in from their usual browser, even at the attacker’s address or after a distributed attack', async () => {
    const t = setup();
    await addStaff(t.db, OWNER, 'admin');
    // The owner signed in yesterday from this browser: it holds the « appareil connu » cookie.
    const usual = browser(t.app, '192.0.2.10');
    const first = await login(usual, OWNER, PASSWORD);
    const deviceCookie = (first.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('avenir_appareil='))!;
    expect(deviceCookie).toMatch(/^avenir_appareil=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Max-Age=15552000;/);
    expect(deviceCookie).toContain('HttpOnly');
    expect(deviceCookie).not.toContain(OWNER);
    await usual.post('/logout').type('form').send(formBody({ _csrf: csrfFrom((await usual.get('/equipe')).text) }));

    // Five addresses, five tries each: every untrusted client is locked out of the account.
    for (let i = 1; i <= LOGIN_UNTRUSTED_MAX_FAILURES / LOGIN_MAX_FAILURES; i++) await hammer(browser(t.app, `198.51.100.${i}`), OWNER, 8);
    expect((await login(browser(t.app, '192.0.2.99'), OWNER, PASSWORD)).status).toBe(429);
    // The attacker's first address is also blocked as a network.
    await hammer(browser(t.app, '198.51.100.1'), OWNER, LOGIN_IP_MAX_FAILURES);

    // The usual browser gets in, from a new address and from the attacker's own address.
    usual.set('X-Forwarded-For', '192.0.2.99');
    expect((await login(usual, OWNER, PASSWORD)).status).toBe(303);
    await usual.post('/logout').type('form').send(formBody({ _csrf: csrfFrom((await usual.get('/equipe')).text) }));
    usual.set('X-Forwarded-For', '198.51.100.1');
    expect((await login(usual, OWNER, PASSWORD)).status).toBe(303);
  });

  it('does not trust a device cookie forged, copied to another account or from another app', async () => {
    const t = setup();
    await addStaff(t.db, OWNER, 'admin');
    await addStaff(t.db, 'autre@example.org', 'analyst');
    const usual = browser(t.app, '192.0.2.10');
    const cookie = ((await login(usual, 'autre@example.org', PASSWORD)).headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith('avenir_appareil='))!
      .split(';')[0];
    const elsewhere = setup();
    await addStaff(elsewhere.db, OWNER, 'admin');
    for (const c of [cookie, 'avenir_appareil=AAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43), 'avenir_appareil=nimporte'])
      for (const app of [t, elsewhere]) {
        const attacker = browser(app.app, ATTACKER_IP).set('Cookie', c);
        await hammer(attacker, OWNER, LOGIN_MAX_FAILURES);
        expect((await login(attacker, OWNER, PASSWORD)).status, c).toBe(429);
      }
  });

  it('refused attempts cost no argon2, count against the address, and make one audit entry with the count', async () => {
    const t = setup();
    await addStaff(t.db, OWNER, 'admin');
    const attacker = browser(t.app, ATTACKER_IP);
    await hammer(attacker, OWNER, LOGIN_MAX_FAILURES); // the lock
    expect(verifyCalls()).toBe(LOGIN_MAX_FAILURES);
    t.at('2026-03-02T14:02:40Z');
    const statuses = await hammer(attacker, OWNER, 500);
    expect(new Set(statuses)).toEqual(new Set([429]));
    expect(verifyCalls()).toBe(LOGIN_MAX_FAILURES); // not one more password check
    // The refusals counted against the address: another email from there is refused too, unchecked.
    const other = await hammer(attacker, 'inconnu@example.org', 1);
    expect(other).toEqual([429]);
    expect(verifyCalls()).toBe(LOGIN_MAX_FAILURES);

    const rows = t.db.prepare('SELECT at, actor, action, details FROM audit_log').all() as { at: string; actor: string; action: string; details: string }[];
    expect(rows.map((r) => [r.actor, r.action])).toEqual([
      [OWNER, 'login.failure'],
      ['inconnu@example.org', 'login.failure'],
    ]);
    expect(rows[0].at).toBe('2026-03-02T14:02:00Z');
    expect(JSON.parse(rows[0].details)).toEqual({
      tentatives: LOGIN_MAX_FAILURES,
      refusees: 500,
      blocages: 1,
      premiere: '2026-03-02T14:02:00Z',
      derniere: '2026-03-02T14:02:40Z',
    });

    // The journal says it in one sentence.
    await addStaff(t.db, 'chef@example.org', 'admin');
    const chef = browser(t.app, '203.0.113.7');
    await login(chef, 'chef@example.org', PASSWORD);
    const journal = await chef.get('/admin/journal');
    expect(journal.text).toContain(
      '<td>505 échecs de connexion pour admin@example.org à 14 h 02 ; dont 500 refusés sans vérifier le mot de passe (blocage en cours) ; 1 blocage déclenché</td>',
    );
  });

  it('opens a new audit entry once the window of the previous burst has passed', async () => {
    const t = setup();
    const attacker = browser(t.app, ATTACKER_IP);
    await hammer(attacker, OWNER, 2);
    t.at('2026-03-02T14:03:30Z');
    await hammer(attacker, OWNER, 1);
    t.at('2026-03-02T14:20:00Z');
    await hammer(attacker, OWNER, 1);
    const details = (t.db.prepare('SELECT details FROM audit_log ORDER BY id').all() as { details: string }[]).map((r) => JSON.parse(r.details));
    expect(details).toEqual([
      { tentatives: 3, refusees: 0, blocages: 0, premiere: '2026-03-02T14:02:00Z', derniere: '2026-03-02T14:03:30Z' },
      { tentatives: 1, refusees: 0, blocages: 0, premiere: '2026-03-02T14:20:00Z', derniere: '2026-03-02T14:20:00Z' },
    ]);
  });
});

describe('no enumeration: unknown, known, disabled and locked emails answer alike', () => {
  /** What may differ between two answers: the email echoed in the form, the browser's CSRF token, the date. */
  const comparable = (res: request.Response, email: string) => {
    const headers = { ...res.headers } as Record<string, unknown>;
    for (const h of ['date', 'content-length', 'etag']) delete headers[h];
    return { status: res.status, headers, body: res.text.replaceAll(email, '<email>').replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="<csrf>"') };
  };

  it('same status, headers, body and password checks, before and after the lock', async () => {
    const t = setup();
    await addStaff(t.db, 'connu@example.org', 'analyst');
    const disabled = await addStaff(t.db, 'parti@example.org', 'analyst');
    t.db.prepare('UPDATE staff_users SET disabled = 1 WHERE id = ?').run(disabled.id);
    // [email, password]: a wrong password for a known account, the right one for a disabled
    // account (it must not tell), anything for an unknown email.
    const cases: [string, string][] = [
      ['connu@example.org', 'mauvais-mot-de-passe'],
      ['parti@example.org', PASSWORD],
      ['parti@example.org', 'mauvais-mot-de-passe'],
      ['personne@example.org', 'mauvais-mot-de-passe'],
    ];
    const answers: ReturnType<typeof comparable>[][] = [];
    const checks: number[][] = [];
    for (const [i, [email, password]] of cases.entries()) {
      // Each from its own address, so only the per-account counters are at play.
      const agent = browser(t.app, `203.0.113.${i + 1}`);
      const csrf = csrfFrom((await agent.get('/login')).text);
      const row: ReturnType<typeof comparable>[] = [];
      const cost: number[] = [];
      for (let k = 0; k < LOGIN_MAX_FAILURES + 2; k++) {
        const before = verifyCalls();
        const res = await agent.post('/login').type('form').send(formBody({ _csrf: csrf, email, password }));
        cost.push(verifyCalls() - before);
        row.push(comparable(res, email));
      }
      answers.push(row);
      checks.push(cost);
    }
    for (const row of answers) expect(row.map((r) => r.status)).toEqual([401, 401, 401, 401, 429, 429, 429]);
    for (let i = 1; i < cases.length; i++) {
      expect(answers[i], cases[i].join(' ')).toEqual(answers[0]);
      expect(checks[i], cases[i].join(' ')).toEqual(checks[0]);
    }
    // One password check per counted try, none once locked.
    expect(checks[0]).toEqual([1, 1, 1, 1, 1, 0, 0]);
    expect(answers[0][6].headers['retry-after']).toBe('900');
    expect(answers[0][6].body).toContain('ce compte est bloqué pendant 15 minutes');
  });
});

describe('TRUST_PROXY with the proxies’ addresses', () => {
  it('believes X-Forwarded-For only from a listed proxy', async () => {
    // The test client connects from loopback: trusted with « loopback », not with 10.0.0.1.
    for (const [trustProxy, separate] of [
      [['loopback'], true],
      [['10.0.0.1', 'fd00::/8'], false],
    ] as const) {
      const t = makeApp({ config: { trustProxy: [...trustProxy] } });
      await hammer(request.agent(t.app).set('X-Forwarded-For', ATTACKER_IP), 'x@example.org', LOGIN_IP_MAX_FAILURES);
      const next = await hammer(request.agent(t.app).set('X-Forwarded-For', '203.0.113.9'), 'y@example.org', 1);
      expect(next, trustProxy.join(',')).toEqual([separate ? 401 : 429]);
    }
  });
});
