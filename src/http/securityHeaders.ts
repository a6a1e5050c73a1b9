import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * Strict headers: scripts, styles and fonts only from this app (no inline script), no framing,
 * and no Referer at all, so survey URLs (with their relay code) never leak to another site.
 */
export function securityHeaders() {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS is sent below, only on HTTPS requests (directly or via a trusted proxy).
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.secure) res.set('Strict-Transport-Security', 'max-age=15552000');
    headers(req, res, next);
  };
}
