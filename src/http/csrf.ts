import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { fr } from '../strings.js';
import { cookieOptions } from './cookies.js';

export const CSRF_COOKIE = 'avenir_csrf';
export const CSRF_FIELD = '_csrf';

/**
 * Double-submit token: a random value in an HttpOnly SameSite cookie that every form echoes in a
 * hidden field. A POST without the matching pair is refused (403) before anything is stored.
 */
export function csrfProtection() {
  return (req: Request, res: Response, next: NextFunction) => {
    let token: unknown = req.cookies?.[CSRF_COOKIE];
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = crypto.randomBytes(32).toString('base64url');
      res.cookie(CSRF_COOKIE, token, cookieOptions(req));
      // A fresh cookie can't match anything posted with this request.
      req.cookies = { ...(req.cookies ?? {}), [CSRF_COOKIE]: undefined };
    }
    res.locals.csrfToken = token;
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    // A script with a personal API token carries no cookie: no cross-site request can forge it.
    if (req.staffVia === 'token') return next();

    const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    const expected = req.cookies?.[CSRF_COOKIE];
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

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
