import helmet from 'helmet';

/**
 * Strict headers: scripts, styles and fonts only from this app (no inline script), no framing,
 * and no Referer at all, so survey URLs (with their relay code) never leak to another site.
 */
export function securityHeaders(opts: { https: boolean }) {
  return helmet({
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
        ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: opts.https ? { maxAge: 15552000 } : false,
    crossOriginEmbedderPolicy: false,
  });
}
