import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { fr } from '../strings.js';
import type { Role, StaffStore, StaffUser } from './store.js';

export const STAFF_COOKIE = 'avenir_equipe';
export const SESSION_MAX_AGE_MS = 12 * 3600 * 1000;

declare module 'express-serve-static-core' {
  interface Request {
    staff?: StaffUser;
    /** How the staff member was recognised: a browser session or a personal API token. */
    staffVia?: 'session' | 'token';
  }
}

/**
 * Recognises a staff member from the session cookie, or from `Authorization: Bearer <token>` for
 * scripts (R, Python, curl). Never rejects by itself: guards do.
 */
export function loadStaff(store: StaffStore, opts: { idleMs: number; now: () => Date }): RequestHandler {
  return (req, res, next) => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const user = store.userForToken(auth.slice(7).trim(), opts.now());
      if (user) {
        req.staff = user;
        req.staffVia = 'token';
      }
      return next();
    }
    const token = req.cookies?.[STAFF_COOKIE];
    if (typeof token === 'string' && token.length < 100) {
      const user = store.touchSession(token, opts.now().getTime(), opts.idleMs, SESSION_MAX_AGE_MS);
      if (user) {
        req.staff = user;
        req.staffVia = 'session';
        res.locals.staff = { email: user.email, role: user.role, isAdmin: user.role === 'admin' };
      }
    }
    next();
  };
}

/** The secret of the request's signed-in session (what its CSRF token is derived from), if any. */
export function staffSessionSecret(req: Request): string | undefined {
  const token = req.cookies?.[STAFF_COOKIE];
  return req.staffVia === 'session' && typeof token === 'string' ? token : undefined;
}

/**
 * Guards a staff page: not signed in → redirect to /login (then back); wrong role → 403.
 * API tokens are for downloads only, not for pages.
 */
export function requirePage(...roles: Role[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.staff || req.staffVia !== 'session') {
      const back = req.method === 'GET' ? `?retour=${encodeURIComponent(req.originalUrl)}` : '';
      return res.redirect(303, `/login${back}`);
    }
    if (!roles.includes(req.staff.role)) {
      return res.status(403).render('errors/message', {
        pageTitle: fr.staff.forbiddenTitle,
        title: fr.staff.forbiddenTitle,
        message: fr.staff.forbidden,
        link: { href: '/equipe', label: fr.staff.backToHome },
      });
    }
    next();
  };
}

/** Guards an API or CSV route: 401 without a session or token, 403 for the wrong role. */
export function requireApi(...roles: Role[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.staff) {
      res.set('WWW-Authenticate', 'Bearer realm="mon-avenir-en-artois"');
      return res.status(401).type('text/plain; charset=utf-8').send(fr.staff.unauthorized);
    }
    if (!roles.includes(req.staff.role)) return res.status(403).type('text/plain; charset=utf-8').send(fr.staff.forbidden);
    // A facilitator's personal token drives workshops only (and says who it is): never the
    // survey's figures or streams, which facilitators read in a browser, protected.
    if (req.staffVia === 'token' && req.staff.role === 'facilitator' && !FACILITATOR_TOKEN_PATHS.test(req.path)) {
      return res.status(403).type('text/plain; charset=utf-8').send(fr.staff.tokenWorkshopsOnly);
    }
    next();
  };
}

/** What a facilitator's token may reach. */
export const FACILITATOR_TOKEN_PATHS = /^\/api\/(workshops(\/|$)|moi$)/;
