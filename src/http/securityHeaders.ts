import http from 'node:http';
import type { Express, Request, Response } from 'express';
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
 * stand-in response, then copied onto each response.
 */
function captureHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  const stub = {
    setHeader: (name: string, value: string | number) => headers.push([name, String(value)]),
    removeHeader: () => {},
  };
  policy({} as Request, stub as unknown as Response, () => {});
  // Nothing in the app uses a camera, a microphone, the location or ad-tracking APIs: no page
  // (nor anything injected into one) may ask for them.
  headers.push(['Permissions-Policy', PERMISSIONS_POLICY]);
  return headers;
}

const HSTS = 'max-age=15552000';
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'browsing-topics=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'interest-cohort=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
].join(', ');

/**
 * Puts the headers on every response of the app as its head is written, whatever produced it
 * (pages, errors, static files, CSV, event streams). A response without a body (a redirect after
 * a section, a 304) has no document for CSP, framing or sniffing rules to govern: it carries the
 * referrer policy (it applies to the redirect that follows) and HSTS only. That is the answer to
 * every « Suivant » of a classroom, where the other ten headers cost time for nothing.
 */
export function secureResponses(app: Express) {
  const all = captureHeaders();
  const forRedirects = all.filter(([name]) => name.toLowerCase() === 'referrer-policy');
  const writeHead = http.ServerResponse.prototype.writeHead;
  // Express gives each app its own response prototype: this touches this app only.
  const proto = app.response as unknown as http.ServerResponse;
  proto.writeHead = function (this: Response, statusCode: number) {
    const length = this.getHeader('Content-Length');
    const bodiless = statusCode === 304 || statusCode === 204 || (statusCode >= 300 && statusCode < 400 && (length === '0' || length === 0));
    for (const [name, value] of bodiless ? forRedirects : all) if (!this.hasHeader(name)) this.setHeader(name, value);
    // req.secure consults the proxy settings: only worth asking when HTTPS is possible at all.
    const req = this.req;
    if (req && ((req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] !== undefined) && req.secure) {
      this.setHeader('Strict-Transport-Security', HSTS);
    }
    // eslint-disable-next-line prefer-rest-params
    return writeHead.apply(this, arguments as unknown as Parameters<typeof writeHead>);
  } as typeof proto.writeHead;
}
