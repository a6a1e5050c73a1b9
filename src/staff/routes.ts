import { cookieOptions } from '../http/cookies.js';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { parseParisDate } from '../config.js';
import type { Db } from '../db/connection.js';
import { renewCsrfCookie } from '../http/csrf.js';
import { clientKey } from '../http/rateLimit.js';
import type { LiveControl } from '../live/hub.js';
import { sessionOwnerKey } from '../live/staffOwner.js';
import { fr } from '../strings.js';
import type { CampaignSettings } from '../campaign/settings.js';
import { rebuildCounts } from '../results/counts.js';
import { AUDIT_ACTIONS, audit, auditLoginFailure, describeAudit, listAudit } from './audit.js';
import { createLoginThrottle, type Refusal } from './lockout.js';
import { requireApi, requirePage, SESSION_MAX_AGE_MS, STAFF_COOKIE } from './auth.js';
import { generateStrongPassword } from './passwordPolicy.js';
import { dummyVerify, hashPassword, verifyPassword } from './passwords.js';
import { ROLE_LABELS, ROLES, type Role, type StaffStore, type StaffUser } from './store.js';
import { frenchDate, parseTokenDays, TOKEN_DEFAULT_DAYS, TOKEN_DURATIONS, tokenView } from './tokens.js';

export { LOGIN_IP_MAX_FAILURES, LOGIN_LOCK_MINUTES, LOGIN_MAX_FAILURES } from './lockout.js';

export type StaffDeps = {
  db: Db;
  store: StaffStore;
  campaign: CampaignSettings;
  now: () => Date;
  live: LiveControl;
  /** The second-factor step (securityRoutes.ts): answers and returns true when a code is due. */
  secondFactor?: (req: Request, res: Response, user: StaffUser, retour: unknown) => boolean;
  /** Shared with the second-factor step, whose wrong codes count like wrong passwords. */
  throttle?: ReturnType<typeof createLoginThrottle>;
};

/** Where to go after login: only a path of this site ("/x", never "//host" or "http://…"). */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/equipe';
}

const emailSchema = z.email();

export function staffRouter(deps: StaffDeps) {
  const { db, store } = deps;
  const router = express.Router();
  // Sign-in counters, in memory, one set per app (see lockout.ts).
  const throttle = deps.throttle ?? createLoginThrottle(db, () => deps.now().getTime());

  const renderLogin = (res: Response, status: number, data: { email?: string; error?: string; retour?: string }) =>
    res.status(status).render('staff/login', { pageTitle: fr.staff.loginTitle, staffPage: true, ...data, retour: safeReturn(data.retour) });
  /** 429 for a blocked attempt: what it says depends on the block, never on whether the account exists. */
  const renderRefusal = (res: Response, r: Refusal, data: { email: string; retour: unknown }) => {
    const minutes = Math.max(1, Math.ceil(r.retryAfterMs / 60_000));
    res.set('Retry-After', String(minutes * 60));
    return renderLogin(res, 429, {
      email: data.email,
      retour: String(data.retour ?? ''),
      error: r.reason === 'network' ? fr.staff.tooManyFromNetwork(minutes) : fr.staff.accountLocked(minutes),
    });
  };

  router.get('/login', (req, res) => {
    if (req.staff && req.staffVia === 'session') return res.redirect(303, safeReturn(req.query.retour));
    renderLogin(res, 200, { retour: String(req.query.retour ?? '') });
  });

  router.post('/login', async (req, res, next) => {
    try {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().slice(0, 200) : '';
      const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 500) : '';
      const retour = req.body?.retour;
      if (!email || !password) {
        return renderLogin(res, 422, { email, retour, error: !email ? fr.staff.emailMissing : fr.staff.passwordMissing });
      }
      const attempt = { email, client: clientKey(req), device: throttle.knownDevice(req, email) };
      // Blocked: answered before the account is even looked up (no argon2, same for every email).
      const refusal = throttle.refusal(attempt);
      if (refusal) {
        throttle.refused(attempt);
        auditLoginFailure(db, email, { refused: true }, deps.now());
        return renderRefusal(res, refusal, { email, retour });
      }
      const now = deps.now().getTime();
      const user = store.byEmail(email);
      const ok = user && !user.disabled ? await verifyPassword(user.passwordHash, password) : await dummyVerify(password);
      if (!ok || !user) {
        const locked = throttle.failed(attempt);
        auditLoginFailure(db, email, { locked: Boolean(locked) }, deps.now());
        if (locked) return renderRefusal(res, locked, { email, retour });
        return renderLogin(res, 401, { email, retour, error: fr.staff.badCredentials });
      }
      // Password verified. With a second factor, no session yet: the code step answers.
      if (deps.secondFactor?.(req, res, user, retour)) return;
      store.clearFailures(user.id);
      throttle.succeeded(attempt);
      throttle.rememberDevice(req, res, user.email);
      renewCsrfCookie(req, res);
      // Rotation: whatever session the browser had is dropped and a fresh one issued.
      const previous = req.cookies?.[STAFF_COOKIE];
      if (typeof previous === 'string') store.deleteSession(previous);
      if (typeof previous === 'string') deps.live.closeOwner(sessionOwnerKey(previous));
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
    if (typeof token === 'string') deps.live.closeOwner(sessionOwnerKey(token));
    if (req.staff) audit(db, req.staff.email, 'logout', undefined, deps.now());
    res.clearCookie(STAFF_COOKIE, cookieOptions(req));
    renewCsrfCookie(req, res);
    res.redirect(303, '/login');
  });

  // Lets a script check its token: who am I, with which role.
  router.get('/api/moi', requireApi('admin', 'analyst', 'facilitator'), (req, res) => {
    res.json({ email: req.staff!.email, role: req.staff!.role, via: req.staffVia });
  });

  // Personal API tokens (analysts and admins: exports from scripts; facilitators: workshops only).
  const tokensPage = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const now = deps.now();
    const chosen = Number(extra.days ?? TOKEN_DEFAULT_DAYS);
    res.status(status).render('staff/tokens', {
      pageTitle: fr.staff.tokensTitle,
      tokens: store.listTokens(req.staff!.id).map((t) => tokenView(t, now)),
      durations: TOKEN_DURATIONS.map((days) => ({ days, label: fr.security.tokenDuration(days), selected: days === chosen })),
      workshopsOnly: req.staff!.role === 'facilitator',
      ...extra,
    });
  };
  router.get('/compte/jetons', requirePage('admin', 'analyst', 'facilitator'), (req, res) => tokensPage(req, res));
  router.post('/compte/jetons', requirePage('admin', 'analyst', 'facilitator'), (req, res) => {
    const label = typeof req.body?.label === 'string' ? req.body.label.trim() : '';
    const days = parseTokenDays(req.body?.duree);
    const errors: Record<string, string> = {};
    if (!label || [...label].length > 80) errors.label = fr.staff.tokenLabelMissing;
    if (days === undefined) errors.duree = fr.security.tokenDurationInvalid;
    if (Object.keys(errors).length) {
      return tokensPage(req, res, { error: errors.label, durationError: errors.duree, label, days: days ?? TOKEN_DEFAULT_DAYS }, 422);
    }
    const { token, id, expiresAt } = store.createToken(req.staff!.id, label, deps.now(), days);
    audit(db, req.staff!.email, 'token.create', { token: id, label, expire: expiresAt.slice(0, 10) }, deps.now());
    tokensPage(req, res, { created: token, createdUntil: fr.security.tokenCreatedUntil(frenchDate(expiresAt)) }, 201);
  });
  router.post('/compte/jetons/:id/revoquer', requirePage('admin', 'analyst', 'facilitator'), (req, res) => {
    const id = String(req.params.id);
    const outcome = store.revokeToken(req.staff!.id, id, deps.now());
    // Someone else's token, or none: the same 404, so ids can't be probed.
    if (outcome === 'unknown') return tokensPage(req, res, { notice: fr.security.tokenNotFound }, 404);
    if (outcome === 'revoked') {
      audit(db, req.staff!.email, 'token.revoke', { token: id }, deps.now());
      deps.live.revalidateUser(req.staff!.id);
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
      const password = await generateStrongPassword();
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
        store.setDisabled(target.id, true, deps.now());
        deps.live.closeUser(target.id);
        audit(db, me.email, 'account.disable', { email: target.email }, deps.now());
      } else if (action === 'reactiver') {
        store.setDisabled(target.id, false);
        audit(db, me.email, 'account.enable', { email: target.email }, deps.now());
      } else if (action === 'mot-de-passe') {
        const password = await generateStrongPassword();
        store.setPassword(target.id, await hashPassword(password));
        deps.live.closeUser(target.id);
        audit(db, me.email, 'account.password_reset', { email: target.email }, deps.now());
        throttle.clearAccount(target.email);
        return accountsPage(res, { secret: { message: fr.staff.passwordReset(target.email), value: password } });
      } else if (action === 'role') {
        const role = req.body?.role as Role;
        if (!ROLES.includes(role)) return accountsPage(res, { error: fr.staff.roleInvalid }, 422);
        if (lastAdmin && role !== 'admin') return accountsPage(res, { error: fr.staff.lastAdmin }, 422);
        store.setRole(target.id, role, deps.now());
        deps.live.closeUser(target.id);
        audit(db, me.email, 'account.role', { email: target.email, from: target.role, to: role }, deps.now());
      } else return accountsPage(res, {}, 404);
      res.redirect(303, '/admin/comptes');
    } catch (e) {
      next(e);
    }
  });

  return router;
}
