import type { NextFunction, Request, Response } from 'express';

/**
 * The request's cookies as `req.cookies` (name → value; the first of a repeated name wins, as
 * browsers send the most specific first). Values are percent-decoded when they need it; a value
 * that doesn't decode is kept as sent. Replaces cookie-parser, whose signed and JSON cookies the
 * app doesn't use, on the path of every request.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const name = header.slice(start, eq).trim();
      if (name && out[name] === undefined) {
        let value = header.slice(eq + 1, end).trim();
        if (value.length > 1 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) value = value.slice(1, -1);
        if (value.includes('%')) {
          try {
            value = decodeURIComponent(value);
          } catch {
            // kept as sent
          }
        }
        out[name] = value;
      }
    }
    start = end + 1;
  }
  return out;
}

export function readCookies() {
  return (req: Request, _res: Response, next: NextFunction) => {
    req.cookies = parseCookies(req.headers.cookie);
    next();
  };
}
