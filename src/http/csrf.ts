import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { fr } from '../strings.js';
import { cookieOptions } from './cookies.js';

export const CSRF_COOKIE = 'avenir_csrf';
export const CSRF_FIELD = '_csrf';

const newToken = () => crypto.randomBytes(32).toString('base64url');

/** The CSRF token of a signed-in session: derived from its secret id, so it dies with it. */
export function sessionCsrfToken(sessionSecret: string): string {
  return crypto.createHmac('sha256', sessionSecret).update('csrf').digest('base64url');
}

/**
 * Two kinds of token, one field.
 * - Anonymous visitors (respondents, the login form): double-submit, a random value in an
 *   HttpOnly SameSite cookie that every form echoes in a hidden field.
 * - A signed-in staff member (`boundTo` gives their session's secret): the token is derived from
 *   the session, so a token from another session, or from before the sign-in, is refused.
 * A POST without the expected token is refused (403) before anything is stored.
 */
export function csrfProtection(opts: { boundTo?: (req: Request) => string | undefined } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    let token: unknown = req.cookies?.[CSRF_COOKIE];
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = newToken();
      res.cookie(CSRF_COOKIE, token, cookieOptions(req));
      // A fresh cookie can't match anything posted with this request.
      req.cookies = { ...(req.cookies ?? {}), [CSRF_COOKIE]: undefined };
    }
    const session = opts.boundTo?.(req);
    const expected = session ? sessionCsrfToken(session) : req.cookies?.[CSRF_COOKIE];
    res.locals.csrfToken = session ? expected : token;
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    // A script with a personal API token carries no cookie: no cross-site request can forge it.
    // Nor can a page set an Authorization header cross-site: a wrong token gets the API's 401.
    if (req.staffVia === 'token' || req.headers.authorization?.startsWith('Bearer ')) return next();

    const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (typeof sent === 'string' && typeof expected === 'string' && safeEqual(sent, expected)) return next();
    res.status(403).render('errors/message', {
      pageTitle: fr.http.csrfTitle,
      title: fr.http.csrfTitle,
      message: fr.http.csrf,
      extra: fr.http.cookiesNeeded,
      link: { href: '/questionnaire', label: fr.http.resume },
    });
  };
}

/**
 * A new anonymous token, e.g. when a staff session starts or ends: whatever token the browser
 * had before is worthless afterwards.
 */
export function renewCsrfCookie(req: Request, res: Response) {
  res.cookie(CSRF_COOKIE, newToken(), cookieOptions(req));
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
