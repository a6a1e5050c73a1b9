import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

// Strict headers: scripts, styles and fonts only from this app (no inline script), no framing,
// and no Referer at all, so survey URLs (with their relay code) never leak to another site.
const policy = helmet({
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

/**
 * Helmet's headers don't depend on the request: they are computed once by running helmet on a
 * stand-in response, then copied onto each response (this runs on every request of a classroom
 * burst, and helmet's per-request work showed in the submissions benchmark).
 */
function captureHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  const stub = {
    setHeader: (name: string, value: string | number) => headers.push([name, String(value)]),
    removeHeader: () => {},
  };
  policy({} as Request, stub as unknown as Response, () => {});
  return headers;
}

export function securityHeaders() {
  const headers = captureHeaders();
  return (req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    // req.secure consults the proxy settings: only worth asking when HTTPS is possible at all.
    if ((req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] !== undefined) {
      if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=15552000');
    }
    next();
  };
}
