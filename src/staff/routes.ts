import { cookieOptions } from '../http/cookies.js';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { frenchDateTime, frenchDay, isoOf } from '../dates/french.js';
import type { Db } from '../db/connection.js';
import { clientKey, createRateLimiter } from '../http/rateLimit.js';
import { fr } from '../strings.js';
import type { CampaignSettings } from '../campaign/settings.js';
import { audit } from './audit.js';
import { requireApi, requirePage, SESSION_MAX_AGE_MS, STAFF_COOKIE } from './auth.js';
import { dummyVerify, generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { ROLE_LABELS, ROLES, type Role, type StaffStore } from './store.js';

export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_LOCK_MINUTES = 15;
export const LOGIN_IP_MAX_FAILURES = 30;

export type StaffDeps = {
  db: Db;
  store: StaffStore;
  campaign: CampaignSettings;
  now: () => Date;
};

/** Where to go after login: only a path of this site ("/x", never "//host" or "http://…"). */
function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/equipe';
}

const emailSchema = z.email();

/** A token's dates as people read them (« 1er déc. 2026 à 12 h 59 »), see dates/french.ts. */
function tokenDates(t: { createdAt: string; lastUsedOn: string | null; expiresAt?: string | null }) {
  return {
    createdLabel: frenchDateTime(t.createdAt),
    createdIso: isoOf(t.createdAt),
    lastUsedLabel: t.lastUsedOn ? frenchDay(t.lastUsedOn) : fr.staff.tokensTable.never,
    expiresLabel: t.expiresAt ? frenchDateTime(t.expiresAt) : undefined,
  };
}

export function staffRouter(deps: StaffDeps) {
  const { db, store } = deps;
  const router = express.Router();
  // Failed sign-ins per client address, on top of the per-account lock.
  const ipFailures = createRateLimiter({ windowMs: LOGIN_LOCK_MINUTES * 60_000, max: LOGIN_IP_MAX_FAILURES, now: () => deps.now().getTime() });

  const renderLogin = (res: Response, status: number, data: { email?: string; error?: string; retour?: string }) =>
    res.status(status).render('staff/login', { pageTitle: fr.staff.loginTitle, staffPage: true, ...data, retour: safeReturn(data.retour) });

  router.get('/login', (req, res) => {
    if (req.staff && req.staffVia === 'session') return res.redirect(303, safeReturn(req.query.retour));
    renderLogin(res, 200, { retour: String(req.query.retour ?? '') });
  });

  router.post('/login', async (req, res, next) => {
    try {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().slice(0, 200) : '';
      const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 500) : '';
      const retour = req.body?.retour;
      const client = clientKey(req);
      if (!email || !password) {
        return renderLogin(res, 422, { email, retour, error: !email ? fr.staff.emailMissing : fr.staff.passwordMissing });
      }
      if (!ipFailures.allowed(client)) {
        const minutes = Math.max(1, Math.ceil(ipFailures.retryAfterMs(client) / 60_000));
        return renderLogin(res.set('Retry-After', String(minutes * 60)), 429, { email, retour, error: fr.staff.tooManyFromNetwork(minutes) });
      }
      const now = deps.now().getTime();
      const user = store.byEmail(email);
      if (user && user.lockedUntil && user.lockedUntil > now) {
        await dummyVerify(password);
        audit(db, email, 'login.failure', { reason: 'bloque' }, deps.now());
        return renderLogin(res, 429, { email, retour, error: fr.staff.accountLocked(Math.ceil((user.lockedUntil - now) / 60_000)) });
      }
      const ok = user && !user.disabled ? await verifyPassword(user.passwordHash, password) : await dummyVerify(password);
      if (!ok || !user) {
        ipFailures.hit(client);
        audit(db, email, 'login.failure', { reason: user?.disabled ? 'desactive' : 'identifiants' }, deps.now());
        if (user && !user.disabled) {
          const { locked } = store.recordFailure(user.id, LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES * 60_000, now);
          if (locked) {
            audit(db, user.email, 'login.locked', { minutes: LOGIN_LOCK_MINUTES }, deps.now());
            return renderLogin(res, 429, { email, retour, error: fr.staff.accountLocked(LOGIN_LOCK_MINUTES) });
          }
        }
        return renderLogin(res, 401, { email, retour, error: fr.staff.badCredentials });
      }
      store.clearFailures(user.id);
      // Rotation: whatever session the browser had is dropped and a fresh one issued.
      const previous = req.cookies?.[STAFF_COOKIE];
      if (typeof previous === 'string') store.deleteSession(previous);
      const token = store.createSession(user.id, now);
      res.cookie(STAFF_COOKIE, token, { ...cookieOptions(req), maxAge: SESSION_MAX_AGE_MS });
      audit(db, user.email, 'login.success', undefined, deps.now());
      res.redirect(303, safeReturn(retour));
    } catch (e) {
      next(e);
    }
  });

  router.post('/logout', (req, res) => {
    const token = req.cookies?.[STAFF_COOKIE];
    if (typeof token === 'string') store.deleteSession(token);
    if (req.staff) audit(db, req.staff.email, 'logout', undefined, deps.now());
    res.clearCookie(STAFF_COOKIE, cookieOptions(req));
    res.redirect(303, '/login');
  });

  // Lets a script check its token: who am I, with which role.
  router.get('/api/moi', requireApi('admin', 'analyst', 'facilitator'), (req, res) => {
    res.json({ email: req.staff!.email, role: req.staff!.role, via: req.staffVia });
  });

  // Personal API tokens (analysts and admins: exports from scripts).
  const tokensPage = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) =>
    res.status(status).render('staff/tokens', {
      pageTitle: fr.staff.tokensTitle,
      tokens: store.listTokens(req.staff!.id).map((t) => ({ ...t, ...tokenDates(t), revoked: Boolean(t.revokedAt) })),
      // Tokens get an expiry date with the sign-in hardening (issue 9): shown once the store reads it.
      hasExpiry: store.listTokens(req.staff!.id).some((t) => 'expiresAt' in t),
      ...extra,
    });
  router.get('/compte/jetons', requirePage('admin', 'analyst'), (req, res) => tokensPage(req, res));
  router.post('/compte/jetons', requirePage('admin', 'analyst'), (req, res) => {
    const label = typeof req.body?.label === 'string' ? req.body.label.trim() : '';
    if (!label || [...label].length > 80) return tokensPage(req, res, { error: fr.staff.tokenLabelMissing, label }, 422);
    const { token, id } = store.createToken(req.staff!.id, label, deps.now());
    audit(db, req.staff!.email, 'token.create', { token: id, label }, deps.now());
    tokensPage(req, res, { created: token }, 201);
  });
  router.post('/compte/jetons/:id/revoquer', requirePage('admin', 'analyst'), (req, res) => {
    if (store.revokeToken(req.staff!.id, String(req.params.id), deps.now())) {
      audit(db, req.staff!.email, 'token.revoke', { token: String(req.params.id) }, deps.now());
    }
    tokensPage(req, res, { notice: fr.staff.tokenRevoked });
  });

  // Accounts (admins).
  const accountsPage = (res: Response, extra: Record<string, unknown> = {}, status = 200) =>
    res.status(status).render('staff/accounts', {
      pageTitle: fr.staff.accountsTitle,
      accounts: store.list().map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role], active: !u.disabled })),
      roles: ROLES.map((r) => ({ code: r, label: ROLE_LABELS[r], selected: extra.role === r })),
      ...extra,
    });
  router.get('/admin/comptes', requirePage('admin'), (_req, res) => accountsPage(res));
  router.post('/admin/comptes', requirePage('admin'), async (req, res, next) => {
    try {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
      const role = req.body?.role as Role;
      const errors: Record<string, string> = {};
      if (!emailSchema.safeParse(email).success) errors.email = fr.staff.emailInvalid;
      else if (store.byEmail(email)) errors.email = fr.staff.emailTaken;
      if (!ROLES.includes(role)) errors.role = fr.staff.roleInvalid;
      if (Object.keys(errors).length) return accountsPage(res, { errors, email, role }, 422);
      const password = generatePassword();
      store.create(email, role, await hashPassword(password), deps.now());
      audit(db, req.staff!.email, 'account.create', { email, role }, deps.now());
      accountsPage(res, { secret: { message: fr.staff.accountCreated(email), value: password } }, 201);
    } catch (e) {
      next(e);
    }
  });
  router.post('/admin/comptes/:id/:action', requirePage('admin'), async (req, res, next) => {
    try {
      const target = store.byId(String(req.params.id));
      if (!target) return accountsPage(res, {}, 404);
      const me = req.staff!;
      const action = String(req.params.action);
      const lastAdmin = target.role === 'admin' && !target.disabled && store.countAdmins() <= 1;
      if (action === 'desactiver') {
        if (target.id === me.id) return accountsPage(res, { error: fr.staff.notSelf }, 422);
        if (lastAdmin) return accountsPage(res, { error: fr.staff.lastAdmin }, 422);
        store.setDisabled(target.id, true);
        audit(db, me.email, 'account.disable', { email: target.email }, deps.now());
      } else if (action === 'reactiver') {
        store.setDisabled(target.id, false);
        audit(db, me.email, 'account.enable', { email: target.email }, deps.now());
      } else if (action === 'mot-de-passe') {
        const password = generatePassword();
        store.setPassword(target.id, await hashPassword(password));
        audit(db, me.email, 'account.password_reset', { email: target.email }, deps.now());
        return accountsPage(res, { secret: { message: fr.staff.passwordReset(target.email), value: password } });
      } else if (action === 'role') {
        const role = req.body?.role as Role;
        if (!ROLES.includes(role)) return accountsPage(res, { error: fr.staff.roleInvalid }, 422);
        if (lastAdmin && role !== 'admin') return accountsPage(res, { error: fr.staff.lastAdmin }, 422);
        store.setRole(target.id, role);
        audit(db, me.email, 'account.role', { email: target.email, from: target.role, to: role }, deps.now());
      } else return accountsPage(res, {}, 404);
      res.redirect(303, '/admin/comptes');
    } catch (e) {
      next(e);
    }
  });

  return router;
}
