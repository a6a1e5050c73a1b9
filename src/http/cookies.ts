import type { CookieOptions, Request } from 'express';

/** Every cookie of the app: HttpOnly, SameSite=Lax, Secure whenever the request came over HTTPS. */
export function cookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' };
}
