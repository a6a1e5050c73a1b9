import express, { type Request, type RequestHandler, type Response } from 'express';
import Handlebars from 'handlebars';
import { cookieOptions } from '../http/cookies.js';
import { renewCsrfCookie } from '../http/csrf.js';
import { clientKey, createRateLimiter } from '../http/rateLimit.js';
import { createLoginThrottle } from './lockout.js';
import type { Db } from '../db/connection.js';
import type { LiveControl } from '../live/hub.js';
import { sessionOwnerKey } from '../live/staffOwner.js';
import { fr, frenchDate } from '../strings.js';
import { audit } from './audit.js';
import { requirePage, SESSION_MAX_AGE_MS, STAFF_COOKIE } from './auth.js';
import { checkPassword } from './passwordPolicy.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { LOGIN_LOCK_MINUTES, LOGIN_MAX_FAILURES, safeReturn } from './routes.js';
import { ROLE_LABELS, type StaffStore, type StaffUser } from './store.js';
import { CHALLENGE_COOKIE, CHALLENGE_TTL_MS, type TwoFactor } from './twoFactor.js';

// Account hardening pages (issue 9, part 8): change of one's own password, the second factor
// (set-up, sign-in code, recovery codes), the admins' security page, and the rule that sends an
// admin without a second factor to set it up when it is mandatory.

export type SecurityDeps = {
  db: Db;
  store: StaffStore;
  twoFactor: TwoFactor;
  now: () => Date;
  /** Live streams end with the sessions that opened them. */
  live: LiveControl;
  /**
   * How a wrong sign-in code counts: like a wrong password. Returns whether the account is now
   * locked. Default: the account's failure counter (store.recordFailure, same limits as /login).
   * Wire the sign-in throttle here when it owns the counting.
   */
  codeFailed?: (req: Request, user: StaffUser) => boolean;
  /** After a right code, what a right password does at /login (counters reset, CSRF renewed…). */
  codeSucceeded?: (req: Request, res: Response, user: StaffUser) => void;
};

const SETUP_PATH = '/compte/double-authentification';
const field = (body: unknown, name: string, max = 500): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

/**
 * The one call POST /login makes once the password is verified: with a second factor, the
 * browser gets a short-lived challenge instead of a session and is sent to /login/code.
 * Returns true when it has answered.
 */
export function secondFactorAtLogin(deps: SecurityDeps) {
  return (req: Request, res: Response, user: StaffUser, retour: unknown): boolean => {
    if (!deps.twoFactor.isEnabled(user.id)) return false;
    const token = deps.twoFactor.openChallenge(user.id, safeReturn(retour));
    res.cookie(CHALLENGE_COOKIE, token, { ...cookieOptions(req), maxAge: CHALLENGE_TTL_MS });
    audit(deps.db, user.email, 'login.password_ok', { etape: 'code demandé' }, deps.now());
    res.redirect(303, '/login/code');
    return true;
  };
}

/** Wrong and right codes counted by the sign-in throttle exactly as passwords are at /login. */
export function throttleHooks(throttle: ReturnType<typeof createLoginThrottle>, store: StaffStore) {
  const attempt = (req: Request, user: StaffUser) => ({ email: user.email, client: clientKey(req), device: throttle.knownDevice(req, user.email) });
  return {
    codeFailed: (req: Request, user: StaffUser) => Boolean(throttle.failed(attempt(req, user))),
    codeSucceeded: (req: Request, res: Response, user: StaffUser) => {
      store.clearFailures(user.id);
      throttle.succeeded(attempt(req, user));
      throttle.rememberDevice(req, res, user.email);
      renewCsrfCookie(req, res);
    },
  };
}

const STAFF_AREA = /^\/(equipe|resultats|analyse|ateliers|admin|compte|api|export)(\/|$)/;

/** Admins without a second factor, when it is mandatory, reach only its set-up page (and logout). */
export function requireEnrolment(twoFactor: TwoFactor): RequestHandler {
  return (req, res, next) => {
    if (!req.staff || req.staffVia !== 'session') return next();
    if (req.path === '/logout' || req.path === SETUP_PATH || req.path.startsWith(`${SETUP_PATH}/`)) return next();
    // Only the staff area is held back: the questionnaire and workshop pages stay public to all.
    if (!STAFF_AREA.test(req.path)) return next();
    if (!twoFactor.mustEnrol(req.staff)) return next();
    res.redirect(303, SETUP_PATH);
  };
}

export function securityRouter(deps: SecurityDeps) {
  const { db, store, twoFactor } = deps;
  const router = express.Router();
  // Wrong "current password" tries per account (a stolen session must not become a guessing oracle).
  const currentPasswordTries = createRateLimiter({ windowMs: LOGIN_LOCK_MINUTES * 60_000, max: LOGIN_MAX_FAILURES, now: () => deps.now().getTime() });

  /** A fresh session id for this browser (sign-in, or after setPassword ended all the account's sessions). */
  const rotateSession = (req: Request, res: Response, userId: string) => {
    const previous = req.cookies?.[STAFF_COOKIE];
    if (typeof previous === 'string') {
      store.deleteSession(previous);
      deps.live.closeOwner(sessionOwnerKey(previous));
    }
    const token = store.createSession(userId, deps.now().getTime());
    res.cookie(STAFF_COOKIE, token, { ...cookieOptions(req), maxAge: SESSION_MAX_AGE_MS });
  };

  const codeFailed =
    deps.codeFailed ??
    ((_req: Request, user: StaffUser) => {
      const { locked } = store.recordFailure(user.id, LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES * 60_000, deps.now().getTime());
      if (locked) audit(db, user.email, 'login.locked', { minutes: LOGIN_LOCK_MINUTES }, deps.now());
      return locked;
    });
  const codeSucceeded = deps.codeSucceeded ?? ((_req: Request, _res: Response, user: StaffUser) => store.clearFailures(user.id));

  router.use(requireEnrolment(twoFactor));

  // ── Sign-in, second step ──────────────────────────────────────────────────────────────────
  const codePage = (res: Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('staff/login-code', { pageTitle: fr.security.loginCodeTitle, staffPage: true, ...extra });
  const expired = (req: Request, res: Response) => {
    res.clearCookie(CHALLENGE_COOKIE, cookieOptions(req));
    return res.status(401).render('errors/message', {
      pageTitle: fr.security.loginCodeTitle,
      staffPage: true,
      title: fr.security.loginCodeTitle,
      message: fr.security.loginCodeExpired,
      link: { href: '/login', label: fr.security.backToLogin },
    });
  };

  router.get('/login/code', (req, res) => {
    const token = req.cookies?.[CHALLENGE_COOKIE];
    if (typeof token !== 'string') return res.redirect(303, '/login');
    if (!twoFactor.challenge(token)) return expired(req, res);
    codePage(res, 200);
  });

  router.post('/login/code', (req, res) => {
    const token = req.cookies?.[CHALLENGE_COOKIE];
    // No half-done sign-in in this browser: the password step comes first.
    if (typeof token !== 'string') return res.redirect(303, '/login');
    const c = twoFactor.challenge(token);
    const user = c && store.byId(c.userId);
    const nowMs = deps.now().getTime();
    if (!c || !user || user.disabled || (user.lockedUntil && user.lockedUntil > nowMs)) {
      twoFactor.closeChallenge(token);
      return expired(req, res);
    }
    const code = field(req.body, 'code', 40).trim();
    if (!code) return codePage(res, 422, { error: fr.security.codeMissing });
    const result = twoFactor.verify(user, code);
    if (!result.ok) {
      // Counted like a wrong password: towards the account's lock, and in the audit log.
      audit(db, user.email, 'login.failure', { reason: 'code' }, deps.now());
      const locked = codeFailed(req, user);
      if (locked || twoFactor.failChallenge(token)) {
        twoFactor.closeChallenge(token);
        return expired(req, res);
      }
      return codePage(res, 401, { error: fr.security.codeWrong });
    }
    twoFactor.closeChallenge(token);
    res.clearCookie(CHALLENGE_COOKIE, cookieOptions(req));
    codeSucceeded(req, res, user);
    rotateSession(req, res, user.id);
    audit(db, user.email, 'login.success', { second_facteur: result.via === 'totp' ? 'application' : 'code de secours' }, deps.now());
    if (result.via === 'recovery') audit(db, user.email, 'twofactor.recovery_used', undefined, deps.now());
    res.redirect(303, result.via === 'recovery' ? `${SETUP_PATH}?secours=1` : c.retour);
  });

  // ── Own password ──────────────────────────────────────────────────────────────────────────
  const passwordPage = (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('staff/password', {
      pageTitle: (extra.errors ? 'Erreur : ' : '') + fr.security.changePasswordTitle,
      email: req.staff!.email,
      rule: fr.security.passwordRule(MIN_PASSWORD_LENGTH),
      ...extra,
    });
  const anyStaff = requirePage('admin', 'analyst', 'facilitator');
  router.get('/compte/mot-de-passe', anyStaff, (req, res) => passwordPage(req, res, 200));
  router.post('/compte/mot-de-passe', anyStaff, async (req, res, next) => {
    try {
      const me = req.staff!;
      const current = field(req.body, 'current');
      const next1 = field(req.body, 'password');
      const next2 = field(req.body, 'confirm');
      const errors: Record<string, string> = {};
      if (!currentPasswordTries.allowed(me.id)) errors.current = fr.security.tooManyPasswordTries;
      else if (!current) errors.current = fr.security.currentPasswordMissing;
      else {
        const stored = store.byEmail(me.email);
        if (!stored || !(await verifyPassword(stored.passwordHash, current))) {
          currentPasswordTries.hit(me.id);
          errors.current = fr.security.currentPasswordWrong;
        }
      }
      if (!next1) errors.password = fr.security.newPasswordMissing;
      else if (current && next1 === current) errors.password = fr.security.newPasswordSame;
      else {
        const verdict = await checkPassword(next1, { email: me.email });
        if (!verdict.ok) errors.password = verdict.message;
      }
      if (next1 && next2 !== next1) errors.confirm = fr.security.confirmMismatch;
      if (Object.keys(errors).length) {
        const list = (['current', 'password', 'confirm'] as const).filter((k) => errors[k]).map((k) => ({ id: k, message: errors[k] }));
        return passwordPage(req, res, 422, { errors, errorList: list });
      }
      // The store ends every session of the account and revokes its API tokens.
      store.setPassword(me.id, await hashPassword(next1), deps.now());
      deps.live.closeUser(me.id); // every session ended, so do their streams
      // A sign-in half done with the old password doesn't survive the change either.
      db.prepare('DELETE FROM staff_login_challenges WHERE user_id = ?').run(me.id);
      currentPasswordTries.reset(me.id);
      rotateSession(req, res, me.id);
      audit(db, me.email, 'account.password_change', undefined, deps.now());
      passwordPage(req, res, 200, { notice: fr.security.passwordChanged });
    } catch (e) {
      next(e);
    }
  });

  // ── Second factor: set-up, recovery codes, disabling ──────────────────────────────────────
  const setupPage = async (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const me = req.staff!;
    const status2fa = twoFactor.status(me.id);
    const pending = status2fa.enabled ? undefined : await twoFactor.pendingSetup(me);
    res.status(status).render('staff/two-factor', {
      pageTitle: (extra.errors ? 'Erreur : ' : '') + fr.security.twoFactorTitle,
      enabled: status2fa.enabled,
      enabledText: status2fa.enabled ? fr.security.twoFactorOn(frenchDate(new Date(status2fa.enabledAt))) : undefined,
      recoveryLeft: status2fa.enabled ? fr.security.recoveryLeft(status2fa.recoveryLeft) : undefined,
      required: twoFactor.mustEnrol(me),
      // The QR code is SVG markup made by the qrcode package from our own otpauth:// URI (no
      // user text in it); labelled for screen readers. Inline SVG is allowed by the CSP.
      qr: pending
        ? new Handlebars.SafeString(
            pending.svg.replace('<svg ', `<svg role="img" aria-label="${Handlebars.escapeExpression(fr.security.twoFactorQrLabel)}" focusable="false" `),
          )
        : undefined,
      secret: pending?.secret.replace(/(.{4})/g, '$1 ').trim(),
      canDisable: !(me.role === 'admin' && twoFactor.requiredForAdmins()),
      ...extra,
    });
  };
  const wrap =
    (fn: (req: Request, res: Response) => Promise<unknown>): RequestHandler =>
    (req, res, next) =>
      fn(req, res).catch(next);

  router.get(
    SETUP_PATH,
    anyStaff,
    wrap((req, res) => {
      // ?secours=1: just signed in with a recovery code, say how many are left.
      const s = twoFactor.status(req.staff!.id);
      const notice = req.query.secours === '1' && s.enabled ? fr.security.loginCodeRecoveryUsed(s.recoveryLeft) : undefined;
      return setupPage(req, res, 200, { notice });
    }),
  );
  router.post(`${SETUP_PATH}/commencer`, anyStaff, (req, res) => {
    twoFactor.begin(req.staff!.id);
    res.redirect(303, SETUP_PATH);
  });
  router.post(`${SETUP_PATH}/annuler`, anyStaff, (req, res) => {
    twoFactor.cancel(req.staff!.id);
    res.redirect(303, SETUP_PATH);
  });
  router.post(
    `${SETUP_PATH}/confirmer`,
    anyStaff,
    wrap(async (req, res) => {
      const me = req.staff!;
      const code = field(req.body, 'code', 40).replace(/\s+/g, '');
      const error = !code ? fr.security.codeMissing : !/^\d{6}$/.test(code) ? fr.security.codeFormat : undefined;
      const codes = error ? undefined : twoFactor.confirm(me, code);
      if (!codes) return setupPage(req, res, 422, { errors: { code: error ?? fr.security.codeWrong }, code });
      audit(db, me.email, 'twofactor.enable', undefined, deps.now());
      return setupPage(req, res, 201, { notice: fr.security.twoFactorEnabled, recoveryCodes: codes });
    }),
  );
  /** Password (and, to disable, a code) again: a session left open must not be enough. */
  const reauth = async (me: StaffUser, body: unknown, needCode: boolean) => {
    const errors: Record<string, string> = {};
    const password = field(body, 'password');
    const stored = store.byEmail(me.email);
    if (!password) errors.password = fr.security.currentPasswordMissing;
    else if (!currentPasswordTries.allowed(me.id)) errors.password = fr.security.tooManyPasswordTries;
    else if (!stored || !(await verifyPassword(stored.passwordHash, password))) {
      currentPasswordTries.hit(me.id);
      errors.password = fr.security.currentPasswordWrong;
    }
    if (needCode) {
      const code = field(body, 'code', 40).trim();
      if (!code) errors.code = fr.security.codeMissing;
      else if (!errors.password) {
        const r = twoFactor.verify(me, code);
        if (!r.ok) errors.code = fr.security.codeWrong;
        else if (r.via === 'recovery') audit(db, me.email, 'twofactor.recovery_used', undefined, deps.now());
      }
    }
    return errors;
  };
  router.post(
    `${SETUP_PATH}/codes-de-secours`,
    anyStaff,
    wrap(async (req, res) => {
      const me = req.staff!;
      const errors = await reauth(me, req.body, false);
      if (Object.keys(errors).length) return setupPage(req, res, 422, { regenErrors: errors, errors });
      const codes = twoFactor.regenerateRecoveryCodes(me.id);
      if (!codes) return res.redirect(303, SETUP_PATH);
      audit(db, me.email, 'twofactor.recovery_regenerate', undefined, deps.now());
      return setupPage(req, res, 200, { notice: fr.security.recoveryNew, recoveryCodes: codes });
    }),
  );
  router.post(
    `${SETUP_PATH}/desactiver`,
    anyStaff,
    wrap(async (req, res) => {
      const me = req.staff!;
      if (me.role === 'admin' && twoFactor.requiredForAdmins()) return setupPage(req, res, 422, { error: fr.security.disableForbiddenAdmin });
      if (!twoFactor.isEnabled(me.id)) return res.redirect(303, SETUP_PATH);
      const errors = await reauth(me, req.body, true);
      if (Object.keys(errors).length) return setupPage(req, res, 422, { disableErrors: errors, errors });
      twoFactor.remove(me.id);
      audit(db, me.email, 'twofactor.disable', undefined, deps.now());
      return setupPage(req, res, 200, { notice: fr.security.disabled });
    }),
  );

  // ── Admins: mandatory second factor, reset for a lost phone ───────────────────────────────
  const adminPage = (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('staff/security', {
      pageTitle: fr.security.securityTitle,
      required: twoFactor.requiredForAdmins(),
      accounts: store.list().map((u) => ({
        id: u.id,
        email: u.email,
        roleLabel: ROLE_LABELS[u.role],
        enabled: twoFactor.isEnabled(u.id),
        self: u.id === req.staff!.id,
      })),
      ...extra,
    });
  router.get('/admin/securite', requirePage('admin'), (req, res) => adminPage(req, res, 200));
  router.post('/admin/securite', requirePage('admin'), (req, res) => {
    const me = req.staff!;
    const on = field(req.body, 'adminsRequireTwoFactor') === '1';
    if (on && !twoFactor.isEnabled(me.id)) return adminPage(req, res, 422, { error: fr.security.requireNeedsOwn });
    const before = twoFactor.requiredForAdmins();
    twoFactor.setRequiredForAdmins(on);
    if (before !== on) audit(db, me.email, 'settings.security', { double_authentification_admins: on ? 'obligatoire' : 'facultative' }, deps.now());
    adminPage(req, res, 200, { notice: fr.staff.saved });
  });
  router.post('/admin/securite/:id/reinitialiser', requirePage('admin'), (req, res) => {
    const me = req.staff!;
    const target = store.byId(String(req.params.id));
    if (!target) return adminPage(req, res, 404);
    if (target.id === me.id) return adminPage(req, res, 422, { error: fr.security.twoFactorResetSelf });
    twoFactor.remove(target.id);
    // A lost phone may carry an open session: end them all.
    db.prepare('DELETE FROM staff_sessions WHERE user_id = ?').run(target.id);
    deps.live.closeUser(target.id);
    audit(db, me.email, 'twofactor.reset', { email: target.email }, deps.now());
    adminPage(req, res, 200, { notice: fr.security.twoFactorResetDone(target.email) });
  });

  return router;
}
